"""Agreement between auditors and moderators: the weighted kappa against figures worked by hand,
the Agreement figures, and the statistics selector against counts kept by the test itself.
"""

import datetime
import io
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audits import roles
from audits import services as audit_services
from audits.csv.importer import import_audits_csv
from audits.grades import Grade
from audits.models import Audit, Status
from audits.uncertainty import format_share
from moderation import services
from moderation.selectors import agreement_statistics
from moderation.statistics import INDEX, Agreement, linear_weighted_kappa
from tests import factories
from tests.helpers import (
    complete_content,
    draft_audit,
    moderated_audit,
    submitted_audit,
    taken_audit,
)

from .cohorts import Row, import_rows

TODAY = datetime.date(2026, 11, 25)
DNM, MEETS, EXCEEDS = Grade.DOES_NOT_MEET, Grade.MEETS, Grade.EXCEEDS

# --- Linear weighted kappa, worked by hand ---------------------------------------------------
# Rows are the auditor's grade, columns the moderated grade, both in the order
# Does not meet, Meets, Exceeds. Linear weights for three categories: 1 on the diagonal, 0.5 one
# step off it, 0 two steps off. p_o = sum(w_ij * n_ij) / N, p_e = sum(w_ij * r_i * c_j) / N^2
# (r, c the row and column totals), kappa = (p_o - p_e) / (1 - p_e).


def test_kappa_of_a_typical_matrix():
    matrix = [[10, 2, 0], [3, 20, 1], [0, 2, 5]]
    # N = 43. Diagonal 10 + 20 + 5 = 35; one step off 2 + 3 + 1 + 2 = 8, weighted 4;
    # two steps off 0. p_o = 39/43.
    # r = (12, 24, 7), c = (13, 24, 6).
    #   row 1: 12 * (13*1 + 24*0.5 + 6*0)   = 12 * 25   = 300
    #   row 2: 24 * (13*0.5 + 24*1 + 6*0.5) = 24 * 33.5 = 804
    #   row 3:  7 * (13*0 + 24*0.5 + 6*1)   =  7 * 18   = 126
    # p_e = 1230 / 1849.
    # kappa = (39*43 - 1230) / (1849 - 1230) = (1677 - 1230) / 619 = 447/619 = 0.72213...
    assert linear_weighted_kappa(matrix) == pytest.approx(447 / 619)
    assert linear_weighted_kappa(matrix) == pytest.approx(0.722132, abs=1e-6)


def test_kappa_of_a_matrix_with_disagreement_two_steps_apart():
    matrix = [[4, 1, 1], [2, 6, 2], [0, 3, 5]]
    # N = 24. Diagonal 4 + 6 + 5 = 15; one step off 1 + 2 + 2 + 3 = 8, weighted 4; two steps
    # off 1 + 0, weighted 0. p_o = 19/24.
    # r = (6, 10, 8), c = (6, 10, 8).
    #   row 1:  6 * (6*1 + 10*0.5 + 8*0)   =  6 * 11 =  66
    #   row 2: 10 * (6*0.5 + 10*1 + 8*0.5) = 10 * 17 = 170
    #   row 3:  8 * (6*0 + 10*0.5 + 8*1)   =  8 * 13 = 104
    # p_e = 340/576.
    # kappa = (19*24 - 340) / (576 - 340) = 116/236 = 29/59 = 0.49153...
    assert linear_weighted_kappa(matrix) == pytest.approx(29 / 59)


def test_kappa_is_one_for_perfect_agreement_across_several_cells():
    # p_o = 1 and p_e = (3*3 + 7*7 + 2*2 + 0.5*0) / 144 < 1, so kappa = 1.
    assert linear_weighted_kappa([[3, 0, 0], [0, 7, 0], [0, 0, 2]]) == pytest.approx(1.0)


