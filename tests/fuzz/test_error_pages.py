"""The pages of the last resort, as production serves them (DEBUG off, as the suite runs).

A request Django cannot use at all (too large, too many fields) gets the project's 400 page,
saying nothing was saved; an exception in a view gets the project's 500 page, never a traceback,
while the traceback goes to the log.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import include, path, reverse

from audits.models import Audit

pytestmark = pytest.mark.django_db

SECRET = "the-secret-detail-of-the-failure"


@login_not_required
def broken_view(request):
    raise RuntimeError(SECRET)


# This module is the URLconf of the 500 test: the project's URLs, and one view that fails.
urlpatterns = [path("broken/", broken_view), path("", include("config.urls"))]


def test_the_suite_runs_with_debug_off_as_production_does():
    assert settings.DEBUG is False


@pytest.mark.urls(__name__)
def test_an_exception_in_a_view_is_the_project_s_500_page_without_a_traceback(caplog):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "it may not have been saved" in html
    for detail in (SECRET, "Traceback", "RuntimeError", "broken_view", "File &quot;"):
        assert detail not in html
    assert "Content-Security-Policy" in response.headers
    # The people who run the service get the whole story in the log.
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert SECRET in str(logged.exc_info[1])


@pytest.mark.parametrize(
    "pairs",
    [
        # More than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) once percent-encoded.
        [("case_reference", "CR-1"), ("overall_comments", "é" * 500_000)],
        # More than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
        [("case_reference", "CR-1")] + [(f"actions-{n}-description", "x") for n in range(1001)],
    ],
    ids=["too-large", "too-many-fields"],
)
def test_a_form_django_cannot_read_is_the_project_s_400_page_and_nothing_is_saved(
    client, owner, pairs
):
    client.force_login(owner)

    response = client.generic(
        "POST",
        reverse("audits:new"),
        urlencode([*pairs, ("action", "save")]),
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Sorry, this request could not be used" in html
    assert "Nothing was saved." in html
    assert not Audit.objects.exists()
