"""A page's forms as a browser would post them, and what a posted audit section page saves.

No browser in the load test: the simulated users read each form's fields out of the page
(html.parser from the standard library) and post them back changed, as a person would.
"""

from html.parser import HTMLParser

HEADER_TEXT = ("case_reference", "feedback_with", "feedback_notes", "overall_comments")
HEADER_AS_POSTED = ("activity", "age_band", "strand", "case_type", "team")
HEADER_AS_POSTED += ("audit_date", "feedback_date", "overall_grade")
DOMAINS = range(1, 13)


class _FormReader(HTMLParser):
    """The successful controls of each <form>: what a browser would send, in page order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._template_depth = 0  # <template> content is inert: never posted
        self._select = None  # (name, options [(value, selected)], multiple)
        self._option = None
        self._textarea = None  # (name, text parts)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._template_depth += 1
        if self._template_depth:
            return
        if tag == "form":
            self._form = {"id": a.get("id"), "action": a.get("action"), "fields": []}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            default = "on" if kind in ("radio", "checkbox") else ""
            self._form["fields"].append((a["name"], a.get("value", default)))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], "multiple" in a)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]
            self._select[1].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1
        elif self._template_depth:
            return
        elif tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # As in a browser, one newline straight after <textarea> is not part of the text.
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options, multiple = self._select
            values = [o[0] if o[0] is not None else "".join(o[2]) for o in options]
            chosen = [v for v, o in zip(values, options) if o[1]]
            if not chosen and not multiple and values:
                chosen = values[:1]  # a single select with nothing selected sends its first
            self._form["fields"] += [(name, v) for v in chosen]
            self._select = None
        elif tag == "option":
            self._option = None


def page_forms(html: str) -> list[dict]:
    """Every form of the page: {"id", "action", "fields": [(name, value), ...]}."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def form_fields(html: str, *, form_id: str | None = None, action: str | None = None) -> list:
    """The fields of the page's form with this id (or action); LookupError when it has none."""
    for form in page_forms(html):
        if (form_id and form["id"] == form_id) or (action and form["action"] == action):
            return form["fields"]
    raise LookupError(f"no form {form_id or action!r} on the page")


def replace(fields: list, values: dict) -> list:
    """``fields`` with each field named in ``values`` set to that value, in place (a name the
    form does not have is added at the end; a value None leaves the field out)."""
    out = [(name, values.get(name, value)) for name, value in fields]
    out += [(name, value) for name, value in values.items() if name not in dict(fields)]
    return [(name, value) for name, value in out if value is not None]


def saved_state(fields: list) -> dict:
    """What the audit section page's ``fields`` save, written as demo.loadtest.draft_state
    reads it back: text fields stripped (as Django's form fields strip them), actions as sorted
    rows. Only what the page holds: a section page saves its own fields and leaves the rest."""
    posted: dict[str, list[str]] = {}
    for name, value in fields:
        posted.setdefault(name, []).append(value)

    def one(name):
        return posted.get(name, [""])[-1]

    def date(name):
        """A GOV.UK date input (audits.dates) posts <name>_day, _month and _year: the date as
        the draft holds it (ISO), "" when a box is empty."""
        parts = [one(f"{name}_{box}").strip() for box in ("year", "month", "day")]
        if not all(parts):
            return one(name)
        year, month, day = (int(part) for part in parts)
        return f"{year:04d}-{month:02d}-{day:02d}"

    def present(name):
        return name in posted or f"{name}_day" in posted

    state = {name: one(name).strip() for name in HEADER_TEXT if name in posted}
    state.update(
        {
            name: date(name) if name.endswith("_date") else one(name)
            for name in HEADER_AS_POSTED
            if present(name)
        }
    )
    if "case_reference" in posted:  # About the case, whose tick box posts nothing unticked
        state["is_practice"] = bool(posted.get("is_practice"))
    # A radio with nothing chosen posts nothing: the overall page always has its comments.
    if "overall_comments" in posted:
        state["overall_grade"] = one("overall_grade")
    for number in DOMAINS:
        if f"domain-{number}-text" not in posted:
            continue
        state[f"domain-{number}-grade"] = one(f"domain-{number}-grade")
        state[f"domain-{number}-text"] = one(f"domain-{number}-text").strip()
        if number == 1:
            state["domain-1-risks"] = sorted(int(v) for v in posted.get("domain-1-risks", []))
    if "actions-TOTAL_FORMS" in posted:
        rows = []
        for index in range(int(one("actions-TOTAL_FORMS") or 0)):
            prefix = f"actions-{index}-"
            row = [one(prefix + "description").strip(), one(prefix + "owner").strip()]
            row.append(date(prefix + "due_date"))
            if not posted.get(prefix + "DELETE") and any(row):
                rows.append(row)
        state["actions"] = sorted(rows)
    return state


def autosaved(client, section: str, fields: list, changes: dict) -> list:
    """Post a section page's ``fields``, with ``changes``, to its autosave as the page's
    script does (through a Django test client, as loadtest.cost and loadtest.writes measure);
    returns the fields as the page holds them after: the new revision and the values the
    server gave back."""
    fields = replace(fields, changes)
    response = client.post(
        f"{section}autosave/",
        {name: [v for n, v in fields if n == name] for name, _ in fields},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200, response.content[:200]
    answer = response.json()
    updates = {n: str(answer["revision"]) for n, _ in fields if n.endswith("revision")}
    updates.update({k: str(v) for k, v in answer["fields"].items()})
    return replace(fields, updates)
