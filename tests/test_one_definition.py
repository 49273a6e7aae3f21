"""Each concept has one definition in the app code: the grade labels (audits.grades), the
month maths (audits.periods) and the percentage (audits.percentages). These guards fail when
a copy creeps back in."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audits", "moderation", "reports", "demo", "config")


def _app_files(*suffixes):
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path
    yield from (ROOT / "templates").rglob("*.html")


def _where(pattern: str, *suffixes) -> set[str]:
    regex = re.compile(pattern)
    return {
        str(path.relative_to(ROOT))
        for path in _app_files(*suffixes)
        if regex.search(path.read_text(encoding="utf-8"))
    }


def test_grade_labels_are_written_once():
    # A label as a string of its own ("Meets good"), not inside a sentence.
    for label in ("Exceeds good", "Meets good", "Does not meet good", "Not applicable"):
        assert _where(rf"""\(["']{label}["']\)""", ".py") == {"audits/grades.py"}, label


def test_grade_codes_are_listed_once():
    # A tuple or list of the codes written out by hand.
    found = _where(r"""["']exceeds["'],\s*["']meets["']""", ".py", ".html")
    assert found == set(), found


def test_month_maths_lives_in_periods():
    patterns = [
        r"monthrange",
        r"\.month\s*-\s*1\s*[+-]",  # month arithmetic by index
        r"\*\s*12\s*\+",
        r"relativedelta",
        r"\.replace\(day=1\)",
    ]
    for pattern in patterns:
        assert _where(pattern, ".py") <= {"audits/periods.py"}, pattern


def test_the_percentage_is_defined_once():
    assert _where(r"def percent\(", ".py") == {"audits/percentages.py"}
    # Percentage arithmetic written out: 100 * part / whole, or part / whole * 100.
    assert _where(r"100\s*\*\s*[\w.\[\]\"']+\s*/|/\s*[\w.]+\s*\*\s*100\b", ".py") <= {
        "audits/percentages.py"
    }
    assert _where(r"ROUND_HALF", ".py") == {"audits/percentages.py"}
    assert _where(r"floatformat:1", ".html") == set()


def test_html_to_pdf_lives_in_audits_pdf():
    # One WeasyPrint call and one fetcher for every PDF (the audit's, the report's): a second
    # copy would be a second place where the static-file lookup or the refusals could drift.
    assert _where(r"(?m)^\s*(from|import) weasyprint", ".py") == {"audits/pdf.py"}
