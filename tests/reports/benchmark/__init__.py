"""Shared by the benchmark tests: a cohort with case references, and the benchmark file counted
from the cohort's description in plain Python, with the national list written out here, not
imported from the app (an oracle independent of reports.benchmark and reports.selectors)."""

import datetime

from audits.models import Status
from tests.reports import AuditSpec

E, M, D, NA = "exceeds", "meets", "does_not_meet", "not_applicable"
GRADES = (E, M, D)
DOMAIN_GRADES = (E, M, D, NA)
RANK = {E: 3, M: 2, D: 1}

NATIONAL_STRANDS = ("social_care", "early_help", "other")
NATIONAL_CASE_TYPES = (
    "child_in_need",
    "child_protection",
    "looked_after",
    "care_leaver",
    "adoption",
    "special_guardianship",
    "private_fostering",
    "children_with_disabilities",
    "unaccompanied_asylum_seeking",
    "early_help",
    "other",
)

QUARTER = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))


def cohort(count: int = 60, *, seed: int = 0) -> list[AuditSpec]:
    """A quarter's audits with every kind of cell: large and small, zero, a case type off the
    national list (no recourse to public funds), drafts, practice audits and audits outside
    the quarter, which are never counted."""
    case_types = (
        ("social_care", "child_in_need"),
        ("social_care", "child_in_need"),
        ("social_care", "child_protection"),
        ("social_care", "looked_after"),
        ("social_care", "no_recourse_public_funds"),
        ("early_help", "early_help"),
        ("early_help", "early_help"),
    )
    specs = []
    for n in range(count):
        k = n + seed
        strand, case_type = case_types[k % len(case_types)]
        overall = (M, D, M, E, D, M)[k % 6]
        moderated = ("", "", M, "", D, "")[(k // 2) % 6]
        specs.append(
            AuditSpec(
                audit_date=datetime.date(2026, 6 + k % 5, 1 + k % 28),  # June to October
                overall=overall,
                moderated=moderated,
                strand=strand,
                case_type=case_type,
                domains=tuple(
                    DOMAIN_GRADES[(k + d) % 4] if d not in (8, 11) else NA for d in range(1, 13)
                ),
                status=Status.COMPLETED
                if moderated
                else (Status.SUBMITTED, Status.DRAFT)[k % 9 == 0],
                practice=k % 13 == 0,
                activity="Quarterly audit",
            )
        )
    return specs


def counted(specs, start, end) -> list[AuditSpec]:
    return [
        s
        for s in specs
        if s.status != Status.DRAFT and not s.practice and start <= s.audit_date <= end
    ]


def expected_document(
    specs, *, start, end, council: str, threshold: int = 5, strands=None, case_types=None
) -> dict:
    """The benchmark file for ``specs``, counted by walking the list. ``strands`` and
    ``case_types`` map council slugs to national codes where they differ."""
    strands, case_types = strands or {}, case_types or {}
    items = counted(specs, start, end)

    def cell(n: int):
        return n if n >= threshold else None

    def grades(group, final: bool) -> dict:
        return {
            g: cell(
                sum(1 for s in group if (s.moderated or s.overall if final else s.overall) == g)
            )
            for g in GRADES
        }

    def split(group) -> dict:
        return {
            "audits": cell(len(group)),
            "auditor_grades": grades(group, False),
            "final_grades": grades(group, True),
        }

    def national(slug, mapping, codes):
        return mapping.get(slug, slug if slug in codes else "other")

    moderated = [s for s in items if s.moderated]
    return {
        "schema": "casefile-benchmark/1",
        "council": council,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **split(items),
        "moderation": {
            "moderated": cell(len(moderated)),
            "agreed": cell(sum(RANK[s.moderated] == RANK[s.overall] for s in moderated)),
            "raised": cell(sum(RANK[s.moderated] > RANK[s.overall] for s in moderated)),
            "lowered": cell(sum(RANK[s.moderated] < RANK[s.overall] for s in moderated)),
        },
        "by_strand": {
            code: split([s for s in items if national(s.strand, strands, NATIONAL_STRANDS) == code])
            for code in NATIONAL_STRANDS
        },
        "by_case_type": {
            code: split(
                [s for s in items if national(s.case_type, case_types, NATIONAL_CASE_TYPES) == code]
            )
            for code in NATIONAL_CASE_TYPES
        },
        "domains": [
            {
                "number": number,
                **{
                    g: cell(sum(1 for s in items if s.domains[number - 1] == g))
                    for g in DOMAIN_GRADES
                },
            }
            for number in range(1, 13)
        ],
    }


def leaves(value, path=""):
    """Every leaf of a parsed JSON value with its path, and every key as a leaf too."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}#key", key
            yield from leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value
