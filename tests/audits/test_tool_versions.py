"""Issue 2: an audit keeps the version of the tool it was made with.

Changing the tool means copying it as a new version, editing the copy and making the copy current;
audits already made keep pointing at the old version's domains and wording. The data migration's
version 1 and vocabularies are checked here too, since the CSV contract relies on their slugs.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from audits import roles, services
from audits.admin import DomainInline
from audits.models import AgeBand, Audit, AuditTool, CaseType, Domain, RiskCategory, Status, Strand
from audits.services import AuditContent, AuditError
from tests.helpers import complete_content, draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
NEW_TITLE = "Risk is understood, acted on and reduced without delay"


@pytest.fixture
def v1():
    return AuditTool.objects.get(is_current=True)


def _new_version_with_changed_domain_1(v1):
    v2 = services.tool_copy_as_new_version(source=v1, name="Audit tool 2027")
    domain = v2.domains.get(number=1)
    domain.title = NEW_TITLE
    domain.save(update_fields=["title"])
    return v2


# --- The migration's starting data -------------------------------------------------------------


def test_the_current_tool_has_twelve_domains_numbered_1_to_12(v1):
    assert v1.version == 1
    assert list(v1.domains.values_list("number", flat=True)) == list(range(1, 13))
    assert all(title for title in v1.domains.values_list("title", flat=True))


def test_domain_1_has_the_six_risk_categories(v1):
    assert list(
        RiskCategory.objects.filter(domain__tool=v1).values_list("domain__number", "slug")
    ) == [
        (1, slug)
        for slug in (
            "sexual_exploitation",
            "neglect",
            "emotional_abuse",
            "sexual_abuse",
            "physical_abuse",
            "domestic_abuse",
        )
    ]


def test_the_vocabularies_have_the_csv_contract_slugs():
    assert list(Strand.objects.values_list("slug", flat=True)) == ["social_care", "early_help"]
    assert list(CaseType.objects.values_list("slug", flat=True)) == [
        "child_in_need",
        "child_protection",
        "looked_after",
        "care_leaver",
        "adoption",
        "private_fostering",
        "special_guardianship",
        "children_with_disabilities",
        "unaccompanied_asylum_seeking",
        "no_recourse_public_funds",
        "early_help",
    ]
    assert list(AgeBand.objects.values_list("name", flat=True)) == [
        "Under 1",
        "1-4",
        "5-9",
        "10-15",
        "16-17",
        "18+",
    ]
    assert list(AgeBand.objects.values_list("slug", flat=True)) == [
        "under-1",
        "1-4",
        "5-9",
        "10-15",
        "16-17",
        "18-plus",
    ]


def test_the_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)
    assert set(roles.ALL_ROLES) == {
        "Auditor",
        "Moderator",
        "QA lead",
        "Administrator",
        "Case holder",
    }


# --- Versions ------------------------------------------------------------------------------------


def test_a_copy_is_a_new_version_not_yet_in_use(v1):
    v2 = services.tool_copy_as_new_version(source=v1)

    v1.refresh_from_db()
    assert (v2.version, v2.is_current, v1.is_current) == (2, False, True)
    assert v2.name == v1.name
    assert list(v2.domains.values_list("number", "title", "guidance")) == list(
        v1.domains.values_list("number", "title", "guidance")
    )
    assert not set(v2.domains.values_list("pk", flat=True)) & set(
        v1.domains.values_list("pk", flat=True)
    )
    assert list(
        RiskCategory.objects.filter(domain__tool=v2).values_list("slug", "name", "order")
    ) == list(RiskCategory.objects.filter(domain__tool=v1).values_list("slug", "name", "order"))
    # New audits still start on v1 until the copy is made current.
    assert services.current_tool() == v1


def test_an_audit_keeps_the_tool_and_wording_it_was_made_with(v1, owner):
    old_title = v1.domains.get(number=1).title
    old_audit = submitted_audit(auditor=owner, case_reference="CR-OLD")

    v2 = services.tool_make_current(tool=_new_version_with_changed_domain_1(v1))

    old_audit = Audit.objects.get(pk=old_audit.pk)
    assert old_audit.tool == v1
    old_grade = old_audit.domain_grades.select_related("domain").get(domain__number=1)
    assert old_grade.domain.tool == v1
    assert old_grade.domain.title == old_title
    assert {g.domain.tool_id for g in old_audit.domain_grades.select_related("domain")} == {v1.pk}

    new_audit = draft_audit(auditor=owner, case_reference="CR-NEW")
    assert new_audit.tool == v2
    new_grade = new_audit.domain_grades.select_related("domain").get(domain__number=1)
    assert new_grade.domain.tool == v2
    assert new_grade.domain.title == NEW_TITLE
    assert new_audit.domain_grades.count() == 12


def test_a_draft_begun_on_the_old_version_can_still_be_finished(v1, owner):
    audit = draft_audit(auditor=owner)
    services.tool_make_current(tool=_new_version_with_changed_domain_1(v1))

    services.audit_save_draft(audit=audit, by=owner, content=complete_content())
    submitted = services.audit_submit(audit=audit, by=owner, today=TODAY)

    assert submitted.status == Status.SUBMITTED
    assert submitted.tool == v1


def test_only_one_tool_can_be_current(v1):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditTool.objects.create(version=7, name="A rival", is_current=True)


def test_make_current_moves_the_flag(v1):
    v2 = services.tool_copy_as_new_version(source=v1)

    services.tool_make_current(tool=v2)
    services.tool_make_current(tool=v2)  # again: nothing to do, no error

    assert list(AuditTool.objects.filter(is_current=True)) == [v2]


def test_make_current_refuses_a_tool_with_no_domains(v1):
    empty = AuditTool.objects.create(version=5, name="Empty")

    with pytest.raises(AuditError, match="no domains"):
        services.tool_make_current(tool=empty)

    assert list(AuditTool.objects.filter(is_current=True)) == [v1]


def test_risk_categories_offered_follow_the_audits_tool(v1, owner):
    v2 = services.tool_make_current(tool=_new_version_with_changed_domain_1(v1))
    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(
            risk_category_ids=list(RiskCategory.objects.values_list("pk", flat=True))
        ),
    )

    assert {r.domain.tool_id for r in audit.risk_categories.all()} == {v2.pk}
    assert audit.risk_categories.count() == 6


# --- The admin freezes a tool that audits use ----------------------------------------------------


def _inline_permissions(user, tool):
    request = RequestFactory().get("/admin/")
    request.user = user
    inline = DomainInline(AuditTool, admin.site)
    return (
        inline.has_view_permission(request, tool),
        inline.has_change_permission(request, tool),
        inline.has_add_permission(request, tool),
        inline.has_delete_permission(request, tool),
    )


def test_the_domain_inline_is_read_only_once_a_tool_has_audits(v1, administrator_user, owner):
    assert _inline_permissions(administrator_user, v1) == (True, True, True, True)

    draft_audit(auditor=owner)  # even a draft holds the tool

    assert _inline_permissions(administrator_user, v1) == (True, False, False, False)
    v2 = services.tool_copy_as_new_version(source=v1)
    assert _inline_permissions(administrator_user, v2) == (True, True, True, True)


def test_the_domain_inline_is_closed_to_everyone_but_administrators(v1, moderator_user):
    assert _inline_permissions(moderator_user, v1) == (False, False, False, False)


def _change_form(tool, *, title_of_domain_1):
    data = {
        "name": tool.name,
        "_save": "Save",
        "domains-TOTAL_FORMS": "12",
        "domains-INITIAL_FORMS": "12",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
    }
    for i, domain in enumerate(tool.domains.order_by("number")):
        data.update(
            {
                f"domains-{i}-id": str(domain.pk),
                f"domains-{i}-tool": str(tool.pk),
                f"domains-{i}-number": str(domain.number),
                f"domains-{i}-guidance": domain.guidance,
                f"domains-{i}-title": title_of_domain_1 if domain.number == 1 else domain.title,
            }
        )
    return data


def test_the_admin_change_page_cannot_retitle_a_domain_of_a_tool_in_use(
    client, v1, administrator_user, owner
):
    v2 = services.tool_copy_as_new_version(source=v1)
    submitted_audit(auditor=owner)
    old_title = v1.domains.get(number=1).title
    client.force_login(administrator_user)

    for tool in (v1, v2):
        response = client.post(
            f"/admin/audits/audittool/{tool.pk}/change/",
            _change_form(tool, title_of_domain_1="Retitled in the admin"),
        )
        assert response.status_code == 302, getattr(response, "context_data", {}).get("errors")

    # The tool in use is unchanged; the same form does change the unused copy, so the post works.
    assert Domain.objects.get(tool=v1, number=1).title == old_title
    assert Domain.objects.get(tool=v2, number=1).title == "Retitled in the admin"
