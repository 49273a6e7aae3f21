"""Who may see and change which audit: get_audit_for, the scoped querysets and earlier_audits.

404 for what a user may not see (so nobody learns a colleague's draft exists), 403 for what they
may see but not do.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from audits import selectors
from audits.models import Audit, Status
from tests import factories
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners_draft(owner):
    return draft_audit(auditor=owner, case_reference="CR-DRAFT")


@pytest.fixture
def owners_submitted(owner):
    return submitted_audit(auditor=owner, case_reference="CR-DONE")


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("owner", True),
        ("colleague", False),
        ("moderator_user", False),
        ("qa_lead_user", False),
        ("administrator_user", False),
        ("no_role_user", False),
    ],
)
def test_a_draft_is_seen_by_its_auditor_only(request, owners_draft, who, visible):
    user = request.getfixturevalue(who)
    if visible:
        assert selectors.get_audit_for(user, owners_draft.pk) == owners_draft
        assert selectors.get_audit_for(user, owners_draft.pk, "edit") == owners_draft
    else:
        with pytest.raises(Http404):
            selectors.get_audit_for(user, owners_draft.pk)
        with pytest.raises(Http404):
            selectors.get_audit_for(user, owners_draft.pk, "edit")
    assert selectors.audits_visible_to(user).filter(pk=owners_draft.pk).exists() is visible


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("owner", True),
        ("colleague", False),
        ("moderator_user", True),
        ("qa_lead_user", True),
        ("administrator_user", True),
        ("no_role_user", False),
    ],
)
def test_a_submitted_audit_is_seen_by_its_auditor_and_the_roles_that_see_all(
    request, owners_submitted, who, visible
):
    user = request.getfixturevalue(who)
    if visible:
        assert selectors.get_audit_for(user, owners_submitted.pk) == owners_submitted
        # Seen, but nobody may change it any more: 403, not 404.
        with pytest.raises(PermissionDenied):
            selectors.get_audit_for(user, owners_submitted.pk, "edit")
    else:
        with pytest.raises(Http404):
            selectors.get_audit_for(user, owners_submitted.pk)
        with pytest.raises(Http404):
            selectors.get_audit_for(user, owners_submitted.pk, "edit")
    assert selectors.audits_visible_to(user).filter(pk=owners_submitted.pk).exists() is visible


def test_the_auditor_may_edit_a_returned_audit(owner, colleague, owners_submitted):
    Audit.objects.filter(pk=owners_submitted.pk).update(status=Status.RETURNED)

    assert selectors.get_audit_for(owner, owners_submitted.pk, "edit") == owners_submitted
    with pytest.raises(Http404):
        selectors.get_audit_for(colleague, owners_submitted.pk, "edit")


def test_a_moderator_sees_their_own_draft_but_not_a_colleagues(moderator_user, owner):
    # Someone holding both roles still audits: their own drafts stay theirs.
    mine = draft_audit(auditor=moderator_user)
    theirs = draft_audit(auditor=owner)

    assert selectors.get_audit_for(moderator_user, mine.pk, "edit") == mine
    with pytest.raises(Http404):
        selectors.get_audit_for(moderator_user, theirs.pk)


def test_a_superuser_counts_as_an_administrator(owners_draft, owners_submitted):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    assert selectors.get_audit_for(superuser, owners_submitted.pk) == owners_submitted
    with pytest.raises(Http404):
        selectors.get_audit_for(superuser, owners_draft.pk)


@pytest.mark.parametrize("pk", [0, 999_999, "abc", None])
def test_a_missing_or_malformed_pk_is_404(owner, pk):
    with pytest.raises(Http404):
        selectors.get_audit_for(owner, pk)


def test_an_unknown_action_is_a_programming_error(owner, owners_draft):
    with pytest.raises(ValueError, match="unknown action"):
        selectors.get_audit_for(owner, owners_draft.pk, "delete-everything")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", {"mine_draft", "mine_submitted"}),
        ("colleague", {"theirs_draft", "theirs_submitted"}),
        ("moderator_user", {"mine_submitted", "theirs_submitted"}),
        ("qa_lead_user", {"mine_submitted", "theirs_submitted"}),
        ("administrator_user", {"mine_submitted", "theirs_submitted"}),
        ("no_role_user", set()),
    ],
)
def test_audits_visible_to(request, owner, colleague, who, expected):
    audits = {
        "mine_draft": draft_audit(auditor=owner),
        "mine_submitted": submitted_audit(auditor=owner),
        "theirs_draft": draft_audit(auditor=colleague),
        "theirs_submitted": submitted_audit(auditor=colleague),
    }
    names = {audit.pk: name for name, audit in audits.items()}

    visible = selectors.audits_visible_to(request.getfixturevalue(who))

    assert {names[pk] for pk in visible.values_list("pk", flat=True)} == expected


@pytest.mark.parametrize(
    ("who", "sees_all"),
    [
        ("owner", False),
        ("no_role_user", False),
        ("moderator_user", True),
        ("qa_lead_user", True),
        ("administrator_user", True),
    ],
)
def test_all_audits_is_every_audit_past_draft_for_the_roles_that_see_all(
    request, owner, colleague, who, sees_all
):
    draft_audit(auditor=owner)
    done = {submitted_audit(auditor=owner).pk, submitted_audit(auditor=colleague).pk}

    pks = set(selectors.all_audits(request.getfixturevalue(who)).values_list("pk", flat=True))

    assert pks == (done if sees_all else set())


def test_my_audits_is_the_users_own_in_every_state(owner, colleague):
    mine = {draft_audit(auditor=owner).pk, submitted_audit(auditor=owner).pk}
    submitted_audit(auditor=colleague)

    assert set(selectors.my_audits(owner).values_list("pk", flat=True)) == mine


@pytest.fixture
def case_history(owner, colleague):
    """Three audits of one case by two auditors, plus noise that must never be listed."""
    history = {
        "owner_2025": submitted_audit(
            auditor=owner, case_reference="CR-2001", audit_date=datetime.date(2025, 6, 1)
        ),
        "colleague_2026": submitted_audit(
            auditor=colleague, case_reference="cr-2001", audit_date=datetime.date(2026, 3, 1)
        ),
        "owner_draft": draft_audit(
            auditor=owner, case_reference="CR-2001", audit_date=datetime.date(2026, 4, 1)
        ),
        "colleague_draft": draft_audit(
            auditor=colleague, case_reference="CR-2001", audit_date=datetime.date(2026, 5, 1)
        ),
        "other_case": submitted_audit(
            auditor=owner, case_reference="CR-20011", audit_date=datetime.date(2026, 1, 1)
        ),
        # The re-audit being written now.
        "current": submitted_audit(
            auditor=owner, case_reference="Cr-2001", audit_date=datetime.date(2026, 10, 15)
        ),
    }
    return history


def _rows(rows, history):
    names = {audit.pk: name for name, audit in history.items()}
    return [(names[row["audit"].pk], row["visible"]) for row in rows]


def test_earlier_audits_lists_past_drafts_of_the_same_case_oldest_first(owner, case_history):
    rows = selectors.earlier_audits(
        case_reference="CR-2001", user=owner, exclude_pk=case_history["current"].pk
    )

    # The colleague's audit is listed (the case was audited before) but cannot be opened.
    assert _rows(rows, case_history) == [("owner_2025", True), ("colleague_2026", False)]


@pytest.mark.parametrize("who", ["moderator_user", "qa_lead_user", "administrator_user"])
def test_earlier_audits_may_all_be_opened_by_the_roles_that_see_all(request, case_history, who):
    rows = selectors.earlier_audits(
        case_reference="cr-2001",
        user=request.getfixturevalue(who),
        exclude_pk=case_history["current"].pk,
    )

    assert _rows(rows, case_history) == [("owner_2025", True), ("colleague_2026", True)]


def test_earlier_audits_without_exclude_includes_the_audit_itself(owner, case_history):
    rows = selectors.earlier_audits(case_reference="CR-2001", user=owner)

    assert [name for name, _ in _rows(rows, case_history)] == [
        "owner_2025",
        "colleague_2026",
        "current",
    ]


def test_earlier_audits_before_a_date(owner, case_history):
    rows = selectors.earlier_audits(
        case_reference="CR-2001", user=owner, before=datetime.date(2025, 12, 31)
    )

    assert _rows(rows, case_history) == [("owner_2025", True)]


@pytest.mark.parametrize("reference", ["", "CR-9999"])
def test_earlier_audits_of_no_case_or_a_new_case_is_empty(owner, case_history, reference):
    assert selectors.earlier_audits(case_reference=reference, user=owner) == []


def test_an_audits_grades_are_prefetched_in_domain_order_without_the_audits_table(owner):
    """The grades' Meta ordering begins with the audit, which joined the audits table to sort
    one audit's grades; the prefetch orders by the domain's number alone."""
    from django.db import connection
    from django.db.models import prefetch_related_objects
    from django.test.utils import CaptureQueriesContext

    audit = draft_audit(auditor=owner, case_reference="CR-ORDER")
    audit = Audit.objects.get(pk=audit.pk)

    with CaptureQueriesContext(connection) as captured:
        prefetch_related_objects([audit], *selectors.parts_prefetch(history=False))
    grades_sql = next(q["sql"] for q in captured if 'FROM "audits_domaingrade"' in q["sql"])

    assert 'JOIN "audits_audit"' not in grades_sql
    numbers = [grade.domain.number for grade in audit.domain_grades.all()]
    assert numbers == sorted(numbers) and len(numbers) == 12
