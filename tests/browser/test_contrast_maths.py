"""The contrast maths the accessibility sweep judges by (tests/browser/contrast.py), against
pairs whose ratios are known (GOV.UK's palette, WebAIM's checker), and how the sweep judges a
focus indicator from the styles the browser read (tests/browser/frame_checks.py). No browser."""

import pytest

from .contrast import composite, contrast_ratio, css_contrast, hex_of, parse_colour
from .frame_checks import _indicator_ratio, _shadows


@pytest.mark.parametrize(
    ("foreground", "background", "ratio"),
    [
        # GOV.UK text on white: 19.59 by the formula (often quoted rounded up as 19.8).
        ("#0b0c0c", "#ffffff", 19.59),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes 4.5:1 on white
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#1d70b8", "#ffffff", 5.17),  # GOV.UK link blue
        ("#ffdd00", "#ffffff", 1.35),  # GOV.UK focus yellow: not an indicator on white alone
        ("#ffdd00", "#0b0c0c", 14.55),  # ... but against the black it sits beside
        ("#dee2e6", "#ffffff", 1.3),  # Bootstrap's input border, the 1.3:1
        ("#505a5f", "#f3f2f1", 6.33),  # GOV.UK secondary text on light grey
    ],
)
def test_contrast_ratio_of_known_pairs(foreground, background, ratio):
    assert round(css_contrast(foreground, background), 2) == pytest.approx(ratio, abs=0.01)
    # Symmetric: the lighter is always on top of the fraction.
    assert css_contrast(background, foreground) == pytest.approx(
        css_contrast(foreground, background)
    )


@pytest.mark.parametrize(
    ("css", "rgba"),
    [
        ("rgb(11, 12, 12)", (11, 12, 12, 1)),
        ("rgba(0, 0, 0, 0)", (0, 0, 0, 0)),
        ("rgba(255, 221, 0, 0.5)", (255, 221, 0, 0.5)),
        ("rgb(11 12 12 / 50%)", (11, 12, 12, 0.5)),
        ("color(srgb 1 0 0.5)", (255, 0, 127.5, 1)),
        ("transparent", (0, 0, 0, 0)),
        ("#fd0", (255, 221, 0, 1)),
    ],
)
def test_parse_computed_colours(css, rgba):
    assert parse_colour(css) == pytest.approx(rgba)


def test_a_colour_it_cannot_read_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="oklch"):
        parse_colour("oklch(0.5 0.1 200)")


def test_translucent_backgrounds_are_laid_over_what_is_behind_them():
    # Nearest first: half-transparent black over white is mid grey.
    assert hex_of(composite(["rgba(0, 0, 0, 0.5)", "rgba(0, 0, 0, 0)"])) == "#808080"
    assert composite(["rgba(0, 0, 0, 0)", "rgb(11, 12, 12)"]) == (11, 12, 12)
    assert contrast_ratio(composite([]), (0, 0, 0)) == pytest.approx(21)


# --- Judging what the browser read (tests/browser/frame_checks.py) -----------------------------

WHITE_PAGE = ["rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"]


def _styles(*, outline="none", outline_colour="rgb(0, 0, 0)", shadow="none", background=None):
    side = {"style": "solid", "width": 2, "colour": "rgb(11, 12, 12)"}
    return {
        "outlineStyle": outline,
        "outlineWidth": 3 if outline != "none" else 0,
        "outlineColour": outline_colour,
        "boxShadow": shadow,
        "background": background or "rgba(0, 0, 0, 0)",
        "borders": [dict(side, side=s) for s in ("top", "right", "bottom", "left")],
    }


def _focus(after):
    return {"before": _styles(), "after": after, "behind": WHITE_PAGE, "own": WHITE_PAGE}


def test_govuk_link_focus_passes_on_its_black_underline_not_its_yellow():
    ratio, told = _indicator_ratio(
        _focus(
            _styles(
                outline="solid",
                outline_colour="rgba(0, 0, 0, 0)",
                shadow="rgb(255, 221, 0) 0px -2px 0px 0px, rgb(11, 12, 12) 0px 4px 0px 0px",
                background="rgb(255, 221, 0)",
            )
        )
    )
    assert round(ratio, 2) == 19.59
    assert told == "shadow #0b0c0c on #ffffff"


def test_a_yellow_ring_alone_on_white_fails():
    ratio, told = _indicator_ratio(
        _focus(_styles(outline="solid", outline_colour="rgb(255, 221, 0)"))
    )
    assert round(ratio, 2) == 1.35 and told == "outline #ffdd00 on #ffffff"


def test_no_visible_change_on_focus_is_zero():
    assert _indicator_ratio(_focus(_styles())) == (0.0, "nothing visible changes on focus")


def test_shadows_are_read_with_their_colour_and_inset():
    assert _shadows("rgb(11, 12, 12) 0px 0px 0px 2px inset, rgb(1, 2, 3) 0px 0px 0px 0px") == [
        ("rgb(11, 12, 12)", True)
    ]
    assert _shadows("none") == []
