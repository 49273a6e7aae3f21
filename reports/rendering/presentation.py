"""Turns a report's figures (live, or frozen at publication) into what the page and PDF show.

Works from the figures dictionary alone, so a published report renders exactly as it was
published. Percentages are shares of counts the database produced; nothing is recounted here.
"""

import datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from audits import grades
from audits.grades import DOMAIN_CODES, GOOD, OVERALL_CODES, Grade
from audits.percentages import format_percent as fmt_percent
from audits.percentages import percent
from audits.uncertainty import format_share as _format_share
from audits.uncertainty import interval_note, is_small_sample, small_sample_note
from reports.rendering import charts


@lru_cache(maxsize=8192)
def format_share(part: int, whole: int) -> str:
    """audits.uncertainty.format_share, "57.1% (25–84%)", remembered: a paper with many
    activities writes thousands, most of them the same few (part, whole) pairs again."""
    return _format_share(part, whole)


@lru_cache(maxsize=8192)
def percent_text(part: int, whole: int) -> str:
    """``part`` as a share of ``whole`` as the report writes it, "44.4%" (a dash for a share of
    nothing), remembered like ``format_share``: a paper writes thousands, of few pairs."""
    return fmt_percent(percent(part, whole))


def grade_rows(counts: dict, total: int, labels: dict | None = None) -> list[dict]:
    """``labels``: grades.labels(), where the caller writes many rows (asking for the active
    language each time was a tenth of a report's sections)."""
    labels = labels or grades.labels()
    return [
        {
            "code": g,
            "label": labels[g],
            "count": counts[g],
            "percent": percent_text(counts[g], total),
            # The share with its 95% Wilson interval, "57.1% (25–84%)" (audits.uncertainty).
            "share": format_share(counts[g], total),
        }
        for g in OVERALL_CODES
    ]


def small_sample(audits: int) -> bool:
    """Whether figures of ``audits`` audits are flagged "small sample" where they are shown:
    some audits, but fewer than settings.SMALL_SAMPLE_AUDITS (none has no share to flag)."""
    return bool(audits) and is_small_sample(audits)


def _cases(n: int) -> str:
    return _("1 case") if n == 1 else _("%(n)s cases") % {"n": n}


def grades_sentence(counts: dict, total: int, *, who: str) -> str:
    """'… graded 4 cases (44.4%) as Meets good and 5 cases (55.6%) as Does not meet good.'"""
    present = [g for g in OVERALL_CODES if counts[g]]
    if not present:
        return ""
    labels = grades.labels()
    parts = [
        f"{_cases(counts[g])} ({percent_text(counts[g], total)}) as {labels[g]}" for g in present
    ]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + _(" and ") + parts[-1]
    missing = [labels[g] for g in OVERALL_CODES if not counts[g]]
    tail = ""
    if missing:
        tail = " " + _("No cases were graded %(grades)s.") % {"grades": _(" or ").join(missing)}
    return f"{who} {joined}.{tail}"


def headline(figures: dict) -> list[str]:
    total = figures["audits"]
    if not total:
        return [_("No cases were audited in this period.")]
    lines = [
        grades_sentence(
            figures["auditor_grades"],
            total,
            who=(
                _("Of the 1 case audited, the auditor graded")
                if total == 1
                else _("Of the %(n)s cases audited, auditors graded") % {"n": total}
            ),
        ),
    ]
    moderation = figures["moderation"]
    if moderation["moderated"]:
        lines.append(
            grades_sentence(
                figures["final_grades"],
                total,
                who=_("After moderation of %(m)s of them, the final grades were")
                % {"m": moderation["moderated"]},
            )
        )
    return lines


def domain_rows(domains: list[dict]) -> list[dict]:
    rows = []
    for d in domains:
        applicable = sum(d[g] for g in OVERALL_CODES)
        good = sum(d[g] for g in GOOD)
        rows.append(
            {
                **d,
                "applicable": applicable,
                "grade_counts": [d[g] for g in DOMAIN_CODES],
                "good_percent_value": percent(good, applicable),
                "good_percent": percent_text(good, applicable),
                "not_met_percent": percent_text(d[Grade.DOES_NOT_MEET], applicable),
                "exceeds_percent": percent_text(d[Grade.EXCEEDS], applicable),
                "meets_percent": percent_text(d[Grade.MEETS], applicable),
            }
        )
    return rows


