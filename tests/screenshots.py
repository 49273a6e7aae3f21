"""`make screenshots` (python -m tests.screenshots): the main pages of every role as PNG images,
at 1280 and 320 pixels wide, and the first two pages of the board paper PDF, for a reviewer.

It makes a scratch SQLite database (under /tmp, never db.sqlite3), migrates it, loads the demo
data (manage.py load_demo) and makes a draft board paper for the last quarter; starts the app
with production settings (DEBUG off, so the 404 page is the app's own; gunicorn, as
`make loadtest` starts it, on a free port of 127.0.0.1); signs in as each demo role in the
system Chromium through Playwright and saves each page of PAGES whole (full_page); downloads
the board paper PDF and draws its first two pages with pypdfium2. Then it stops the server and
prints where the images are (build/screenshots/ unless SCREENSHOT_DIR says).

PAGES is data, built from the scratch database before the browser starts (Django's ORM is not
used while Playwright's event loop runs); tests/test_screenshots.py checks that every page of
it opens, as its role, with the status expected.
"""

import datetime
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/casefile-screenshots")
DATABASE_URL = f"sqlite:///{WORK}/screenshots.sqlite3"
OUT = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
WIDTHS = (1280, 320)
PDF_PAGES = 2
# The demo login of each role (demo/people.py).
ROLES = {
    "auditor": "auditor1",
    "moderator": "moderator1",
    "qa-lead": "qalead",
    "administrator": "admin",
}
REPORT_TITLE = "Board paper (screenshots)"


@dataclass(frozen=True)
class Page:
    role: str | None  # a key of ROLES, or None: not signed in
    name: str  # the image's name
    url: str
    status: int = 200

    @property
    def stem(self) -> str:
        return f"{self.role or 'signed-out'}-{self.name}"


def _first(queryset):
    found = queryset.first()
    if found is None:
        raise LookupError(f"The demo data has no {queryset.model.__name__} for {queryset.query}")
    return found


def page_list(people: dict, report) -> list[Page]:
    """The pages to draw, for ``people`` (role key -> user) and the board paper ``report``.
    Needs Django set up; reads the database to find an audit to show, one to moderate …"""
    import rules
    from django.urls import reverse

    from audits.models import Audit, Status

    auditor, moderator = people["auditor"], people["moderator"]
    submitted = _first(
        Audit.objects.filter(auditor=auditor)
        .exclude(status=Status.DRAFT)
        .order_by("-audit_date", "-pk")
    )
    to_moderate = next(
        (
            audit
            for audit in Audit.objects.filter(
                status__in=[Status.IN_MODERATION, Status.SUBMITTED]
            ).order_by("-status", "pk")  # those taken first
            if rules.has_perm("moderation.moderate_audit", moderator, audit)
        ),
        None,
    )
    draft = Audit.objects.filter(auditor=auditor, status=Status.DRAFT).order_by("-pk").first()
    timeline = reverse("audits:case_timeline", args=[submitted.case_reference])
    return [
        Page(None, "sign-in", reverse("login")),
        Page(None, "accessibility-statement", reverse("pages:accessibility")),
        Page(None, "help", reverse("pages:help")),
        Page(None, "not-found", "/no-such-page/", status=404),
        Page("auditor", "home", reverse("audits:home")),
        Page("auditor", "my-audits", reverse("audits:mine")),
        Page("auditor", "start-an-audit", reverse("audits:new")),
        *(
            [Page("auditor", "draft-audit", reverse("audits:edit", args=[draft.pk]))]
            if draft
            else []
        ),
        Page("auditor", "audit", reverse("audits:detail", args=[submitted.pk])),
        Page("auditor", "feedback", reverse("moderation:feedback")),
        Page("auditor", "actions", reverse("audits:actions")),
        Page("moderator", "home", reverse("audits:home")),
        Page("moderator", "moderation-queue", reverse("moderation:queue")),
        *(
            [
                Page(
                    "moderator",
                    "moderation-form",
                    reverse("moderation:moderate", args=[to_moderate.pk]),
                )
            ]
            if to_moderate
            else []
        ),
        Page("moderator", "moderation-statistics", reverse("moderation:dashboard")),
        Page("qa-lead", "home", reverse("audits:home")),
        Page("qa-lead", "all-audits", reverse("audits:all")),
        Page("qa-lead", "case-timeline", timeline),
        Page("qa-lead", "reports", reverse("reports:list")),
        Page("qa-lead", "report", reverse("reports:detail", args=[report.pk])),
        Page("qa-lead", "new-report", reverse("reports:new")),
        Page("qa-lead", "targets", reverse("reports:targets")),
        Page("qa-lead", "schedule", reverse("audits:activities")),
        Page("qa-lead", "actions", reverse("audits:actions")),
        Page("administrator", "home", reverse("audits:home")),
        Page("administrator", "all-audits", reverse("audits:all")),
        Page("administrator", "schedule", reverse("audits:activities")),
        Page("administrator", "security-log", reverse("audits:security_log")),
        Page("administrator", "administration", reverse("admin:index")),
        Page("administrator", "accessibility-statement", reverse("pages:accessibility")),
    ]


