"""Marking text for the translation catalogue where it is defined, not where it is shown.

`N_("文艺演出")` returns its argument unchanged: the value stays Chinese (feeds, the API, exports and the
staff pages use it as it is), and `pybabel extract` (see babel.cfg) records it in messages.pot, so a
page can later show it with `gettext(value)` in the visitor's language. The catalogues, the language
choice and the formatting of dates and numbers are in calendar_app.public.i18n.
"""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802  (the name gettext's tools look for)
    return message
