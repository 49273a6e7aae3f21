"""Drift alerts (moderation.drift): an auditor whose grades moderation lowers or raises more often
than chance over their latest N moderated audits is flagged, with the evidence, and the flag
clears when they come back into line.

Every figure is checked against a count the test makes itself from the rows it imported: the
latest N in plain Python, the others' rate, and the one-sided binomial tail summed by hand.
"""

import datetime
from math import comb

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.grades import OVERALL_SCALE, Grade
from audits.models import Audit
from moderation import drift
from moderation import services as moderation_services
from tests import factories
from tests.helpers import moderated_audit

from .built_tools import GOOD, INADEQUATE, RI, built_activity, built_audit, every_kind_tool
from .cohorts import Row, import_rows

pytestmark = pytest.mark.django_db

EXCEEDS, MEETS, DNM = (g.value for g in OVERALL_SCALE)
START = datetime.date(2026, 1, 5)


def day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed term by term."""
    return sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def others_lowered_one_in_ten(prefix="CR-O"):
    """20 moderated audits by two other auditors, 2 of them lowered: a rate of 10%."""
    rows = [
        Row(
            auditor=("olu" if i % 2 else "priya"),
            overall=MEETS,
            moderated=DNM if i in (3, 12) else MEETS,
            moderator="mo",
            audit_date=day(i),
        )
        for i in range(20)
    ]
    import_rows(rows, prefix=prefix)


def lowered_eight_of_ten(*, start_day=30, prefix="CR-T"):
    """Ten moderated audits by "tess", one a day: moderation lowered all but the 3rd and 7th."""
    rows = [
        Row(
            auditor="tess",
            overall=MEETS,
            moderated=MEETS if i in (2, 6) else DNM,
            moderator="mo",
            audit_date=day(start_day + i),
        )
        for i in range(10)
    ]
    return rows, import_rows(rows, prefix=prefix)


def check_of(name: str, checks) -> drift.DriftCheck | None:
    return next((c for c in checks if c.name == name), None)


# --- The scenario of the issue ------------------------------------------------------------------


def test_an_auditor_lowered_8_of_their_last_10_is_flagged_with_the_evidence():
    others_lowered_one_in_ten()
    rows, references = lowered_eight_of_ten()

    alerts = drift.drift_alerts()

    assert [a.name for a in alerts] == ["tess"]
    [alert] = alerts
    assert alert.flagged == [alert.lowered]
    lowered = alert.lowered
    assert (lowered.count, lowered.window) == (8, 10)
    assert (lowered.others, lowered.others_moderated) == (2, 20)
    assert lowered.expected_share == pytest.approx(0.1)
    assert lowered.p_value == pytest.approx(binomial_tail(8, 10, 0.1))
    assert lowered.p_value < 0.05
    assert lowered.expected == "10% (3–30%)"
    assert lowered.share == "80% (49–94%)"
    assert lowered.expected_count == "1.0"
    # Nothing raised anywhere: the raised side has an expected rate of 0 and a count of 0.
    assert alert.raised.count == 0 and not alert.raised.alert

    check, evidence = drift.drift_for(User.objects.get(username="tess"))
    assert check == alert
    # Newest first, by case reference, date, auditor grade -> moderated grade.
    expected = [
        (ref, row.audit_date, row.overall, row.moderated) for ref, row in zip(references, rows)
    ]
    assert [
        (a.case_reference, a.audit_date, a.overall_grade, a.moderated_grade) for a in evidence
    ] == expected[::-1]
    assert [a.change for a in evidence].count("lowered") == 8
    assert "Moderation lowered 8 of their last 10 moderated audits" in lowered.in_words()
    assert "flagged" in lowered.in_words()


def test_the_alert_clears_after_ten_more_agreed_audits():
    others_lowered_one_in_ten()
    lowered_eight_of_ten()
    assert [a.name for a in drift.drift_alerts()] == ["tess"]

    agreed = [
        Row(auditor="tess", overall=MEETS, moderated=MEETS, moderator="mo", audit_date=day(50 + i))
        for i in range(10)
    ]
    references = import_rows(agreed, prefix="CR-A")

    assert drift.drift_alerts() == []
    check, evidence = drift.drift_for(User.objects.get(username="tess"))
    assert check.checked and not check.alert
    assert (check.lowered.count, check.raised.count, check.moderated) == (0, 0, 20)
    # Her earlier lowered audits now count in nobody's "others" but still in her own total.
    assert (check.lowered.others, check.lowered.others_moderated) == (2, 20)
    assert [a.case_reference for a in evidence] == references[::-1]


def test_nine_of_nine_lowered_is_not_enough_audits_to_alert():
    others_lowered_one_in_ten()
    rows = [
        Row(auditor="tess", overall=MEETS, moderated=DNM, moderator="mo", audit_date=day(30 + i))
        for i in range(9)
    ]
    import_rows(rows, prefix="CR-T")

    assert drift.drift_alerts() == []
    assert check_of("tess", drift.drift_checks()) is None
    check, evidence = drift.drift_for(User.objects.get(username="tess"))
    assert not check.checked and not check.alert and check.flagged == []
    assert check.lowered.count == 9 and len(evidence) == 9


def test_the_setting_changes_n(settings):
    others_lowered_one_in_ten()
    lowered_eight_of_ten()

    settings.MODERATION_DRIFT_WINDOW = 11
    assert drift.window_size() == 11
    # Ten moderated audits are fewer than 11: no check at all.
    assert drift.drift_alerts() == []

    settings.MODERATION_DRIFT_WINDOW = 3
    # Her latest 3: days 39, 38, 37 -> lowered, lowered, lowered (the 7th, day 36, agreed).
    [alert] = drift.drift_alerts()
    assert (alert.lowered.count, alert.lowered.window) == (3, 3)
    assert alert.lowered.p_value == pytest.approx(binomial_tail(3, 3, 0.1))
    _check, evidence = drift.drift_for(User.objects.get(username="tess"))
    assert [a.audit_date for a in evidence] == [day(39), day(38), day(37)]

    settings.MODERATION_DRIFT_WINDOW = 5
    # Latest 5: days 39..35, the one on day 36 agreed: 4 of 5, still far above 10%.
    [alert] = drift.drift_alerts()
    assert alert.lowered.count == 4
    assert alert.lowered.p_value == pytest.approx(binomial_tail(4, 5, 0.1))


def test_raised_more_often_than_chance_is_flagged_too():
    others_lowered_one_in_ten()  # nobody else raised: expected rate 0
    import_rows(
        [Row(auditor="olu", overall=DNM, moderated=MEETS, moderator="mo", audit_date=day(25))],
        prefix="CR-R",
    )
    rows = [
        Row(
            auditor="raj",
            overall=MEETS,
            moderated=EXCEEDS if i < 6 else MEETS,
            moderator="mo",
            audit_date=day(30 + i),
        )
        for i in range(10)
    ]
    import_rows(rows, prefix="CR-T")

    [alert] = drift.drift_alerts()
    assert alert.name == "raj" and alert.flagged == [alert.raised]
    assert (alert.raised.count, alert.raised.others, alert.raised.others_moderated) == (6, 1, 21)
    assert alert.raised.p_value == pytest.approx(binomial_tail(6, 10, 1 / 21))


def test_an_auditor_in_line_with_the_others_is_not_flagged():
    others_lowered_one_in_ten()
    rows = [
        Row(
            auditor="tess",
            overall=MEETS,
            moderated=DNM if i == 4 else MEETS,
            moderator="mo",
            audit_date=day(30 + i),
        )
        for i in range(10)
    ]
    import_rows(rows, prefix="CR-T")

    check = check_of("tess", drift.drift_checks())
    assert check.lowered.count == 1
    assert check.lowered.p_value == pytest.approx(binomial_tail(1, 10, 0.1))
    assert not check.alert
    assert drift.drift_alerts() == []
    assert "in line with the other auditors" in check.lowered.in_words()


def test_practice_audits_drafts_and_inactive_auditors_do_not_count():
    others_lowered_one_in_ten()
    practice = [
        Row(
            auditor="tess",
            overall=MEETS,
            moderated=DNM,
            moderator="mo",
            audit_date=day(30 + i),
            practice=True,
        )
        for i in range(10)
    ]
    import_rows(practice, prefix="CR-P")
    assert drift.drift_alerts() == []
    assert check_of("tess", drift.drift_checks()) is None

    lowered_eight_of_ten(start_day=60)
    assert [a.name for a in drift.drift_alerts()] == ["tess"]
    User.objects.filter(username="tess").update(is_active=False)
    assert drift.drift_alerts() == []


def test_an_undated_audit_is_not_among_the_latest_nor_counted():
    """Submitted and imported audits always have a date; one made without (a repair in the
    database shell) cannot be placed among an auditor's latest, so drift leaves it out, as
    the partial index it reads (audit_moderated_latest_idx) does."""
    others_lowered_one_in_ten()
    _rows, references = lowered_eight_of_ten()
    newest = Audit.objects.filter(case_reference__in=references).latest("audit_date")
    Audit.objects.filter(pk=newest.pk).update(audit_date=None)

    # Nine counted: fewer than the ten a check needs, so no check and no alert.
    assert check_of("tess", drift.drift_checks()) is None
    check, evidence = drift.drift_for(User.objects.get(username="tess"))
    assert check.moderated == 9 and not check.checked and not check.alert
    assert newest.pk not in [a.pk for a in evidence] and len(evidence) == 9


def test_with_nobody_else_moderated_there_is_no_expected_rate():
    lowered_eight_of_ten()

    check = check_of("tess", drift.drift_checks())
    assert check.checked and not check.alert
    assert check.lowered.expected_share is None and check.lowered.p_value is None
    assert "no expected rate" in check.lowered.in_words()


def test_built_tool_audits_count_by_their_grades_positions(settings):
    """A built tool's grades have no standard codes: lowered and raised compare positions on its
    own scale (Good 1, Requires improvement 2, Inadequate 3), as moderation_record does."""
    settings.MODERATION_DRIFT_WINDOW = 3
    others_lowered_one_in_ten()
    tool = every_kind_tool()
    activity = built_activity(tool, rate=100)
    auditor = factories.auditor(username="bea")
    moderator = factories.moderator()
    for n, (given_grade, moderated) in enumerate(
        [(GOOD, INADEQUATE), (RI, INADEQUATE), (GOOD, RI)]
    ):
        audit = built_audit(
            activity, auditor=auditor, overall=given_grade, case_reference=f"CR-B{n}"
        )
        moderation_services.moderation_take(audit=audit, moderator=moderator)
        moderation_services.moderation_record(
            audit=audit, moderator=moderator, grade=moderated, rationale="Evidence."
        )

    [alert] = drift.drift_alerts()
    assert alert.name == "bea" and alert.lowered.count == 3
    check, evidence = drift.drift_for(auditor)
    assert {a.change for a in evidence} == {"lowered"}
    assert {(a.overall_grade_label, a.moderated_grade_label) for a in evidence} == {
        ("Good", "Inadequate"),
        ("Requires improvement", "Inadequate"),
        ("Good", "Requires improvement"),
    }


def test_moderations_made_here_count_like_imported_ones(settings):
    settings.MODERATION_DRIFT_WINDOW = 3
    others_lowered_one_in_ten()
    auditor = factories.auditor(username="ian")
    moderator = factories.moderator()
    for n in range(3):
        moderated_audit(
            auditor=auditor,
            moderator=moderator,
            overall=Grade.EXCEEDS,
            grade=Grade.MEETS,
            case_reference=f"CR-M{n}",
            audit_date=datetime.date(2026, 10, 10 + n),
        )

    [alert] = drift.drift_alerts()
    assert alert.name == "ian" and alert.lowered.count == 3
    assert alert.lowered.others_moderated == 20


def test_drift_checks_take_a_fixed_number_of_queries_whatever_the_audits(settings):
    settings.MODERATION_DRIFT_WINDOW = 3

    def queries():
        with CaptureQueriesContext(connection) as captured:
            checks = drift.drift_checks()
            for check in checks:
                _ = (check.alert, check.lowered.p_value, check.raised.p_value, check.name)
        return len(captured), len(checks)

    import_rows([Row("a1", MEETS, DNM, "mo", audit_date=day(i)) for i in range(4)], prefix="CR-F")
    few = queries()
    import_rows(
        [
            Row(f"b{i % 7}", MEETS, DNM if i % 3 else MEETS, "mo", audit_date=day(i))
            for i in range(60)
        ],
        prefix="CR-G",
    )
    many = queries()

    # Grouped counts, the tools' scales (the standard tool's: one query), names, latest N.
    assert few[0] == many[0] == 4
    assert (few[1], many[1]) == (1, 8)


# --- Property: against a count made in plain Python -------------------------------------------

GRADES = (EXCEEDS, MEETS, DNM)
RANK = {EXCEEDS: 3, MEETS: 2, DNM: 1}
AUDITORS = ("ada", "ben", "cai")


@st.composite
def cohorts(draw):
    rows = draw(
        st.lists(
            st.builds(
                Row,
                auditor=st.sampled_from(AUDITORS),
                overall=st.sampled_from(GRADES),
                moderated=st.sampled_from(("", *GRADES)),
                moderator=st.just("mo"),
                # Few days, so that audits share dates and the tie-break (newest first by
                # creation) matters.
                audit_date=st.integers(0, 6).map(day),
                practice=st.booleans(),
            ),
            max_size=40,
        )
    )
    return rows


def expected_checks(rows, window):
    counted = [(n, r) for n, r in enumerate(rows) if r.moderated and not r.practice]

    def moved(r, way):
        return (
            RANK[r.moderated] < RANK[r.overall]
            if way == "lowered"
            else RANK[r.moderated] > RANK[r.overall]
        )

    result = {}
    for name in AUDITORS:
        own = [(n, r) for n, r in counted if r.auditor == name]
        if len(own) < window:
            continue
        latest = sorted(own, key=lambda item: (item[1].audit_date, item[0]), reverse=True)[:window]
        others = [r for n, r in counted if r.auditor != name]
        figures = {}
        for way in ("lowered", "raised"):
            count = sum(1 for _n, r in latest if moved(r, way))
            moved_others = sum(1 for r in others if moved(r, way))
            p = binomial_tail(count, window, moved_others / len(others)) if others else None
            figures[way] = (count, moved_others, len(others), p)
        alert = any(f[3] is not None and f[3] < 0.05 for f in figures.values())
        result[name] = (len(own), figures, alert)
    return result


def got_checks(checks):
    return {
        c.name: (
            c.moderated,
            {t.direction: (t.count, t.others, t.others_moderated, t.p_value) for t in c.tendencies},
            c.alert,
        )
        for c in checks
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=cohorts(), window=st.integers(1, 6))
def test_every_check_equals_an_independent_count(rows, window):
    with transaction.atomic():
        try:
            if rows:
                import_rows(rows, prefix="CR-H")

            checks = drift.drift_checks(window=window)

            expected = expected_checks(rows, window)
            got = got_checks(checks)
            assert set(got) == set(expected)
            for name, (moderated, figures, alert) in expected.items():
                assert got[name][0] == moderated
                assert got[name][2] == alert
                for way, (count, others, whole, p) in figures.items():
                    g = got[name][1][way]
                    assert g[:3] == (count, others, whole), (name, way)
                    assert g[3] == (None if p is None else pytest.approx(p)), (name, way)
            # The evidence page's check is the same check, and its audits the latest N.
            for check in checks:
                single, evidence = drift.drift_for(
                    User.objects.get(username=check.name), window=window
                )
                assert single == check
                assert len(evidence) == window
                assert sum(a.change == "lowered" for a in evidence) == check.lowered.count
        finally:
            transaction.set_rollback(True)


def test_the_audits_the_import_made_are_those_the_rows_describe():
    rows, references = lowered_eight_of_ten()
    audits = {a.case_reference: a for a in Audit.objects.all()}
    assert [(audits[r].overall_grade, audits[r].moderated_grade) for r in references] == [
        (row.overall, row.moderated) for row in rows
    ]
