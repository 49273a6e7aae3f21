"""reports.templatetags.report_tables draws the report's split tables and its sections per audit
activity as the templates it replaced drew them (kept here, as they were, to compare): the same
characters, every name escaped, on the page (``screen``) and in the PDF."""

import pytest
from django.template import Context, Engine, Template

from reports.activities import NOT_MET
from reports.rendering.activity_sections import section_view
from reports.rendering.presentation import split_rows

# templates/reports/_report_split_table.html and _report_activities.html before the tag.
OLD_SPLIT = """{% load l10n %}{% localize off %}
{% if screen %}<div class="app-table-scroll" role="region" aria-label="{{ caption }} table" tabindex="0">{% endif %}
<table class="govuk-table report-table report-table--split" id="{{ table_id }}">
  <caption>{{ caption }}</caption>
  <colgroup><col class="split-group"><col class="split-when"><col class="split-audits">{% for head in heads %}<col class="split-grade">{% endfor %}</colgroup>
  <thead><tr><th scope="col">{{ group }}</th><th scope="col">Grade by</th><th scope="col" class="num">Audits</th>{% for head in heads %}<th scope="col" class="num">{{ head }}<br><span class="pct">n, % (95% CI)</span></th>{% endfor %}</tr></thead>
  {% for row in rows %}
  <tbody class="split-rows{% if row.small_sample %} small{% endif %}" data-group="{{ row.slug }}">
    <tr><th scope="row">{{ row.name }}{% if row.small_sample %} <strong class="small-sample">small sample</strong>{% endif %}</th><td>Auditor</td><td class="num">{{ row.audits }}</td>{% for g in row.auditor %}<td class="num">{{ g.count }} <span class="pct">{{ g.share }}</span></td>{% endfor %}</tr>
    <tr class="split-final"><th scope="row"><span class="split-repeat">{{ row.name }}</span></th><td>Final</td><td class="num">{{ row.audits }}</td>{% for g in row.final %}<td class="num">{{ g.count }} <span class="pct">{{ g.share }}</span></td>{% endfor %}</tr>
  </tbody>
  {% empty %}
  <tbody><tr><td colspan="{{ heads|length|add:3 }}">No audits.</td></tr></tbody>
  {% endfor %}
</table>
{% if screen %}</div>{% endif %}{% endlocalize %}
"""  # noqa: E501

