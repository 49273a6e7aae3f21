"""The report's sections per audit activity (reports.activities) as the page and the PDF show
them: the grades before and after moderation with their intervals, the split by strand and
case type, the strongest and weakest domains, and the domains of the cases graded Does not meet
good beside the others. From the figures alone, like the rest of the report."""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from audits.grades import DOMAIN_CODES, GOOD, OVERALL_CODES
from audits.percentages import format_percent, percent
from reports.activities import NOT_MET
from reports.rendering import presentation
from reports.rendering.presentation import format_share


def _minus(every: list[dict], part: list[dict]) -> list[dict]:
    """Domain rows of ``every`` audit less those of ``part`` of them, number by number."""
    part_by_number = {row["number"]: row for row in part}
    return [
        {
            "number": row["number"],
            **{g: row[g] - part_by_number.get(row["number"], {}).get(g, 0) for g in DOMAIN_CODES},
        }
        for row in every
    ]


def _at_least_meets(row: dict) -> dict:
    """A domain row's share of applicable audits at least Meets good, with its interval."""
    applicable = sum(row[g] for g in OVERALL_CODES)
    good = sum(row[g] for g in GOOD)
    return {"applicable": applicable, "good": good, "share": format_share(good, applicable)}


def domain_profile(entry: dict, titles: dict) -> list[dict]:
    """Per domain that applied to some of the activity's audits: the share at least Meets good
    among its audits whose final grade is Does not meet good, and among the others."""
    not_met = entry["domains_does_not_meet"]
    others = _minus(entry["domains"], not_met)
    rows = []
    for low, rest in zip(not_met, others):
        low_view, rest_view = _at_least_meets(low), _at_least_meets(rest)
        if low_view["applicable"] or rest_view["applicable"]:
            rows.append(
                {
                    "number": low["number"],
                    "title": titles.get(low["number"], ""),
                    "not_met": low_view,
                    "others": rest_view,
                }
            )
    return rows


def section_view(entry: dict, *, names: dict, titles: dict, notes: dict | None = None) -> dict:
    """One activity's section. ``notes``: {small: presentation.honesty_notes(small=small)},
    where the caller draws many sections (the same two texts for each)."""
    total = entry["audits"]
    domains = presentation.domain_rows(
        [{**row, "title": titles.get(row["number"], "")} for row in entry["domains"]]
    )
    for row in domains:
        good = sum(row[g] for g in GOOD)
        row["good_share"] = format_share(good, row["applicable"])
    strongest, weakest = presentation.strongest_and_weakest(domains)
    strand_names, case_type_names = names.get("strands", {}), names.get("case_types", {})
    # In the strands' own order (the names are), then any the names do not know.
    by_strand = dict(
        sorted(
            entry["by_strand"].items(),
            key=lambda item: (
                list(strand_names).index(item[0]) if item[0] in strand_names else len(strand_names)
            ),
        )
    )
    by_strand_rows = presentation.split_rows(by_strand, strand_names)
    by_case_type_rows = presentation.split_rows(entry["by_case_type"], case_type_names)
    small = presentation.small_sample(total) or any(
        row["small_sample"] for row in (*by_strand_rows, *by_case_type_rows)
    )
    month = datetime.date.fromisoformat(entry["month"]) if entry.get("month") else None
    final_not_met = entry["final_grades"].get("does_not_meet", 0)
    moderation = entry["moderation"]
    return {
        **entry,
        "month_label": f"{month:%B %Y}" if month else "",
        "headline": presentation.headline(entry),
        "small_sample": presentation.small_sample(total),
        "notes": notes[small] if notes else presentation.honesty_notes(small=small),
        "grade_table": [
            {
                "label": a["label"],
                "auditor_count": a["count"],
                "auditor_share": a["share"],
                "final_count": f["count"],
                "final_share": f["share"],
            }
            for a, f in zip(
                presentation.grade_rows(entry["auditor_grades"], total),
                presentation.grade_rows(entry["final_grades"], total),
            )
        ],
        "moderation": {
            **moderation,
            "rate": format_percent(percent(moderation["moderated"], total)),
        },
        "by_strand_rows": by_strand_rows,
        "by_case_type_rows": by_case_type_rows,
        "strongest": strongest,
        "weakest": weakest,
        "final_not_met": final_not_met,
        "others": total - final_not_met,
        "profile": domain_profile(entry, titles) if final_not_met else [],
        "strand_table_id": f"act{entry.get('id', '')}-strand",
        "case_type_table_id": f"act{entry.get('id', '')}-case-type",
        "strand_caption": _("%(name)s: grades by strand, by the auditor and after moderation")
        % {"name": entry["name"]},
        "case_type_caption": _("%(name)s: grades by case type, by the auditor and after moderation")
        % {"name": entry["name"]},
        "profile_caption": _(
            "%(name)s: share of the audits at least Meets good in each domain, among the "
            "%(low)s graded Does not meet good after moderation and the %(rest)s others; of "
            "the audits where the domain applied"
        )
        % {"name": entry["name"], "low": final_not_met, "rest": total - final_not_met},
    }


