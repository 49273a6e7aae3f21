"""The contrast maths the accessibility sweep judges by (tests/browser/contrast.py), against
pairs whose ratios are published: WebAIM's contrast checker and GOV.UK's colour palette."""

import pytest

from .contrast import composite, contrast_ratio, css_contrast, hex_of, parse_colour


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
