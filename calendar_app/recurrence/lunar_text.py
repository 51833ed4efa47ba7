"""Lunar rules: structural checks, and the compact text form stored in the database.

Stored form (canonical, produced by :func:`format_lunar_rule`)::

    FESTIVAL=元宵节
    FESTIVAL=春节;DAYS=6
    LUNAR=1-15
    LUNAR=12-30;MISSING=LAST_DAY;UNTIL=20301231
    LUNAR=8-15;COUNT=5

:func:`parse_lunar_rule` also accepts what people type: "农历正月十五",
"每年农历八月十五", "腊月初八", a bare festival name or alias such as "中秋".
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from lunar_python.util import LunarUtil

from ..festivals import lunar as _lunar
from .model import LunarRule, RecurrenceError

__all__ = ["check_lunar_rule", "format_lunar_rule", "parse_lunar_rule"]

MISSING_POLICIES = ("error", "skip", "last_day")
MAX_SPAN_DAYS = 31
MAX_COUNT = 200
_MAX_TEXT = 200
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_MONTH_WORDS = {
    "正": 1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9, "十": 10, "十一": 11, "冬": 11, "十二": 12, "腊": 12,
}
_DAY_WORDS: dict[str, int] = {name: i for i, name in enumerate(LunarUtil.DAY) if name}
_DAY_WORDS.update({f"二十{d}": 20 + i for i, d in enumerate("一二三四五六七八九", start=1)})
_DAY_WORDS.update({"卅": 30, "三十": 30, "初十": 10, "十": 10})

_HUMAN_RE = re.compile(r"^(闰)?(正|冬|腊|十一|十二|[一二三四五六七八九十]|\d{1,2})月(.+?)日?$")


def _err(message: str) -> RecurrenceError:
    return RecurrenceError(message, "lunar")


def check_lunar_rule(rule: LunarRule) -> LunarRule:
    """Check a LunarRule's shape; return it with the festival name canonicalised."""
    if not isinstance(rule, LunarRule):
        raise _err("农历规则格式不正确")
    if rule.festival is not None and (rule.month is not None or rule.day is not None):
        raise _err("农历规则只能指定节日或农历月日之一，不能同时指定")
    if rule.festival is None and rule.month is None and rule.day is None:
        raise _err("农历规则必须指定节日或农历月日")
    festival = rule.festival
    if festival is not None:
        try:
            festival = _lunar.canonical_festival(festival)
        except _lunar.LunarDateError as exc:
            raise _err(str(exc)) from None
    else:
        if rule.month is None or rule.day is None:
            raise _err("农历规则必须同时指定农历月和日")
        if not _is_int(rule.month) or not 1 <= rule.month <= 12:
            raise _err(f"农历月份必须在 1–12 之间，收到：{rule.month}")
        if not _is_int(rule.day) or not 1 <= rule.day <= 30:
            raise _err(f"农历日期必须在 1–30 之间，收到：{rule.day}")
    if not _is_int(rule.span_days) or not 1 <= rule.span_days <= MAX_SPAN_DAYS:
        raise _err(f"持续天数必须在 1–{MAX_SPAN_DAYS} 之间，收到：{rule.span_days}")
    if rule.missing not in MISSING_POLICIES:
        raise _err(f"缺日处理方式必须是 error、skip 或 last_day，收到：{rule.missing}")
    if rule.until is not None and rule.count is not None:
        raise _err("COUNT 与 UNTIL 不能同时使用")
    until = rule.until
    if until is not None:
        if isinstance(until, datetime):
            until = until.date()
        if not isinstance(until, date):
            raise _err("农历规则的 UNTIL 必须是日期")
        if not _lunar.MIN_DATE <= until <= _lunar.MAX_DATE:
            raise _err(_lunar.RANGE_MESSAGE)
    if rule.count is not None and (not _is_int(rule.count) or not 1 <= rule.count <= MAX_COUNT):
        raise _err(f"COUNT 必须是 1–{MAX_COUNT} 之间的整数，收到：{rule.count}")
    return replace(rule, festival=festival, until=until)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_int(name: str, value: str) -> int:
    if not re.fullmatch(r"\d{1,4}", value):
        raise _err(f"农历规则无法解析：{name} 必须是整数，收到：{value}")
    return int(value)


