"""Small text helpers of the public pages (pure: no Flask, no database)."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# Chinese mobile numbers (1xx xxxx xxxx) and landlines with an area code (0533-1234567, (0730)8888888),
# with optional spaces or hyphens inside; a digit right before or after means it is part of something else.
_PHONE = re.compile(r"(?<![\d])(?:\+?86[ -]?)?(?:1[3-9]\d(?:[ -]?\d{4}){2}|\(?0\d{2,3}\)?[ -]?\d{7,8}(?:-\d{1,5})?)(?![\d])")


_EXTENSION = re.compile(r"(?<=\d{7})-\d{1,5}$")


def tel_links(text: str | None) -> Markup:
    """`text` escaped, with each phone number in it made a tap-to-call `tel:` link."""
    if not text:
        return Markup("")
    parts: list[str] = []
    last = 0
    for match in _PHONE.finditer(text):
        parts.append(str(escape(text[last:match.start()])))
        number = match.group(0)
        dial = re.sub(r"[^\d+]", "", _EXTENSION.sub("", number))
        parts.append(f'<a href="tel:{escape(dial)}">{escape(number)}</a>')
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))
