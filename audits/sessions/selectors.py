"""Reading kept saves: only ever the asker's own, and only while they are fresh."""

from django.utils import timezone

from ..models import KeptSave
from .keeping import KEEP_FOR, NOT_CONTENT


def kept_saves_for(user):
    """The user's kept saves still waiting (less than a day old), newest first."""
    return KeptSave.objects.filter(owner=user, created_at__gte=timezone.now() - KEEP_FOR)


def kept_save_for(user, pk) -> KeptSave | None:
    if not str(pk).isdigit():
        return None
    return kept_saves_for(user).filter(pk=pk).first()


# Formset bookkeeping, record ids and the button pressed say nothing to the person reading.
_BOOKKEEPING = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS", "-id")
_BUTTON = "action"


def shown_fields(kept: KeptSave) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What the offer page shows of a kept save, each field named readably
    ("domain-3-text" as "Domain 3 text"): first what was written in words (the text someone
    would mind losing), then the other values (dates, grades, choices), leaving out numbers
    alone (the ids of choices and records) and the form's bookkeeping."""
    written, other = [], []
    for name, value in kept.fields:
        value = value.strip()
        if not value or value.isdigit() or name in NOT_CONTENT or name == _BUTTON:
            continue
        if name.endswith(_BOOKKEEPING):
            continue
        label = name.replace("-", " ").replace("_", " ").capitalize()
        (written if " " in value else other).append((label, value))
    return written, other
