"""The footer's pages (config.pages): help, contact, the privacy notice and the accessibility
statement. Open to anyone, linked from every page's footer, showing the council's own words from
its settings (escaped: settings are text, not HTML) and no case data; the statement has the
sections the Public Sector Bodies Accessibility Regulations 2018 ask for (the GOV.UK model)."""

import re
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse

from config.pages import STATEMENT_PREPARED
from tests.helpers import submitted_audit
from tests.test_settings import A_KEY, _run

pytestmark = pytest.mark.django_db

PAGES = ["pages:help", "pages:contact", "pages:privacy", "pages:accessibility"]
FOOTER = [
    ("pages:help", "Help"),
    ("pages:accessibility", "Accessibility statement"),
    ("pages:privacy", "Privacy notice"),
    ("pages:contact", "Contact"),
]

# The GOV.UK model accessibility statement's sections, in its order.
STATEMENT_SECTIONS = [
    "Using this service",
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Disproportionate burden",
    "Content that's not within the scope of the accessibility regulations",
    "What we're doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def text(response) -> str:
    """The page's words, tags removed and spaces folded."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(body).split())


def footer_links(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    footer = html.split('<footer class="govuk-footer">', 1)[1].split("</footer>", 1)[0]
    return re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer)


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_open_to_anyone_and_asks_the_database_nothing(
    client, django_assert_num_queries, name
):
    with django_assert_num_queries(0):
        response = client.get(reverse(name))

    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
    assert client.post(reverse(name)).status_code == 405


def test_every_page_links_the_four_pages_in_its_footer(client, owner):
    expected = [(reverse(name), label) for name, label in FOOTER]
    assert footer_links(client.get(reverse("login"))) == expected
    assert footer_links(client.get(reverse("pages:accessibility"))) == expected
    client.force_login(owner)
    audit = submitted_audit(auditor=owner)
    for url in (reverse("audits:home"), reverse("audits:detail", args=[audit.pk])):
        assert footer_links(client.get(url)) == expected
    assert footer_links(client.get("/no-such-page/")) == expected  # the 404 page


def test_the_statement_has_the_model_statements_sections_in_order(client):
    html = client.get(reverse("pages:accessibility")).content.decode()
    headings = [
        unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)
        if "govuk-visually-hidden" not in h
    ]
    headings = [h for h in headings if h != "Support links"]  # the footer's hidden heading

    assert headings == STATEMENT_SECTIONS


def test_the_statement_says_who_enforces_what_complies_and_how_it_was_tested(client):
    words = text(client.get(reverse("pages:accessibility")))

    assert "Equality and Human Rights Commission (EHRC)" in words
    assert "Equality Commission for Northern Ireland (ECNI)" in words
    assert "Equality Advisory and Support Service (EASS)" in words
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in words
    assert "Example Borough Council is committed" in words
    prepared = f"{STATEMENT_PREPARED.day} {STATEMENT_PREPARED:%B %Y}"
    assert f"This statement was prepared on {prepared}." in words
    assert "last reviewed" not in words  # until ACCESSIBILITY_REVIEWED is set
    for how in (
        "axe-core in the Chromium browser, against the WCAG 2.2 A and AA rules",
        "no page scrolls sideways at 320 pixels wide",
        "at least 3 to 1",
        "using the keyboard alone",
        "check their tags, language, title, bookmarks, table header rows",
    ):
        assert how in words


def test_without_settings_the_pages_send_people_to_the_councils_service_desk(client):
    for name in ("pages:help", "pages:contact", "pages:accessibility"):
        words = text(client.get(reverse(name)))
        assert "Contact your council's IT service desk (Monday to Friday, 9am to 5pm)" in words
        assert "mailto:" not in client.get(reverse(name)).content.decode()


@override_settings(
    COUNCIL_NAME="Northshire Council",
    SUPPORT_EMAIL="cfa-support@northshire.example",
    SUPPORT_PHONE="01234 567890",
    SUPPORT_HOURS="weekdays, 8am to 6pm",
    HELP_TEXT="First <b>paragraph</b>.\n\nSecond paragraph.",
    CONTACT_TEXT="Write to Room 101, County Hall.",
    PRIVACY_TEXT="The council's records officer keeps the schedule.",
    PRIVACY_NOTICE_URL="https://www.northshire.example/privacy",
    DATA_PROTECTION_EMAIL="dpo@northshire.example",
    ACCESSIBILITY_REVIEWED=STATEMENT_PREPARED.replace(year=STATEMENT_PREPARED.year + 1),
)
def test_the_council_sets_what_the_pages_say(client):
    help_page = client.get(reverse("pages:help")).content.decode()
    assert '<a class="govuk-link" href="mailto:cfa-support@northshire.example">' in help_page
    assert "call 01234 567890 (weekdays, 8am to 6pm)" in help_page
    # Paragraphs, escaped: a setting is text, never markup.
    assert "<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p>" in help_page
    assert "<p>Second paragraph.</p>" in help_page

    assert "Write to Room 101, County Hall." in text(client.get(reverse("pages:contact")))

    privacy = client.get(reverse("pages:privacy"))
    assert 'href="https://www.northshire.example/privacy">full privacy notice</a>' in (
        privacy.content.decode()
    )
    assert "mailto:dpo@northshire.example" in privacy.content.decode()
    assert "Northshire Council is the data controller" in text(privacy)
    assert "The council's records officer keeps the schedule." in text(privacy)

    statement = text(client.get(reverse("pages:accessibility")))
    reviewed = STATEMENT_PREPARED.replace(year=STATEMENT_PREPARED.year + 1)
    assert f"It was last reviewed on {reviewed.day} {reviewed:%B %Y}." in statement
    assert "Northshire Council is committed" in statement


def test_the_pages_render_under_the_production_static_storage(production_static, client):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "/static/dist/govuk.css" not in response.content.decode()  # the hashed name


def test_settings_read_the_pages_words_from_the_environment():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(repr(s.HELP_TEXT), s.SUPPORT_EMAIL, s.ACCESSIBILITY_REVIEWED)",
        SECRET_KEY=A_KEY,
        HELP_TEXT="One.\\n\\nTwo.",
        SUPPORT_EMAIL=" help@council.example ",
        ACCESSIBILITY_REVIEWED="2027-01-31",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'One.\\n\\nTwo.' help@council.example 2027-01-31"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ACCESSIBILITY_REVIEWED", "31/01/2027", "ACCESSIBILITY_REVIEWED must be a date"),
        ("PRIVACY_NOTICE_URL", "javascript:alert(1)", "PRIVACY_NOTICE_URL must be a web address"),
    ],
)
def test_a_mistaken_setting_stops_the_app_with_a_message(variable, value, message):
    result = _run("manage.py", "check", DEBUG="1", **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr
