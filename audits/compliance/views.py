"""The manager compliance page, for QA leads and administrators."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from ..periods import add_months, month_start
from ..permissions import require
from . import selectors
from .forms import SHOWN, ComplianceMonthForm


def compliance(request):
    """Per month, each manager's audits allocated, started, submitted and overdue, and who has
    submitted none: the chosen month and the two before it."""
    require("audits.view_compliance", request.user, error=PermissionDenied)
    today = timezone.localdate()
    form = ComplianceMonthForm(request.GET or None, today=today)
    last = month_start(today)
    if form.is_bound:
        if not form.is_valid():
            return render(request, "audits/compliance/compliance.html", {"form": form}, status=400)
        last = form.last_month()
    else:
        form = ComplianceMonthForm(initial={"month": f"{last:%Y-%m}"}, today=today)
    months = selectors.manager_compliance(
        first=add_months(last, -(SHOWN - 1)), last=last, today=today
    )
    return render(
        request,
        "audits/compliance/compliance.html",
        {"form": form, "months": months, "today": today},
    )
