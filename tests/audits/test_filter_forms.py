"""audits.templatetags.filter_forms: a list's filter form, remembered by everything it is drawn
from, draws exactly what ``{% crispy %}`` draws, and never shows anything stale."""

import pytest
from django.http import QueryDict
from django.template import engines

from audits import selectors
from audits.filters import AuditFilter
from audits.models import Strand
from audits.templatetags import filter_forms
from tests import factories

pytestmark = pytest.mark.django_db

CRISPY = "{% load crispy_forms_tags %}{% crispy filter.form %}"
REMEMBERED = "{% load filter_forms %}{% filter_form filter.form %}"


@pytest.fixture(autouse=True)
def nothing_remembered():
    filter_forms.forget_all()
    yield
    filter_forms.forget_all()


def drawn(template: str, query: str, user) -> str:
    audit_filter = AuditFilter(
        QueryDict(query) or None, queryset=selectors.all_audits(user), drafts=False
    )
    audit_filter.is_valid()  # validates the form, as the list view does
    return engines["django"].from_string(template).render({"filter": audit_filter})


@pytest.fixture
def manager():
    user = factories.UserFactory()
    factories.TeamFactory()
    factories.AuditActivityFactory(name="Neglect")
    return user


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2",
        "strand={strand}&page=3",
        "status=submitted",
        "date_from_day=1&date_from_month=1&date_from_year=2025",
        "case_reference=CR-1",  # typed text: drawn each time
        "status=nonsense",  # an error: drawn each time
        "date_to_day=31&date_to_month=2&date_to_year=2025",  # an error
    ],
)
def test_the_remembered_form_is_what_crispy_draws_first_time_and_after(manager, query):
    query = query.format(strand=factories.strand().pk)
    expected = drawn(CRISPY, query, manager)

    assert drawn(REMEMBERED, query, manager) == expected
    assert drawn(REMEMBERED, query, manager) == expected


def test_a_new_choice_is_shown_at_once(manager):
    before = drawn(REMEMBERED, "", manager)
    assert "Youth justice" not in before

    Strand.objects.create(slug="youth_justice", name="Youth justice", order=99)

    after = drawn(REMEMBERED, "", manager)
    assert "Youth justice" in after
    assert after == drawn(CRISPY, "", manager)


def test_a_renamed_choice_is_shown_at_once(manager):
    drawn(REMEMBERED, "", manager)
    activity = factories.AuditActivityFactory(name="Neglect")
    activity.name = "Neglect and harm"
    activity.save()

    assert "Neglect and harm" in drawn(REMEMBERED, "", manager)


def test_each_selection_is_remembered_apart(manager):
    strand = factories.strand()
    plain = drawn(REMEMBERED, "", manager)
    chosen = drawn(REMEMBERED, f"strand={strand.pk}", manager)

    assert plain != chosen
    assert f'<option value="{strand.pk}" selected>' in chosen
    assert f'<option value="{strand.pk}" selected>' not in drawn(REMEMBERED, "", manager)


def test_typed_text_and_errors_are_never_kept(manager):
    drawn(REMEMBERED, "case_reference=CR-SECRET-1", manager)
    drawn(REMEMBERED, "status=nonsense", manager)
    assert filter_forms._remembered == {}

    drawn(REMEMBERED, "page=2", manager)
    assert len(filter_forms._remembered) == 1


def test_nothing_is_remembered_with_debug_on(manager, settings):
    settings.DEBUG = True
    drawn(REMEMBERED, "", manager)
    assert filter_forms._remembered == {}


def test_at_most_so_many_forms_are_remembered(manager, monkeypatch):
    monkeypatch.setattr(filter_forms, "MAX_REMEMBERED", 2)
    for page in range(5):
        drawn(
            REMEMBERED, f"date_from_day=1&date_from_month=1&date_from_year={2020 + page}", manager
        )
    assert len(filter_forms._remembered) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("built", "code"),
    [
        (False, "exceeds"),
        (False, "meets"),
        (False, "does_not_meet"),
        (False, "not_applicable"),
        (False, ""),
        (True, "requires_improvement"),
        (True, ""),
    ],
)
def test_the_grade_badge_tag_draws_what_the_grade_include_draws(built, code):
    from audits.models import Audit, AuditTool
    from audits.tools import services as tools
    from tests.factories import qa_lead

    tool = (
        tools.tool_create(
            name="Badges", by=qa_lead(), grades=[("Good", True), ("Requires improvement", False)]
        )
        if built
        else AuditTool.objects.get(family="standard", is_current=True)
    )
    audit = Audit(tool=tool)
    django = engines["django"]
    include = django.from_string('{% include "audits/_grade.html" with code=code %}')
    tag = django.from_string("{% load audit_tools %}{% grade_badge audit code %}")

    drawn = tag.render({"code": code, "audit": audit})
    assert drawn == include.render({"code": code, "audit": audit})
    if built and code:
        assert "Requires improvement" in drawn


