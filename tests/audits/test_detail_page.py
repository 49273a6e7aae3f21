"""The audit's page drawn cheaply: its domains and history drawn by tags (audit_tools) as the
template's loops drew them, escaped; the audit read once with its parts; and the visibility
rule not asked twice of an audit just read from what the user may see."""

from pathlib import Path

import pytest
import rules
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import selectors
from audits.models import AuditTransition, DomainGrade, RiskCategory
from audits.permissions import may_see_audit
from tests import factories
from tests.helpers import draft_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
AWKWARD = "<b>&\"x'"


def _read(audit, user):
    return selectors.get_audit_for(
        user,
        audit.pk,
        "view",
        related=selectors.PARTS_RELATED,
        prefetch=selectors.parts_prefetch(),
    )


@pytest.fixture
def awkward_audit():
    """A submitted audit taken by a moderator, with risks, evaluations and a comment holding
    <>&"' and line breaks."""
    auditor = factories.auditor(first_name="Asha", last_name=AWKWARD)
    moderator = factories.moderator(username=f"m{AWKWARD}", first_name="", last_name="")
    audit = taken_audit(moderator=moderator, auditor=auditor)
    DomainGrade.objects.filter(audit=audit, domain__number=1).update(
        text=f"First line {AWKWARD}\nsecond line"
    )
    DomainGrade.objects.filter(audit=audit, domain__number=2).update(text="")
    risks = list(RiskCategory.objects.all()[:2])
    audit.risk_categories.set(risks)
    RiskCategory.objects.filter(pk=risks[0].pk).update(name=f"Risk {AWKWARD}")
    AuditTransition.objects.filter(audit=audit).update(comment=f"Said {AWKWARD}")
    return audit, auditor


def _both(template_file: str, tag: str, audit, user):
    context = {"audit": audit, "user": user}
    theirs = Template((HERE / template_file).read_text()).render(Context(context))
    ours = Template(f"{{% load audit_tools %}}{{% {tag} audit %}}").render(Context(context))
    return theirs, ours


def test_the_domains_are_drawn_as_the_templates_loop_drew_them_and_escaped(awkward_audit):
    audit, auditor = awkward_audit
    audit = _read(audit, auditor)
    assert list(audit.risk_categories.all())

    theirs, ours = _both("domain_sections_before.html", "domain_sections", audit, auditor)

    assert ours == theirs.removesuffix("\n")
    assert AWKWARD not in ours
    assert "Risk &lt;b&gt;&amp;&quot;x&#x27;" in ours
    assert "First line &lt;b&gt;&amp;&quot;x&#x27;<br>second line" in ours
    assert ours.count('id="domain-') == 12


def test_the_history_is_drawn_as_the_templates_loop_drew_it_and_escaped(awkward_audit):
    audit, auditor = awkward_audit
    audit = _read(audit, auditor)

    theirs, ours = _both("history_items_before.html", "history_items", audit, auditor)

    # The file keeps the loop's indentation before it and a line break after it.
    assert f"  {ours}\n" == theirs
    assert AWKWARD not in ours
    assert "Said &lt;b&gt;&amp;&quot;x&#x27;" in ours
    assert "by m&lt;b&gt;&amp;&quot;x&#x27;" in ours
    assert "Draft → Submitted by Asha" in ours


def test_the_page_reads_the_audit_once_with_its_parts(client, awkward_audit):
    audit, auditor = awkward_audit
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("audits:detail", args=[audit.pk]))
    assert response.status_code == 200
    # The audit itself (a get: LIMIT 21), not the earlier audits of its case.
    audit_reads = [
        q["sql"]
        for q in captured
        if q["sql"].startswith('SELECT "audits_audit"."id", ') and "LIMIT 21" in q["sql"]
    ]
    assert len(audit_reads) == 1


def test_an_audit_read_for_a_user_is_visible_to_them_without_asking_again():
    owner = factories.auditor()
    manager = factories.qa_lead()
    audit = submitted_audit(auditor=owner)

    read = selectors.get_audit_for(manager, audit.pk, "view")
    with CaptureQueriesContext(connection) as captured:
        assert may_see_audit.test(manager, read)
    assert len(captured) == 0


def test_the_visibility_rule_is_still_asked_for_anyone_else():
    """The mark get_audit_for leaves answers only for the user it read the audit for: for
    anyone else the rule asks its query, and refuses those who may not see the audit."""
    owner = factories.auditor()
    colleague = factories.auditor()
    qa_lead = factories.qa_lead()
    read = selectors.get_audit_for(owner, draft_audit(auditor=owner).pk, "view")

    for user, expected in ((colleague, False), (qa_lead, False), (owner, True)):
        with CaptureQueriesContext(connection) as captured:
            assert may_see_audit.test(user, read) is expected
        assert (len(captured) == 0) is (user == owner)
        assert rules.has_perm("audits.view_audit", user, read) is expected


@pytest.mark.parametrize(
    "value",
    ['<script>alert("x")</script>', "O'Neil & Sons", "plain", "ünïcödé ‘quoted’", 12],
)
def test_the_rows_escape_text_as_django_does(value):
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from audits.templatetags.audit_tools import _escaped

    assert _escaped(value) == conditional_escape(value)
    already = mark_safe("<b>kept</b>")
    assert _escaped(already) == conditional_escape(already) == "<b>kept</b>"
