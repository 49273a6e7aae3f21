"""Hostile values, and requests carrying them exactly as a browser or a script could send them.

A value is a ``str`` (sent as UTF-8; a lone surrogate goes out as the bytes a broken client
sends, which are not UTF-8), ``bytes`` (sent as they are: any byte, valid UTF-8 or not) or a
``Repeated`` (a huge value that hypothesis reports by its size, not its megabyte of text).

Bodies and query strings are written here byte by byte rather than by the test client, which
would refuse a lone surrogate, could not send a field twice in a chosen order, and always sends
well-formed multipart.
"""

import datetime
import os
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck
from hypothesis import strategies as st

URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Repeated:
    """``unit`` written ``times`` times."""

    unit: str
    times: int

    def __repr__(self):
        return f"Repeated({self.unit!r} × {self.times:,})"


Value = str | bytes | Repeated


def to_bytes(value: Value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, Repeated):
        value = value.unit * value.times
    return value.encode("utf-8", "surrogatepass")


def encode(pairs) -> str:
    """``pairs`` of (name, value) as an application/x-www-form-urlencoded string (a body or a
    query string), in order, repeats and all."""
    return "&".join(
        f"{quote_from_bytes(to_bytes(name), safe='')}={quote_from_bytes(to_bytes(value), safe='')}"
        for name, value in pairs
    )


def segment(value: Value) -> str:
    """``value`` as one percent-encoded segment of a URL's path."""
    return quote_from_bytes(to_bytes(value), safe="")


# --- Strings ---------------------------------------------------------------------------------

# Characters that have broken text handling somewhere: controls (PostgreSQL refuses the null
# character in text), bidirectional overrides and marks, joiners, a byte order mark, combining
# marks, line and paragraph separators, non-characters, a private-use character, and digits
# that are not ASCII (Python's int() reads them).
ODD_CHARACTERS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x1b",
    "\x7f",
    "\x85",
    "\r",
    "\n",
    "\t",
    "\u00a0",
    "\u0301",
    "\u0336",
    "\u034f",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\ue000",
    "\U0010ffff",
    "\u0662",
    "\uff12",
    "\u00bd",
    "\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1ec\U0001f1e7",
    "\U0001f44d\U0001f3fd",
    "\u0130",
    "\u00df",
    "\ufb03",
]
# A surrogate on its own is not a character: encoded anyway, it is bytes that are not UTF-8.
LONE_SURROGATES = ["\ud800", "\udfff", "\udc80", "a\ud83d"]

odd_text = st.lists(
    st.one_of(
        st.sampled_from(ODD_CHARACTERS),
        st.sampled_from(LONE_SURROGATES),
        st.characters(categories=["Mn", "Me", "Cf", "Co", "Zl", "Zp", "So", "Nd", "No"]),
        st.characters(codec="ascii"),
    ),
    max_size=12,
).map("".join)

# About a megabyte each: plain, two-byte, four-byte (emoji) and combining characters, digits
# (for number fields) and a null character a megabyte in.
HUGE = [
    Repeated("x", 1_000_000),
    Repeated("é", 500_000),
    Repeated("\U0001f600", 250_000),
    Repeated("e\u0301", 333_334),
    Repeated("9", 1_000_000),
    Repeated("a\x00", 500_000),
    Repeated("\u202e", 100_000),
]

# Words that mean something to some layer: SQL, HTML, template and format syntax, paths.
LOADED = [
    "",
    " ",
    "'",
    '"',
    "\\",
    "%",
    "%00",
    "%s",
    "{}",
    "{{ 7|add:1 }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "None",
    "null",
    "true",
    "undefined",
    "[]",
    "{'a': 1}",
    "on",
    "off",
]

# --- Numbers ---------------------------------------------------------------------------------

NUMBERS = [
    "0",
    "-0",
    "-1",
    "1.5",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "0x10",
    "1_000",
    " 7 ",
    "+7",
    "007",
    "\u0667",
    "\uff17",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 30,
    "9" * 400,
    "1" * 5000,
    "99999.999",
    "100.001",
    "0.001",
]
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)