def test_kappa_is_minus_one_for_systematic_disagreement():
    matrix = [[0, 0, 5], [0, 0, 0], [5, 0, 0]]
    # N = 10; every audit two steps off: p_o = 0.
    # r = c = (5, 0, 5): p_e = (5*5*1 + 5*5*0 + 5*5*0 + 5*5*1) / 100 = 0.5.
    # kappa = (0 - 0.5) / (1 - 0.5) = -1.
    assert linear_weighted_kappa(matrix) == pytest.approx(-1.0)


def test_kappa_is_negative_when_moderators_always_move_one_step():
    matrix = [[0, 4, 0], [4, 0, 0], [0, 0, 0]]
    # N = 8; all one step off: p_o = 8 * 0.5 / 8 = 0.5.
    # r = c = (4, 4, 0): p_e = (16*1 + 16*0.5 + 16*0.5 + 16*1) / 64 = 48/64 = 0.75.
    # kappa = (0.5 - 0.75) / 0.25 = -1.
    assert linear_weighted_kappa(matrix) == pytest.approx(-1.0)
    # One agreement in the corner: N = 9, p_o = (4 + 1) / 9 = 5/9;
    # r = c = (4, 4, 1): p_e = (16 + 8 + 0 + 8 + 16 + 2 + 0 + 2 + 1) / 81 = 53/81;
    # kappa = (45 - 53) / (81 - 53) = -8/28 = -2/7.
    assert linear_weighted_kappa([[0, 4, 0], [4, 0, 0], [0, 0, 1]]) == pytest.approx(-2 / 7)


def test_kappa_is_zero_when_every_auditor_gave_the_same_grade():
    # One row only: p_o = sum(w_1j * n_1j) / N and p_e = sum(w_1j * c_j) / N with c_j = n_1j,
    # so p_o = p_e (= (2*0.5 + 5*1 + 3*0.5) / 10 = 0.75) and kappa = 0.
    assert linear_weighted_kappa([[0, 0, 0], [2, 5, 3], [0, 0, 0]]) == pytest.approx(0.0)


def test_kappa_is_not_defined_without_moderated_audits():
    assert linear_weighted_kappa([[0, 0, 0], [0, 0, 0], [0, 0, 0]]) is None


@pytest.mark.parametrize("cell", [(0, 0), (1, 1), (2, 2)])
def test_kappa_is_not_defined_when_every_audit_is_in_one_diagonal_cell(cell):
    # r and c both put all N audits in category i: p_o = w_ii = 1 and p_e = w_ii * N*N / N^2
    # = 1, so kappa = 0/0. Chance agreement is already complete: None, not a division error.
    matrix = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    matrix[cell[0]][cell[1]] = 9
    assert linear_weighted_kappa(matrix) is None


@pytest.mark.parametrize("cell", [(0, 2), (2, 1), (1, 0)])
def test_kappa_is_zero_when_every_audit_is_in_one_cell_off_the_diagonal(cell):
    # r puts everything in row i, c in column j: p_o = p_e = w_ij (0 or 0.5) and p_e < 1, so
    # kappa = 0 / (1 - w_ij) = 0: defined, and no better than chance.
    matrix = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    matrix[cell[0]][cell[1]] = 9
    assert linear_weighted_kappa(matrix) == pytest.approx(0.0)


# --- The Agreement figures --------------------------------------------------------------------


def test_agreement_figures_from_the_matrix():
    agreement = Agreement(label="All", audits=100, matrix=[[10, 2, 0], [3, 20, 1], [0, 2, 5]])

    assert agreement.moderated == 43
    assert agreement.agreed == 35
    # A column to the right of the row is a better moderated grade: raised.
    assert agreement.raised == 2 + 0 + 1
    assert agreement.lowered == 3 + 0 + 2
    assert agreement.net_direction == -2
    assert agreement.moderation_rate == pytest.approx(43.0)
    assert agreement.percent_agreement == pytest.approx(100 * 35 / 43)
    assert agreement.kappa == pytest.approx(447 / 619)


def test_agreement_with_no_audits_or_nothing_moderated():
    empty = Agreement(label="None")
    assert (empty.audits, empty.moderated, empty.agreed, empty.raised, empty.lowered) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert empty.moderation_rate is None
    assert empty.percent_agreement is None
    assert empty.kappa is None

    unmoderated = Agreement(label="Some", audits=12)
    assert unmoderated.moderation_rate == 0
    assert unmoderated.percent_agreement is None
    assert unmoderated.kappa is None


