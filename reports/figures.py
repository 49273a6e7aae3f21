"""A report's figures: the period's counts (reports.selectors) and the QA targets rated
against them (reports.targets). Composed here, above both, so that the selectors never import
the targets that build on them.

This is what the JSON contract, the page, the PDF, the exports and publishing read.
"""

import datetime

from .selectors import ReportScope, counts_for_targets, period_figures
from .targets.measures import targets_table
from .trend import trend_figures


def report_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """Every figure of the report, as plain data (the JSON contract plus what pages show).

    At most twenty-six queries, whatever the number of audits (two of them for the QA targets,
    four for the trend, reports.trend, eight for the results of activities with a built tool,
    one where there are none): nineteen for the standard tool alone, eighteen with no targets
    set, fewer when the period is whole
    months (nothing to count afresh), has no whole month (nothing kept to read) or comes after
    the months closed by the retention schedule (reports.selectors.period_figures).
    """
    figures = period_figures(scope, today=today)
    targets = targets_table(scope, counts=counts_for_targets(figures))
    # The targets follow the schedule, where the JSON contract has always had them.
    ordered = {}
    for key, value in figures.items():
        ordered[key] = value
        if key == "schedule":
            ordered["targets"] = targets
    ordered["trend"] = trend_figures(scope, today=today)
    return ordered
