"""The benchmark file's schema: built here from the national vocabulary, written out as
docs/benchmark-schema.json (JSON Schema, draft 2020-12; tests/reports/benchmark checks that the
file is what ``json_schema()`` gives), and applied by ``problems()`` to every file the app
writes or reads.

``problems()`` interprets the few keywords this schema uses, so the app needs no JSON Schema
library at run time; the tests validate the same files with the ``jsonschema`` package too.
"""

import json
import re

from audits.figures import MODERATION
from audits.grades import DOMAIN_CODES, OVERALL_CODES

from .vocabulary import CASE_TYPES, DOMAIN_NUMBERS, STRANDS

# The version of the file's layout. A change of key, of meaning or of the national list is a new
# version: "casefile-benchmark/2". Merge reads this version only.
SCHEMA = "casefile-benchmark/1"
SCHEMA_PREFIX = "casefile-benchmark/"

# The document's keys, in the order written.
KEYS = (
    "schema",
    "council",
    "start",
    "end",
    "audits",
    "auditor_grades",
    "final_grades",
    "moderation",
    "by_strand",
    "by_case_type",
    "domains",
)

DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _object(properties: dict, description: str = "") -> dict:
    return {
        **({"description": description} if description else {}),
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _counts(names) -> dict:
    return _object({name: {"$ref": "#/$defs/count"} for name in names})


def json_schema() -> dict:
    """The JSON Schema of a benchmark file of this version."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:casefile-audit:benchmark:1",
        "title": "A council's anonymised case file audit figures for one period",
        "description": (
            "Written by `python manage.py benchmark_export`, read by `benchmark_merge`. "
            "Counts only: every count below the exporting council's suppression threshold "
            "(BENCHMARK_SUPPRESS_BELOW, 5 unless set) is null, zero included. See "
            "docs/BENCHMARK.md."
        ),
        **_object(
            {
                "schema": {"const": SCHEMA},
                "council": {"type": "string", "minLength": 1, "maxLength": 200},
                "start": {"$ref": "#/$defs/date"},
                "end": {"$ref": "#/$defs/date"},
                "audits": {"$ref": "#/$defs/count"},
                "auditor_grades": {"$ref": "#/$defs/grades"},
                "final_grades": {"$ref": "#/$defs/grades"},
                "moderation": _counts(MODERATION),
                "by_strand": _object({code: {"$ref": "#/$defs/split"} for code in STRANDS}),
                "by_case_type": _object({code: {"$ref": "#/$defs/split"} for code in CASE_TYPES}),
                "domains": {
                    "type": "array",
                    "prefixItems": [
                        {"allOf": [{"$ref": "#/$defs/domain"}, _number(n)]} for n in DOMAIN_NUMBERS
                    ],
                    "items": False,
                    "minItems": len(DOMAIN_NUMBERS),
                },
            }
        ),
        "$defs": {
            "count": {
                "description": "A number of audits; null when below the threshold.",
                "type": ["integer", "null"],
                "minimum": 0,
            },
            "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
            "grades": _counts(OVERALL_CODES),
            "split": _object(
                {
                    "audits": {"$ref": "#/$defs/count"},
                    "auditor_grades": {"$ref": "#/$defs/grades"},
                    "final_grades": {"$ref": "#/$defs/grades"},
                }
            ),
            "domain": _object(
                {
                    "number": {"type": "integer", "minimum": 1, "maximum": len(DOMAIN_NUMBERS)},
                    **{code: {"$ref": "#/$defs/count"} for code in DOMAIN_CODES},
                }
            ),
        },
    }


def _number(n: int) -> dict:
    return {"properties": {"number": {"const": n}}}


def schema_text() -> str:
    """docs/benchmark-schema.json as it must read."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# --- Applying it -------------------------------------------------------------------------------


def problems(document, *, limit: int = 5) -> list[str]:
    """What makes ``document`` (parsed JSON) no benchmark file of this version: at most
    ``limit`` messages, each naming where ("by_strand.other.audits: ..."); [] when it is one."""
    schema = json_schema()
    found: list[str] = []
    _check(document, schema, schema, "", found)
    return found[:limit]


def _is_integer(value) -> bool:
    # JSON Schema's integer: any number with no fractional part (5 and 5.0), never true/false.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "null": lambda v: v is None,
}


def _where(path: str) -> str:
    return path or "the file"


def _check(value, rule, root: dict, path: str, found: list[str]) -> None:  # noqa: C901
    if rule is False:
        found.append(f"{_where(path)}: is not expected here")
        return
    if "$ref" in rule:
        name = rule["$ref"].removeprefix("#/$defs/")
        _check(value, root["$defs"][name], root, path, found)
    for part in rule.get("allOf", ()):
        _check(value, part, root, path, found)
    if "const" in rule and (value != rule["const"] or isinstance(value, bool)):
        found.append(f"{_where(path)}: must be {json.dumps(rule['const'])}")
        return
    if "type" in rule:
        types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        if not any(_TYPES[t](value) for t in types):
            wanted = " or ".join("a whole number" if t == "integer" else t for t in types)
            found.append(f"{_where(path)}: must be {wanted}, not {_shown(value)}")
            return
    if _is_integer(value):
        if "minimum" in rule and value < rule["minimum"]:
            found.append(f"{_where(path)}: {_shown(value)} is below {rule['minimum']}")
        if "maximum" in rule and value > rule["maximum"]:
            found.append(f"{_where(path)}: {_shown(value)} is above {rule['maximum']}")
    if isinstance(value, str):
        if len(value) < rule.get("minLength", 0):
            found.append(f"{_where(path)}: must not be empty")
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            found.append(f"{_where(path)}: is longer than {rule['maxLength']} characters")
        if "pattern" in rule and not re.search(rule["pattern"], value):
            found.append(f"{_where(path)}: {_shown(value)} is not in the form YYYY-MM-DD")
    if isinstance(value, dict):
        properties = rule.get("properties", {})
        for name in rule.get("required", ()):
            if name not in value:
                found.append(f"{_where(path)}: “{name}” is missing")
        for name, item in value.items():
            inner = f"{path}.{name}" if path else str(name)
            if name in properties:
                _check(item, properties[name], root, inner, found)
            elif rule.get("additionalProperties") is False:
                found.append(f"{inner}: is not a key of {SCHEMA}")
    if isinstance(value, list):
        prefix = rule.get("prefixItems", [])
        if len(value) < rule.get("minItems", 0):
            found.append(f"{_where(path)}: has {len(value)} entries, not {rule['minItems']}")
        for index, item in enumerate(value):
            inner = f"{path}[{index}]"
            if index < len(prefix):
                _check(item, prefix[index], root, inner, found)
            elif "items" in rule:
                _check(item, rule["items"], root, inner, found)


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
