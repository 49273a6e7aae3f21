"""WCAG contrast maths, once: relative luminance and contrast ratio of CSS colours.

The browser measures (tests/browser/frame_checks.py reads computed colours off the page); this
module judges. Formulas from WCAG 2.2's definitions of "relative luminance" and "contrast
ratio": https://www.w3.org/TR/WCAG22/#dfn-relative-luminance (the 0.04045 threshold of sRGB,
which WCAG 2.x writes as 0.03928; the two agree for every 8-bit channel value).
"""

import re

RGB = tuple[float, float, float]
RGBA = tuple[float, float, float, float]

WHITE: RGB = (255.0, 255.0, 255.0)
# What 1.4.11 (non-text contrast) asks of a control's boundary and of a focus indicator.
NON_TEXT_MINIMUM = 3.0

_FUNCTION = re.compile(r"^(rgba?|color)\((.*)\)$")


def parse_colour(css: str) -> RGBA:
    """A computed CSS colour as (r, g, b, alpha), channels 0-255.

    Browsers compute colours to ``rgb(r, g, b)``, ``rgba(r, g, b, a)`` or, for colours made by
    CSS Color 4 functions, ``color(srgb r g b / a)`` with channels 0-1. Anything else is an
    error naming the value, never a guess.
    """
    text = css.strip().lower()
    if text == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) in (6, 8):
            values = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
            alpha = values[3] / 255 if len(values) == 4 else 1.0
            return (float(values[0]), float(values[1]), float(values[2]), alpha)
    match = _FUNCTION.match(text)
    if match:
        name, body = match.groups()
        parts = [p for p in re.split(r"[\s,/]+", body.strip()) if p]
        if name == "color" and parts and parts[0] == "srgb" and len(parts) in (4, 5):
            r, g, b = (float(p) * 255 for p in parts[1:4])
            alpha = _alpha(parts[4]) if len(parts) == 5 else 1.0
            return (r, g, b, alpha)
        if name in ("rgb", "rgba") and len(parts) in (3, 4):
            r, g, b = (_channel(p) for p in parts[:3])
            alpha = _alpha(parts[3]) if len(parts) == 4 else 1.0
            return (r, g, b, alpha)
    raise ValueError(f"Cannot read the colour {css!r}")


def _channel(text: str) -> float:
    return float(text[:-1]) * 2.55 if text.endswith("%") else float(text)


def _alpha(text: str) -> float:
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def composite(layers: list[str], base: RGB = WHITE) -> RGB:
    """The colour seen through ``layers`` (CSS colours, nearest first) laid over ``base``: the
    background behind an element is its ancestors' backgrounds, the page's white at the end."""
    seen = base
    for css in reversed(layers):
        seen = over(parse_colour(css), seen)
    return seen


def over(colour: RGBA, below: RGB) -> RGB:
    """``colour`` with its alpha laid over an opaque ``below`` (source-over)."""
    r, g, b, a = colour
    return (r * a + below[0] * (1 - a), g * a + below[1] * (1 - a), b * a + below[2] * (1 - a))


def relative_luminance(rgb: RGB) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: RGB, second: RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def css_contrast(foreground: str, background: str) -> float:
    """Contrast of two CSS colours, the foreground laid over the (opaque) background."""
    below = composite([background])
    return contrast_ratio(over(parse_colour(foreground), below), below)


def hex_of(rgb: RGB) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)
