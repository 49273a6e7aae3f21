"""A report's figures: the period's counts (reports.selectors) and the QA targets rated
against them (reports.targets). Composed here, above both, so that the selectors never import
the targets that build on them.

This is what the JSON contract, the page, the PDF, the exports and publishing read.
"""

import datetime

from .activities import activity_figures
from .plan.selectors import plan_progress
from .reaudits import reaudit_figures
from .selectors import ReportScope, counts_for_targets, period_figures
from .targets.measures import targets_table
from .trend import trend_figures


def report_figures(scope: ReportScope, *, today: datetime.date, board_paper: bool = True) -> dict:
    """Every figure of the report, as plain data (the JSON contract plus what pages show).

    At most thirty-six queries, whatever the number of audits and activities: the standard
    tool's counts (reports.selectors.period_figures), three for the QA targets, three for the
    re-audits (reports.reaudits), five for the sections per activity (reports.activities), four
    for the trend (reports.trend), two for the improvement plan (reports.plan.selectors), eight
    for the results of activities with a built tool (one where there are none); fewer when the
    period is whole months (nothing to count afresh), has no whole month (nothing kept to read)
    or comes after the months closed by the retention schedule. A target's in-year checkpoints
    reached by the period add those of measure_counts (at most five) for each checkpoint date
    (reports.targets.measures).

    ``board_paper=False`` leaves out what only the paper shows (re-audits, the improvement
    plan, the sections per activity, the trend): the home page's quarter at a glance.
    """
    figures = period_figures(scope, today=today)
    targets = targets_table(scope, counts=counts_for_targets(figures))
    # The targets follow the schedule, where the JSON contract has always had them.
    ordered = {}
    for key, value in figures.items():
        ordered[key] = value
        if key == "schedule":
            ordered["targets"] = targets
    if not board_paper:
        return ordered
    ordered["reaudits"] = reaudit_figures(scope, today=today)
    ordered["plan"] = plan_progress(scope.period, today=today)  # issue 15, item 7
    ordered["activities"] = activity_figures(scope)
    ordered["trend"] = trend_figures(scope, today=today)
    return ordered