def full_sections() -> int:
    """How many activities a paper gives a full section (settings.REPORT_FULL_ACTIVITY_SECTIONS)."""
    return getattr(settings, "REPORT_FULL_ACTIVITY_SECTIONS", 6)


def _with_full_sections(entries: list[dict]) -> set:
    """The ids of the activities that get a full section: every one, up to ``full_sections()``;
    beyond that the largest (most audits; the earlier month, then the name, on a tie)."""
    limit = full_sections()
    if len(entries) <= limit:
        return {entry["id"] for entry in entries}
    largest = sorted(entries, key=lambda e: (-e["audits"], e["month"], e["name"], e["id"]))
    return {entry["id"] for entry in largest[:limit]}


def section_views(figures: dict) -> list[dict]:
    """The activities' full sections, in the figures' order (by month, then name): every
    activity's, or the largest ``full_sections()`` where the period has more (``summary``
    lists them all). None for figures made before the sections (published reports keep the
    figures they were published with)."""
    titles = {row["number"]: row.get("title", "") for row in figures.get("domains", [])}
    names = figures.get("names", {})
    entries = figures.get("activities", [])
    if not entries:
        return []
    full = _with_full_sections(entries)
    notes = {small: presentation.honesty_notes(small=small) for small in (False, True)}
    return [
        section_view(entry, names=names, titles=titles, notes=notes)
        for entry in entries
        if entry["id"] in full
    ]


def summary(figures: dict) -> dict | None:
    """Every activity in one table, where the period has more than ``full_sections()`` (None
    otherwise): its cases, the share at least Meets good by the auditor and after moderation
    with their intervals, the moderation rate, the audits that met good in no applicable
    domain, and whether a full section follows. A board paper of a year of monthly activities
    stays readable: two pages a section made a quarter of 24 activities 63 pages."""
    entries = figures.get("activities", [])
    limit = full_sections()
    if len(entries) <= limit:
        return None
    full = _with_full_sections(entries)
    rows = []
    for entry in entries:
        total = entry["audits"]
        month = datetime.date.fromisoformat(entry["month"]) if entry.get("month") else None
        moderated = entry["moderation"]["moderated"]
        rows.append(
            {
                "id": entry["id"],
                "name": entry["name"],
                "month_label": f"{month:%B %Y}" if month else "",
                "audits": total,
                "small_sample": presentation.small_sample(total),
                "auditor_good": format_share(sum(entry["auditor_grades"][g] for g in GOOD), total),
                "final_good": format_share(sum(entry["final_grades"][g] for g in GOOD), total),
                "moderated": moderated,
                "moderation_rate": format_percent(percent(moderated, total)),
                "not_met": entry[NOT_MET],
                "full_section": entry["id"] in full,
            }
        )
    return {
        "rows": rows,
        "shown": len(full),
        "total": len(entries),
        "notes": presentation.honesty_notes(small=any(row["small_sample"] for row in rows)),
    }