def test_the_same_form_again_is_handed_out_not_drawn(manager, monkeypatch):
    drawn(REMEMBERED, "page=2", manager)
    monkeypatch.setattr(filter_forms, "render_crispy_form", lambda form: pytest.fail("drawn again"))

    html = drawn(REMEMBERED, "page=3", manager)  # the page is not one of the form's fields

    assert html == drawn(CRISPY, "page=3", manager)
    assert len(filter_forms._remembered) == 1


@pytest.mark.parametrize(("show_auditor", "drafts"), [(True, False), (False, True)])
def test_choices_declared_fixed_are_read_by_the_sql_their_queryset_makes(
    manager, show_auditor, drafts
):
    """A FilterSet's fixed_choices have their SQL made once per worker: it must be what the
    field's queryset makes on any request, whoever asks."""
    for user in (manager, factories.UserFactory()):
        audit_filter = AuditFilter(
            None,
            queryset=selectors.my_audits(user),
            show_auditor=show_auditor,
            drafts=drafts,
        )
        form = audit_filter.form
        names = [n for n in AuditFilter.fixed_choices if n in form.fields]
        assert names
        for name in names:
            queryset = form.fields[name].queryset
            columns = filter_forms._drawn_from(queryset, form.fields[name].to_field_name)
            made = queryset.values_list(*columns).query.get_compiler(queryset.db).as_sql()
            assert filter_forms._choices_sql(form, name, queryset) == made
            assert (AuditFilter, name, queryset.db) in filter_forms._choice_sql


def test_each_filterset_has_filters_of_its_own(manager):
    """StyledFilterSet copies its declared filters without deep-copying what they hold: what
    one FilterSet changes of its filters is not seen by another, and a filter with a method
    calls its own FilterSet's."""
    from audits.actions import selectors as action_selectors
    from audits.actions.filters import ActionFilter
    from audits.models import Audit, Status

    listed = AuditFilter(None, queryset=Audit.objects.all(), drafts=False)
    mine = AuditFilter(None, queryset=Audit.objects.all(), show_auditor=False)

    assert "auditor" in listed.filters and "auditor" not in mine.filters
    assert "auditor" in AuditFilter.base_filters
    assert Status.DRAFT not in dict(listed.form.fields["status"].choices)
    assert Status.DRAFT in dict(mine.form.fields["status"].choices)
    assert Status.DRAFT in dict(AuditFilter.base_filters["status"].extra["choices"])
    for name, one in listed.filters.items():
        assert one.parent is listed
        assert one is not AuditFilter.base_filters[name]
        if name in mine.filters:
            assert one is not mine.filters[name]
            assert one.field is not mine.filters[name].field

    actions = ActionFilter(
        QueryDict("overdue=yes"), queryset=action_selectors.action_list(manager), user=manager
    )
    assert actions.filters["overdue"].filter.f is actions.filters["overdue"]
    assert list(actions.qs) == []


def test_every_combination_put_together_from_parts_is_what_crispy_draws(manager):
    """A form not drawn before is put together from its layout and its fields, each drawn
    alone and remembered: for every combination it must be exactly the pack's drawing."""
    strands = ["", str(factories.strand().pk)]
    statuses = ["", "submitted", "completed"]
    dates = ["", "date_from_day=1&date_from_month=1&date_from_year=2025"]
    grades = ["", "meets"]
    for strand in strands:
        for status in statuses:
            for date in dates:
                for grade in grades:
                    query = "&".join(
                        part
                        for part in (
                            f"strand={strand}" if strand else "",
                            f"status={status}" if status else "",
                            date,
                            f"overall_grade={grade}" if grade else "",
                        )
                        if part
                    )
                    assert drawn(REMEMBERED, query, manager) == drawn(CRISPY, query, manager)
    assert len(filter_forms._remembered) == len(strands) * len(statuses) * len(dates) * len(grades)


def test_a_new_combination_of_known_parts_is_not_drawn_again(manager, monkeypatch):
    strand = factories.strand().pk
    drawn(REMEMBERED, f"strand={strand}", manager)
    drawn(REMEMBERED, "status=submitted", manager)
    expected = drawn(CRISPY, f"strand={strand}&status=submitted", manager)
    monkeypatch.setattr(
        filter_forms, "render_crispy_form", lambda *a, **k: pytest.fail("drawn again")
    )

    assert drawn(REMEMBERED, f"strand={strand}&status=submitted", manager) == expected


