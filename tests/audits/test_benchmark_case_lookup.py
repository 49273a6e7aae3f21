"""benchmark_case_lookup prints its figures and leaves no audit behind."""

from io import StringIO

from django.core.management import call_command

from audits.models import Audit


def test_the_case_lookup_benchmark_reports_both_lookups_and_rolls_back(db):
    out = StringIO()

    call_command("benchmark_case_lookup", rows=30, stdout=out)

    assert "30 audits added" in out.getvalue()
    assert "iexact" in out.getvalue() and "without the index" in out.getvalue()
    assert not Audit.objects.exists()
