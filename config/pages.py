"""The footer's pages: help, contact, the privacy notice and the accessibility statement.

Open to anyone, signed in or not (a person who cannot sign in needs help and contact most), and
before the second factor too. They show no case data and read nothing from the database: their
words are the templates' (templates/pages/) and the council's own settings (SUPPORT_EMAIL,
HELP_TEXT, PRIVACY_NOTICE_URL …, config.settings), set with the deployment like COUNCIL_NAME.
Settings rather than a model edited in the admin: they change once a year at most, must be the
same on every server, need no migration or backup, and cannot be changed by a compromised
administrator account into a page that misleads every user.
"""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

# The day this statement's text (templates/pages/accessibility.html) was prepared: change it
# whenever the statement changes, as the regulations ask it to say when it was prepared.
STATEMENT_PREPARED = datetime.date(2026, 12, 6)

PAGES = {
    "help": "pages/help.html",
    "contact": "pages/contact.html",
    "privacy": "pages/privacy.html",
    "accessibility": "pages/accessibility.html",
}


def council_contact() -> dict:
    """What the pages say of the council, from the settings."""
    return {
        "support_email": settings.SUPPORT_EMAIL,
        "support_phone": settings.SUPPORT_PHONE,
        "support_hours": settings.SUPPORT_HOURS,
        "help_text": settings.HELP_TEXT,
        "contact_text": settings.CONTACT_TEXT,
        "privacy_text": settings.PRIVACY_TEXT,
        "privacy_notice_url": settings.PRIVACY_NOTICE_URL,
        "data_protection_email": settings.DATA_PROTECTION_EMAIL,
        "retention_years": settings.RETENTION_YEARS,
        "session_idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "statement_prepared": STATEMENT_PREPARED,
        "statement_reviewed": settings.ACCESSIBILITY_REVIEWED,
    }


def _page(name):
    @login_not_required
    @require_safe
    def view(request):
        return render(request, PAGES[name], council_contact())

    view.__name__ = f"{name}_page"
    return view


help_page = _page("help")
contact_page = _page("contact")
privacy_page = _page("privacy")
accessibility_page = _page("accessibility")
