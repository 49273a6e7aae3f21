"""What a browser would post from a page: the form whose action is a URL, read from the page's
HTML the way a browser reads it, so the fuzz starts from the fields the page really has (a
hidden field added to a form later is posted without this file knowing of it)."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Each <form method="post"> of a page: its action, the actions of its buttons
    (``formaction``) and its successful controls as (name, value) pairs, in page order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None  # (name, options seen as (value, selected), multiple)
        self._option = None
        self._textarea = None  # (name, text so far)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                # Autosave (static/js/autosave.js) posts the same form to its data-autosave-url.
                also = {a["data-autosave-url"]} if a.get("data-autosave-url") else set()
                self._form = {"action": a.get("action"), "buttons": also, "pairs": []}
                self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        if tag == "button" and a.get("formaction"):
            self._form["buttons"].add(a["formaction"])
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["pairs"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form["pairs"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], "multiple" in a)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select[1].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the newline that follows <textarea>, which Django writes.
            self._form["pairs"].append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options, multiple = self._select
            values = [(v if v is not None else t) for v, chosen, t in options if chosen]
            if not values and options and not multiple:
                value, _, text = options[0]
                values = [value if value is not None else text]
            self._form["pairs"] += [(name, v) for v in values]
            self._select = None
        elif tag == "option":
            self._option = None


def posted_from(html: str, *, page_url: str, action_url: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the page's form that posts to ``action_url`` sends as it is."""
    parser = _Forms()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        if (form["action"] or page_url) == action_url or action_url in form["buttons"]:
            return form["pairs"]
    raise AssertionError(f"no form on {page_url} posts to {action_url}")


def with_values(pairs, typed: dict) -> list[tuple[str, str]]:
    """``pairs`` with each field of ``typed`` set as a person would (a list: several values,
    as checkboxes send them; None: the field left out)."""
    kept = [(name, value) for name, value in pairs if name not in typed]
    for name, value in typed.items():
        if value is None:
            continue
        kept += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return kept
