"""Validation and normalisation of RFC 5545 RRULE text.

We accept a deliberately small subset (what bureau programs need and what every
calendar client implements): FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, BYDAY
(with ordinals for MONTHLY/YEARLY), BYMONTHDAY, BYMONTH, BYSETPOS, WKST, and
COUNT or UNTIL. Everything else is refused with a Chinese message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from dateutil.rrule import rrulestr

from .model import RecurrenceError

__all__ = ["ParsedRule", "parse_rrule", "parse_rrule_parts"]

MAX_LENGTH = 500
RANGE_MESSAGE = "日期超出支持范围（1901–2099 年）"

FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ALLOWED = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_SUBDAILY = ("SECONDLY", "MINUTELY", "HOURLY")

_INT_RE = re.compile(r"^[+-]?\d{1,4}$")
_BYDAY_RE = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z)?)?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Longest month length, Feb counted as 29: used to refuse rules that can never occur.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _err(message: str) -> RecurrenceError:
    return RecurrenceError(message, "rrule")


@dataclass(frozen=True)
class ParsedRule:
    """A validated RRULE, split into parts."""

    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int | None, str], ...] = ()  # (ordinal or None, "MO".."SU")
    bysetpos: tuple[int, ...] = ()
    wkst: str | None = None
    count: int | None = None
    until: date | datetime | None = None  # date, naive (floating) datetime, or aware UTC datetime

    def text(self, until: str | None = None) -> str:
        """Canonical RRULE text; ``until`` overrides the UNTIL value as written."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(map(str, self.bymonth)))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{n if n else ''}{wd}" for n, wd in self.byday))
        if self.bysetpos:
            parts.append("BYSETPOS=" + ",".join(map(str, self.bysetpos)))
        if self.wkst:
            parts.append(f"WKST={self.wkst}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if until is None and self.until is not None:
            until = format_until(self.until)
        if until is not None:
            parts.append(f"UNTIL={until}")
        return ";".join(parts)


def format_until(value: date | datetime) -> str:
    """UNTIL as written in RRULE text: YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ."""
    if isinstance(value, datetime):
        text = value.strftime("%Y%m%dT%H%M%S")
        return text + "Z" if value.tzinfo is not None else text
    return value.strftime("%Y%m%d")


def _int(name: str, value: str, low: int, high: int, message: str, *, nonzero_signed: bool = False) -> int:
    if not _INT_RE.match(value):
        raise _err(message.format(value=value))
    n = int(value)
    if nonzero_signed:
        if n == 0 or not low <= abs(n) <= high:
            raise _err(message.format(value=value))
    elif not low <= n <= high:
        raise _err(message.format(value=value))
    return n


def _int_list(name: str, value: str, low: int, high: int, message: str, *, signed: bool) -> tuple[int, ...]:
    items = value.split(",")
    out: list[int] = []
    for item in items:
        n = _int(name, item.strip(), low, high, message, nonzero_signed=signed)
        if n not in out:
            out.append(n)
    return tuple(out)


def _parse_until(value: str) -> date | datetime:
    m = _UNTIL_RE.match(value)
    if not m:
        raise _err(f"UNTIL 无法解析：{value}（格式应为 YYYYMMDD 或 YYYYMMDDTHHMMSSZ）")
    day, time, z = m.groups()
    try:
        if time is None:
            result: date | datetime = datetime.strptime(day, "%Y%m%d").date()
        else:
            result = datetime.strptime(day + time, "%Y%m%d%H%M%S")
            if z:
                result = result.replace(tzinfo=timezone.utc)
    except ValueError:
        raise _err(f"UNTIL 不是有效的日期：{value}") from None
    if not 1901 <= result.year <= 2099:
        raise _err(RANGE_MESSAGE)
    return result


def parse_rrule_parts(text: str) -> ParsedRule:
    """Validate RRULE text and return its parts; raises RecurrenceError(field="rrule")."""
    if not isinstance(text, str):
        raise _err("重复规则必须是文字")
    if len(text) > MAX_LENGTH:
        raise _err(f"重复规则过长（最多 {MAX_LENGTH} 个字符）")
    if _CONTROL_RE.search(text):
        raise _err("重复规则包含不允许的控制字符")
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:].strip()
    if not body:
        raise _err("重复规则不能为空")

    raw: dict[str, str] = {}
    for part in body.split(";"):
        part = part.strip()
        if not part:
            continue  # tolerate a trailing ";"
        if "=" not in part:
            raise _err(f"重复规则无法解析：“{part}”不是“名称=值”的形式")
        name, _, value = part.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if name in _TIME_PARTS:
            raise _err(f"不支持按秒/分钟/小时重复（{name}）")
        if name not in _ALLOWED:
            raise _err(f"重复规则无法解析：不支持的规则部分 {name}")
        if name in raw:
            raise _err(f"重复规则无法解析：{name} 出现了多次")
        if not value:
            raise _err(f"重复规则无法解析：{name} 没有值")
        raw[name] = value

    freq = raw.get("FREQ")
    if freq is None:
        raise _err("重复规则无法解析：缺少 FREQ（重复频率）")
    if freq in _SUBDAILY:
        raise _err("不支持按秒/分钟/小时重复")
    if freq not in FREQS:
        raise _err(f"重复规则无法解析：未知的重复频率 {freq}")

    interval = 1
    if "INTERVAL" in raw:
        interval = _int("INTERVAL", raw["INTERVAL"], 1, 1000, "INTERVAL 必须是 1–1000 之间的整数，收到：{value}")

    bymonth: tuple[int, ...] = ()
    if "BYMONTH" in raw:
        bymonth = _int_list("BYMONTH", raw["BYMONTH"], 1, 12, "BYMONTH 必须是 1–12 之间的整数，收到：{value}", signed=False)

    bymonthday: tuple[int, ...] = ()
    if "BYMONTHDAY" in raw:
        if freq == "WEEKLY":
            raise _err("按周重复时不能使用 BYMONTHDAY")
        bymonthday = _int_list(
            "BYMONTHDAY", raw["BYMONTHDAY"], 1, 31,
            "BYMONTHDAY 必须是 1–31（或 -31–-1）之间的整数，收到：{value}", signed=True,
        )

    byday: list[tuple[int | None, str]] = []
    if "BYDAY" in raw:
        for item in raw["BYDAY"].split(","):
            item = item.strip()
            m = _BYDAY_RE.match(item)
            if not m:
                raise _err(f"BYDAY 无法解析：{item}（应为 MO、TU、WE、TH、FR、SA、SU，可带序号如 1SA、-1SU）")
            sign, num, wd = m.groups()
            ordinal: int | None = None
            if num is not None:
                ordinal = -int(num) if sign == "-" else int(num)
                if freq not in ("MONTHLY", "YEARLY"):
                    raise _err("只有按月或按年重复时，BYDAY 才能带序号（如 1SA、-1SU）")
                # Within a month there are at most 5 of each weekday; within a year 53.
                limit = 5 if (freq == "MONTHLY" or bymonth) else 53
                if ordinal == 0 or abs(ordinal) > limit:
                    raise _err(f"BYDAY 的序号超出范围：{item}（应在 1–{limit} 或 -{limit}–-1 之间）")
            elif sign:
                raise _err(f"BYDAY 无法解析：{item}")
            if (ordinal, wd) not in byday:
                byday.append((ordinal, wd))
        if len({n is None for n, _ in byday}) > 1:
            # dateutil (and rrule.js) read "MO,1SA" as "a Monday that is the first
            # Saturday" and never produce a date; other clients read it as a union.
            raise _err("BYDAY 不能混用带序号和不带序号的星期（如 MO,1SA），各日历软件对此理解不一；请拆成两个系列")

    bysetpos: tuple[int, ...] = ()
    if "BYSETPOS" in raw:
        bysetpos = _int_list(
            "BYSETPOS", raw["BYSETPOS"], 1, 366,
            "BYSETPOS 必须是 1–366（或 -366–-1）之间的整数，收到：{value}", signed=True,
        )
        if freq == "DAILY":
            raise _err("按天重复时不能使用 BYSETPOS（每个周期只有一天）")
        if not (byday or bymonthday or bymonth):
            raise _err("BYSETPOS 必须与 BYDAY、BYMONTHDAY 或 BYMONTH 一起使用")

    if "COUNT" in raw and "UNTIL" in raw:
        raise _err("COUNT 与 UNTIL 不能同时使用")
    count = None
    if "COUNT" in raw:
        count = _int("COUNT", raw["COUNT"], 1, 5000, "COUNT 必须是 1–5000 之间的整数，收到：{value}")
    until = _parse_until(raw["UNTIL"]) if "UNTIL" in raw else None

    wkst = None
    if "WKST" in raw:
        if raw["WKST"] not in WEEKDAYS:
            raise _err(f"WKST 无法解析：{raw['WKST']}（应为 MO、TU、WE、TH、FR、SA、SU）")
        wkst = raw["WKST"]

    # A rule like "every 30 February" is accepted by dateutil but never occurs, and
    # looking for its first occurrence would scan to the year 9999.
    if bymonthday and freq in ("MONTHLY", "YEARLY", "DAILY"):
        months = bymonth or tuple(range(1, 13))
        if not any(abs(md) <= _MONTH_DAYS[mo - 1] for mo in months for md in bymonthday):
            raise _err("重复规则不会产生任何日期：所选月份里没有这些日子")

    rule = ParsedRule(
        freq=freq,
        interval=interval,
        bymonth=bymonth,
        bymonthday=bymonthday,
        byday=tuple(byday),
        bysetpos=bysetpos,
        wkst=wkst,
        count=count,
        until=until,
    )
    # Last line of defence: the rule must also be acceptable to dateutil.
    text_out = rule.text()
    aware = isinstance(until, datetime) and until.tzinfo is not None
    try:
        rrulestr(text_out, dtstart=datetime(2000, 1, 1, tzinfo=timezone.utc if aware else None))
    except (ValueError, TypeError, OverflowError) as exc:
        raise _err(f"重复规则无法解析：{exc}") from None
    return rule


def parse_rrule(text: str) -> str:
    """Validate an RRULE (with or without a leading "RRULE:") and return it in canonical form."""
    return parse_rrule_parts(text).text()
