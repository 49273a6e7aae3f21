"""The sample draw's pages (issue 14, item 5): a QA lead draws an activity's cases in the
browser, previews them, records the draw; sees the activity's draws and replaces a case that
closed or moved; an auditor starts the audit of a case allocated to them.

The draw itself is ``services.draw_sample``, which the draw_sample command calls too: the same
rules and the same messages.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import roles
from ..models import AuditActivity, DrawnCase
from ..permissions import require
from ..workflow import AuditError
from . import selectors, services
from .forms import DrawForm, ReplaceForm, new_seed
from .sampling import DrawError

PREVIEW, RECORD, CHANGE = "preview", "record", "change"


class _PreviewOutdated(Exception):
    """The draw recorded would differ from the one previewed: rolled back."""


def _activity_for_planner(user, pk) -> AuditActivity:
    require("audits.draw_sample", user, error=PermissionDenied)
    return get_object_or_404(AuditActivity, pk=pk)


def fingerprint(result: services.DrawResult) -> str:
    """What the preview showed, so that recording can tell whether it still draws the same."""
    text = "\n".join(
        f"{case.case_reference}\t{auditor}" for case, auditor in zip(result.cases, result.auditors)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def draw_list(request, pk):
    """The activity's draws: seed, criteria, who and when, each case with its auditor and
    whether it has been audited, withdrawals with their reasons."""
    activity = _activity_for_planner(request.user, pk)
    draws = selectors.draws_of_activity(activity)
    names = selectors.vocabulary_names()
    return render(
        request,
        "audits/cases/draw_list.html",
        {
            "activity": activity,
            "draws": [
                {"draw": draw, "criteria": selectors.criteria_summary(draw.criteria, names)}
                for draw in draws
            ],
        },
    )


def draw_new(request, pk):
    """The draw form; Preview shows the cases a draw would give (nothing recorded), Record this
    draw records it as previewed."""
    activity = _activity_for_planner(request.user, pk)
    action = request.POST.get("action", PREVIEW) if request.method == "POST" else None
    if action is None:
        form = DrawForm(initial={"seed": new_seed()})
        return _form_page(request, activity, form)
    form = DrawForm(request.POST)
    if action == CHANGE or not form.is_valid():
        return _form_page(request, activity, form)
    criteria = form.criteria()
    seed = form.cleaned_data["seed"]
    try:
        if action == RECORD:
            return _record(request, activity, form, criteria, seed)
        result = services.draw_sample(
            activity=activity, seed=seed, criteria=criteria, by=request.user, dry_run=True
        )
    except DrawError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _form_page(request, activity, form)
    return _preview_page(request, activity, form, result)


def _record(request, activity, form, criteria, seed):
    try:
        with transaction.atomic():
            result = services.draw_sample(
                activity=activity, seed=seed, criteria=criteria, by=request.user
            )
            if fingerprint(result) != request.POST.get("previewed"):
                raise _PreviewOutdated
    except _PreviewOutdated:
        # The case list, the audits or the activity's auditors changed since the preview (or
        # someone else drew): nothing is recorded, and the draw as it is now is shown again.
        result = services.draw_sample(
            activity=activity, seed=seed, criteria=criteria, by=request.user, dry_run=True
        )
        messages.warning(
            request,
            _(
                "The cases this draw gives have changed since your preview (the case list, "
                "the audits or the activity's auditors changed). Nothing was recorded: check "
                "the draw below and record it again."
            ),
        )
        return _preview_page(request, activity, form, result, status=409)
    messages.success(
        request,
        ngettext(
            "Draw recorded: %(n)s case drawn with seed “%(seed)s”.",
            "Draw recorded: %(n)s cases drawn with seed “%(seed)s”.",
            len(result.cases),
        )
        % {"n": len(result.cases), "seed": seed},
    )
    return redirect(reverse("audits:draws", args=[activity.pk]) + f"#draw-{result.record.pk}")


def _form_page(request, activity, form):
    return render(
        request,
        "audits/cases/draw_form.html",
        {"activity": activity, "form": form, "auditors": activity.auditors.order_by("username")},
        status=400 if form.is_bound and form.errors else 200,
    )


def _preview_page(request, activity, form, result, *, status=200):
    user_model = get_user_model()
    auditors = user_model.objects.in_bulk({pk for pk in result.auditors if pk is not None})
    rows = [
        {"case": case, "auditor": auditors.get(auditor_id)}
        for case, auditor_id in zip(result.cases, result.auditors)
    ]
    counts: dict = {}
    for row in rows:
        if row["auditor"] is not None:
            counts[row["auditor"]] = counts.get(row["auditor"], 0) + 1
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "action", "previewed")
        for value in values
    ]
    return render(
        request,
        "audits/cases/draw_preview.html",
        {
            "activity": activity,
            "form": form,
            "result": result,
            "rows": rows,
            "per_auditor": sorted(
                ((roles.display_name(user), n) for user, n in counts.items()),
                key=lambda item: item[0].lower(),
            ),
            "criteria": selectors.criteria_summary(
                form.criteria().as_json(today=timezone.localdate()), selectors.vocabulary_names()
            ),
            "seed": form.cleaned_data["seed"],
            "posted": posted,
            "previewed": fingerprint(result),
        },
        status=status,
    )


def drawn_case_replace(request, pk):
    """Withdraw a drawn case (closed, transferred) with a reason, and draw its replacement."""
    require("audits.draw_sample", request.user, error=PermissionDenied)
    drawn_case = get_object_or_404(
        DrawnCase.objects.select_related("draw__activity", "case", "auditor", "team"), pk=pk
    )
    activity = drawn_case.draw.activity
    back = reverse("audits:draws", args=[activity.pk]) + f"#draw-{drawn_case.draw_id}"
    form = ReplaceForm(request.POST or None)
    if drawn_case.withdrawn_at is not None:
        messages.error(request, _("The case has been withdrawn from the draw already."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = services.drawn_case_replace(
                drawn_case=drawn_case, reason=form.cleaned_data["reason"], by=request.user
            )
        except DrawError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if replacement is None:
                messages.warning(
                    request,
                    _("%(ref)s is withdrawn from the draw. No eligible case is left to replace it.")
                    % {"ref": drawn_case.case.case_reference},
                )
            else:
                messages.success(
                    request,
                    _("%(ref)s is withdrawn from the draw and replaced by %(new)s.")
                    % {
                        "ref": drawn_case.case.case_reference,
                        "new": replacement.case.case_reference,
                    },
                )
            return redirect(back)
    return render(
        request,
        "audits/cases/replace_form.html",
        {"drawn_case": drawn_case, "activity": activity, "form": form, "back": back},
        status=400 if form.errors else 200,
    )


@require_POST
def allocated_case_start(request, pk):
    """Start (or, started already, open) the audit of a case allocated to the user."""
    # Nobody learns of a case allocated to someone else.
    drawn_case = get_object_or_404(DrawnCase, pk=pk, auditor=request.user)
    try:
        audit = services.allocated_case_start(drawn_case=drawn_case, by=request.user)
    except AuditError as error:
        messages.error(request, error.message)
        return redirect("audits:home")
    if audit.is_editable_status:
        return redirect("audits:edit", audit.pk)
    return redirect("audits:detail", audit.pk)