def test_agreement_add_places_grades_in_the_matrix_and_ignores_others():
    agreement = Agreement(audits=5)
    agreement.add(MEETS, DNM, 2)
    agreement.add(DNM, EXCEEDS, 1)
    agreement.add(EXCEEDS, EXCEEDS, 1)
    agreement.add(MEETS, "", 4)
    agreement.add(Grade.NOT_APPLICABLE, MEETS, 3)

    assert agreement.matrix == [[0, 0, 1], [2, 0, 0], [0, 0, 1]]
    assert (agreement.moderated, agreement.agreed, agreement.raised, agreement.lowered) == (
        4,
        1,
        1,
        2,
    )
    assert agreement.moderation_rate == pytest.approx(80.0)
    assert agreement.percent_agreement == pytest.approx(25.0)


# --- The selector against a cohort built through the services -------------------------------


def _grade_content(*, overall, activity, case_reference, practice=False):
    # Dated in the activity's month: submit refuses an audit under another month's activity.
    content = complete_content(
        overall=overall,
        activity=activity,
        case_reference=case_reference,
        audit_date=activity.month,
    )
    content.header["is_practice"] = practice
    return content


class Cohort:
    """Builds audits and keeps, beside them, what each should count as."""

    def __init__(self):
        self.rows = []  # (auditor username, activity label, overall, moderated or "", counted)
        self.n = 0

    def _ref(self):
        self.n += 1
        return f"CR-{self.n:04d}"

    def _note(self, audit, counted, moderated=""):
        activity = audit.activity
        label = f"{activity.name} ({activity.month:%B %Y})"
        self.rows.append((audit.auditor.username, label, audit.overall_grade, moderated, counted))

    def moderated(self, auditor, activity, overall, moderated, moderator, practice=False):
        content = _grade_content(
            overall=overall, activity=activity, case_reference=self._ref(), practice=practice
        )
        audit = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
        audit_services.audit_submit(audit=audit, by=auditor, today=TODAY)
        services.moderation_take(audit=audit, moderator=moderator)
        services.moderation_record(
            audit=audit,
            moderator=moderator,
            grade=moderated,
            rationale="" if moderated == overall else "Evidence.",
        )
        audit.refresh_from_db()
        self._note(audit, counted=not practice, moderated=moderated)
        return audit

    def submitted(self, auditor, activity, overall):
        audit = submitted_audit(
            auditor=auditor,
            overall=overall,
            activity=activity,
            case_reference=self._ref(),
            audit_date=activity.month,
        )
        self._note(audit, counted=True)
        return audit

    def draft(self, auditor, activity, overall):
        audit = draft_audit(
            auditor=auditor,
            overall=overall,
            activity=activity,
            case_reference=self._ref(),
            audit_date=activity.month,
        )
        self._note(audit, counted=False)
        return audit

    def imported(self, csv_rows):
        header = (
            "case_reference,audit_date,auditor,activity,strand,case_type,"
            + ",".join(f"domain_{n}" for n in range(1, 13))
            + ",overall_grade,moderated_grade,moderator,practice\n"
        )
        lines = []
        for auditor, activity, overall, moderated, moderator, practice in csv_rows:
            lines.append(
                ",".join(
                    [
                        self._ref(),
                        "2026-10-20",
                        auditor,
                        activity.name,
                        "social_care",
                        "child_in_need",
                        *(["meets"] * 12),
                        overall,
                        moderated,
                        moderator,
                        "yes" if practice else "no",
                    ]
                )
            )
            label = f"{activity.name} ({activity.month:%B %Y})"
            self.rows.append((auditor, label, overall, moderated, not practice))
        result = import_audits_csv(io.StringIO(header + "\n".join(lines) + "\n"), today=TODAY)
        assert result.ok, result.errors
        assert result.created == len(csv_rows)

    # What the figures must be, worked out from the rows kept above.

    def expected(self, rows):
        counted = [r for r in rows if r[4]]
        moderated = [r for r in counted if r[3]]
        matrix = [[0] * 3 for _ in range(3)]
        for r in moderated:
            matrix[INDEX[r[2]]][INDEX[r[3]]] += 1
        rank = {DNM: 1, MEETS: 2, EXCEEDS: 3}
        return {
            "audits": len(counted),
            "moderated": len(moderated),
            "agreed": sum(1 for r in moderated if r[2] == r[3]),
            "raised": sum(1 for r in moderated if rank[r[3]] > rank[r[2]]),
            "lowered": sum(1 for r in moderated if rank[r[3]] < rank[r[2]]),
            "matrix": matrix,
        }

    def expected_by(self, position):
        keys = Counter(r[position] for r in self.rows if r[4])
        return {key: self.expected([r for r in self.rows if r[position] == key]) for key in keys}


