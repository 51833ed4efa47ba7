"""One parser for the values clients put in URLs: ids, dates, months, page sizes, choices and cursors.

The JSON API and the public pages both read their query strings through `QueryArgs`; they differ only
in style: the API is strict (a parameter given empty is an error) and explains each error with the
value it refused, while the pages are form-friendly (an empty or blank field means "not given") and
show one translated message.

Every value ends as a parsed value or an `InvalidParameter` (a 400), never as an exception that
would be a 500: numbers are checked by length before `int()` (which refuses more than 4,300 digits),
ids by range before they reach a database column (PostgreSQL integer: 2^31 - 1), instants by range
before any time zone arithmetic (`astimezone` overflows near years 1 and 9999). Numbers are ASCII
digits in canonical form only: `int()` also takes "١٨", "１", "+1", " 1", "01" and "1_0", each a
second URL (and cache key) for the same thing.

No Flask and no database here: callers pass the query mapping, so tests can feed the parsers
anything without a request.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from calendar_app.db import ValidationError
from calendar_app.festivals.lunar import MAX_DATE, MIN_DATE

#: Largest id a URL may name: ids are 32-bit signed integer columns on PostgreSQL.
ID_MAX = 2**31 - 1
#: Instants a cursor may carry: the supported dates (1901–2099) with a day's margin for any zone.
MIN_INSTANT = datetime.combine(MIN_DATE - timedelta(days=1), datetime.min.time(), timezone.utc)
MAX_INSTANT = datetime.combine(MAX_DATE + timedelta(days=2), datetime.min.time(), timezone.utc)
#: How much of a refused value an error message repeats.
SHOWN_LENGTH = 24
#: Longest cursor accepted before decoding (ours are about 50 characters).
MAX_CURSOR_LENGTH = 200

_ID = re.compile(r"[1-9][0-9]{0,9}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_COUNT = re.compile(r"[1-9][0-9]{0,5}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
# What an API cursor decodes to: a UTC timestamp exactly as isoformat() writes it, then the id.
_API_CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?\+00:00)\|([1-9][0-9]{0,9})")
# A page cursor: whole seconds since the epoch (negative before 1970), a dash, the id.
_PAGE_CURSOR = re.compile(r"(0|-?[1-9][0-9]{0,10})-([1-9][0-9]{0,9})")
# Characters an error message may repeat: letters and digits of any script, and a few harmless marks.
_SHOWABLE = re.compile(r"[\w.:+/ -]", re.UNICODE)


class InvalidParameter(ValidationError):
    """A query or path value that cannot be what its parameter means (always a 400)."""


def shown(raw: str, limit: int = SHOWN_LENGTH) -> str:
    """`raw` cut to a short, printable form for an error message: no markup, quotes or control characters.

    Refused values come from anyone; repeated verbatim they would be harmless as JSON today, but not in
    a future HTML page, a log line or a terminal.
    """
    text = "".join(ch if _SHOWABLE.fullmatch(ch) and ch.isprintable() else "?" for ch in raw[:limit])
    return text + "…" if len(raw) > limit else text


# --- the parsers: a raw string in, a value or InvalidParameter out ---------------------------------

def parse_id(raw: str, field: str) -> int:
    """A database id: canonical ASCII decimal, 1 to ID_MAX."""
    if _ID.fullmatch(raw) is None or int(raw) > ID_MAX:
        raise InvalidParameter(f"参数 {field} 应为 1 到 {ID_MAX} 之间的整数：{shown(raw)}", field)
    return int(raw)


def is_id(raw: str) -> bool:
    """Whether `raw` is an id as parse_id reads it (and not, say, a slug made of digits)."""
    return _ID.fullmatch(raw) is not None and int(raw) <= ID_MAX


def parse_date(raw: str, field: str) -> date:
    """A calendar date written YYYY-MM-DD, within the supported years (the lunar and holiday tables)."""
    match = _DATE.fullmatch(raw)
    try:
        if match is None:
            raise ValueError
        value = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidParameter(f"参数 {field} 应为 YYYY-MM-DD 格式的日期：{shown(raw)}", field) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise InvalidParameter(f"参数 {field} 超出支持范围（{MIN_DATE.year}–{MAX_DATE.year} 年）：{shown(raw)}", field)
    return value


def parse_month(raw: str, field: str) -> tuple[int, int]:
    """A month written YYYY-MM, within the supported years."""
    match = _MONTH.fullmatch(raw)
    year, month = (int(part) for part in match.groups()) if match else (0, 0)
    if not (MIN_DATE.year <= year <= MAX_DATE.year and 1 <= month <= 12):
        raise InvalidParameter(f"参数 {field} 应为 {MIN_DATE.year}–{MAX_DATE.year} 年间 YYYY-MM 格式的月份：{shown(raw)}",
                               field)
    return year, month


def parse_count(raw: str, field: str, maximum: int) -> int:
    """A count such as a page size: 1 to `maximum`."""
    if _COUNT.fullmatch(raw) is None or int(raw) > maximum:
        raise InvalidParameter(f"参数 {field} 应为 1 到 {maximum} 之间的整数：{shown(raw)}", field)
    return int(raw)


def parse_choice(raw: str, field: str, choices: Mapping[str, object] | tuple[str, ...]) -> str:
    if raw not in choices:
        raise InvalidParameter(f"参数 {field} 的值无效：{shown(raw)}（可选 {', '.join(choices)}）", field)
    return raw


@dataclass(frozen=True)
class Position:
    """Where a keyset-paged list continues: after the row with this (starts_at, id).

    The API writes it as an opaque base64 token, the pages as a readable `seconds-id`; both parsers
    accept only what the writers produce, inside the range of instants that can exist.
    """

    starts_at: datetime
    id: int

    def api_token(self) -> str:
        text = f"{self.starts_at.astimezone(timezone.utc).isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def page_token(self) -> str:
        return f"{int(self.starts_at.timestamp())}-{self.id}"


def _bad_cursor(field: str) -> InvalidParameter:
    return InvalidParameter(f"参数 {field} 无效（请使用上一页返回的链接）", field)


def _position(starts_at: datetime, ident: str, field: str) -> Position:
    if not MIN_INSTANT <= starts_at <= MAX_INSTANT or int(ident) > ID_MAX:
        raise _bad_cursor(field)
    return Position(starts_at, int(ident))


def parse_api_cursor(raw: str, field: str = "cursor") -> Position:
    """The API's `cursor`: base64url (unpadded) of `<UTC ISO timestamp>|<id>`."""
    if len(raw) > MAX_CURSOR_LENGTH or _BASE64URL.fullmatch(raw) is None:
        raise _bad_cursor(field)
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _bad_cursor(field) from None
    match = _API_CURSOR.fullmatch(decoded)
    if match is None:
        raise _bad_cursor(field)
    try:
        # The regex admits only +00:00 and ASCII digits: no offset arithmetic can overflow here.
        starts_at = datetime.fromisoformat(match.group(1))
    except ValueError:  # month 13, second 61 ...
        raise _bad_cursor(field) from None
    return _position(starts_at, match.group(2), field)