# --- Dates -----------------------------------------------------------------------------------

DATES = [
    "0000-01-01",
    "0001-01-01",
    "1999-12-31",
    "2000-01-01",
    "2100-12-31",
    "2101-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2026-01-01",
    "+2026-01-01",
    "2026-02-29",
    "2026-02-30",
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-1-1",
    "20260101",
    "2026-W01-1",
    "2026-001",
    "2026-01-01T00:00",
    "2026-01-01 00:00:00",
    "01/02/2026",
    "31/12/2026",
    "2026/12/31",
    "1 July 2026",
    "July 2026",
    "2026",
    "2026-00",
    "2026-13",
    "0000-00",
    "9999-12",
    "10000-01",
    "\u0662\u0660\u0662\u0666-01-01",
    "\uff12\uff10\uff12\uff16-01-01",
]


def _written(day: datetime.date) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            day.isoformat(),
            day.strftime("%d/%m/%Y"),
            day.strftime("%Y-%m"),
            f"{day.year:04d}-{day.month:02d}",
            day.strftime("%m/%d/%y"),
        ]
    )


dates = st.one_of(st.sampled_from(DATES), st.dates().flatmap(_written))

# --- Everything ------------------------------------------------------------------------------

values: st.SearchStrategy[Value] = st.one_of(
    st.text(max_size=40),
    odd_text,
    st.binary(max_size=24),
    st.sampled_from(LOADED),
    st.sampled_from(HUGE),
    numbers,
    dates,
)


def values_for(known: list[str]) -> st.SearchStrategy[Value]:
    """Any hostile value, or one of ``known`` (a field's real choices, a real object's id), so
    that examples also reach the checks behind a well-formed value."""
    if not known:
        return values
    return st.one_of(values, st.sampled_from(known))


# --- Requests --------------------------------------------------------------------------------


def mutations(keys: list[str], known: list[str]):
    """One to four changes to a body or a query string: a field set to a value (replacing what
    it had), left out, sent again with another value, or a field nobody expects."""
    key = st.one_of(
        st.sampled_from(keys or [""]),
        st.sampled_from(["", "x", "action", "page", "next", "format"]),
        st.text(max_size=8),
    )
    value = values_for(known)
    change = st.one_of(
        st.tuples(st.just("set"), key, value),
        st.tuples(st.just("drop"), key),
        st.tuples(st.just("again"), key, value),
    )
    return st.lists(change, min_size=1, max_size=4)


def changed(pairs, changes) -> list:
    pairs = list(pairs)
    for change in changes:
        what, key = change[0], change[1]
        if what == "set":
            pairs = [(k, v) for k, v in pairs if k != key] + [(key, change[2])]
        elif what == "drop":
            pairs = [(k, v) for k, v in pairs if k != key]
        else:
            pairs.append((key, change[2]))
    return pairs


# The values of the pages' submit buttons, which a browser posts only for the button pressed.
BUTTONS = {"save", "submit", "record", "send_back", "publish", "unmark", "1"}


def known_values(pairs=()) -> list[str]:
    """Well-formed values to mix in, so examples reach the checks behind them: what a body
    holds already, the grade codes, and the ids, names and slugs of what a choice can name."""
    from audits.grades import Grade
    from audits.models import AgeBand, AuditActivity, CaseType, RiskCategory, Strand, Team

    found = {v for _, v in pairs if isinstance(v, str)} | {g.value for g in Grade} | BUTTONS
    for model in (AuditActivity, Strand, CaseType, AgeBand, Team, RiskCategory):
        for pk, name in model.objects.values_list("pk", "name")[:20]:
            found |= {str(pk), name}
    for model in (Strand, CaseType, AgeBand, Team):
        found |= set(model.objects.values_list("slug", flat=True)[:20])
    return sorted(found)


# --- How many ----------------------------------------------------------------------------------

# FUZZ_SCALE=10 sends ten times as many examples: a longer hunt, on a quiet machine.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))

# derandomize: the same examples on every run, so CI is reproducible and a failure is the same
# failure again; hypothesis prints the failing example.
SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def examples(n: int) -> int:
    return max(1, round(n * SCALE))