def strongest_and_weakest(rows: list[dict], n: int = 3) -> tuple[list[dict], list[dict]]:
    """Domains ranked by the share of applicable audits at least Meets good."""
    ranked = [r for r in rows if r["applicable"]]
    ranked.sort(key=lambda r: (-r["good_percent_value"], r["number"]))
    strongest = ranked[:n]
    weakest = [r for r in reversed(ranked) if r not in strongest][:n]
    return strongest, weakest


def comparison_rows(figures: dict) -> list[dict]:
    now, before = figures, figures["previous"]

    def share(f, grades):
        return percent(sum(f["final_grades"][g] for g in grades), f["audits"])

    def row(label, current, previous, is_percent):
        change = None if current is None or previous is None else round(current - previous, 1)
        if is_percent:
            shown = (
                fmt_percent(current),
                fmt_percent(previous),
                "–" if change is None else f"{change:+.1f} points",
            )
        else:
            shown = (current, previous, "–" if change is None else f"{change:+.0f}")
        return {"label": label, "current": shown[0], "previous": shown[1], "change": shown[2]}

    return [
        row(_("Cases audited"), now["audits"], before["audits"], False),
        row(
            _("Final grade Meets good or better"),
            share(now, GOOD),
            share(before, GOOD),
            True,
        ),
        row(
            _("Final grade Does not meet good"),
            share(now, (Grade.DOES_NOT_MEET,)),
            share(before, (Grade.DOES_NOT_MEET,)),
            True,
        ),
        row(
            _("Audits moderated"),
            now["moderation"]["moderated"],
            before["moderation"]["moderated"],
            False,
        ),
    ]


def split_rows(groups: dict, names: dict) -> list[dict]:
    labels = grades.labels()
    rows = []
    for slug, g in groups.items():
        total = g["audits"]
        rows.append(
            {
                "slug": slug,
                "name": names.get(slug, slug),
                "audits": total,
                "small_sample": small_sample(total),
                "final": grade_rows(g["final_grades"], total, labels),
                "auditor": grade_rows(g["auditor_grades"], total, labels),
            }
        )
    return rows


def honesty_notes(*, small: bool) -> dict:
    """The notes that explain the intervals and, where a figure is flagged, a small sample."""
    return {
        "interval_note": interval_note(),
        "small_sample_note": small_sample_note() if small else "",
    }