def board_paper(qa_lead):
    """A draft board paper for the last whole quarter (the demo data has no report)."""
    from audits import periods
    from reports.models import Report
    from reports.services import report_create

    existing = Report.objects.filter(title=REPORT_TITLE).first()
    if existing is not None:
        return existing
    day = periods.add_months(datetime.date.today(), -3)
    quarter = periods.quarter(periods.financial_year_of(day), periods.financial_quarter_of(day))
    return report_create(by=qa_lead, period=quarter, title=REPORT_TITLE)


def prepare(env: dict) -> tuple[list[Page], str]:
    """Migrate and fill the scratch database; the pages to draw and the board paper's PDF URL."""
    from loadtest.run import Failed, manage, static_is_current

    for suffix in ("", "-wal", "-shm"):
        (WORK / f"screenshots.sqlite3{suffix}").unlink(missing_ok=True)
    steps = [["migrate", "--no-input"], ["load_demo", "--allow-without-debug"]]
    if not static_is_current():
        steps.append(["collectstatic", "--no-input"])
    for step in steps:
        print(f"manage.py {' '.join(step)}", flush=True)
        if manage(env, *step, log=WORK / f"{step[0]}.log").returncode:
            raise Failed(f"manage.py {step[0]} failed: see {WORK / step[0]}.log")

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connections
    from django.urls import reverse

    people = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    report = board_paper(people["qa-lead"])
    pages = page_list(people, report)
    pdf_url = reverse("reports:pdf", args=[report.pk])
    connections.close_all()
    return pages, pdf_url


def sign_in(page, base: str, username: str) -> None:
    from demo.people import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"Could not sign in as {username}")


def draw_pdf(data: bytes, out: Path) -> list[Path]:
    """The first PDF_PAGES pages of ``data`` as PNG images 1280 pixels wide."""
    import pypdfium2

    saved = []
    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(min(PDF_PAGES, len(pdf))):
            page = pdf[index]
            scale = 1280 / page.get_width()
            path = out / f"board-paper-page-{index + 1}.png"
            page.render(scale=scale).to_pil().save(path)
            saved.append(path)
    finally:
        pdf.close()
    return saved


def shoot(pages: list[Page], pdf_url: str, base: str) -> tuple[list[Path], list[str]]:
    """Every page at each width, as its role; the PDF's pages. The images and what went wrong."""
    from playwright.sync_api import sync_playwright

    from loadtest.run import Failed
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    path = chromium_path()  # CHROMIUM_PATH, else /usr/bin/chromium: never a download
    if path is None:
        raise Failed("No Chromium found: install the chromium package or set CHROMIUM_PATH")
    saved, problems = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            for role in [None, *ROLES]:
                context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
                page = context.new_page()
                page.set_default_timeout(30_000)
                if role is not None:
                    sign_in(page, base, ROLES[role])
                for shot in (p for p in pages if p.role == role):
                    response = page.goto(base + shot.url)
                    if response is None or response.status != shot.status:
                        problems.append(f"{shot.url} as {role}: {response and response.status}")
                    for width in WIDTHS:
                        page.set_viewport_size({"width": width, "height": 900})
                        target = OUT / f"{width}px" / f"{shot.stem}.png"
                        page.screenshot(path=target, full_page=True)
                        saved.append(target)
                    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                if role == "qa-lead":
                    answer = context.request.get(base + pdf_url)
                    if answer.status != 200 or answer.headers["content-type"] != "application/pdf":
                        problems.append(f"{pdf_url}: {answer.status}")
                    else:
                        saved += draw_pdf(answer.body(), OUT / "pdf")
                context.close()
        finally:
            browser.close()
    return saved, problems


def main() -> int:
    from loadtest.run import Failed, environment, free_port, start, stop, wait_for

    WORK.mkdir(parents=True, exist_ok=True)
    # Only the images of an earlier run go: SCREENSHOT_DIR may name a folder with other files.
    for folder in (*[f"{w}px" for w in WIDTHS], "pdf"):
        (OUT / folder).mkdir(parents=True, exist_ok=True)
        for old in (OUT / folder).glob("*.png"):
            old.unlink()
    port = free_port()
    env = environment(DATABASE_URL, port)
    env["WEB_CONCURRENCY"] = "2"
    started = time.monotonic()
    try:
        pages, pdf_url = prepare(env)
        server = start(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "config/gunicorn.py",
                "config.wsgi",
            ],
            env,
            WORK / "gunicorn.log",
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", server)
            saved, problems = shoot(pages, pdf_url, f"http://127.0.0.1:{port}")
        finally:
            stop(server)
    except Failed as error:
        print(f"make screenshots failed: {error}", file=sys.stderr)
        return 1
    print(
        f"{len(saved)} images in {time.monotonic() - started:.0f} s, in {OUT}/ "
        f"({', '.join(f'{w}px/' for w in WIDTHS)} and pdf/)",
        flush=True,
    )
    if problems:
        print("Pages that did not answer as expected:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
