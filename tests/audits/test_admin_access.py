"""The Django admin is for the Administrator role (or a superuser) and nobody else."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditActivity, AuditTool, RiskCategory
from tests import factories
from tests.helpers import draft_audit

pytestmark = pytest.mark.django_db

AUDIT_MODELS = {
    "AuditTool",
    "AuditActivity",
    "Strand",
    "CaseType",
    "AgeBand",
    "Team",
    "RiskCategory",
}

ADMIN_PAGES = [
    "/admin/",
    "/admin/audits/audittool/",
    "/admin/audits/audittool/{tool}/change/",
    "/admin/audits/strand/",
    "/admin/auth/user/",
]


def _url(url):
    """The page's address, with the current tool (the migration's version 1) where asked."""
    return url.format(tool=AuditTool.objects.get(is_current=True).pk)


def _admin_models(response):
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


def test_an_administrator_who_is_not_staff_gets_the_admin_with_the_audit_models(
    client, administrator_user
):
    assert not administrator_user.is_staff and not administrator_user.is_superuser
    client.force_login(administrator_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert AUDIT_MODELS <= _admin_models(response)
    assert {"User", "Group"} <= _admin_models(response)
    assert b"Audit tools" in response.content


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_an_administrator_can_open_each_admin_page(client, administrator_user, url):
    client.force_login(administrator_user)

    assert client.get(_url(url)).status_code == 200


def test_a_superuser_gets_the_admin(client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert AUDIT_MODELS <= _admin_models(response)


@pytest.mark.parametrize("who", ["owner", "moderator_user", "qa_lead_user", "no_role_user"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_other_roles_are_sent_to_the_admin_login(request, client, who, url):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url(url))

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_a_staff_flag_alone_does_not_open_the_admin(client):
    # Only the Administrator role counts; is_staff without it is not enough.
    client.force_login(factories.auditor(is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_a_login_page(client, url):
    response = client.get(_url(url))

    assert response.status_code == 302
    assert "login" in response.url
    assert "next=" in response.url


def test_other_roles_cannot_change_a_tool_through_the_admin(client, owner):
    tool = AuditTool.objects.get(is_current=True)
    client.force_login(owner)

    response = client.post(
        f"/admin/audits/audittool/{tool.pk}/change/", {"name": "Renamed by an auditor"}
    )

    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.name != "Renamed by an auditor"


def test_nobody_deletes_an_audit_tool_in_the_admin(client, administrator_user):
    tool = AuditTool.objects.get(is_current=True)
    client.force_login(administrator_user)

    response = client.post(f"/admin/audits/audittool/{tool.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert AuditTool.objects.filter(pk=tool.pk).exists()


# --- the admin writes nothing around the services ---------------------------------------------


@pytest.fixture
def activity(db):
    return factories.AuditActivityFactory(name="Neglect audit", moderation_rate=40)


def test_an_activity_is_shown_in_the_admin_with_a_link_to_its_schedule_page(
    client, administrator_user, activity
):
    client.force_login(administrator_user)
    edit = reverse("audits:activity_edit", args=[activity.pk])

    listing = client.get("/admin/audits/auditactivity/")
    page = client.get(f"/admin/audits/auditactivity/{activity.pk}/change/")

    assert listing.status_code == 200 and f'href="{edit}"' in listing.content.decode()
    assert page.status_code == 200 and f'href="{edit}"' in page.content.decode()
    assert "Neglect audit" in page.content.decode()
    # The schedule page the link opens is the administrator's to use.
    assert client.get(edit).status_code == 200


def test_an_activity_cannot_be_added_changed_or_deleted_in_the_admin(
    client, administrator_user, activity
):
    """The schedule's pages save through its services, which check the rules (a due date in or
    after the month, a rate from 0 to 100, one name per month); the admin would not."""
    client.force_login(administrator_user)
    change = f"/admin/audits/auditactivity/{activity.pk}/change/"

    added = client.post(
        "/admin/audits/auditactivity/add/",
        {"name": "Added in the admin", "month": "2026-10-01", "moderation_rate": "100"},
    )
    changed = client.post(
        change, {"name": activity.name, "month": "2026-10-01", "moderation_rate": "250"}
    )
    deleted = client.post(f"/admin/audits/auditactivity/{activity.pk}/delete/", {"post": "yes"})

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    activity.refresh_from_db()
    assert activity.moderation_rate == 40
    assert list(AuditActivity.objects.values_list("name", flat=True)) == ["Neglect audit"]


def test_a_risk_category_of_a_tool_in_use_cannot_be_deleted_or_added_to(
    client, administrator_user, owner
):
    """Audits record their risks against the tool's categories: deleting one would take it off
    every audit that recorded it."""
    draft_audit(auditor=owner)  # even a draft holds the tool
    in_use = AuditTool.objects.get(is_current=True)
    copy = services.tool_copy_as_new_version(source=in_use)
    category = RiskCategory.objects.filter(domain__tool=in_use).first()
    client.force_login(administrator_user)

    deleted = client.post(f"/admin/audits/riskcategory/{category.pk}/delete/", {"post": "yes"})
    form = client.get("/admin/audits/riskcategory/add/")
    added = client.post(
        "/admin/audits/riskcategory/add/",
        {"domain": category.domain_id, "slug": "new-risk", "name": "New risk", "order": "9"},
    )

    assert deleted.status_code == 403
    assert RiskCategory.objects.filter(pk=category.pk).exists()
    offered = set(
        form.context["adminform"].form.fields["domain"].queryset.values_list("pk", flat=True)
    )
    assert category.domain_id not in offered
    assert copy.domains.get(number=1).pk in offered
    assert added.status_code == 200  # the form again, with the domain refused beside its field
    assert "domain" in added.context["adminform"].form.errors
    assert not RiskCategory.objects.filter(slug="new-risk").exists()


def test_a_tool_in_use_cannot_be_renamed_in_the_admin(client, administrator_user, owner):
    draft_audit(auditor=owner)
    tool = AuditTool.objects.get(is_current=True)
    name = tool.name
    client.force_login(administrator_user)

    client.post(
        f"/admin/audits/audittool/{tool.pk}/change/",
        {
            "name": "Renamed in the admin",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
            "domains-MIN_NUM_FORMS": "0",
            "domains-MAX_NUM_FORMS": "1000",
        },
    )

    tool.refresh_from_db()
    assert tool.name == name
