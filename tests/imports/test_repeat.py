"""The 重复 column's words become the rules the recurrence package stores."""
from __future__ import annotations

from datetime import date

import pytest

from calendar_app.imports.repeat import Repeat, RepeatError, parse_repeat


@pytest.mark.parametrize(("text", "expected"), [
    ("", Repeat()),
    ("不重复", Repeat()),
    ("每周六", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA")),
    ("每个周六", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA")),
    ("每周二、五", Repeat(rrule="FREQ=WEEKLY;BYDAY=TU,FR")),
    ("每周二和周五", Repeat(rrule="FREQ=WEEKLY;BYDAY=TU,FR")),
    ("每周六日", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA,SU")),
    ("每周末", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA,SU")),
    ("每个工作日", Repeat(rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
    ("隔周六", Repeat(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA")),
    ("每天", Repeat(rrule="FREQ=DAILY")),
    ("每天（周一除外）", Repeat(rrule="FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA,SU")),
    ("除周一外每天", Repeat(rrule="FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA,SU")),
    ("每月第一个周六", Repeat(rrule="FREQ=MONTHLY;BYDAY=1SA")),
    ("每月最后一个周日", Repeat(rrule="FREQ=MONTHLY;BYDAY=-1SU")),
    ("每月15日", Repeat(rrule="FREQ=MONTHLY;BYMONTHDAY=15")),
    ("每年", Repeat(rrule="FREQ=YEARLY")),
    ("每周六，共10次", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=10")),
    ("每周三 至2026-08-31", Repeat(rrule="FREQ=WEEKLY;BYDAY=WE;UNTIL=20260831")),
    ("每周六，跳过2026-10-03、2026-10-10",
     Repeat(rrule="FREQ=WEEKLY;BYDAY=SA", exdates=(date(2026, 10, 3), date(2026, 10, 10)))),
    ("元宵节", Repeat(lunar_rule="FESTIVAL=元宵节")),
    ("每年中秋节，共3次", Repeat(lunar_rule="FESTIVAL=中秋节;COUNT=3")),
    ("农历正月十五", Repeat(lunar_rule="LUNAR=1-15")),
    ("FREQ=WEEKLY;BYDAY=SA;COUNT=3", Repeat(rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")),
])
def test_words_people_write_become_rules(text, expected):
    assert parse_repeat(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("每周八", "无法识别的星期"),
    ("下周", "无法识别的重复方式"),
    ("共10次", "没有写怎样重复"),
    ("每周六，共3次，至2026-12-31", "只能写一个"),
    ("每周六，至2026-02-30", "2026-02-30 不是有效日期"),
    ("每周六，每周日", "一行只能有一种重复方式"),
    ("每月32日", "1–31"),
    ("FREQ=HOURLY", "不支持按秒/分钟/小时重复"),
])
def test_what_cannot_be_understood_is_refused_in_chinese(text, expected):
    with pytest.raises(RepeatError) as refused:
        parse_repeat(text)
    assert expected in refused.value.message
