"""The Django admin is for the Administrator role (or a superuser) and nobody else."""

import pytest

from audits.models import AuditTool
from tests import factories

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
