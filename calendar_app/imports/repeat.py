"""The 重复 column: how a bureau's sheet says that an event repeats, turned into RRULE or a lunar rule.

Pure (no Flask, no database). A small grammar, documented for users in `GRAMMAR` (the template's
second sheet and the import page show it):

    重复   = 空 | 不重复 | 规则 [，结束] [，跳过]
    规则   = 每天 | 每天（周一除外） | 每周六 | 每周二、五 | 每周末 | 每个工作日 | 隔周六 | 每两周六
           | 每月第一个周六 | 每月最后一个周日 | 每月15日 | 每年
           | 元宵节 | 每年中秋节 | 农历正月十五            (the recurrence package's lunar forms)
           | FREQ=WEEKLY;BYDAY=SA                         (an RFC 5545 RRULE, for those who have one)
    结束   = 共N次 | 至YYYY-MM-DD
    跳过   = 跳过YYYY-MM-DD[、YYYY-MM-DD…]

Clauses are separated by "，" "," "；" or spaces. Whatever is not understood is refused with a
Chinese message; the recurrence package then checks the rule itself (limits, unbounded series).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from calendar_app import recurrence

#: What the template sheet and the import page tell people (expression, meaning).
GRAMMAR: tuple[tuple[str, str], ...] = (
    ("（空）或 不重复", "只举办一次"),
    ("每天", "每天一次；可加“（周一除外）”，如 每天（周一除外）"),
    ("每周六", "每周六；多天用顿号，如 每周二、五，每周六日；每周末 = 周六和周日；每个工作日 = 周一至周五"),
    ("隔周六 或 每两周六", "每两周的周六"),
    ("每月第一个周六", "每月第 1–4 个或最后一个星期几，如 每月最后一个周日"),
    ("每月15日", "每月的 15 日"),
    ("每年", "每年的同一天"),
    ("元宵节、中秋节、春节 …", "每年的农历节日（日期每年不同）；也可写 农历正月十五、每年农历八月十五"),
    ("……，共10次", "重复 10 次后结束，如 每周六，共10次"),
    ("……，至2026-08-31", "到该日期（含）为止，如 每周三，至2026-08-31"),
    ("……，跳过2026-10-01、2026-10-03", "这些日期不举办"),
    ("FREQ=WEEKLY;BYDAY=SA", "也可直接填写 iCalendar 的 RRULE 规则"),
)

_DAY_CODES = {"一": "MO", "二": "TU", "三": "WE", "四": "TH", "五": "FR", "六": "SA", "日": "SU", "天": "SU",
              "七": "SU", "1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU"}
_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {"一": 1, "1": 1, "二": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4, "最后一": -1, "最后": -1,
             "倒数第一": -1}
_SPLIT_RE = re.compile(r"[，,；;\s]+")
_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_WEEKDAY_WORD = r"(?:周|星期|礼拜)"
_NONE = {"", "不重复", "无", "单次", "一次", "否", "-", "—", "不"}


class RepeatError(ValueError):
    """The 重复 text cannot be understood (a Chinese message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Repeat:
    """What a 重复 cell says: at most one of `rrule` / `lunar_rule`, and dates to skip."""

    rrule: str | None = None
    lunar_rule: str | None = None
    exdates: tuple[date, ...] = ()

    @property
    def is_series(self) -> bool:
        return bool(self.rrule or self.lunar_rule)


def _normalise(text: str) -> str:
    text = text.replace("（", "(").replace("）", ")").replace("\u3000", " ").strip()
    return re.sub(r"\s*\(\s*", "(", re.sub(r"\s*\)\s*", ")", text))


def _days(text: str, whole: str) -> list[str]:
    """"二、五" / "周二和周五" / "六日" -> ["TU", "FR"] (Monday-first order)."""
    body = re.sub(_WEEKDAY_WORD, "", text)
    body = re.sub(r"[、,，和及与/]", "", body)
    if not body:
        raise RepeatError(f"没有写星期几：{whole}")
    codes = []
    for ch in body:
        code = _DAY_CODES.get(ch)
        if code is None:
            raise RepeatError(f"无法识别的星期：“{ch}”（{whole}）")
        if code not in codes:
            codes.append(code)
    return sorted(codes, key=_ORDER.index)


def _rule(clause: str) -> tuple[str | None, str | None]:
    """The rule clause -> (rrule, lunar_rule)."""
    text = clause
    if text.upper().startswith(("FREQ=", "RRULE:")):
        value = text.split(":", 1)[1] if text.upper().startswith("RRULE:") else text
        return value.upper(), None
    m = re.fullmatch(r"每(?:天|日|晚)(?:\((?:除)?(.+?)(?:除外)?\)|)", text) or \
        re.fullmatch(r"除(.+?)外?每(?:天|日|晚)", text)
    if m:
        if not m.group(1):
            return "FREQ=DAILY", None
        skipped = _days(m.group(1), clause)
        kept = [d for d in _ORDER if d not in skipped]
        if not kept:
            raise RepeatError(f"每周都被排除了：{clause}")
        return f"FREQ=DAILY;BYDAY={','.join(kept)}", None
    if text in ("每周末", "每个周末", "周末"):
        return "FREQ=WEEKLY;BYDAY=SA,SU", None
    if text in ("每个工作日", "每工作日", "工作日"):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", None
    m = re.fullmatch(rf"(?:隔周|每两周|每2周)(?:的)?{_WEEKDAY_WORD}?(.+)", text)
    if m:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={','.join(_days(m.group(1), clause))}", None
    m = re.fullmatch(rf"每(?:个)?{_WEEKDAY_WORD}(.+)", text) or re.fullmatch(r"每周(.+)", text)
    if m:
        return f"FREQ=WEEKLY;BYDAY={','.join(_days(m.group(1), clause))}", None
    m = re.fullmatch(rf"每(?:个)?月(?:的)?(?:第)?(最后一|最后|倒数第一|[一二三四1234])(?:个)?{_WEEKDAY_WORD}(.)", text)
    if m:
        n = _ORDINALS[m.group(1)]
        day = _days(m.group(2), clause)[0]
        return f"FREQ=MONTHLY;BYDAY={n}{day}", None
    m = re.fullmatch(r"每(?:个)?月(?:的)?(\d{1,2})(?:日|号)", text)
    if m:
        day = int(m.group(1))
        if not 1 <= day <= 31:
            raise RepeatError(f"每月的日期必须在 1–31 之间：{clause}")
        return f"FREQ=MONTHLY;BYMONTHDAY={day}", None
    if text in ("每年", "每年一次", "每年同一天"):
        return "FREQ=YEARLY", None
    try:
        rule = recurrence.parse_lunar_rule(text)
    except recurrence.RecurrenceError:
        raise RepeatError(f"无法识别的重复方式：{clause}（可写 每周六、每月第一个周六、元宵节 等，见模板的填写说明）") from None
    return None, recurrence.format_lunar_rule(rule)


def _date(text: str, clause: str) -> date:
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise RepeatError(f"日期格式不正确：“{text}”（应为 YYYY-MM-DD，见“{clause}”）")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise RepeatError(f"{text} 不是有效日期") from None


def parse_repeat(text: str | None) -> Repeat:
    """Read a 重复 cell; raise RepeatError with a Chinese message when it cannot be understood."""
    if text is None:
        return Repeat()
    if not isinstance(text, str):
        raise RepeatError("重复方式应为文字，如 每周六")
    body = _normalise(text)
    if len(body) > 200:
        raise RepeatError("重复方式过长（最多 200 个字）")
    if body in _NONE:
        return Repeat()
    if body.upper().startswith(("FREQ=", "RRULE:")):
        clauses = [body.replace(" ", "")]  # an RRULE is one clause, its ";" included
    else:
        clauses = [c for c in _SPLIT_RE.split(body) if c]
    rule_clause, count, until, skipped = None, None, None, []
    for clause in clauses:
        if clause.upper().startswith(("FREQ=", "RRULE:")):
            rule_clause = clause
        elif m := re.fullmatch(r"(?:共|重复)?(\d{1,4})(?:次|场|期)", clause):
            if count is not None:
                raise RepeatError(f"次数写了两遍：{clause}")
            count = int(m.group(1))
            if count < 1:
                raise RepeatError("次数至少为 1")
        elif m := re.fullmatch(r"(?:至|到|直到|截至|截止|止于)(.+?)(?:止|为止)?", clause):
            if until is not None:
                raise RepeatError(f"结束日期写了两遍：{clause}")
            until = _date(m.group(1), clause)
        elif m := re.fullmatch(r"(?:跳过|不含|除去|除|停)(.+?)(?:外|不举办|停办)?", clause):
            if not _DATE_RE.match(m.group(1)):
                if rule_clause is None:  # "除周一外每天" is a rule, not a skipped date
                    rule_clause = clause
                    continue
                raise RepeatError(f"跳过的日期格式不正确：{clause}（应为 YYYY-MM-DD，多个用顿号分隔）")
            skipped += [_date(d, clause) for d in re.split(r"[、/]", m.group(1)) if d]
        elif rule_clause is None:
            rule_clause = clause
        else:
            raise RepeatError(f"无法识别：“{clause}”（一行只能有一种重复方式）")
    if rule_clause is None:
        if count is not None or until is not None or skipped:
            raise RepeatError("只写了次数、结束日期或跳过日期，没有写怎样重复（如 每周六，共10次）")
        return Repeat()
    if count is not None and until is not None:
        raise RepeatError("“共N次”和“至某日”只能写一个")
    rrule, lunar_rule = _rule(rule_clause)
    try:
        if rrule is not None:
            if count is not None or until is not None:
                if re.search(r"(?:^|;)(?:COUNT|UNTIL)=", rrule):
                    raise RepeatError("规则里已有 COUNT 或 UNTIL，不要再写次数或结束日期")
                rrule += f";COUNT={count}" if count is not None else f";UNTIL={until:%Y%m%d}"
            rrule = recurrence.parse_rrule(rrule)
        else:
            rule = recurrence.parse_lunar_rule(lunar_rule)
            if count is not None or until is not None:
                rule = replace(rule, count=count, until=until)
            lunar_rule = recurrence.format_lunar_rule(rule)
    except recurrence.RecurrenceError as exc:
        raise RepeatError(exc.message) from None
    return Repeat(rrule=rrule, lunar_rule=lunar_rule, exdates=tuple(sorted(set(skipped))))
