"""Series are stored as occurrences that stay in step with every edit, keeping what people did to single ones."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import (EventData, create_event, edit_occurrence, report_attendance, split_series,
                                          update_series)
from tests import factories as f
from tests.statements import recorded

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def town(db):
    area = f.town(f.district())
    db.session.commit()
    return area


def _occurrences(db, event: Event) -> list[Occurrence]:
    return db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id).order_by(Occurrence.original_starts_at)).all()


def _local_starts(db, event) -> list[datetime]:
    return [o.starts_at.astimezone(SH).replace(tzinfo=None) for o in _occurrences(db, event)]


def _saturdays(town, **kwargs) -> EventData:
    values = dict(title="非遗星期六", area_id=town.id, starts_local=datetime(2026, 1, 3, 14, 30),
                  ends_local=datetime(2026, 1, 3, 16, 30), rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260328T235959Z",
                  status="published")
    values.update(kwargs)
    return EventData(**values)


def test_weekly_series_stores_one_occurrence_per_saturday_in_local_time(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    starts = _local_starts(db, event)
    assert len(starts) == 13
    assert all(s.weekday() == 5 and (s.hour, s.minute) == (14, 30) for s in starts)
    first = _occurrences(db, event)[0]
    assert first.starts_at == datetime(2026, 1, 3, 6, 30, tzinfo=timezone.utc)  # stored in UTC
    assert first.is_public


def test_open_ended_series_is_stored_up_to_the_rolling_horizon(db, town, app):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    last = _occurrences(db, event)[-1].starts_at
    months = app.config["OCCURRENCE_HORIZON_MONTHS"]
    assert NOW + timedelta(days=30 * months - 14) < last <= NOW + timedelta(days=31 * months)
    assert event.stored_until is not None


def test_daily_job_extends_the_horizon_without_duplicating(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    db.session.commit()
    before = len(_occurrences(db, event))
    later = NOW + timedelta(days=28)
    from calendar_app.events.services import extend_occurrences

    added = extend_occurrences(event, now=later)
    assert added == 4
    assert len(_occurrences(db, event)) == before + 4
    assert extend_occurrences(event, now=later) == 0
    starts = [o.original_starts_at for o in _occurrences(db, event)]
    assert len(starts) == len(set(starts))


def test_lantern_festival_series_lands_on_each_years_yuanxiao(db, town):
    data = EventData(title="非遗大集·元宵节", area_id=town.id, starts_local=datetime(2026, 3, 3, 18),
                     ends_local=datetime(2026, 3, 3, 21), lunar_rule="元宵节", status="published")
    event, _ = create_event(data, now=NOW)
    assert [s.date() for s in _local_starts(db, event)][:2] == [date(2026, 3, 3), date(2027, 2, 20)]
    assert event.lunar_rule == "FESTIVAL=元宵节"


def test_all_day_series_occurrences_start_at_local_midnight(db, town):
    data = EventData(title="非遗大集", area_id=town.id, starts_local=date(2027, 2, 6), ends_local=date(2027, 2, 7),
                     is_all_day=True, lunar_rule="FESTIVAL=春节;DAYS=3", status="published")
    event, _ = create_event(data, now=NOW)
    first_three = _occurrences(db, event)[:3]
    assert [o.starts_at.astimezone(SH).date() for o in first_three] == [date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert all(o.starts_at.astimezone(SH).hour == 0 and o.ends_at - o.starts_at == timedelta(days=1) for o in first_three)


def test_editing_the_whole_series_keeps_moves_cancellations_and_attendance(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    occ = _occurrences(db, event)
    report_attendance(occ[0], 58, now=NOW)
    edit_occurrence(occ[1], cancelled=True, reason="雨天取消", now=NOW)
    moved_to = datetime(2026, 1, 18, 6, 30, tzinfo=timezone.utc)  # Saturday 01-17 14:30 -> Sunday 01-18 14:30 Beijing
    edit_occurrence(occ[2], starts_at=moved_to, reason="改到周日", now=NOW)
    seq = event.sequence

    data = EventData.from_event(event)
    data.starts_local = datetime(2026, 1, 3, 15, 0)  # the series moves to 15:00
    data.ends_local = datetime(2026, 1, 3, 17, 0)
    data.title = "非遗星期六·剪纸"
    update_series(event, data, now=NOW)

    after = _occurrences(db, event)
    assert len(after) == 13
    assert event.sequence == seq + 1
    assert after[0].attendance == 58  # held; its 14:30 start stays as it happened
    assert after[0].starts_at.astimezone(SH).hour == 14
    assert after[1].status == "cancelled" and after[1].status_reason == "雨天取消"
    assert after[2].status == "moved" and after[2].status_reason == "改到周日"
    assert after[2].starts_at == datetime(2026, 1, 18, 6, 30, tzinfo=timezone.utc)
    assert after[2].ends_at == datetime(2026, 1, 18, 8, 30, tzinfo=timezone.utc)
    assert [s.date() for s in _local_starts(db, event)[3:]] == [date(2026, 1, 24) + timedelta(weeks=i) for i in range(10)]
    assert all(o.starts_at.astimezone(SH).hour == 15 for o in after[3:])


def test_editing_the_whole_series_keeps_an_occurrence_moved_to_another_venue_there(db, town):
    square = f.venue(town, "东崖村文化广场")
    hall = f.venue(town, "金山镇综合文化站")
    theatre = f.venue(town, "金山镇剧场")
    event, _ = create_event(_saturdays(town, venue_id=square.id), now=NOW)
    edit_occurrence(_occurrences(db, event)[4], venue_id=hall.id, reason="室外降温，改在室内", now=NOW)
    db.session.commit()

    data = EventData.from_event(event)
    data.venue_id = theatre.id  # the whole series moves to the theatre
    data.title = "非遗星期六·剧场"
    update_series(event, data, now=NOW)
    db.session.commit()

    after = _occurrences(db, event)
    assert len(after) == 13
    assert after[4].venue_id == hall.id and after[4].status == "moved"
    assert after[4].status_reason == "室外降温，改在室内"
    assert [o.venue_id for i, o in enumerate(after) if i != 4] == [theatre.id] * 12


def test_this_occurrence_only_changes_nothing_else(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    occ = _occurrences(db, event)
    other_venue = f.venue(town, "金山镇综合文化站")
    edit_occurrence(occ[4], venue_id=other_venue.id, reason="室外降温，改在室内", now=NOW)
    after = _occurrences(db, event)
    assert after[4].venue_id == other_venue.id and after[4].status == "moved"
    assert [o.venue_id for i, o in enumerate(after) if i != 4] == [event.venue_id] * 12


def test_this_and_following_splits_the_series_and_leaves_history_alone(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    occ = _occurrences(db, event)
    report_attendance(occ[0], 40, now=NOW)
    edit_occurrence(occ[8], cancelled=True, reason="书院检修", now=NOW)
    split_at = occ[6]
    data = EventData.from_event(event)
    data.starts_local = split_at.starts_at.astimezone(SH).replace(tzinfo=None, hour=9, minute=30)
    data.ends_local = data.starts_local + timedelta(hours=2)
    data.title = "非遗星期六·上午场"
    new_event, _ = split_series(event, split_at, data, now=NOW)

    old_rows = _occurrences(db, event)
    new_rows = _occurrences(db, new_event)
    assert len(old_rows) == 6 and old_rows[0].attendance == 40
    assert all(o.starts_at.astimezone(SH).hour == 14 for o in old_rows)
    assert "UNTIL=" in event.rrule and "COUNT" not in event.rrule
    assert len(new_rows) == 7
    assert new_event.uid != event.uid and new_event.split_from_id == event.id
    assert new_rows[2].status == "cancelled" and new_rows[2].status_reason == "书院检修"
    assert all(o.starts_at.astimezone(SH).hour == 9 for o in new_rows if o.status != "cancelled")


def test_splitting_at_the_first_occurrence_edits_the_whole_series(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    first = _occurrences(db, event)[0]
    data = EventData.from_event(event)
    data.title = "新标题"
    result, _ = split_series(event, first, data, now=NOW)
    assert result.id == event.id and result.title == "新标题"


def test_shortening_a_series_removes_later_untouched_occurrences(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    data = EventData.from_event(event)
    data.rrule = "FREQ=WEEKLY;BYDAY=SA;COUNT=4"
    update_series(event, data, now=NOW)
    assert len(_occurrences(db, event)) == 4


def test_exdate_and_rdate_are_stored(db, town):
    event, _ = create_event(_saturdays(town, exdates=["2026-01-10T14:30"], rdates=["2026-01-11T14:30"]), now=NOW)
    days = [s.date() for s in _local_starts(db, event)]
    assert date(2026, 1, 10) not in days and date(2026, 1, 11) in days


def test_attendance_cannot_be_reported_before_an_occurrence_happens(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    future = [o for o in _occurrences(db, event) if o.starts_at > NOW][0]
    with pytest.raises(ValidationError, match="尚未开始"):
        report_attendance(future, 30, now=NOW)


def test_publishing_makes_every_occurrence_public(db, town):
    from calendar_app.events.services import set_status

    event, _ = create_event(_saturdays(town, status="draft"), now=NOW)
    assert not any(o.is_public for o in _occurrences(db, event))
    set_status(event, "published", now=NOW)
    db.session.expire_all()
    assert all(o.is_public for o in _occurrences(db, event))


def test_event_on_a_makeup_working_day_gets_a_warning(db, town):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    data = EventData(title="搭岭村书画展", area_id=town.id, starts_local=datetime(2026, 2, 14, 9),
                     ends_local=datetime(2026, 2, 14, 11), status="published")
    _, warnings = create_event(data, now=NOW)
    assert any("调休上班日" in w and "2月14日" in w for w in warnings)
    data.starts_local, data.ends_local = datetime(2026, 10, 2, 19), datetime(2026, 10, 2, 21)
    _, warnings = create_event(data, now=NOW)
    assert any("法定节假日" in w and "国庆" in w for w in warnings)


def test_a_holiday_entered_by_staff_warns_the_next_booking_in_the_same_transaction(db, town):
    from calendar_app.festivals.services import set_official_day

    data = EventData(title="搭岭村书画展", area_id=town.id, starts_local=datetime(2027, 6, 1, 9),
                     ends_local=datetime(2027, 6, 1, 11), status="published")
    _, warnings = create_event(data, now=NOW)
    assert warnings == []  # 2027's official days are not loaded: nothing is known about 1 June
    set_official_day(date(2027, 6, 1), "holiday", "端午节")
    _, warnings = create_event(data, now=NOW)
    assert warnings == ["有场次安排在法定节假日：6月1日（端午节），请确认场馆开放与人员安排"]


@pytest.mark.parametrize("field,value,message", [
    ("rrule", "FREQ=SOMETIMES", "重复规则无法解析：未知的重复频率 SOMETIMES"),
    ("rrule", "FREQ=HOURLY", "不支持按秒/分钟/小时重复"),
    ("rrule", "FREQ=MINUTELY", "不支持按秒/分钟/小时重复"),
    ("rrule", "FREQ=WEEKLY;COUNT=3;UNTIL=20261231T000000Z", "COUNT 与 UNTIL 不能同时使用"),
    ("rrule", "FREQ=WEEKLY;UNTIL=20251231T000000Z", "UNTIL 早于开始时间"),
    ("rrule", "FREQ=DAILY;INTERVAL=0", "INTERVAL 必须是 1–1000 之间的整数"),
    ("rrule", "FREQ=DAILY\r\nBEGIN:VEVENT", "控制字符"),
    ("lunar_rule", "LUNAR=13-01", "农历月份必须在 1–12 之间"),
    ("lunar_rule", "FESTIVAL=圣诞节", "不支持的节日：圣诞节"),
])
def test_bad_recurrence_is_refused_and_nothing_saved(db, town, field, value, message):
    data = _saturdays(town, rrule=None)
    setattr(data, field, value)
    with pytest.raises(ValidationError) as excinfo:
        create_event(data, now=NOW)
    assert message in excinfo.value.message, excinfo.value.message
    # The message is attached to the event's own field, so a form can show it next to the right input.
    assert excinfo.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Event.id)) is None
    assert db.session.scalar(select(Occurrence.id)) is None


def test_rule_producing_more_than_the_limit_is_refused(db, town, app, monkeypatch):
    data = _saturdays(town, rrule="FREQ=DAILY", starts_local=datetime(2026, 1, 1, 8), ends_local=datetime(2026, 1, 1, 9))
    monkeypatch.setitem(app.config, "MAX_OCCURRENCES_PER_SERIES", 100)  # restored to whatever it was afterwards
    with pytest.raises(ValidationError) as excinfo:
        create_event(data, now=NOW)
    assert "超过 100 次活动" in excinfo.value.message, excinfo.value.message
    db.session.rollback()
    assert db.session.scalar(select(Event.id)) is None


def test_missing_lunar_day_follows_the_stated_rule(db, town):
    # 腊月三十: 2025's 腊月 (ending 2026-02-16) has 29 days.
    base = dict(title="除夕守岁", area_id=town.id, starts_local=datetime(2025, 1, 28, 20), ends_local=datetime(2025, 1, 28, 23),
                status="published")
    with pytest.raises(ValidationError, match="29"):
        create_event(EventData(lunar_rule="LUNAR=12-30", **base), now=NOW)
    db.session.rollback()
    event, _ = create_event(EventData(lunar_rule="LUNAR=12-30;MISSING=LAST_DAY", **base), now=NOW)
    assert date(2026, 2, 16) in [s.date() for s in _local_starts(db, event)]


def test_a_new_series_is_written_in_one_insert_and_read_back_with_its_ids(db, town):
    """52 evenings cost one INSERT (not 52), and the event's occurrences are the stored rows afterwards."""
    with recorded(db.engine) as seen:
        event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;COUNT=52"), now=NOW)
    assert [s.rows for s in seen if s.starts("INSERT INTO OCCURRENCES")] == [52]
    rows = event.occurrences
    assert len(rows) == 52 and all(o.id is not None and o.event_id == event.id for o in rows)
    assert sorted(o.starts_at for o in rows) == [o.starts_at for o in _occurrences(db, event)]
    db.session.commit()
    assert len(_occurrences(db, event)) == 52


def test_extending_the_horizon_adds_the_new_instances_in_one_insert(db, town, app):
    from calendar_app.events.services import extend_occurrences

    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    db.session.commit()
    before = len(_occurrences(db, event))
    with recorded(db.engine) as seen:
        added = extend_occurrences(event, now=NOW + timedelta(days=60))
    assert added >= 8 and [s.rows for s in seen if s.starts("INSERT INTO OCCURRENCES")] == [added]
    db.session.commit()
    assert len(_occurrences(db, event)) == before + added
    assert len(event.occurrences) == before + added