OLD_ACTIVITIES = """{% load l10n %}{% localize off %}
{% for s in activity_sections %}
<section class="report-section activity-section" aria-labelledby="r-act-{{ s.id }}" id="act-{{ s.id }}">
  <h2 id="r-act-{{ s.id }}">Audit activity: {{ s.name }}{% if s.month_label %} ({{ s.month_label }}){% endif %}</h2>
  <p>{{ s.audits }} case{{ s.audits|pluralize }} audited with the case file audit tool, dated in the period{% if figures.filters.strand or figures.filters.case_type %} and matching the report's filters{% endif %}.{% if s.small_sample %} <strong class="small-sample">small sample</strong>{% endif %}</p>
  {% for line in s.headline %}<p class="headline">{{ line }}</p>{% endfor %}
  <p>{{ s.moderation.moderated }} of {{ s.audits }} audit{{ s.audits|pluralize }} were moderated (a moderation rate of {{ s.moderation.rate }}). Moderators agreed with the auditor's grade in {{ s.moderation.agreed }}, raised it in {{ s.moderation.raised }} and lowered it in {{ s.moderation.lowered }}.</p>
  <h3 id="act{{ s.id }}-grades-heading">{{ s.name }}: overall grades</h3>
  {% if screen %}<div class="app-table-scroll" role="region" aria-label="Overall grades of {{ s.name }} table" tabindex="0">{% endif %}
  <table class="govuk-table report-table report-table--fixed" id="act{{ s.id }}-grades">
    <caption>Overall grades of the {{ s.audits }} case{{ s.audits|pluralize }} audited in {{ s.name }}, before and after moderation{% if s.small_sample %} <strong class="small-sample">small sample</strong>{% endif %}</caption>
    <colgroup><col class="grades-label"><col class="grades-count"><col class="grades-share"><col class="grades-count"><col class="grades-share"></colgroup>
    <thead><tr><th scope="col">Grade</th><th scope="col" class="num">Auditor's grade</th><th scope="col" class="num">% (95% interval)</th><th scope="col" class="num">Final grade</th><th scope="col" class="num">% (95% interval)</th></tr></thead>
    <tbody>
    {% for row in s.grade_table %}<tr><th scope="row">{{ row.label }}</th><td class="num">{{ row.auditor_count }}</td><td class="num">{{ row.auditor_share }}</td><td class="num">{{ row.final_count }}</td><td class="num">{{ row.final_share }}</td></tr>{% endfor %}
    <tr class="total"><th scope="row">Total</th><td class="num">{{ s.audits }}</td><td></td><td class="num">{{ s.audits }}</td><td></td></tr>
    </tbody>
  </table>
  {% if screen %}</div>{% endif %}
  <h3 id="act{{ s.id }}-split-heading">{{ s.name }}: by strand and case type</h3>
  {% include "reports/_report_split_table.html" with rows=s.by_strand_rows heads=split_heads table_id=s.strand_table_id caption=s.strand_caption group="Strand" %}
  {% include "reports/_report_split_table.html" with rows=s.by_case_type_rows heads=split_heads table_id=s.case_type_table_id caption=s.case_type_caption group="Case type" %}
  {% if s.notes.small_sample_note %}<p class="small-sample-note">{{ s.notes.small_sample_note }}</p>{% endif %}
  <h3 id="act{{ s.id }}-domains-heading">{{ s.name }}: domains</h3>
  {% if s.strongest %}
  <p><strong>Strongest domains</strong> (share of applicable audits at least Meets good, 95% interval): {% for d in s.strongest %}{{ d.number }}. {{ d.title }} ({{ d.good_share }}){% if not forloop.last %}; {% endif %}{% endfor %}.</p>
  <p><strong>Weakest domains:</strong> {% for d in s.weakest %}{{ d.number }}. {{ d.title }} ({{ d.good_share }}){% if not forloop.last %}; {% endif %}{% endfor %}.</p>
  {% endif %}
  <p id="act{{ s.id }}-not-met">{{ s.not_met_in_all_applicable_domains }} audit{{ s.not_met_in_all_applicable_domains|pluralize }} did not meet good in any domain that applied to {{ s.not_met_in_all_applicable_domains|pluralize:"it,them" }}.</p>
  {% if s.profile %}
  {% if screen %}<div class="app-table-scroll" role="region" aria-label="Domains of the cases that did not meet good in {{ s.name }} table" tabindex="0">{% endif %}
  <table class="govuk-table report-table report-table--fixed report-table--profile" id="act{{ s.id }}-profile">
    <caption>{{ s.profile_caption }}</caption>
    <colgroup><col class="profile-domain"><col class="profile-share"><col class="profile-share"></colgroup>
    <thead><tr><th scope="col">Domain</th><th scope="col" class="num">Final grade Does not meet good ({{ s.final_not_met }})<br><span class="pct">at least Meets, of applicable (95% CI)</span></th><th scope="col" class="num">Other cases ({{ s.others }})<br><span class="pct">at least Meets, of applicable (95% CI)</span></th></tr></thead>
    <tbody>{% for d in s.profile %}<tr><th scope="row">{{ d.number }}. {{ d.title }}</th><td class="num">{{ d.not_met.good }} of {{ d.not_met.applicable }} <span class="pct">{{ d.not_met.share }}</span></td><td class="num">{{ d.others.good }} of {{ d.others.applicable }} <span class="pct">{{ d.others.share }}</span></td></tr>{% endfor %}</tbody>
  </table>
  {% if screen %}</div>{% endif %}
  {% else %}
  <p>No case in {{ s.name }} was graded Does not meet good after moderation.</p>
  {% endif %}
</section>
{% endfor %}{% endlocalize %}
"""  # noqa: E501

NAME = "Fostering <b>& kin</b>"
ESCAPED = "Fostering &lt;b&gt;&amp; kin&lt;/b&gt;"


def _old(name: str, context: dict) -> str:
    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {"reports/_report_split_table.html": OLD_SPLIT, "activities": OLD_ACTIVITIES},
            )
        ],
        libraries={"l10n": "django.templatetags.l10n"},
    )
    return engine.get_template(name).render(Context(context))


def _grades(exceeds: int, meets: int, not_met: int) -> dict:
    return {"exceeds": exceeds, "meets": meets, "does_not_meet": not_met}


