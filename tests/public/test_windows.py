"""The local-time windows behind the home page tabs and the month view (pure, no database)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from calendar_app.public.windows import (day_window, group_by_day, midnight, month_weeks, shift_month,
                                         window_for)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(("now", "when", "first", "last"), [
    # Saturday 2026-11-21 10:00 local
    (utc(2026, 11, 21, 2), "today", date(2026, 11, 21), date(2026, 11, 21)),
    (utc(2026, 11, 21, 2), "tomorrow", date(2026, 11, 22), date(2026, 11, 22)),
    (utc(2026, 11, 21, 2), "weekend", date(2026, 11, 21), date(2026, 11, 22)),
    (utc(2026, 11, 21, 2), "next30", date(2026, 11, 21), date(2026, 12, 20)),
    # Wednesday 2026-11-25: the coming Saturday and Sunday
    (utc(2026, 11, 25, 4), "weekend", date(2026, 11, 28), date(2026, 11, 29)),
    # Sunday 2026-11-22: only what is left of today
    (utc(2026, 11, 22, 4), "weekend", date(2026, 11, 22), date(2026, 11, 22)),
    # 23:30 UTC on Friday is already Saturday in Shanghai
    (utc(2026, 11, 20, 23, 30), "today", date(2026, 11, 21), date(2026, 11, 21)),
])
def test_windows_cover_the_local_days_of_each_tab(now, when, first, last):
    window = window_for(when, now, SHANGHAI)
    assert (window.first_day, window.last_day) == (first, last)
    assert window.end == midnight(last + timedelta(days=1), SHANGHAI)


def test_a_window_that_includes_today_starts_now_so_finished_events_drop_out():
    now = utc(2026, 11, 21, 2)
    assert window_for("today", now, SHANGHAI).start == now
    assert window_for("tomorrow", now, SHANGHAI).start == utc(2026, 11, 21, 16)  # local midnight
    assert day_window(date(2026, 12, 1), date(2026, 12, 1), now, SHANGHAI).start == utc(2026, 11, 30, 16)


def test_running_items_that_began_before_the_window_are_listed_on_its_first_day():
    items = [SimpleNamespace(starts_at=utc(2026, 11, 19, 1)), SimpleNamespace(starts_at=utc(2026, 11, 21, 12)),
             SimpleNamespace(starts_at=utc(2026, 11, 21, 17))]
    groups = group_by_day(items, SHANGHAI, date(2026, 11, 21))
    assert [(day, len(group)) for day, group in groups] == [(date(2026, 11, 21), 2), (date(2026, 11, 22), 1)]


def test_month_grid_starts_on_monday_and_pads_with_none():
    weeks = month_weeks(2026, 2)  # 1 Feb 2026 is a Sunday
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == date(2026, 2, 1)
    assert all(len(week) == 7 for week in weeks)
    assert shift_month(2026, 12, 1) == (2027, 1) and shift_month(2026, 1, -1) == (2025, 12)
