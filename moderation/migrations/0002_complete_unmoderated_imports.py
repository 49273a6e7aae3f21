"""Audits imported before the import contract decided their state were left Submitted with no
moderation decision, so they sat in the moderation queue for ever. The contract now says an
imported row without a moderated grade is an audit completed without moderation: this moves
those audits there once, through the transition the table names for it (Submitted ->
Completed, "complete without moderation"), and leaves alone any that a moderator or a QA lead
has already dealt with (a moderation decision, a moderated grade, or a moderator holding it).

Lives in moderation, not audits, because only moderation knows whether a decision exists.
Report figures do not change: a report counts every audit past draft.
"""

from django.db import migrations
from django.utils import timezone

COMMENT = "Imported without a moderated grade: completed without moderation (import contract)."


def complete_unmoderated_imports(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    AuditTransition = apps.get_model("audits", "AuditTransition")
    ModerationCase = apps.get_model("moderation", "ModerationCase")
    db = schema_editor.connection.alias
    stuck = list(
        Audit.objects.using(db)
        .filter(is_imported=True, status="submitted", moderated_grade="")
        .exclude(pk__in=ModerationCase.objects.using(db).values("audit_id"))
        .values_list("pk", flat=True)
    )
    if not stuck:
        return
    now = timezone.now()
    AuditTransition.objects.using(db).bulk_create(
        AuditTransition(
            audit_id=pk, from_status="submitted", to_status="completed", at=now, comment=COMMENT
        )
        for pk in stuck
    )
    Audit.objects.using(db).filter(pk__in=stuck).update(status="completed", updated_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("audits", "0007_month_figures"),
    ]

    operations = [
        migrations.RunPython(complete_unmoderated_imports, migrations.RunPython.noop),
    ]
