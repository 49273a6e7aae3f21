"""Rules every template keeps."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# onclick=, onsubmit=, onload= ...: inline script, which a strict Content-Security-Policy forbids.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_event_handlers():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:60]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE_HANDLER.finditer(path.read_text())
    ]
    assert found == []


def test_the_rule_finds_an_inline_handler():
    assert INLINE_HANDLER.search('<form method="post" onsubmit="return confirm(1)">')
    assert not INLINE_HANDLER.search('<form method="post" data-confirm="Sure?">')