def _split(exceeds: int, meets: int, not_met: int, final: tuple) -> dict:
    return {
        "audits": exceeds + meets + not_met,
        "auditor_grades": _grades(exceeds, meets, not_met),
        "final_grades": _grades(*final),
    }


def _domain(number: int, exceeds: int, meets: int, not_met: int, na: int = 0) -> dict:
    return {
        "number": number,
        "exceeds": exceeds,
        "meets": meets,
        "does_not_meet": not_met,
        "not_applicable": na,
    }


def _entry(pk: int, name: str, *, not_met: int) -> dict:
    """An activity's figures as reports.activities gives them: 25 audits, ``not_met`` of
    them graded Does not meet good after moderation."""
    return {
        "id": pk,
        "name": name,
        "month": "2026-07-01",
        **_split(5, 15, 5, (5, 20 - not_met, not_met)),
        "moderation": {"moderated": 6, "agreed": 3, "raised": 1, "lowered": 2},
        "by_strand": {
            "early_help": _split(1, 2, 1, (1, 3, 0)),
            "social_care": _split(4, 13, 4, (4, 17 - not_met, not_met)),
        },
        "by_case_type": {"adoption": _split(5, 15, 5, (5, 20 - not_met, not_met))},
        NOT_MET: 1,
        "domains": [_domain(1, 5, 10, 5, 5), _domain(2, 0, 0, 0, 25), _domain(3, 2, 3, 20)],
        "domains_does_not_meet": [_domain(1, 0, 1, 2), _domain(2, 0, 0, 0), _domain(3, 0, 0, 3)]
        if not_met
        else [_domain(n, 0, 0, 0) for n in (1, 2, 3)],
    }


NAMES = {"strands": {"social_care": "Social <care> & more", "early_help": "Early help"}}
TITLES = {1: "Risk & <safety>", 2: "Voice", 3: "Plans"}
HEADS = ["Exceeds good", "Meets good", "Does not meet good"]


@pytest.mark.parametrize("screen", [True, False])
def test_split_table_draws_what_the_include_drew(screen):
    rows = split_rows(
        {
            "social_care": _split(1, 2, 3, (1, 1, 4)),
            "early_help": _split(30, 10, 0, (28, 12, 0)),
        },
        NAMES["strands"],
    )
    for rows_drawn in (rows, []):
        context = {
            "rows": rows_drawn,
            "heads": HEADS,
            "table_id": "strand-table",
            "caption": NAME,
            "group": "Strand",
            "screen": screen,
        }
        ours = Template(
            "{% load report_tables %}{% split_table rows heads table_id caption group screen %}"
        ).render(Context(context))
        assert ours == _old("reports/_report_split_table.html", context)
    assert "Social &lt;care&gt; &amp; more" in ours or not rows_drawn
    assert f"<caption>{ESCAPED}</caption>" in ours
    assert '<td colspan="6">No audits.</td>' in ours  # the last drawn: no rows
    assert "<b>" not in ours


@pytest.mark.parametrize("screen", [True, False])
@pytest.mark.parametrize("filters", [{}, {"strand": "social_care"}])
def test_activity_sections_draw_what_the_include_drew(screen, filters):
    sections = [
        section_view(_entry(7, NAME, not_met=4), names=NAMES, titles=TITLES),
        section_view(_entry(8, "Second & last", not_met=0), names=NAMES, titles=TITLES),
    ]
    context = {
        "activity_sections": sections,
        "split_heads": HEADS,
        "figures": {"filters": filters},
        "screen": screen,
    }
    ours = Template(
        "{% load report_tables %}"
        "{% activity_sections activity_sections split_heads figures.filters screen %}"
    ).render(Context(context))
    assert ours == _old("activities", context)
    assert f'<h2 id="r-act-7">Audit activity: {ESCAPED} (July 2026)</h2>' in ours
    assert "<b>" not in ours
    assert "1. Risk &amp; &lt;safety&gt;" in ours  # a domain's title, escaped
    assert 'id="act7-profile"' in ours and 'id="act8-profile"' not in ours
    assert "No case in Second &amp; last was graded Does not meet good" in ours
    assert ("and matching the report's filters" in ours) == bool(filters)
    assert ("app-table-scroll" in ours) == screen