def _figures(agreement):
    return {
        "audits": agreement.audits,
        "moderated": agreement.moderated,
        "agreed": agreement.agreed,
        "raised": agreement.raised,
        "lowered": agreement.lowered,
        "matrix": agreement.matrix,
    }


@pytest.fixture
def cohort(db):
    alice = factories.auditor(username="alice")
    bob = factories.auditor(username="bob")
    m1 = factories.moderator(username="moderator-one")
    m2 = factories.moderator(username="moderator-two")
    senior = factories.UserFactory(username="senior", roles=[roles.AUDITOR, roles.MODERATOR])
    march = factories.AuditActivityFactory(name="Neglect", month=datetime.date(2026, 9, 1))
    april = factories.AuditActivityFactory(name="Exploitation", month=datetime.date(2026, 10, 1))
    unsampled = factories.AuditActivityFactory(
        name="Dip sample",
        month=datetime.date(2026, 10, 1),
        moderation_rate=0,
        always_moderate_not_met=False,
    )
    c = Cohort()
    # Moderated in the application.
    c.moderated(alice, march, MEETS, MEETS, m1)
    c.moderated(alice, march, MEETS, DNM, m1)
    c.moderated(alice, april, EXCEEDS, MEETS, m2)
    c.moderated(alice, april, EXCEEDS, EXCEEDS, m2)
    c.moderated(bob, march, DNM, MEETS, m2)
    c.moderated(bob, april, MEETS, MEETS, m1)
    c.moderated(bob, april, DNM, DNM, m1)
    c.moderated(senior, march, MEETS, EXCEEDS, m1)
    # Past draft but not (yet) moderated: they count as audits, not as moderated ones.
    c.submitted(alice, unsampled, MEETS)  # completed without moderation
    c.submitted(bob, unsampled, EXCEEDS)
    c.submitted(bob, march, MEETS)  # waiting in the queue
    in_hand = c.submitted(alice, april, DNM)
    services.moderation_take(audit=in_hand, moderator=m2)
    sent_back = c.submitted(senior, april, MEETS)
    services.moderation_take(audit=sent_back, moderator=m1)
    services.moderation_send_back(audit=sent_back, moderator=m1, comments="Add the plan.")
    # Never counted: practice audits (moderated as always) and drafts.
    c.moderated(alice, march, MEETS, EXCEEDS, m1, practice=True)
    c.moderated(bob, april, DNM, DNM, m2, practice=True)
    c.draft(alice, march, MEETS)
    c.draft(bob, april, EXCEEDS)
    # Historic audits moderated before the application, imported from CSV: they count the same.
    c.imported(
        [
            ("carol", march, "meets", "exceeds", "moderator-one", False),
            ("alice", april, "does_not_meet", "does_not_meet", "moderator-two", False),
            ("bob", march, "exceeds", "does_not_meet", "moderator-two", False),
            ("carol", april, "meets", "", "", False),  # imported, never moderated
            ("carol", march, "meets", "meets", "moderator-one", True),  # imported practice
        ]
    )
    return c


