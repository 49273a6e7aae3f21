"""/healthz answers the load balancer: "ok" after a query, 503 when the database is down."""

import pytest
from django.urls import reverse

from audits.models import SecurityEvent
from tests.test_settings import _run

pytestmark = pytest.mark.django_db


def test_it_answers_ok_as_plain_text_to_anyone_and_logs_nothing(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok"
    assert not SecurityEvent.objects.exists()


def test_it_is_not_cached_and_refuses_to_be_posted_to(client):
    assert "no-store" in client.get(reverse("healthz"))["Cache-Control"]
    assert client.post(reverse("healthz")).status_code == 405


def test_with_the_database_down_it_answers_503():
    # A real server with nothing listening on the database's port, in a fresh process (this
    # one's database connection is the test database's).
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    result = _run(
        "-c",
        script,
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "503 database unavailable"
