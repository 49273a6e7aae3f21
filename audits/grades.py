"""The grade vocabulary: the one place its codes, labels, order, short labels and CSS classes
are written. Everything else (models, figures, forms, reports, charts, moderation statistics,
the CSV contract, templates through the ``grade_*`` filters) imports them from here.

A domain is graded Exceeds good, Meets good, Does not meet good or Not applicable; an overall
grade (auditor's or moderator's) uses the first three only.
"""

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    EXCEEDS = "exceeds", _("Exceeds good")
    MEETS = "meets", _("Meets good")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet good")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# The overall scale, best first (the order of every table and chart), and the domain scale.
OVERALL_SCALE: tuple[Grade, ...] = (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)
DOMAIN_SCALE: tuple[Grade, ...] = (*OVERALL_SCALE, Grade.NOT_APPLICABLE)
# The grades that count as good: "at least Meets good".
GOOD: tuple[Grade, ...] = (Grade.EXCEEDS, Grade.MEETS)

# Plain string codes, for keys of figures dictionaries and database aggregates.
OVERALL_CODES: tuple[str, ...] = tuple(g.value for g in OVERALL_SCALE)
DOMAIN_CODES: tuple[str, ...] = tuple(g.value for g in DOMAIN_SCALE)

# Choices for an overall grade field.
OVERALL_GRADES = [(g.value, g.label) for g in OVERALL_SCALE]

# Ordinal rank, higher is better; says whether moderation raised or lowered a grade.
GRADE_RANK: dict[str, int] = {g.value: len(OVERALL_SCALE) - i for i, g in enumerate(OVERALL_SCALE)}

# Column headings where space is tight (tables, chart legends).
SHORT_LABELS: dict[str, str] = {
    Grade.EXCEEDS: _("Exceeds"),
    Grade.MEETS: _("Meets"),
    Grade.DOES_NOT_MEET: _("Does not meet"),
    Grade.NOT_APPLICABLE: _("N/A"),
}

# The CSS class of a grade's badge (static/css/app.css) and its colour in charts; the colours
# are the Okabe-Ito palette, told apart by people with colour-blindness.
CSS_CLASSES: dict[str, str] = {g.value: f"grade-{g.value}" for g in DOMAIN_SCALE}
CHART_COLOURS: dict[str, str] = {
    Grade.EXCEEDS: "#009E73",
    Grade.MEETS: "#0072B2",
    Grade.DOES_NOT_MEET: "#D55E00",
    Grade.NOT_APPLICABLE: "#999999",
}

# What people type for a grade, lower-cased, besides its code and label (the CSV contract).
_ALIASES = {
    "does not meet": Grade.DOES_NOT_MEET,
    "n/a": Grade.NOT_APPLICABLE,
    "na": Grade.NOT_APPLICABLE,
}


# Each language's labels, translated once: a report asks for a label tens of thousands of
# times, and each gettext walks the catalogue's chain of fallbacks. The catalogues do not change
# while the process runs (Django reloads them only on a change of these settings, as in tests).
_LABELS: dict[str | None, dict[str, str]] = {}


@receiver(setting_changed)
def _forget_labels(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"):
        _LABELS.clear()


def labels() -> dict[str, str]:
    """Every grade's label in the active language, {code: "Meets good"}: the mapping to hold
    where many labels are written at once."""
    language = get_language()
    found = _LABELS.get(language)
    if found is None:
        found = _LABELS[language] = {g.value: str(g.label) for g in Grade}
    return found


def label(code: str) -> str:
    """The grade's label ("Meets good"), or "" for no grade (ValueError for no grade code)."""
    if not code:
        return ""
    found = labels().get(code)
    return found if found is not None else str(Grade(code).label)


def short_label(code: str) -> str:
    return str(SHORT_LABELS[code]) if code else ""


def parse(value: str | None) -> str | None:
    """The code for what someone typed (a code or a label, any case), or None."""
    typed = (value or "").strip().lower()
    for grade in Grade:
        if typed in (grade.value, str(grade.label).lower()):
            return grade.value
    alias = _ALIASES.get(typed)
    return alias.value if alias else None