def parse_page_cursor(raw: str, field: str = "after") -> Position:
    """The pages' `after`: `<seconds since the epoch>-<id>`."""
    match = _PAGE_CURSOR.fullmatch(raw)
    if match is None:
        raise _bad_cursor(field)
    seconds = int(match.group(1))
    if not MIN_INSTANT.timestamp() <= seconds <= MAX_INSTANT.timestamp():  # before fromtimestamp can overflow
        raise _bad_cursor(field)
    return _position(datetime.fromtimestamp(seconds, timezone.utc), match.group(2), field)


# --- reading a query string -------------------------------------------------------------------------

#: Turns a parser's error into the one the caller raises (the pages translate theirs).
Restyle = Callable[[InvalidParameter], ValidationError]


class QueryArgs:
    """Typed, optional values from a query string; None when a parameter is not given.

    `forms=True` is the pages' style: values are trimmed and an empty field means "not given", since
    a GET form submits every field. `forms=False` is the API's: a parameter given empty is refused,
    as its OpenAPI schema (an integer, a date) cannot be empty. `restyle` rewrites errors.
    """

    def __init__(self, args: Mapping[str, str], *, forms: bool = False, restyle: Restyle | None = None) -> None:
        self.args = args
        self.forms = forms
        self.restyle = restyle

    def raw(self, name: str) -> str | None:
        """The value as sent (trimmed in forms style), or None when absent."""
        value = self.args.get(name)
        if value is None:
            return None
        if self.forms:
            return value.strip() or None
        if value == "":
            self._fail(InvalidParameter(f"参数 {name} 不能为空", name))
        return value

    def _parsed(self, name: str, parse: Callable[[str], object]):
        raw = self.raw(name)
        if raw is None:
            return None
        try:
            return parse(raw)
        except InvalidParameter as exc:
            self._fail(exc)

    def _fail(self, exc: InvalidParameter):
        raise (self.restyle(exc) if self.restyle else exc) from None

    def id(self, name: str) -> int | None:
        return self._parsed(name, lambda raw: parse_id(raw, name))

    def date(self, name: str) -> date | None:
        return self._parsed(name, lambda raw: parse_date(raw, name))

    def month(self, name: str) -> tuple[int, int] | None:
        return self._parsed(name, lambda raw: parse_month(raw, name))

    def count(self, name: str, maximum: int) -> int | None:
        return self._parsed(name, lambda raw: parse_count(raw, name, maximum))

    def choice(self, name: str, choices) -> str | None:
        return self._parsed(name, lambda raw: parse_choice(raw, name, choices))

    def api_cursor(self, name: str = "cursor") -> Position | None:
        return self._parsed(name, lambda raw: parse_api_cursor(raw, name))

    def page_cursor(self, name: str = "after") -> Position | None:
        return self._parsed(name, lambda raw: parse_page_cursor(raw, name))

    def text(self, name: str, max_length: int) -> str | None:
        """Free text (a slug, a keyword): at most `max_length` characters."""
        def check(raw: str) -> str:
            if len(raw) > max_length:
                raise InvalidParameter(f"参数 {name} 最长 {max_length} 个字符", name)
            return raw
        return self._parsed(name, check)