def test_typed_text_is_drawn_each_time_and_kept_in_no_part(manager):
    query = "case_reference=CR-SECRET-1&status=submitted"

    html = drawn(REMEMBERED, query, manager)

    assert html == drawn(CRISPY, query, manager)
    assert "CR-SECRET-1" in html
    kept = [*filter_forms._remembered.values(), *filter_forms._parts.values()]
    assert not any("CR-SECRET" in part for part in kept)


def test_with_typed_text_only_the_typed_box_is_drawn_the_rest_comes_from_parts(
    manager, monkeypatch
):
    drawn(REMEMBERED, "case_reference=CR-1&status=submitted", manager)  # the parts
    query = "case_reference=CR-2&status=submitted"
    expected = drawn(CRISPY, query, manager)
    calls = []
    real = filter_forms.render_crispy_form
    monkeypatch.setattr(
        filter_forms, "render_crispy_form", lambda *a, **k: calls.append(1) or real(*a, **k)
    )

    assert drawn(REMEMBERED, query, manager) == expected
    assert len(calls) == 1  # the case reference box alone


@pytest.mark.parametrize("query", ["", "state=open", "overdue=yes&page=2"])
def test_other_lists_filter_forms_put_together_are_what_crispy_draws(manager, query):
    from audits.actions import selectors as action_selectors
    from audits.actions.filters import ActionFilter

    def actions_drawn(template):
        action_filter = ActionFilter(
            QueryDict(query) or None, queryset=action_selectors.action_list(manager), user=manager
        )
        action_filter.is_valid()
        return engines["django"].from_string(template).render({"filter": action_filter})

    expected = actions_drawn(CRISPY)
    assert actions_drawn(REMEMBERED) == expected
    filter_forms._remembered.clear()
    assert actions_drawn(REMEMBERED) == expected


def test_each_filter_form_has_fields_of_its_own(moderator_user):
    """A filter form takes its class's fields without copying them (audits.filters): they must
    be made afresh for each FilterSet, never shared between two requests' forms."""
    first, second = (
        AuditFilter(QueryDict("date_from_0=1&date_from_1=1&date_from_2=2026"), queryset=qs)
        for qs in (selectors.all_audits(moderator_user),) * 2
    )
    assert first.is_valid() and second.is_valid()

    for name, field in first.form.fields.items():
        other = second.form.fields[name]
        assert field is not other, name
        assert field.widget is not other.widget, name
    # What a form adds to its own fields (the report dates' check) stays with that form.
    date_from = first.form.fields["date_from"]
    assert date_from.validators is not second.form.fields["date_from"].validators
    assert len(date_from.validators) == len(second.form.fields["date_from"].validators)
    assert first.form.fields["date_from"] is type(first.form).base_fields["date_from"]


@pytest.fixture
def auditor_with_an_audit(owner):
    from tests.helpers import submitted_audit

    submitted_audit(auditor=owner, case_reference="CR-PEOPLE-1")
    return owner


def _auditor_choices_sql(user):
    form = AuditFilter(None, queryset=selectors.all_audits(user), drafts=False).form
    return filter_forms._choices_sql(form, "auditor", form.fields["auditor"].queryset)[0]


def test_people_are_digested_by_their_names_never_their_password(manager, auditor_with_an_audit):
    sql = _auditor_choices_sql(manager)

    assert '"first_name"' in sql and '"last_name"' in sql and '"username"' in sql
    assert '"password"' not in sql and '"last_login"' not in sql


def test_a_sign_in_does_not_draw_the_form_again(manager, auditor_with_an_audit, monkeypatch):
    """Signing in changes a person's last_login, not their label: the remembered form stands."""
    from django.utils import timezone

    before = drawn(REMEMBERED, "page=2", manager)
    auditor_with_an_audit.last_login = timezone.now()
    auditor_with_an_audit.set_password("a-new-synthetic-password-1")
    auditor_with_an_audit.save()
    monkeypatch.setattr(filter_forms, "render_crispy_form", lambda form: pytest.fail("drawn again"))

    assert drawn(REMEMBERED, "page=2", manager) == before


def test_a_renamed_person_is_shown_at_once(manager, auditor_with_an_audit):
    drawn(REMEMBERED, "", manager)
    auditor_with_an_audit.first_name = "Renamedperson"
    auditor_with_an_audit.save()

    after = drawn(REMEMBERED, "", manager)
    assert "Renamedperson" in after
    assert after == drawn(CRISPY, "", manager)
