"""Steps of a person who uses only the keyboard (issue 13): Tab and Shift+Tab to move, Space and
Enter to press, the arrow keys inside radios and selects, and typing.

Nothing here clicks, fills or focuses through Playwright's element API: every step presses keys
on ``page.keyboard`` and reads ``document.activeElement`` to know where the focus is. A step
finds its target by tabbing until the focused element matches (its label or name, and
optionally the part of the page it is in), and gives up after a bounded number of presses with
a message that lists what the focus passed through — so a control that cannot be reached by
keyboard fails the journey instead of hanging it.
"""

import datetime
import re
from dataclasses import dataclass

MAX_TABS = 150  # the whole audit form is about 80 tab stops

# What the focused element is, in words a test can match: its tag and type, its accessible
# label (the <label>, aria-label or its text), the legend of the group it is in, and whether it
# is inside ``within`` (a CSS selector) when one is given.
_ACTIVE_JS = r"""(within) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const text = (node) => (node ? (node.innerText || node.textContent || "") : "").replace(/\s+/g, " ").trim();
  let label = "";
  if (el.labels && el.labels.length) label = text(el.labels[0]);
  else if (el.getAttribute("aria-label")) label = el.getAttribute("aria-label").trim();
  else if (el.getAttribute("aria-labelledby")) {
    const ids = el.getAttribute("aria-labelledby").split(/\s+/);
    label = ids.map((id) => text(document.getElementById(id))).join(" ");
  } else label = text(el);
  const fieldset = el.closest("fieldset");
  return {
    tag: el.tagName.toLowerCase(),
    type: (el.getAttribute("type") || "").toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    label,
    legend: fieldset ? text(fieldset.querySelector("legend")) : "",
    checked: !!el.checked,
    value: el.value === undefined ? "" : String(el.value),
    selected: el.tagName === "SELECT" && el.selectedOptions.length ? text(el.selectedOptions[0]) : "",
    inside: within ? !!el.closest(within) : true,
  };
}"""


@dataclass(frozen=True)
class Target:
    """What to tab to: a label (exact, or a compiled pattern), optionally only an element of
    one kind (tag: "input", "select", "textarea", "button", "a", "summary"; type: "radio" …)
    inside the part of the page a CSS selector names."""

    label: str | re.Pattern
    tag: str | None = None
    type: str | None = None
    within: str | None = None

    def matches(self, active) -> bool:
        if active is None or not active["inside"]:
            return False
        if self.tag and active["tag"] != self.tag:
            return False
        if self.type and active["type"] != self.type:
            return False
        if isinstance(self.label, re.Pattern):
            return bool(self.label.search(active["label"]))
        return active["label"] == self.label


def active(page, within: str | None = None):
    return page.evaluate(_ACTIVE_JS, within)


def tab_to(page, target: Target, *, backwards: bool = False, max_tabs: int = MAX_TABS):
    """Press Tab (Shift+Tab when ``backwards``) until the focus is on ``target``."""
    key = "Shift+Tab" if backwards else "Tab"
    now = active(page, target.within)
    if target.matches(now):
        return now
    passed = []
    for _ in range(max_tabs):
        page.keyboard.press(key)
        now = active(page, target.within)
        if target.matches(now):
            return now
        passed.append(
            f"{now['tag']}{'[' + now['type'] + ']' if now and now['type'] else ''} "
            f"{now['label'][:40]!r}"
            if now
            else "(nothing)"
        )
    raise AssertionError(
        f"{max_tabs} presses of {key} never reached {target}; the focus passed: "
        + " → ".join(passed[-25:])
    )


def type_into(page, target: Target, text: str, *, replace: bool = True, backwards: bool = False):
    """Tab (or Shift+Tab) to a text field and type. ``replace`` selects what is there first
    (Ctrl+A) so the typing replaces it."""
    tab_to(page, target, backwards=backwards)
    if replace:
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.press("Delete")
    page.keyboard.type(text)


def choose_radio(page, group: Target, option: str):
    """Tab into a radio group (the focus lands on its checked radio, or its first) and move
    with the arrow keys to ``option``, which the arrows check; Space checks the first."""
    now = tab_to(page, group)
    names = set()
    for _ in range(12):
        if now["label"] == option:
            if not now["checked"]:
                page.keyboard.press("Space")
            now = active(page)
            assert now["checked"], f"Space did not check {option!r}"
            return
        if now["label"] in names:
            break  # round the whole group
        names.add(now["label"])
        page.keyboard.press("ArrowDown")
        now = active(page)
    raise AssertionError(f"No radio {option!r} in the group; it has {sorted(names)}")


def tick(page, target: Target):
    """Tab to a check box and tick it with Space (unless it is ticked already)."""
    now = tab_to(page, target)
    if not now["checked"]:
        page.keyboard.press("Space")
    assert active(page)["checked"], f"Space did not tick {target}"


def select_option(page, target: Target, option: str):
    """Tab to a select and move with the arrow keys (the list stays closed) to ``option``."""
    now = tab_to(page, target)
    page.keyboard.press("Home")
    seen = []
    for _ in range(200):
        now = active(page)
        if now["selected"] == option:
            return
        if seen and seen[-1] == now["selected"]:
            break  # the last option
        seen.append(now["selected"])
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"No option {option!r} in {target}; it has {seen}")


def type_date(page, target: Target, day: datetime.date):
    """A GOV.UK date input (audits.dates): a fieldset whose legend is the field's label, with
    Day, Month and Year boxes one after another. Tab to its Day box, type each part."""
    scope = page.locator(target.within) if target.within else page
    group = scope.locator("fieldset").filter(
        has=page.locator("legend", has_text=re.compile(rf"^\s*{re.escape(str(target.label))}\s*$"))
    )
    first_box = group.locator("input[name$='_day']").first.get_attribute("id")  # <auto_id>_0
    wrapper = "#div_" + first_box.removesuffix("_0")
    tab_to(page, Target("Day", tag="input", within=wrapper))
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))


def press_button(page, name: str | re.Pattern, *, backwards: bool = False):
    """Tab to a button and press Enter, waiting for the page it leads to."""
    tab_to(page, Target(name, tag="button"), backwards=backwards)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def error_summary(page) -> list[str]:
    """The entries of the page's error summary (none when it has none)."""
    return page.locator(".govuk-error-summary li").all_inner_texts()


def follow_link(page, name: str | re.Pattern, *, within: str | None = None):
    """Tab to a link and press Enter, waiting for the page it leads to."""
    tab_to(page, Target(name, tag="a", within=within))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_details(page, summary: str):
    """Tab to a <details>' summary and open it with Enter (unless it is open)."""
    tab_to(page, Target(summary, tag="summary"))
    if not page.evaluate("() => document.activeElement.parentElement.open"):
        page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open")


def sign_in(page, live_server, user, password):
    """The sign-in page, by keyboard: Username, Password, Enter."""
    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, Target("Username", tag="input"), user.get_username())
    type_into(page, Target("Password", tag="input"), password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out(page):
    """The header's Sign out button: back to the start of the page, then Shift+Tab is shortest
    from the top, so go forwards from the top."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    press_button(page, "Sign out")
