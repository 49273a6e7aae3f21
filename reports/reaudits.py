"""Re-audits: did learning have an impact? The cases of a report audited again in its period,
each compared with the audit of the same case before it.

Which audits count:

- A *re-audit* is the last audit of a case that the report counts (reportable, standard tool,
  dated in the period, matching the report's filters) when the case has an earlier reportable
  audit. A case is counted once however often it was audited in the period: its last audit in
  the period is compared with the audit just before that one.
- The *earlier audit* is the case's latest reportable audit before the re-audit (by audit date,
  then by the order audits were made), whatever its activity, strand or case type: a case
  audited in January under one activity and in July under another was re-audited all the same.
- Cases are matched by their reference upper-cased, as everywhere (audits.rules.
  case_reference_key, the index audit_case_ref_upper_idx); audits without a reference are no
  case.

What is compared: the overall final grade (after moderation: audits.figures.with_final), each
domain graded in both audits with anything but Not applicable (matched by domain number, as the
report's domain table does), and the agreed actions of the earlier audit, counted as the
report counts actions (audits.figures.action_count_aggregates): done on time, done late, not
needed, still open and, of those, overdue.

The pairs, and how each compares, are kept with each audit's link to its case's audits
(audits.case_links, which holds the rule for comparing): the report sums the links of its
period's re-audits in one query, and counts from the actions only what is overdue on its day.
"""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Upper

from audits.case_links import CHANGES, DOMAIN_NUMBERS, EARLIER_ACTIONS
from audits.figures import action_count_aggregates
from audits.models import AgreedAction, CaseLink, Domain
from audits.tools.kinds import STANDARD_FAMILY
from audits.uncertainty import interval_json, is_small_sample

from .selectors import ReportScope, _filters, reportable_audits


def reaudit_links(scope: ReportScope) -> QuerySet[CaseLink]:
    """The links (audits.case_links) of the re-audits of ``scope``: one per case, its last
    audit the report counts, with an earlier audit.

    A link exists only for an audit a report counts, and copies the audit's activity, strand
    and case type, so the period's links with an earlier audit and no later one in the period
    are the re-audits, found without reading the audits. With a filter the case's next audit
    may not be one the report counts (another strand, say): only then is the case searched
    for a later audit the report counts in the period."""
    period = scope.period
    links = CaseLink.objects.filter(
        audit_date__gte=period.start, audit_date__lte=period.end, earlier__isnull=False
    )
    last = Q(later_date__isnull=True) | Q(later_date__gt=period.end)
    filters = _filters(scope)  # on the link's copies of its audit's fields
    if filters:
        later = (
            reportable_audits(scope)
            .annotate(case_key=Upper("case_reference"))
            .filter(
                Q(case_key=Upper(OuterRef("audit__case_reference"))),
                Q(audit_date__gt=OuterRef("audit_date"))
                | Q(audit_date=OuterRef("audit_date"), pk__gt=OuterRef("audit_id")),
            )
        )
        links = links.filter(filters)
        last |= ~Exists(later)
    return links.filter(last)


def reaudit_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """The contract's "reaudits": {"cases", "overall": {"improved", "same", "declined"},
    "overall_ci": the 95% Wilson interval of each of those shares of "cases", "domains": [{"number",
    "improved", "same", "declined"}] for each domain number compared at least once, "earlier_actions":
    the earlier audits' actions as the report's "actions" counts them, and "cases_with_actions"
    (re-audited cases whose earlier audit agreed any), "small_sample"}. Three queries: the
    domain numbers, the sums of the period's links, and the earlier audits' overdue actions."""
    links = reaudit_links(scope)
    numbers = sorted(
        set(
            Domain.objects.filter(
                tool__family=STANDARD_FAMILY, number__in=DOMAIN_NUMBERS
            ).values_list("number", flat=True)
        )
    )
    sums = {
        "cases": Count("pk"),
        "cases_with_actions": Count("pk", filter=Q(earlier_raised__gt=0)),
        **{change: Count("pk", filter=Q(overall_change=change)) for change in CHANGES},
        **{field: Sum(field) for field in EARLIER_ACTIONS},
        # Open actions all past due on the report's day.
        "all_overdue": Sum("earlier_open_dated", filter=Q(earlier_last_due__lt=today)),
        **{
            # Bit n of the link's domains_<change> is domain n (audits.case_links).
            f"domain_{number}_{change}": Sum(F(f"domains_{change}").bitrightshift(number).bitand(1))
            for number in numbers
            for change in CHANGES
        },
    }
    row = {name: value or 0 for name, value in links.aggregate(**sums).items()}
    overall = {change: row[change] for change in CHANGES}
    domains = []
    for number in numbers:
        counts = {change: row[f"domain_{number}_{change}"] for change in CHANGES}
        if any(counts.values()):
            domains.append({"number": number, **counts})
    actions = {name: row[field] for field, name in EARLIER_ACTIONS.items()}
    # Overdue depends on the report's day: where it falls between the first and the last due
    # date of an earlier audit's open actions, they are counted from the actions themselves.
    falling_due = links.filter(earlier_first_due__lt=today, earlier_last_due__gte=today)
    falling_overdue = AgreedAction.objects.filter(
        audit__in=falling_due.values("earlier")
    ).aggregate(overdue=action_count_aggregates(today=today)["overdue"])["overdue"]
    actions["overdue"] = row["all_overdue"] + falling_overdue
    compared = sum(overall.values())
    return {
        "cases": row["cases"],
        "overall": overall,
        "overall_ci": {change: interval_json(overall[change], compared) for change in CHANGES},
        "domains": domains,
        "earlier_actions": actions,
        "cases_with_actions": row["cases_with_actions"],
        "small_sample": is_small_sample(row["cases"]),
    }