def test_the_cohort_is_what_the_test_thinks_it_is(cohort):
    assert Audit.objects.count() == len(cohort.rows)
    assert Audit.objects.filter(status=Status.DRAFT).count() == 2
    assert Audit.objects.filter(is_practice=True).count() == 3
    assert Audit.objects.filter(is_imported=True).count() == 5
    assert set(Audit.objects.values_list("status", flat=True)) == set(Status.values)


def test_overall_figures_match_the_cohort(cohort):
    stats = agreement_statistics(Audit.objects.all())
    expected = cohort.expected(cohort.rows)

    overall = stats["overall"]
    assert _figures(overall) == expected
    # Worked out by hand as well, from the fixture: 8 + 5 in the app, 4 imported and counted.
    assert (overall.audits, overall.moderated, overall.agreed, overall.raised, overall.lowered) == (
        17,
        11,
        5,
        3,
        3,
    )
    assert overall.matrix == [
        [2, 1, 0],  # DNM -> DNM (app, import), DNM -> meets
        [1, 2, 2],  # meets -> DNM, meets x2, meets -> exceeds x2
        [1, 1, 1],
    ]  # exceeds -> DNM (import), -> meets, -> exceeds
    assert overall.moderation_rate == pytest.approx(100 * 11 / 17)
    assert overall.percent_agreement == pytest.approx(100 * 5 / 11)
    assert overall.kappa == pytest.approx(linear_weighted_kappa(expected["matrix"]))


def test_figures_per_auditor_match_the_cohort(cohort):
    stats = agreement_statistics(Audit.objects.all())

    got = {a.label: _figures(a) for a in stats["per_auditor"]}
    assert got == cohort.expected_by(0)
    assert list(got) == ["alice", "bob", "carol", "senior"]
    assert got["carol"]["audits"] == 2 and got["carol"]["moderated"] == 1


def test_figures_per_activity_match_the_cohort(cohort):
    stats = agreement_statistics(Audit.objects.all())

    got = {a.label: _figures(a) for a in stats["per_activity"]}
    assert got == cohort.expected_by(1)
    assert set(got) == {
        "Neglect (September 2026)",
        "Exploitation (October 2026)",
        "Dip sample (October 2026)",
    }
    assert got["Dip sample (October 2026)"]["moderated"] == 0


def test_practice_audits_and_drafts_count_nowhere(cohort):
    stats = agreement_statistics(Audit.objects.all())
    counted = Audit.objects.exclude(status=Status.DRAFT).exclude(is_practice=True)

    assert stats["overall"].audits == counted.count()
    assert sum(a.audits for a in stats["per_auditor"]) == counted.count()
    assert sum(a.audits for a in stats["per_activity"]) == counted.count()
    # Only practice audits: nothing at all.
    practice_only = agreement_statistics(Audit.objects.filter(is_practice=True))
    assert _figures(practice_only["overall"])["audits"] == 0
    assert practice_only["per_auditor"] == practice_only["per_activity"] == []
    assert agreement_statistics(Audit.objects.filter(status=Status.DRAFT))["overall"].audits == 0


def test_imported_moderations_count_exactly_like_moderations_in_the_application(cohort):
    imported = agreement_statistics(Audit.objects.filter(is_imported=True))["overall"]
    in_app = agreement_statistics(Audit.objects.filter(is_imported=False))["overall"]
    both = agreement_statistics(Audit.objects.all())["overall"]

    assert (
        imported.audits,
        imported.moderated,
        imported.agreed,
        imported.raised,
        imported.lowered,
    ) == (4, 3, 1, 1, 1)
    assert both.audits == imported.audits + in_app.audits
    assert both.matrix == [
        [a + b for a, b in zip(r1, r2)] for r1, r2 in zip(imported.matrix, in_app.matrix)
    ]


def test_the_selector_respects_the_queryset_it_is_given(cohort):
    alice = agreement_statistics(Audit.objects.filter(auditor__username="alice"))

    assert _figures(alice["overall"]) == cohort.expected_by(0)["alice"]
    assert [a.label for a in alice["per_auditor"]] == ["alice"]


