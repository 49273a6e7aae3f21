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


# Formset bookkeeping that says nothing to the person reading what was kept.
_BOOKKEEPING = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def shown_fields(kept: KeptSave) -> list[tuple[str, str]]:
    """What the offer page shows of a kept save: each field with something in it, named
    readably ("domain-3-evaluation" as "domain 3 evaluation")."""
    return [
        (name.replace("-", " ").replace("_", " "), value)
        for name, value in kept.fields
        if value.strip() and name not in NOT_CONTENT and not name.endswith(_BOOKKEEPING)
    ]
