"""The one percentage: what share one count is of another, and how it is rounded and written.

Every percentage the app shows or exports (report tables and sentences, chart labels, QA
targets and their RAG rating, the moderation dashboard, CSV/XLSX exports) comes from
``percent()``: exact decimal arithmetic, rounded half up to one decimal place, so 5 of 16 is
31.3% everywhere. Binary floats are never used, since they round some halves down (31.25
becomes 31.2 under Python's round()).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ONE_PLACE = Decimal("0.1")


def as_decimal(value) -> Decimal:
    """``value`` (int, str, float or Decimal) as an exact Decimal; floats by their shortest
    repr, so 29.95 stays 29.95 rather than 29.949999..."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a number") from error


def round_one_place(value) -> Decimal | None:
    """``value`` rounded to one decimal place, halves away from zero (29.95 -> 30.0)."""
    if value is None:
        return None
    return as_decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def round_whole(value) -> Decimal:
    """``value`` rounded to a whole number, halves up (for the bounds of an interval written
    "38–74%", audits.uncertainty)."""
    return as_decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def exact_percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, unrounded; None when ``whole`` is 0 (a share of
    nothing is not 0%). For comparisons that must round only once, at the end (QA targets)."""
    if not whole:
        return None
    return Decimal(100 * part) / Decimal(whole)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, rounded half up to one decimal place; None when
    ``whole`` is 0."""
    return round_one_place(exact_percent(part, whole))


def format_number(value) -> str:
    """30.00 -> "30", 37.50 -> "37.5", 37.25 -> "37.25": no trailing zeros."""
    text = f"{as_decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_percent(value, *, fixed: bool = False) -> str:
    """A rounded percentage as people read it: "31.3%", "50%" ("50.0%" where ``fixed``, for
    columns of figures that line up); a dash where there is none."""
    if value is None:
        return "–"
    return f"{as_decimal(value):.1f}%" if fixed else f"{format_number(value)}%"
