"""The demo case holder: a person linked to the "caseholder" login, holding the cases of a few
of the demo's most recent audits past draft, so that signing in as them shows the audits of
their cases to read and answer (audits.holders). Made up like everything else here."""

import datetime

from django.db.models.functions import Upper

from audits.models import Audit, Case, Person, Status

HOW_MANY = 4


def give_cases(*, user) -> None:
    """Link ``user`` to a person of their name and make them the holder of the cases of the
    HOW_MANY most recent audits past draft (not practice) whose case is not on the list yet."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        name = user.get_full_name()
        person = Person.objects.filter(name_key=Person.key_for(name)).first() or Person(name=name)
        person.user = user
        person.save()
    known = Case.objects.annotate(key=Upper("case_reference")).values("key")
    audits = (
        Audit.objects.exclude(status=Status.DRAFT)
        .filter(
            is_practice=False, strand__isnull=False, case_type__isnull=False, team__isnull=False
        )
        .alias(key=Upper("case_reference"))
        .exclude(key__in=known)
        .order_by("-audit_date", "-pk")[:HOW_MANY]
    )
    for audit in audits:
        person.team = person.team or audit.team
        Case.objects.create(
            case_reference=audit.case_reference,
            case_holder=person,
            team=audit.team,
            strand=audit.strand,
            case_type=audit.case_type,
            age_band=audit.age_band,
            open_date=audit.audit_date - datetime.timedelta(days=400),
        )
    person.save()
