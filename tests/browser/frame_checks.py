"""What axe-core does not measure, measured in the browser on the page as it is shown:

- the contrast of form controls' boundaries (inputs, selects, text areas, radios, check boxes)
  against the background beside them, and of the focus indicator of a link, a control, a radio
  or check box and a button: each at least 3:1 (WCAG 2.2 1.4.11, non-text contrast);
- reflow: at 320 CSS px wide the page does not scroll sideways (1.4.10).

The page script only reads computed styles; tests/browser/contrast.py does the maths. Each
check returns a list of problems in words (empty when the page passes).
"""

import re
from dataclasses import dataclass

from .contrast import NON_TEXT_MINIMUM, composite, contrast_ratio, hex_of, over, parse_colour

# Chromium draws a native (appearance: auto) radio or check box with this border in its light
# colour scheme; computed styles do not show it.
NATIVE_CONTROL_BORDER = "rgb(118, 118, 118)"
REFLOW_WIDTH = 320

# Shared by the page scripts below: is an element shown, its background layers (its own and
# each ancestor's, nearest first) and a short name for it.
_JS_HELPERS = r"""
// checkVisibility: not inside a closed <details>, display: none or visibility: hidden.
const shown = (el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && el.checkVisibility({ visibilityProperty: true });
};
const layers = (el) => {
  const found = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    found.push(getComputedStyle(node).backgroundColor);
  }
  return found;
};
const describe = (el) => {
  let text = el.tagName.toLowerCase();
  if (el.id) return text + "#" + el.id;
  if (el.getAttribute("name")) text += `[name="${el.getAttribute("name")}"]`;
  const classes = [...el.classList].slice(0, 2);
  if (classes.length) text += "." + classes.join(".");
  const words = (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
  return words ? `${text} "${words}"` : text;
};
const sides = (style) => ["top", "right", "bottom", "left"].map((side) => ({
  side,
  style: style.getPropertyValue(`border-${side}-style`),
  width: parseFloat(style.getPropertyValue(`border-${side}-width`)) || 0,
  colour: style.getPropertyValue(`border-${side}-color`),
}));
// GOV.UK radios and check boxes hide the native input and draw the control as the label's
// ::before; a native control is drawn by the browser itself.
const drawnBy = (el) => {
  if (el.type !== "radio" && el.type !== "checkbox") return { node: el, pseudo: null };
  const style = getComputedStyle(el);
  const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  if (label && (parseFloat(style.opacity) === 0 || style.appearance === "none")) {
    const before = getComputedStyle(label, "::before");
    if (before.content !== "none" && before.content !== "normal") {
      return { node: label, pseudo: "::before" };
    }
  }
  return { node: el, pseudo: null, native: style.appearance !== "none" };
};
const NOT_TYPED = ["hidden", "submit", "button", "reset", "image"];
const CONTROLS = NOT_TYPED.reduce((s, t) => `${s}:not([type="${t}"])`, "input") + ", select, textarea";
const TEXT_CONTROLS = [...NOT_TYPED, "radio", "checkbox"].reduce((s, t) => `${s}:not([type="${t}"])`, "input")
  + ", select, textarea";
"""

_CONTROL_BORDERS_JS = (
    "() => {"
    + _JS_HELPERS
    + r"""
  const found = [];
  for (const el of document.querySelectorAll(CONTROLS)) {
    if (el.closest("[hidden], template, dialog:not([open])")) continue;
    const drawn = drawnBy(el);
    if (!shown(drawn.node)) continue;
    const style = getComputedStyle(drawn.node, drawn.pseudo);
    const borders = sides(style).filter((s) => s.style !== "none" && s.style !== "hidden" && s.width >= 1);
    found.push({
      what: describe(el),
      native: !!drawn.native,
      borders: borders.map((s) => s.colour),
      fill: style.backgroundColor,
      behind: layers(drawn.pseudo ? drawn.node : el.parentElement),
    });
  }
  return found;
}"""
)