def _parse_date(value: str) -> date:
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise _err(f"农历规则无法解析：UNTIL 应为 YYYYMMDD，收到：{value}")


def _parse_human(text: str) -> LunarRule:
    body = text
    for prefix in ("每年", "农历"):
        if body.startswith(prefix):
            body = body[len(prefix):]
    body = body.strip()
    try:
        return LunarRule(festival=_lunar.canonical_festival(body))
    except _lunar.LunarDateError:
        pass
    m = _HUMAN_RE.match(body)
    if not m:
        raise _err(f"农历规则无法解析：{text}")
    leap, month_word, day_word = m.groups()
    if leap:
        raise _err("不支持按闰月重复：闰月不是每年都有")
    month = int(month_word) if month_word.isdigit() else _MONTH_WORDS[month_word]
    if day_word.isdigit():
        day = int(day_word)
    elif day_word in _DAY_WORDS:
        day = _DAY_WORDS[day_word]
    else:
        raise _err(f"农历规则无法解析：不认识的农历日期“{day_word}”")
    return LunarRule(month=month, day=day)


def parse_lunar_rule(text: str) -> LunarRule:
    """Parse the stored form ("FESTIVAL=春节;DAYS=6", "LUNAR=1-15") or a human form ("农历正月十五", "中秋")."""
    if not isinstance(text, str):
        raise _err("农历规则必须是文字")
    if len(text) > _MAX_TEXT:
        raise _err(f"农历规则过长（最多 {_MAX_TEXT} 个字符）")
    if _CONTROL_RE.search(text):
        raise _err("农历规则包含不允许的控制字符")
    body = text.strip()
    if not body:
        raise _err("农历规则不能为空")
    if "=" not in body:
        return check_lunar_rule(_parse_human(body))

    fields: dict[str, object] = {}
    seen: set[str] = set()
    for part in body.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise _err(f"农历规则无法解析：“{part}”不是“名称=值”的形式")
        name, _, value = part.partition("=")
        name, value = name.strip().upper(), value.strip()
        if name in seen:
            raise _err(f"农历规则无法解析：{name} 出现了多次")
        seen.add(name)
        if name == "FESTIVAL":
            fields["festival"] = value
        elif name == "LUNAR":
            m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value)
            if not m:
                raise _err(f"农历规则无法解析：LUNAR 应为“月-日”，如 1-15，收到：{value}")
            fields["month"], fields["day"] = int(m.group(1)), int(m.group(2))
        elif name == "DAYS":
            fields["span_days"] = _parse_int("DAYS", value)
        elif name == "MISSING":
            policy = value.lower()
            if policy not in MISSING_POLICIES:
                raise _err(f"缺日处理方式必须是 ERROR、SKIP 或 LAST_DAY，收到：{value}")
            fields["missing"] = policy
        elif name == "UNTIL":
            fields["until"] = _parse_date(value)
        elif name == "COUNT":
            fields["count"] = _parse_int("COUNT", value)
        else:
            raise _err(f"农历规则无法解析：不支持的规则部分 {name}")
    return check_lunar_rule(LunarRule(**fields))  # type: ignore[arg-type]


def format_lunar_rule(rule: LunarRule) -> str:
    """The canonical stored text of a LunarRule (inverse of :func:`parse_lunar_rule`)."""
    rule = check_lunar_rule(rule)
    parts = [f"FESTIVAL={rule.festival}" if rule.festival else f"LUNAR={rule.month}-{rule.day}"]
    if rule.span_days != 1:
        parts.append(f"DAYS={rule.span_days}")
    if rule.missing != "error":
        parts.append(f"MISSING={rule.missing.upper()}")
    if rule.until is not None:
        parts.append(f"UNTIL={rule.until:%Y%m%d}")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    return ";".join(parts)
