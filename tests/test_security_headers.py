"""The headers that keep case data out of caches and the page away from what it does not need,
on a case page and on each download (issue 12, item 5)."""

import pytest
from django.urls import reverse

from audits import periods
from reports import services as report_services
from tests.helpers import submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(owner):
    return submitted_audit(auditor=owner, case_reference="CR-5151")


@pytest.fixture
def report(qa_lead_user):
    return report_services.report_create(by=qa_lead_user, period=periods.quarter(2026, 3))


def _urls(audit, report):
    return {
        "audit page": (reverse("audits:detail", args=[audit.pk]), "text/html"),
        "audit PDF": (reverse("audits:pdf", args=[audit.pk]), "application/pdf"),
        "report PDF": (reverse("reports:pdf", args=[report.pk]), "application/pdf"),
        "CSV": (reverse("reports:export", args=[report.pk, "csv"]), "text/csv"),
        "XLSX": (
            reverse("reports:export", args=[report.pk, "xlsx"]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "summary JSON": (
            reverse("reports:summary_json") + "?start=2026-07-01&end=2026-09-30",
            "application/json",
        ),
    }


@pytest.mark.parametrize(
    "what", ["audit page", "audit PDF", "report PDF", "CSV", "XLSX", "summary JSON"]
)
def test_a_case_page_and_each_download_is_never_stored_and_denies_browser_features(
    client, audit, report, qa_lead_user, what
):
    client.force_login(qa_lead_user)
    url, content_type = _urls(audit, report)[what]

    response = client.get(url)

    assert response.status_code == 200, what
    assert response["Content-Type"].startswith(content_type), what
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, what
    assert "public" not in directives
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, (what, feature)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_for_anonymous_people_deny_browser_features_too(client):
    response = client.get(reverse("login"))

    assert "camera=()" in response["Permissions-Policy"]


@pytest.fixture
def https_on(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


def test_plain_http_is_sent_to_https_but_the_health_check_is_not(client, https_on):
    response = client.get(reverse("login"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + reverse("login")
    assert client.get(reverse("healthz")).status_code == 200


def test_behind_the_proxy_https_is_believed_and_hsts_sent(client, https_on):
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_a_case_page_carries_the_content_security_policy(client, audit, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.get(reverse("audits:detail", args=[audit.pk]))

    directives = {
        d.strip().split(" ", 1)[0]: d.strip().split(" ", 1)[1]
        for d in response["Content-Security-Policy"].split(";")
    }
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }


def test_a_page_has_no_inline_script_or_style_for_the_policy_to_block(client, audit, qa_lead_user):
    client.force_login(qa_lead_user)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "<script>" not in html and "<style" not in html
    assert ' style="' not in html and " onclick=" not in html
