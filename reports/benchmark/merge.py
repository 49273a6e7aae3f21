"""Several councils' benchmark files merged into a regional comparison.

``read_files`` reads and checks each file (JSON, this schema version, one file per council and
period) and refuses the lot with every problem named by its file; ``merge`` adds the councils'
counts up into the region's, leaving suppressed (null) cells out of the sums and counting them;
``standing`` says where this council (settings.COUNCIL_NAME) stands among them, with each
share's 95% Wilson interval (audits.uncertainty). The command and the page show the same.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from audits.errors import DomainError
from audits.grades import DOMAIN_CODES, GOOD, Grade
from audits.percentages import percent
from audits.uncertainty import Difference, format_share, interval_json, is_small_sample

from .schema import KEYS, SCHEMA, SCHEMA_PREFIX, problems

# The figures a region adds up: every key of a file but its schema, council and period.
FIGURE_KEYS = tuple(k for k in KEYS if k not in ("schema", "council", "start", "end"))


class MergeRefused(DomainError):
    """One or more files cannot be merged; ``problems`` has one message per problem, each
    naming its file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Council:
    """One file, read and checked."""

    file: str
    document: dict

    @property
    def name(self) -> str:
        return self.document["council"]


def _integers(value):
    """The parsed JSON with whole numbers written as 5.0 made 5 (the schema's integers)."""
    if isinstance(value, dict):
        return {key: _integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_file(name: str, data: bytes) -> tuple[dict | None, list[str]]:
    """One file's document, or None and what is wrong with it (each message names it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_("%(file)s: is not a text file in UTF-8.") % {"file": name}]
    try:
        document = json.loads(text)
    except ValueError as exc:
        where = getattr(exc, "lineno", None)
        detail = (
            _(" (line %(line)s, column %(column)s: %(msg)s)")
            % {"line": exc.lineno, "column": exc.colno, "msg": exc.msg}
            if where
            else ""
        )
        return None, [
            _("%(file)s: is not valid JSON%(detail)s.") % {"file": name, "detail": detail}
        ]
    if not isinstance(document, dict) or not isinstance(document.get("schema"), str):
        return None, [
            _("%(file)s: is not a benchmark file (it has no “schema”: %(schema)s).")
            % {"file": name, "schema": SCHEMA}
        ]
    version = document["schema"]
    if version != SCHEMA:
        if version.startswith(SCHEMA_PREFIX):
            message = _(
                "%(file)s: is a %(version)s file, and this app reads %(schema)s files only: ask "
                "for the file again from a version that writes %(schema)s."
            )
        else:
            message = _("%(file)s: is a “%(version)s” file, not a %(schema)s file.")
        return None, [message % {"file": name, "version": version[:60], "schema": SCHEMA}]
    found = problems(document)
    if not found:
        found = _period_problems(document)
    if found:
        return None, [
            _("%(file)s: does not follow the %(schema)s schema: %(problems)s.")
            % {"file": name, "schema": SCHEMA, "problems": "; ".join(found)}
        ]
    return _integers(document), []


def _period_problems(document: dict) -> list[str]:
    try:
        start = datetime.date.fromisoformat(document["start"])
        end = datetime.date.fromisoformat(document["end"])
    except ValueError:
        return [_("start or end is no such day")]
    if end < start:
        return [_("end %(end)s is before start %(start)s") % {"end": end, "start": start}]
    return []


def read_files(files: list[tuple[str, bytes]]) -> list[Council]:
    """Every file read and checked, in the order given; MergeRefused with every problem (a
    file unreadable, of another schema or failing it, or a second file from one council for
    one period) naming its file."""
    if not files:
        raise MergeRefused([_("Give at least one benchmark file.")])
    councils, refused = [], []
    seen: dict[tuple[str, str, str], str] = {}
    for name, data in files:
        document, found = read_file(name, data)
        refused += found
        if document is None:
            continue
        key = (document["council"], document["start"], document["end"])
        if key in seen:
            refused.append(
                _(
                    "%(file)s: is a second file from %(council)s for %(start)s to %(end)s "
                    "(%(first)s): give one file per council and period."
                )
                % {
                    "file": name,
                    "council": key[0],
                    "start": key[1],
                    "end": key[2],
                    "first": (
                        _("the same file given twice")
                        if seen[key] == name
                        else _("%(file)s is the first") % {"file": seen[key]}
                    ),
                }
            )
            continue
        seen[key] = name
        councils.append(Council(name, document))
    if refused:
        raise MergeRefused(refused)
    return councils


def _add_up(values: list, tally: list[int], key: str = ""):
    """The sum of the same cell in every council's file: dicts and lists key by key, counts
    added, nulls (suppressed cells) left out and counted in ``tally[0]``. A domain's number is
    the same in every file (the schema fixes it): it is kept, not added."""
    first = values[0]
    if isinstance(first, dict):
        return {name: _add_up([v[name] for v in values], tally, name) for name in first}
    if isinstance(first, list):
        return [_add_up([v[i] for v in values], tally) for i in range(len(first))]
    if key == "number":
        return first
    tally[0] += sum(1 for v in values if v is None)
    return sum(v for v in values if v is not None)


def region(councils: list[Council]) -> dict:
    """The councils' figures added up, suppressed cells left out of each sum and counted in
    ``suppressed_cells``."""
    tally = [0]
    summed = {key: _add_up([c.document[key] for c in councils], tally) for key in FIGURE_KEYS}
    return {**summed, "suppressed_cells": tally[0]}


# --- Where this council stands -----------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """Audits graded at least Meets good out of the audits, when both are known."""

    part: int | None
    whole: int | None

    @classmethod
    def of(cls, figures: dict, grades: str = "final_grades") -> "Share":
        """From a file's (or the region's) figures. At least Meets good is the audits less those
        that do not meet good, or else Exceeds plus Meets: whichever the suppression left."""
        whole, counts = figures["audits"], figures[grades]
        part = None
        if whole is not None and counts[Grade.DOES_NOT_MEET] is not None:
            part = whole - counts[Grade.DOES_NOT_MEET]
        elif all(counts[grade] is not None for grade in GOOD):
            part = sum(counts[grade] for grade in GOOD)
        if whole is None or part is None or not 0 <= part <= whole:
            return cls(None, whole)
        return cls(part, whole)

    @property
    def known(self) -> bool:
        return self.part is not None and bool(self.whole)

    @property
    def share(self) -> Decimal | None:
        return percent(self.part, self.whole) if self.known else None

    @property
    def small_sample(self) -> bool:
        return self.known and is_small_sample(self.whole)

    def as_json(self) -> dict:
        return {
            "at_least_meets": self.part,
            "audits": self.whole,
            "percent": float(self.share) if self.known else None,
            "ci": interval_json(self.part, self.whole) if self.known else None,
            "small_sample": self.small_sample,
        }

    def __str__(self) -> str:
        return format_share(self.part, self.whole) if self.known else _("not known (suppressed)")


def _pooled(shares: list[Share]) -> Share:
    known = [s for s in shares if s.known]
    if not known:
        return Share(None, None)
    return Share(sum(s.part for s in known), sum(s.whole for s in known))


def standing(councils: list[Council], *, council: str | None = None) -> dict:
    """Each council's share of audits at least Meets good (before and after moderation) with
    its interval; the region's and the other councils' (pooled over the councils whose share
    is known); this council's rank after moderation (1: the highest share) and whether its
    difference from the others is larger than chance (Fisher's exact test)."""
    council = council or settings.COUNCIL_NAME
    rows = []
    for c in councils:
        rows.append(
            {
                "council": c.name,
                "file": c.file,
                "before": Share.of(c.document, "auditor_grades"),
                "after": Share.of(c.document, "final_grades"),
            }
        )
    ranked = [r for r in rows if r["after"].known]
    for row in rows:
        row["rank"] = (
            1 + sum(1 for r in ranked if r["after"].share > row["after"].share)
            if row["after"].known
            else None
        )
    ours = next((r for r in rows if r["council"] == council), None)
    others = [r for r in rows if r is not ours]
    result = {
        "council": council,
        "rows": rows,
        "region": {
            "before": _pooled([r["before"] for r in rows]),
            "after": _pooled([r["after"] for r in rows]),
            "councils": len([r for r in rows if r["after"].known]),
        },
        "others": {
            "before": _pooled([r["before"] for r in others]),
            "after": _pooled([r["after"] for r in others]),
            "councils": len([r for r in others if r["after"].known]),
        },
        "ours": ours,
        "ranked": len(ranked),
        "difference": None,
    }
    theirs = result["others"]["after"]
    if ours and ours["after"].known and theirs.known:
        difference = Difference(theirs.part, theirs.whole, ours["after"].part, ours["after"].whole)
        result["difference"] = (
            _(
                "The difference from the other councils is larger than chance alone would be "
                "likely to give (Fisher’s exact test)."
            )
            if difference.beyond_chance
            else _(
                "The difference from the other councils could be down to chance with these "
                "numbers of audits (Fisher’s exact test)."
            )
        )
    return result


def standing_json(standing: dict) -> dict:
    def shares(entry: dict) -> dict:
        return {"before": entry["before"].as_json(), "after": entry["after"].as_json()}

    ours = standing["ours"]
    return {
        "council": standing["council"],
        "in_files": ours is not None,
        "rank": ours["rank"] if ours else None,
        "of": standing["ranked"],
        "councils": [
            {"council": r["council"], "rank": r["rank"], **shares(r)} for r in standing["rows"]
        ],
        "region": shares(standing["region"]),
        "others": shares(standing["others"]),
        "difference": standing["difference"],
    }


def compare(files: list[tuple[str, bytes]], *, council: str | None = None) -> dict:
    """The files read and checked (MergeRefused names each file it refuses), the region's
    figures and where this council stands: what the command and the page show."""
    councils = read_files(files)
    return {
        "councils": councils,
        "region": region(councils),
        "standing": standing(councils, council=council),
    }


def merge(files: list[tuple[str, bytes]], *, council: str | None = None) -> dict:
    """The comparison as the command prints it with --format json: {"schema", "councils": each
    file's document, "region": their sums and "suppressed_cells", "standing": where this
    council stands}."""
    return as_json(compare(files, council=council))


def as_json(comparison: dict) -> dict:
    return {
        "schema": SCHEMA,
        "councils": [c.document for c in comparison["councils"]],
        "region": comparison["region"],
        "standing": standing_json(comparison["standing"]),
    }


def split_rows(comparison: dict, key: str, labels: dict) -> list[dict]:
    """For a national split ("by_strand" or "by_case_type"): one row per category with audits
    in the region, each council's and the region's share at least Meets good after moderation."""
    rows = []
    for code, label in labels.items():
        entry = comparison["region"][key][code]
        if not entry["audits"]:
            continue
        shares = [Share.of(c.document[key][code]) for c in comparison["councils"]]
        # Pooled over the councils whose share is known: the region's summed cells leave the
        # suppressed ones out, so a share worked out from them could be far off.
        rows.append(
            {"code": code, "label": str(label), "councils": shares, "region": _pooled(shares)}
        )
    return rows


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _count(value) -> str:
    return _("suppressed") if value is None else str(value)


def as_text(comparison: dict) -> str:
    """The comparison as a person reads it on a terminal."""
    from audits.uncertainty import interval_note

    from .vocabulary import CASE_TYPES, STRANDS

    councils, summed, where = comparison["councils"], comparison["region"], comparison["standing"]
    periods = sorted({(c.document["start"], c.document["end"]) for c in councils})
    lines = [
        _("Regional comparison of %(n)s council(s) (%(schema)s)")
        % {"n": len(councils), "schema": SCHEMA},
        _("Period: %(periods)s") % {"periods": ", ".join(f"{s} to {e}" for s, e in periods)},
    ]
    if len(periods) > 1:
        lines.append(_("Note: the files cover different periods."))
    header = [
        _("Council"),
        _("Audits"),
        _("At least Meets good, before moderation"),
        _("After moderation"),
        _("Rank"),
    ]
    table = [header]
    for row, council in zip(where["rows"], councils, strict=True):
        table.append(
            [
                row["council"],
                _count(council.document["audits"]),
                str(row["before"]),
                str(row["after"]),
                str(row["rank"] or "–"),
            ]
        )
    table.append(
        [
            _("Region"),
            str(summed["audits"]),
            str(where["region"]["before"]),
            str(where["region"]["after"]),
            "",
        ]
    )
    lines += ["", *_table(table)]
    lines.append(
        _("Suppressed cells left out of the region's sums: %(n)s.")
        % {"n": summed["suppressed_cells"]}
    )
    lines += ["", *standing_sentences(where)]
    for key, labels, title in (
        ("by_strand", STRANDS, _("By strand")),
        ("by_case_type", CASE_TYPES, _("By case type")),
    ):
        rows = split_rows(comparison, key, labels)
        if not rows:
            continue
        table = [[title, *[c.name for c in councils], _("Region")]]
        table += [[r["label"], *[str(s) for s in r["councils"]], str(r["region"])] for r in rows]
        lines += [
            "",
            _("At least Meets good after moderation, %(what)s:") % {"what": str(title).lower()},
        ]
        lines += _table(table)
    table = [[_("Domain"), *[str(Grade(code).label) for code in DOMAIN_CODES]]]
    table += [
        [str(d["number"]), *[str(d[code]) for code in DOMAIN_CODES]] for d in summed["domains"]
    ]
    lines += ["", _("The region's domain grades (suppressed cells left out):"), *_table(table)]
    lines += ["", str(interval_note())]
    return "\n".join(lines) + "\n"


def standing_sentences(where: dict) -> list[str]:
    """Where this council stands, in sentences."""
    ours = where["ours"]
    if ours is None:
        return [
            _("%(council)s (this council) is not among the files.") % {"council": where["council"]}
        ]
    if not ours["after"].known:
        return [
            _(
                "%(council)s's share at least Meets good after moderation cannot be worked out: "
                "a count it needs is suppressed."
            )
            % {"council": where["council"]}
        ]
    lines = [
        _(
            "Where %(council)s stands: %(ours)s of its audits at least Meets good after "
            "moderation (rank %(rank)s of %(of)s); the region %(region)s; the other councils "
            "%(others)s."
        )
        % {
            "council": where["council"],
            "ours": ours["after"],
            "rank": ours["rank"],
            "of": where["ranked"],
            "region": where["region"]["after"],
            "others": where["others"]["after"],
        }
    ]
    if where["difference"]:
        lines.append(where["difference"])
    return lines