_FOCUS_JS = (
    "() => {"
    + _JS_HELPERS
    + r"""
  const main = document.querySelector("main") || document.body;
  const firstShown = (selector) =>
    [...main.querySelectorAll(selector), ...document.querySelectorAll(selector)].find(
      (el) => shown(drawnBy(el).pseudo ? drawnBy(el).node : el) && !el.disabled
        && !el.closest("[hidden], dialog:not([open])"),
    );
  const picks = {
    link: firstShown("a[href]:not(.govuk-skip-link)"),
    "text control": firstShown(TEXT_CONTROLS),
    "radio or check box": firstShown('input[type="radio"], input[type="checkbox"]'),
    button: firstShown('button, input[type="submit"], .govuk-button'),
  };
  const read = (el) => {
    const drawn = drawnBy(el);
    const style = getComputedStyle(drawn.node, drawn.pseudo);
    return {
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
      outlineColour: style.outlineColor,
      boxShadow: style.boxShadow,
      background: style.backgroundColor,
      borders: sides(style),
    };
  };
  const found = [];
  for (const [kind, el] of Object.entries(picks)) {
    if (!el) continue;
    const before = read(el);
    el.focus({ preventScroll: true });
    const focused = document.activeElement === el;
    const after = read(el);
    el.blur();
    const drawn = drawnBy(el);
    found.push({
      kind, what: describe(el), focused, before, after,
      behind: layers(drawn.pseudo ? drawn.node : el.parentElement),
      own: layers(drawn.pseudo ? drawn.node : el),
    });
  }
  return found;
}"""
)

_REFLOW_JS = r"""() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  // The outermost elements that reach past the right edge, outside any box that scrolls or
  // clips them (a table in its own scrolling region is allowed to be wide).
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow !== "visible") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0 || clipped(el)) continue;
    if (wide.some((outer) => outer.contains(el))) continue;
    wide.push(el);
    if (wide.length >= 5) break;
  }
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) return text + "#" + el.id;
    const classes = [...el.classList].slice(0, 3);
    return classes.length ? text + "." + classes.join(".") : text;
  };
  return {
    scrollWidth: root.scrollWidth,
    width,
    wide: wide.map((el) => `${name(el)} (${Math.round(el.getBoundingClientRect().right)} px)`),
  };
}"""

_TWO_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


@dataclass
class Problem:
    check: str
    text: str

    def __str__(self):
        return f"{self.check}: {self.text}"


def control_border_problems(page) -> list[Problem]:
    """Each shown control's boundary (its border, or its fill when it has none) against the
    background around it, at least 3:1. Problems of the same colours are told once, with a count."""
    failing: dict[tuple, list[str]] = {}
    for control in page.evaluate(_CONTROL_BORDERS_JS):
        behind = composite(control["behind"])
        if control["native"]:
            colours = [NATIVE_CONTROL_BORDER]
        else:
            colours = control["borders"] or [control["fill"]]
        ratio, boundary = min(
            (contrast_ratio(seen, behind), seen)
            for seen in (over(parse_colour(c), behind) for c in colours)
        )
        if ratio < NON_TEXT_MINIMUM:
            key = (hex_of(boundary), hex_of(behind), round(ratio, 2))
            failing.setdefault(key, []).append(control["what"])
    return [
        Problem(
            "control border",
            f"{ratio}:1 ({border} on {behind}) for {len(whats)} control(s): "
            + ", ".join(whats[:3])
            + (" …" if len(whats) > 3 else ""),
        )
        for (border, behind, ratio), whats in failing.items()
    ]


def _shadows(box_shadow: str) -> list[tuple[str, bool]]:
    """(colour, inset) of each visible shadow of a computed box-shadow."""
    if not box_shadow or box_shadow == "none":
        return []
    found = []
    for shadow in re.split(r",(?![^(]*\))", box_shadow):
        colour = re.match(r"\s*((?:rgba?|color)\([^)]*\)|#[0-9a-f]+)", shadow, re.I)
        lengths = [float(n) for n in re.findall(r"(-?[\d.]+)px", shadow)]
        if colour and any(lengths):
            found.append((colour.group(1), "inset" in shadow))
    return found


def _indicator_ratio(item) -> tuple[float, str]:
    """The best contrast among what focusing changed: an outline, a shadow, a new background or
    a changed border, each against what it sits on (the surroundings; an inset shadow, the
    element's own background). 0 when focusing changed nothing visible."""
    before, after = item["before"], item["after"]
    behind = composite(item["behind"])
    own = composite(item["own"])
    candidates = []
    if after["outlineStyle"] not in ("none", "hidden") and after["outlineWidth"] >= 1:
        candidates.append(("outline", after["outlineColour"], behind))
    if after["boxShadow"] != before["boxShadow"]:
        for colour, inset in _shadows(after["boxShadow"]):
            candidates.append(
                ("inset shadow" if inset else "shadow", colour, own if inset else behind)
            )
    if after["background"] != before["background"] and parse_colour(after["background"])[3] > 0:
        candidates.append(("background", after["background"], behind))
    for old, new in zip(before["borders"], after["borders"], strict=True):
        if (
            new["style"] not in ("none", "hidden")
            and new["width"] >= 1
            and (new["colour"] != old["colour"] or new["width"] > old["width"])
        ):
            candidates.append((f"{new['side']} border", new["colour"], behind))
    best, told = 0.0, "nothing visible changes on focus"
    for what, colour, under in candidates:
        rgba = parse_colour(colour)
        if rgba[3] == 0:
            continue  # a transparent outline: only for Windows' high contrast mode
        ratio = contrast_ratio(over(rgba, under), under)
        if ratio > best:
            best, told = ratio, f"{what} {hex_of(over(rgba, under))} on {hex_of(under)}"
    return best, told


