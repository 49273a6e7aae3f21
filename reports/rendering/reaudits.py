"""The re-audit section of the page and the PDF, from the figures' "reaudits" entry alone (so a
published report renders as it was published; one published before re-audits were counted has
no section). Shares are written with their 95% Wilson interval (audits.uncertainty)."""

from django.utils.translation import gettext_lazy as _

from audits.uncertainty import format_share, small_sample_note

CHANGE_LABELS = (
    ("improved", _("Improved")),
    ("same", _("Stayed the same")),
    ("declined", _("Declined")),
)
# The earlier audits' actions, as the report's own actions table names them.
ACTION_LABELS = (
    ("done_on_time", _("Done on time")),
    ("done_late", _("Done late")),
    ("not_needed", _("No longer needed")),
    ("open", _("Still open")),
    ("overdue", _("Of which overdue")),
)


def _shares(counts: dict) -> list[dict]:
    whole = sum(counts[key] for key, label in CHANGE_LABELS)
    return [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "share": format_share(counts[key], whole),
        }
        for key, label in CHANGE_LABELS
    ]


def reaudit_view(figures: dict) -> dict | None:
    """What the section shows: the overall change and each domain's, as counts and shares of
    the cases compared, and the earlier audits' actions; None without the figures."""
    reaudits = figures.get("reaudits")
    if reaudits is None:
        return None
    titles = {d["number"]: d.get("title", "") for d in figures.get("domains", [])}
    compared = {d["number"]: d for d in reaudits["domains"]}
    actions = reaudits["earlier_actions"]
    return {
        "cases": reaudits["cases"],
        "small_sample": reaudits["small_sample"],
        "small_sample_note": small_sample_note(),
        "overall": _shares(reaudits["overall"]),
        "domains": [
            {
                "number": number,
                "title": titles.get(number, ""),
                "compared": sum(compared[number][key] for key, label in CHANGE_LABELS),
                "changes": _shares(compared[number]),
            }
            for number in sorted(compared)
        ],
        "change_labels": [label for key, label in CHANGE_LABELS],
        "actions": [
            {
                "label": label,
                "count": actions[key],
                "share": format_share(actions[key], actions["raised"]),
            }
            for key, label in ACTION_LABELS
        ],
        "actions_raised": actions["raised"],
        "cases_with_actions": reaudits["cases_with_actions"],
    }
