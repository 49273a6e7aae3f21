"""Django's password pages (config/urls.py) in the service's own look: their forms through the
template pack, an error summary above, "Error: " first in the title when there is one."""

import pytest
from django.urls import reverse

from tests import factories
from tests.browser.conftest import PASSWORD  # tests.factories.UserFactory's password

pytestmark = pytest.mark.django_db


def test_changing_a_password_with_a_wrong_current_one_shows_the_error_summary(client):
    user = factories.auditor()
    client.force_login(user)

    page = client.get(reverse("password_change")).content.decode()
    assert '<h1 class="govuk-heading-l">Change your password</h1>' in page
    assert 'govuk-input" required id="id_old_password"' in page
    assert "govuk-error-summary" not in page

    response = client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": "x", "new_password2": "y"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Change your password" in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_old_password"' in html
    assert 'id="id_old_password_error"' in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_a_password_changes_it(client):
    user = factories.auditor()
    client.force_login(user)
    new = "a-new-and-long-passphrase-2026"

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert "Your password has been changed" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_reset_page_asks_for_an_email_address_with_an_error_summary(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})

    html = response.content.decode()
    assert "<title>Error: Reset your password" in html
    assert 'href="#id_email"' in html