@pytest.mark.django_db
def test_no_audits_at_all():
    stats = agreement_statistics(Audit.objects.all())

    assert _figures(stats["overall"]) == {
        "audits": 0,
        "moderated": 0,
        "agreed": 0,
        "raised": 0,
        "lowered": 0,
        "matrix": [[0] * 3] * 3,
    }
    assert stats["overall"].kappa is None
    assert stats["overall"].moderation_rate is None
    assert stats["per_auditor"] == stats["per_activity"] == []


@pytest.mark.django_db
def test_every_moderated_audit_in_one_cell():
    moderator = factories.moderator()
    for i in range(3):
        moderated_audit(moderator=moderator, case_reference=f"CR-{i}")

    overall = agreement_statistics(Audit.objects.all())["overall"]

    assert overall.matrix == [[0, 0, 0], [0, 3, 0], [0, 0, 0]]
    assert overall.percent_agreement == 100
    assert overall.kappa is None


# --- Query count -------------------------------------------------------------------------------


def _build(n):
    """``n`` countable audits over several auditors and activities, most of them moderated,
    plus a practice audit and a draft."""
    auditors = [factories.auditor() for _ in range(min(n, 6))]
    activities = [factories.AuditActivityFactory() for _ in range(min(n, 4))]
    moderators = [factories.moderator(), factories.moderator()]
    grades = [DNM, MEETS, EXCEEDS]
    for i in range(n):
        kwargs = {
            "auditor": auditors[i % len(auditors)],
            "activity": activities[i % len(activities)],
            "overall": grades[i % 3],
            "case_reference": f"CR-{n}-{i}",
        }
        if i % 4 == 3:
            submitted_audit(**kwargs)
        else:
            moderated_audit(moderator=moderators[i % 2], grade=grades[(i // 3) % 3], **kwargs)
    taken_audit(moderator=moderators[0], auditor=auditors[0], activity=activities[0])
    draft_audit(auditor=auditors[0])


def _queries(n):
    _build(n)
    with CaptureQueriesContext(connection) as captured:
        stats = agreement_statistics(Audit.objects.all())
        # Read every figure, so that nothing is left to a lazy query.
        groups = ("per_auditor", "per_activity", "per_team", "per_moderator")
        for a in [stats["overall"], *(a for group in groups for a in stats[group])]:
            _ = (a.audits, a.moderated, a.agreed, a.raised, a.lowered, a.kappa, a.label)
    assert stats["overall"].audits == n + 1
    return len(captured)


@pytest.mark.django_db
def test_the_selector_query_count_does_not_grow_with_the_audits():
    few = _queries(3)
    Audit.objects.all().delete()
    many = _queries(30)

    assert few == many
    # Per grouping (auditor, activity, team, moderator) one pass over the audits and one for
    # the labels (none for the teams here: these audits have no team, and an empty list of keys
    # asks the database nothing); the overall figures are the auditors' added up.
    assert many == 7


def test_auditors_are_named_by_full_name_else_username(db):
    named = factories.auditor(username="pmarsh", first_name="Priya", last_name="Marsh")
    plain = factories.auditor(username="jdoe")
    submitted_audit(auditor=named, case_reference="CR-NAMED")
    submitted_audit(auditor=plain, case_reference="CR-PLAIN")

    stats = agreement_statistics(Audit.objects.all())

    assert [a.label for a in stats["per_auditor"]] == ["jdoe", "Priya Marsh"]


# --- By team and by moderator --------------------------------------------------------------------


def test_figures_per_moderator_count_the_audits_each_moderated(cohort):
    stats = agreement_statistics(Audit.objects.all())

    got = {a.label: _figures(a) for a in stats["per_moderator"]}
    # From the fixture, counted by hand: moderator-one agreed meets/meets, lowered meets to DNM,
    # agreed meets and DNM (bob), raised meets (senior) and, imported, raised carol's meets;
    # moderator-two the rest. Practice audits count nowhere.
    assert sorted(got) == ["moderator-one", "moderator-two"]
    one, two = got["moderator-one"], got["moderator-two"]
    assert (one["moderated"], one["agreed"], one["raised"], one["lowered"]) == (6, 3, 2, 1)
    assert (two["moderated"], two["agreed"], two["raised"], two["lowered"]) == (5, 2, 1, 2)
    # A moderator's audits are the ones they moderated.
    assert one["audits"] == one["moderated"] and two["audits"] == two["moderated"]
    assert sum(a.moderated for a in stats["per_moderator"]) == stats["overall"].moderated


def test_team_and_moderator_rows_are_named_and_flagged(db):
    team = factories.TeamFactory(name="Assessment East")
    moderator = factories.moderator(username="mk", first_name="Mina", last_name="Khan")
    moderated_audit(moderator=moderator, case_reference="CR-T1")
    audit = moderated_audit(moderator=moderator, case_reference="CR-T2")
    Audit.objects.filter(pk=audit.pk).update(team=team)

    stats = agreement_statistics(Audit.objects.all())

    assert [(a.label, a.audits) for a in stats["per_team"]] == [
        ("(no team)", 1),
        ("Assessment East", 1),
    ]
    [row] = stats["per_moderator"]
    assert (row.label, row.moderated, row.agreed) == ("Mina Khan", 2, 2)
    assert row.small_sample
    assert row.agreement_share == "100% (34–100%)"


TEAMS = ("Assessment East", "Assessment West", "")
MODERATORS = ("mo-a", "mo-b")
COHORT_AUDITORS = ("au-a", "au-b", "au-c")


@st.composite
def imported_rows(draw):
    moderated = draw(st.sampled_from(("", DNM, MEETS, EXCEEDS)))
    return Row(
        auditor=draw(st.sampled_from(COHORT_AUDITORS)),
        overall=draw(st.sampled_from((DNM, MEETS, EXCEEDS))),
        moderated=moderated,
        moderator=draw(st.sampled_from(MODERATORS)) if moderated else "",
        team=draw(st.sampled_from(TEAMS)),
        practice=draw(st.booleans()),
    )


def _independent(rows, key) -> dict:
    """Per value of ``key(row)``: the figures counted from the rows alone."""
    rank = {DNM: 1, MEETS: 2, EXCEEDS: 3}
    groups: dict = {}
    for row in rows:
        if row.practice:
            continue
        name = key(row)
        if name is None:
            continue
        g = groups.setdefault(
            name,
            {"audits": 0, "moderated": 0, "agreed": 0, "raised": 0, "lowered": 0},
        )
        g["audits"] += 1
        if row.moderated:
            g["moderated"] += 1
            a, m = rank[row.overall], rank[row.moderated]
            g["agreed" if a == m else "raised" if m > a else "lowered"] += 1
    return groups


def _shown(agreements) -> dict:
    return {
        a.label: {
            "audits": a.audits,
            "moderated": a.moderated,
            "agreed": a.agreed,
            "raised": a.raised,
            "lowered": a.lowered,
        }
        for a in agreements
    }


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(imported_rows(), max_size=30))
def test_agreement_by_team_and_moderator_equals_an_independent_count(db, rows):
    with transaction.atomic():
        try:
            if rows:
                import_rows(rows, prefix="CR-S")

            stats = agreement_statistics(Audit.objects.all())

            by_team = _independent(rows, lambda r: r.team or "(no team)")
            assert _shown(stats["per_team"]) == by_team
            by_moderator = _independent(rows, lambda r: r.moderator or None)
            for figures in by_moderator.values():
                # A moderator's row counts only the audits they moderated.
                figures["audits"] = figures["moderated"]
            assert _shown(stats["per_moderator"]) == {
                k: v for k, v in by_moderator.items() if v["moderated"]
            }
            for a in [*stats["per_team"], *stats["per_moderator"]]:
                assert a.small_sample == (a.moderated < 20)
                assert a.agreement_share == format_share(a.agreed, a.moderated)
                assert a.moderation_rate_share == format_share(a.moderated, a.audits)
        finally:
            transaction.set_rollback(True)