def date_label(day: datetime.date | str) -> str:
    """A date as the report prints it, "1 July 2026" (the figures hold ISO dates)."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return f"{day:%-d %B %Y}"


def period_dates(figures: dict) -> dict:
    """The period's first and last days, and the previous period's, as the report prints them."""
    previous = figures.get("previous") or {}
    return {
        "start": date_label(figures["start"]),
        "end": date_label(figures["end"]),
        "previous_start": date_label(previous["start"]) if previous.get("start") else "",
        "previous_end": date_label(previous["end"]) if previous.get("end") else "",
        "retention_through": date_label(figures["retention"]["removed_through"])
        if (figures.get("retention") or {}).get("removed_through")
        else "",
    }


def schedule_rows(schedule: dict) -> dict:
    def label(row):
        month = datetime.date.fromisoformat(row["month"])
        due = datetime.date.fromisoformat(row["due_date"]) if row.get("due_date") else None
        return {
            **row,
            "month_label": f"{month:%B %Y}",
            "due_label": date_label(due) if due else "",
        }

    return {key: [label(r) for r in schedule.get(key, [])] for key in ("in_period", "coming")}


def build(figures: dict) -> dict:
    """Everything the report template needs, from the figures alone."""
    # Here, not at the top: the sections per activity are built from this module's helpers.
    from reports.rendering import activity_sections

    total = figures["audits"]
    moderation = figures["moderation"]
    domains = domain_rows(figures["domains"])
    strongest, weakest = strongest_and_weakest(domains)
    names = figures.get("names", {})
    by_strand = split_rows(figures["by_strand"], names.get("strands", {}))
    by_case_type = split_rows(figures["by_case_type"], names.get("case_types", {}))
    auditor_pct = [percent(figures["auditor_grades"][g], total) or 0 for g in OVERALL_CODES]
    final_pct = [percent(figures["final_grades"][g], total) or 0 for g in OVERALL_CODES]
    return {
        "figures": figures,
        "period_dates": period_dates(figures),
        "headline": headline(figures),
        "auditor_rows": grade_rows(figures["auditor_grades"], total),
        "final_rows": grade_rows(figures["final_grades"], total),
        "grade_table": [
            {
                "label": a["label"],
                "auditor_count": a["count"],
                "auditor_percent": a["percent"],
                "auditor_share": a["share"],
                "final_count": f["count"],
                "final_percent": f["percent"],
                "final_share": f["share"],
            }
            for a, f in zip(
                grade_rows(figures["auditor_grades"], total),
                grade_rows(figures["final_grades"], total),
            )
        ],
        "moderation": {**moderation, "rate": fmt_percent(percent(moderation["moderated"], total))},
        "small_sample": small_sample(total),
        "notes": honesty_notes(small=small_sample(total)),
        "by_strand": by_strand,
        "by_case_type": by_case_type,
        "split_notes": honesty_notes(
            small=any(row["small_sample"] for row in (*by_strand, *by_case_type))
        ),
        "split_heads": [grades.label(g) for g in OVERALL_CODES],
        "domains": domains,
        "domain_grade_heads": [grades.short_label(g) for g in DOMAIN_CODES],
        "strongest": strongest,
        "weakest": weakest,
        "comparison": comparison_rows(figures),
        "actions": figures.get("actions", {}),
        "schedule": schedule_rows(figures.get("schedule", {})),
        # Absent from reports published before issue 15's sections per activity.
        "activity_sections": activity_sections.section_views(figures),
        "activity_summary": activity_sections.summary(figures),
        # Absent from reports published before tools could be built.
        "activity_results": activity_result_views(figures.get("activity_results", [])),
        "grades_chart": charts.grouped_bars(
            title=_(
                "Bar chart of the overall grades before and after moderation; "
                "the figures are in the overall grades table"
            ),
            categories=[str(grades.label(g)) for g in OVERALL_CODES],
            series=[(_("Auditor's grade"), auditor_pct), (_("Final grade"), final_pct)],
        ),
        "domains_chart": charts.stacked_bars(
            title=_("Bar chart of the grades by domain; the figures are in the domains table"),
            rows=[(f"Domain {d['number']}", d) for d in figures["domains"]],
            keys=[(k, grades.label(k)) for k in DOMAIN_CODES],
        ),
    }


# --- Activities with a built tool (audits.tools.results) ------------------------------------


def _answer_rows(question: dict) -> list[dict]:
    """A counted question's answers with their shares of the audits that answered it."""
    return [
        {
            **row,
            "percent": fmt_percent(percent(row["count"], question["answered"])),
        }
        for row in question["answers"]
    ]


def _question_view(question: dict) -> dict:
    view = {**question}
    if "answers" in question:
        view["answer_rows"] = _answer_rows(question)
    if "dates" in question:
        dates = question["dates"]
        view["dates_shown"] = {
            "count": dates["count"],
            "first": date_label(dates["first"]) if dates["first"] else "–",
            "last": date_label(dates["last"]) if dates["last"] else "–",
        }
    if "texts" in question:
        view["texts_shown"] = [
            {**t, "date_label": date_label(t["audit_date"]) if t.get("audit_date") else ""}
            for t in question["texts"]
        ]
    return view


def activity_result_view(result: dict) -> dict:
    """One built-tool activity's results as its page and the report's section show them:
    each answer's share of the audits that answered the question, each overall grade's share
    of the audits, before and after moderation (shares by the one rule, audits.percentages)."""
    month = datetime.date.fromisoformat(result["month"])
    view = {
        **result,
        "month_label": f"{month:%B %Y}",
        "sections": [
            {**s, "questions": [_question_view(q) for q in s["questions"]]}
            for s in result["sections"]
        ],
        "overall_rows": [],
    }
    overall = result.get("overall")
    if overall:
        total = result["audits"]
        codes = [g["code"] for g in overall["scale"]]
        codes += [c for c in overall["labels"] if c not in codes]
        view["overall_rows"] = [
            {
                "label": overall["labels"].get(code, code),
                "auditor_count": overall["auditor_grades"].get(code, 0),
                "auditor_percent": fmt_percent(
                    percent(overall["auditor_grades"].get(code, 0), total)
                ),
                "final_count": overall["final_grades"].get(code, 0),
                "final_percent": fmt_percent(percent(overall["final_grades"].get(code, 0), total)),
            }
            for code in codes
        ]
        moderation = overall["moderation"]
        view["moderation"] = {
            **moderation,
            "rate": fmt_percent(percent(moderation["moderated"], total)),
        }
    return view


def activity_result_views(results: list[dict]) -> list[dict]:
    return [activity_result_view(r) for r in results]