def focus_problems(page) -> list[Problem]:
    """Focus a link, a text control, a radio or check box and a button (the first shown of
    each, in main when there is one): the focus indicator reaches 3:1 against its background.

    A key is pressed first so the browser treats focus as keyboard focus (:focus-visible)."""
    page.keyboard.press("Shift")
    problems = []
    for item in page.evaluate(_FOCUS_JS):
        if not item["focused"]:
            problems.append(Problem("focus", f"{item['kind']} {item['what']} cannot take focus"))
            continue
        ratio, told = _indicator_ratio(item)
        if ratio < NON_TEXT_MINIMUM:
            problems.append(
                Problem(
                    "focus indicator",
                    f"{item['kind']} {item['what']}: best {ratio:.2f}:1 ({told})",
                )
            )
    return problems


def reflow_problems(page, *, restore) -> list[Problem]:
    """At 320 CSS px wide, the page does not scroll sideways. ``restore`` is the viewport to
    put back afterwards."""
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": restore["height"]})
    try:
        page.evaluate(_TWO_FRAMES)
        found = page.evaluate(_REFLOW_JS)
    finally:
        page.set_viewport_size(restore)
    if found["scrollWidth"] <= found["width"]:
        return []
    return [
        Problem(
            "reflow at 320 px",
            f"the page is {found['scrollWidth']} px wide in a {found['width']} px viewport; "
            f"too wide: {', '.join(found['wide']) or '(no single element)'}",
        )
    ]


ZOOM_WIDTH = 640  # the 1280 px page at 200% zoom (1.4.4)

# WCAG 2.2 1.4.12 text spacing, set on every element as a person's own style sheet would: line
# height 1.5 times the font size, paragraphs 2 times apart, letters 0.12 and words 0.16 times.
# Set through the CSSOM, which the Content Security Policy allows (it forbids <style> elements).
_TEXT_SPACING_JS = r"""() => {
  for (const el of document.body.querySelectorAll("*")) {
    el.style.setProperty("line-height", "1.5", "important");
    el.style.setProperty("letter-spacing", "0.12em", "important");
    el.style.setProperty("word-spacing", "0.16em", "important");
  }
  for (const p of document.body.querySelectorAll("p")) {
    p.style.setProperty("margin-bottom", "2em", "important");
  }
}"""

# Text cut off by a box that hides what overflows it (visually hidden text, 1 px boxes, aside).
_CLIPPED_JS = r"""() => {
  const cut = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (![style.overflowX, style.overflowY].includes("hidden")) continue;
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.textContent.trim()) continue;
    if (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2) {
      const name = el.id ? "#" + el.id : [el.tagName.toLowerCase(), ...el.classList].join(".");
      cut.push(name.slice(0, 60));
    }
  }
  return cut.slice(0, 5);
}"""


def zoom_and_text_spacing_problems(page, *, restore) -> list[Problem]:
    """At 200% zoom (a 640 px wide viewport for the 1280 px page) the page does not scroll
    sideways (1.4.4, 1.4.10); with WCAG's text spacing (1.4.12) applied, nothing scrolls
    sideways and no text is cut off. Call last: the spacing stays on the page."""
    problems = []
    page.set_viewport_size({"width": ZOOM_WIDTH, "height": restore["height"]})
    try:
        page.evaluate(_TWO_FRAMES)
        found = page.evaluate(_REFLOW_JS)
    finally:
        page.set_viewport_size(restore)
    if found["scrollWidth"] > found["width"]:
        problems.append(
            Problem("200% zoom", f"the page is {found['scrollWidth']} px wide at 640 px")
        )
    page.evaluate(_TEXT_SPACING_JS)
    page.evaluate(_TWO_FRAMES)
    found = page.evaluate(_REFLOW_JS)
    if found["scrollWidth"] > found["width"]:
        problems.append(
            Problem("text spacing", f"the page scrolls sideways: {', '.join(found['wide'])}")
        )
    if cut := page.evaluate(_CLIPPED_JS):
        problems.append(Problem("text spacing", f"text is cut off in {', '.join(cut)}"))
    return problems
