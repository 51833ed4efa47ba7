"""What the later edits of a series write, exactly: "this and following", the daily horizon job, status
changes and single-occurrence edits, down to the stored rule, the version a subscriber sees and the audit
line staff read. Expected values are worked out by hand from the Saturday series below."""
from __future__ import annotations

import re

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from calendar_app.audit.models import AuditLog
from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.conflicts import VenueConflict
from calendar_app.events.services import (EventData, create_event, edit_occurrence, extend_occurrences,
                                          report_attendance, set_featured, set_status, split_series, update_series)
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=5)


@pytest.fixture
def town(db):
    area = f.town(f.district())
    db.session.commit()
    return area


@pytest.fixture
def user(db, town):
    from calendar_app.accounts.models import User

    account = User(username="split_tester", display_name="测试员", role="admin", area_id=town.id)
    account.set_password("split-tester-2026")
    db.session.add(account)
    db.session.commit()
    return account


def _rows(db, event) -> list[Occurrence]:
    return db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)
                              .order_by(Occurrence.original_starts_at)).all()


def _local_days(db, event) -> list[date]:
    return [o.starts_at.astimezone(SH).date() for o in _rows(db, event)]


def _audit(db, action: str) -> list[AuditLog]:
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def _saturdays(town, **kwargs) -> EventData:
    # 13 Saturdays, 2026-01-03 .. 2026-03-28, 14:30-16:30 Beijing time (06:30-08:30 UTC).
    values = dict(title="非遗星期六", area_id=town.id, starts_local=datetime(2026, 1, 3, 14, 30),
                  ends_local=datetime(2026, 1, 3, 16, 30), rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260328T235959Z",
                  status="published")
    values.update(kwargs)
    return EventData(**values)


# --- this and following ------------------------------------------------------------------------------

def _from(event, occurrence) -> EventData:
    """The series as it is, starting again at `occurrence` (what the "this and following" form sends)."""
    data = EventData.from_event(event)
    length = data.ends_local - data.starts_local
    start = occurrence.starts_at.astimezone(SH)
    data.starts_local = start.date() if data.is_all_day else start.replace(tzinfo=None)
    data.ends_local = data.starts_local + length
    return data


def test_splitting_ends_the_old_rule_one_second_before_the_split_in_utc(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    split_at = _rows(db, event)[6]  # Saturday 2026-02-14 14:30 Beijing = 06:30 UTC
    new_event, _ = split_series(event, split_at, _from(event, split_at), now=LATER)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260214T062959Z"
    assert _local_days(db, event)[-1] == date(2026, 2, 7)
    assert _local_days(db, new_event)[0] == date(2026, 2, 14)


def test_splitting_a_counted_series_replaces_its_count_by_an_until(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;COUNT=5;BYDAY=SA"), now=NOW)
    new_event, _ = split_series(event, _rows(db, event)[2], _from(event, _rows(db, event)[2]), now=LATER)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260117T062959Z"
    assert _local_days(db, event) == [date(2026, 1, 3), date(2026, 1, 10)]
    assert _local_days(db, new_event)[0] == date(2026, 1, 17)


def test_splitting_an_all_day_series_ends_the_old_rule_on_the_local_day_before(db, town):
    data = _saturdays(town, starts_local=date(2026, 1, 3), ends_local=date(2026, 1, 4), is_all_day=True,
                      rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260207")
    event, _ = create_event(data, now=NOW)
    new_event, _ = split_series(event, _rows(db, event)[3], _from(event, _rows(db, event)[3]), now=LATER)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260123"
    assert _local_days(db, event) == [date(2026, 1, 3), date(2026, 1, 10), date(2026, 1, 17)]
    assert _local_days(db, new_event) == [date(2026, 1, 24), date(2026, 1, 31), date(2026, 2, 7)]


def test_splitting_an_evening_lunar_series_leaves_the_split_day_to_the_new_series_only(db, town):
    data = EventData(title="非遗大集·元宵节", area_id=town.id, starts_local=datetime(2026, 3, 3, 18),
                     ends_local=datetime(2026, 3, 3, 21), lunar_rule="FESTIVAL=元宵节;COUNT=4", status="published")
    event, _ = create_event(data, now=NOW)
    days = _local_days(db, event)
    assert days[:3] == [date(2026, 3, 3), date(2027, 2, 20), date(2028, 2, 9)]
    new_event, _ = split_series(event, _rows(db, event)[1], _from(event, _rows(db, event)[1]), now=LATER)
    assert event.lunar_rule == "FESTIVAL=元宵节;UNTIL=20270219"
    assert _local_days(db, event) == [date(2026, 3, 3)]
    assert _local_days(db, new_event)[:2] == [date(2027, 2, 20), date(2028, 2, 9)]


def test_splitting_keeps_extra_dates_before_the_split_with_the_old_series_only(db, town):
    data = _saturdays(town, rdates=["2026-01-11T14:30", "2026-03-01T14:30"])
    event, _ = create_event(data, now=NOW)
    split_at = _rows(db, event)[7]  # Saturday 2026-02-14 (the Sunday 01-11 is row 2)
    assert split_at.starts_at.astimezone(SH).date() == date(2026, 2, 14)
    split_series(event, split_at, _from(event, split_at), now=LATER)
    assert [r for r in event.rdates] == ["2026-01-11T14:30"]
    assert date(2026, 1, 11) in _local_days(db, event)


def test_splitting_bumps_the_old_series_and_starts_the_new_one_at_version_zero(db, town, user):
    event, _ = create_event(_saturdays(town), now=NOW)
    db.session.commit()
    sequence = event.sequence
    data = _from(event, _rows(db, event)[6])
    data.title = "非遗星期六·下半季"
    new_event, warnings = split_series(event, _rows(db, event)[6], data, user_id=user.id, now=LATER)
    old = db.session.get(Event, event.id)
    assert old.sequence == sequence + 1 and old.revised_at == LATER
    assert old.title == "非遗星期六"
    assert new_event.sequence == 0 and new_event.revised_at == LATER
    assert new_event.created_by_id == user.id and new_event.split_from_id == old.id
    assert new_event.title == "非遗星期六·下半季"
    assert new_event.uid != old.uid
    assert warnings == []
    (entry,) = _audit(db, "event.split")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("event", old.id, user.id)
    assert entry.changes == {"new_event_id": new_event.id, "split_at": "2026-02-14T06:30:00+00:00"}


def test_splitting_moves_the_occurrences_from_the_split_on_to_the_new_series(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    rows = _rows(db, event)
    moved_ids = [o.id for o in rows[6:]]
    new_event, _ = split_series(event, rows[6], _from(event, rows[6]), now=LATER)
    assert [o.id for o in _rows(db, new_event)] == moved_ids
    assert [o.event_id for o in _rows(db, new_event)] == [new_event.id] * 7
    assert len(_rows(db, event)) == 6


def test_splitting_a_single_event_edits_it_whole(db, town):
    event, _ = create_event(_saturdays(town, rrule=None), now=NOW)
    (only,) = _rows(db, event)
    data = EventData.from_event(event)
    data.title = "改名"
    result, _ = split_series(event, only, data, now=LATER)
    assert result.id == event.id and result.title == "改名" and result.split_from_id is None
    assert db.session.scalar(select(Event.id).where(Event.id != event.id)) is None


def test_splitting_at_the_second_occurrence_is_a_real_split(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    new_event, _ = split_series(event, _rows(db, event)[1], _from(event, _rows(db, event)[1]), now=LATER)
    assert new_event.id != event.id
    assert _local_days(db, event) == [date(2026, 1, 3)]
    assert len(_rows(db, new_event)) == 12


def test_a_refused_split_changes_neither_series(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    db.session.commit()
    data = _from(event, _rows(db, event)[6])
    data.rrule = "FREQ=SOMETIMES"
    with pytest.raises(ValidationError) as refused:
        split_series(event, _rows(db, event)[6], data, now=LATER)
    assert refused.value.field == "rrule"
    db.session.rollback()
    assert db.session.get(Event, event.id).rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260328T235959Z"
    assert len(_rows(db, event)) == 13


# --- the daily horizon job -------------------------------------------------------------------------

def test_the_horizon_job_stores_up_to_eighteen_months_from_now_and_says_how_many_it_added(db, town, app):
    assert app.config["OCCURRENCE_HORIZON_MONTHS"] == 18
    venue = f.venue(town)
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA", venue_id=venue.id), now=NOW)
    db.session.commit()
    assert event.stored_until == datetime(2028, 5, 21, 2, 0, tzinfo=timezone.utc)
    before = _rows(db, event)
    assert before[-1].starts_at == datetime(2028, 5, 20, 6, 30, tzinfo=timezone.utc)
    assert extend_occurrences(event, now=NOW + timedelta(days=7)) == 1
    assert event.stored_until == datetime(2028, 5, 28, 2, 0, tzinfo=timezone.utc)
    added = _rows(db, event)[-1]
    assert added.starts_at == added.original_starts_at == datetime(2028, 5, 27, 6, 30, tzinfo=timezone.utc)
    assert added.ends_at == datetime(2028, 5, 27, 8, 30, tzinfo=timezone.utc)
    assert (added.status, added.venue_id, added.is_public) == ("scheduled", venue.id, True)
    assert added.holds_venue


def test_the_horizon_job_adds_nothing_when_run_twice_for_the_same_moment(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    assert extend_occurrences(event, now=NOW) == 0
    assert extend_occurrences(event, now=NOW - timedelta(days=3)) == 0
    assert event.stored_until == datetime(2028, 5, 21, 2, 0, tzinfo=timezone.utc)


def test_the_horizon_job_sends_no_query_for_a_series_already_extended_to_that_moment(db, town):
    from sqlalchemy import event as sa_event

    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    db.session.commit()
    db.session.refresh(event)  # loaded, as the job's batch query loads it
    statements: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", watch)
    try:
        assert extend_occurrences(event, now=NOW) == 0
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", watch)
    assert statements == []


def test_the_horizon_job_keeps_an_instance_that_meets_another_booking_without_its_hold(db, town):
    venue = f.venue(town)
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA", venue_id=venue.id), now=NOW)
    # Someone books the venue for the Saturday beyond the current horizon.
    other, _ = create_event(_saturdays(town, title="婚礼", rrule=None, venue_id=venue.id,
                                       starts_local=datetime(2028, 5, 27, 15), ends_local=datetime(2028, 5, 27, 17)),
                            now=NOW)
    assert extend_occurrences(event, now=NOW + timedelta(days=7)) == 1
    added = _rows(db, event)[-1]
    assert added.starts_at == datetime(2028, 5, 27, 6, 30, tzinfo=timezone.utc)
    assert not added.holds_venue
    assert added.clash_override_reason == "系统延展系列时与已有预订冲突，待工作人员处理"
    assert _rows(db, other)[0].holds_venue


def test_the_horizon_job_fills_a_series_that_has_no_stored_horizon_yet(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    for row in _rows(db, event):  # through the session, which would otherwise keep the gone rows
        db.session.delete(row)
    event.stored_until = None
    db.session.flush()
    assert extend_occurrences(event, now=NOW) == 13
    assert _local_days(db, event)[0] == date(2026, 1, 3)


# --- creating ----------------------------------------------------------------------------------------

def test_a_new_event_is_version_zero_by_its_author_at_that_time_and_audited_with_its_cleaned_title(app, db, town,
                                                                                                 user):
    event, _ = create_event(_saturdays(town, title="  非遗\r\n星期六 "), user_id=user.id, now=NOW)
    assert (event.sequence, event.created_by_id, event.revised_at) == (0, user.id, NOW)
    assert re.fullmatch(r"[0-9a-f]{32}@" + re.escape(app.config["ICAL_UID_DOMAIN"]), event.uid), event.uid
    (entry,) = _audit(db, "event.create")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("event", event.id, user.id)
    assert entry.changes == {"title": "非遗 星期六"}


def test_a_new_open_series_is_stored_up_to_eighteen_months_from_its_creation(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=LATER)
    assert event.stored_until == datetime(2028, 5, 21, 7, 0, tzinfo=timezone.utc)
    assert _local_days(db, event)[-1] == date(2028, 5, 20)


def test_a_new_event_onto_another_booking_is_audited_as_that_users_override(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 10), 14)
    event, _ = create_event(_saturdays(town, venue_id=venue.id), user_id=user.id, now=NOW,
                            clash_override="同一场地联合举办")
    (entry,) = _audit(db, "venue.clash_override")
    assert (entry.entity_id, entry.user_id, entry.changes["reason"]) == (event.id, user.id, "同一场地联合举办")
    assert [o.clash_override_reason for o in _rows(db, event)][:3] == [None, "同一场地联合举办", None]


def test_a_new_event_returns_the_rule_warning_and_the_holiday_warnings_together(db, town):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    # Friday 2 January is off the Saturday rule; see the whole-series edit below for the official days.
    _, warnings = create_event(_saturdays(town, starts_local=datetime(2026, 1, 2, 14, 30),
                                          ends_local=datetime(2026, 1, 2, 16, 30)), now=NOW)
    assert warnings == [
        "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天",
        "有场次安排在调休上班日：2月14日（春节调休）、2月28日（春节调休），观众可能较少",
        "有场次安排在法定节假日：1月2日（元旦）、1月3日（元旦）、2月21日（春节），请确认场馆开放与人员安排",
    ]


# --- the whole series --------------------------------------------------------------------------------

def test_a_whole_series_edit_is_audited_with_each_changed_field_before_and_after(db, town, user):
    event, _ = create_event(_saturdays(town), now=NOW)
    data = EventData.from_event(event)
    data.title, data.ends_local = "非遗周六课堂", datetime(2026, 1, 3, 17)
    update_series(event, data, user_id=user.id, now=LATER)
    (entry,) = _audit(db, "event.update")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("event", event.id, user.id)
    assert entry.changes == {"title": ["非遗星期六", "非遗周六课堂"],
                             "ends_local": ["2026-01-03T16:30", "2026-01-03T17:00"]}
    assert (event.sequence, event.revised_at) == (1, LATER)
    assert _rows(db, event)[-1].ends_at == datetime(2026, 3, 28, 9, 0, tzinfo=timezone.utc)


def test_a_whole_series_edit_stores_an_open_series_up_to_eighteen_months_from_the_edit(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    data = EventData.from_event(event)
    data.title = "非遗周六课堂"
    update_series(event, data, now=LATER)
    # LATER is 2026-11-21 07:00 UTC: the horizon is 2028-05-21 07:00 UTC, the last Saturday before it 20 May.
    assert event.stored_until == datetime(2028, 5, 21, 7, 0, tzinfo=timezone.utc)
    assert _local_days(db, event)[-1] == date(2028, 5, 20)


def test_a_whole_series_edit_onto_another_booking_is_audited_as_that_users_override(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 10), 10)
    event, _ = create_event(_saturdays(town, venue_id=venue.id), now=NOW)
    data = EventData.from_event(event)
    data.starts_local, data.ends_local = datetime(2026, 1, 3, 10), datetime(2026, 1, 3, 12)  # onto the wedding
    update_series(event, data, user_id=user.id, now=LATER, clash_override="同一场地联合举办")
    (entry,) = _audit(db, "venue.clash_override")
    assert (entry.entity_id, entry.user_id, entry.changes["reason"]) == (event.id, user.id, "同一场地联合举办")
    assert [o.clash_override_reason for o in _rows(db, event)][:3] == [None, "同一场地联合举办", None]


def test_a_whole_series_edit_returns_the_rule_warning_and_the_holiday_warning_together(db, town):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    event, _ = create_event(_saturdays(town), now=NOW)
    data = EventData.from_event(event)
    # Friday 2 January is off the Saturday rule; the 2026 official calendar has two 调休 working Saturdays
    # (14 and 28 February) and three holidays among the dates (1-3 January is 元旦, 21 February 春节).
    data.starts_local, data.ends_local = datetime(2026, 1, 2, 14, 30), datetime(2026, 1, 2, 16, 30)
    _, warnings = update_series(event, data, now=LATER)
    assert warnings == [
        "开始时间不符合重复规则，但按 RFC 5545 仍算作第一次活动；如不需要，请把开始时间改到规则上的第一天",
        "有场次安排在调休上班日：2月14日（春节调休）、2月28日（春节调休），观众可能较少",
        "有场次安排在法定节假日：1月2日（元旦）、1月3日（元旦）、2月21日（春节），请确认场馆开放与人员安排",
    ]


# --- status ------------------------------------------------------------------------------------------

def test_a_status_change_is_audited_with_the_old_and_new_status(db, town, user):
    event, _ = create_event(_saturdays(town, status="draft"), now=NOW)
    set_status(event, "submitted", user_id=user.id, now=LATER)
    (entry,) = _audit(db, "event.status")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("event", event.id, user.id)
    assert entry.changes == {"status": ["draft", "submitted"]}
    assert event.status == "submitted" and event.revised_at == LATER
    assert not any(o.is_public for o in _rows(db, event))


def test_unpublishing_hides_every_occurrence_again(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    set_status(event, "draft", now=LATER)
    db.session.expire_all()
    assert [o.is_public for o in _rows(db, event)] == [False] * 13


def test_an_unknown_status_is_refused_by_name_on_the_status_field(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    with pytest.raises(ValidationError) as refused:
        set_status(event, "archived", now=LATER)
    assert (refused.value.message, refused.value.field) == ("未知的状态：archived", "status")
    assert event.status == "published"


def test_cancelling_frees_the_venue_and_restoring_takes_it_again(db, town):
    venue = f.venue(town)
    event, _ = create_event(_saturdays(town, venue_id=venue.id), now=NOW)
    assert all(o.holds_venue for o in _rows(db, event))
    set_status(event, "cancelled", now=LATER)
    db.session.expire_all()
    assert not any(o.holds_venue for o in _rows(db, event))
    event = db.session.get(Event, event.id)
    set_status(event, "published", now=LATER)
    db.session.expire_all()
    assert all(o.holds_venue for o in _rows(db, event))


# --- this occurrence only -----------------------------------------------------------------------------

def _single(db, town, **kwargs) -> Occurrence:
    event, _ = create_event(_saturdays(town, rrule=None, **kwargs), now=NOW)
    db.session.commit()
    (occurrence,) = _rows(db, event)
    return occurrence


@pytest.mark.parametrize("kwargs,field,message", [
    (dict(starts_at=datetime(2026, 1, 4, 14)), "starts_at", "时间必须带时区"),
    (dict(ends_at=datetime(2026, 1, 3, 18)), "ends_at", "时间必须带时区"),
    (dict(starts_at=datetime(2100, 1, 1, 1, tzinfo=timezone.utc)), "starts_at",
     "日期超出支持范围（1901–2099 年）：2100-01-01"),
    (dict(ends_at=datetime(2100, 1, 1, 1, tzinfo=timezone.utc)), "ends_at",
     "日期超出支持范围（1901–2099 年）：2100-01-01"),
    (dict(starts_at=datetime(1900, 12, 31, 1, tzinfo=timezone.utc)), "starts_at",
     "日期超出支持范围（1901–2099 年）：1900-12-31"),
    (dict(ends_at=datetime(2026, 1, 3, 6, 30, tzinfo=timezone.utc)), "ends_at", "结束时间必须晚于开始时间"),
    (dict(ends_at=datetime(2026, 2, 3, 6, 31, tzinfo=timezone.utc)), "ends_at", "单次活动最长 31 天"),
])
def test_an_occurrence_edit_is_refused_with_the_exact_reason(db, town, kwargs, field, message):
    occurrence = _single(db, town)
    with pytest.raises(ValidationError) as refused:
        edit_occurrence(occurrence, now=LATER, **kwargs)
    assert (refused.value.message, refused.value.field) == (message, field)
    assert occurrence.starts_at == datetime(2026, 1, 3, 6, 30, tzinfo=timezone.utc)


def test_an_occurrence_may_start_on_the_first_and_end_on_the_last_supported_day(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, starts_at=datetime(2099, 12, 31, 1, tzinfo=timezone.utc), now=LATER)
    assert occurrence.ends_at == datetime(2099, 12, 31, 3, tzinfo=timezone.utc)
    edit_occurrence(occurrence, starts_at=datetime(1901, 1, 1, 1, tzinfo=timezone.utc), now=LATER)
    assert occurrence.starts_at == datetime(1901, 1, 1, 1, tzinfo=timezone.utc)


def test_moving_to_an_inactive_venue_names_it(db, town):
    closed = f.venue(town, "老戏台")
    closed.is_active = False
    occurrence = _single(db, town)
    with pytest.raises(ValidationError) as refused:
        edit_occurrence(occurrence, venue_id=closed.id, now=LATER)
    assert (refused.value.message, refused.value.field) == ("场馆「老戏台」已停用", "venue_id")


def test_a_move_is_audited_with_the_old_and_new_start_and_venue(db, town, user):
    square = f.venue(town, "东崖村文化广场")
    hall = f.venue(town, "金山镇综合文化站")
    occurrence = _single(db, town, venue_id=square.id)
    event = occurrence.event
    new_start = datetime(2026, 1, 4, 6, 30, tzinfo=timezone.utc)
    edit_occurrence(occurrence, starts_at=new_start, venue_id=hall.id, reason="改期", user_id=user.id, now=LATER)
    (entry,) = _audit(db, "occurrence.edit")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("occurrence", occurrence.id, user.id)
    assert entry.changes == {"starts_at": ["2026-01-03T06:30:00+00:00", "2026-01-04T06:30:00+00:00"],
                             "venue_id": [square.id, hall.id]}
    assert (occurrence.status, occurrence.status_reason, occurrence.is_detached) == ("moved", "改期", True)
    assert (occurrence.venue_id, occurrence.override_venue_id) == (hall.id, hall.id)
    assert occurrence.ends_at == datetime(2026, 1, 4, 8, 30, tzinfo=timezone.utc)
    assert occurrence.holds_venue
    assert event.sequence == 1 and event.revised_at == LATER


def test_moving_back_to_the_series_venue_clears_the_override(db, town):
    square = f.venue(town, "东崖村文化广场")
    hall = f.venue(town, "金山镇综合文化站")
    occurrence = _single(db, town, venue_id=square.id)
    edit_occurrence(occurrence, venue_id=hall.id, now=LATER)
    assert occurrence.status == "moved"
    edit_occurrence(occurrence, venue_id=square.id, now=LATER)
    assert (occurrence.venue_id, occurrence.override_venue_id, occurrence.status) == (square.id, None, "scheduled")


def test_cancelling_and_restoring_an_occurrence_is_audited(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, cancelled=True, reason="雨天", now=LATER)
    edit_occurrence(occurrence, cancelled=False, now=LATER)
    assert [e.changes for e in _audit(db, "occurrence.edit")] == [
        {"status": ["scheduled", "cancelled"]}, {"status": ["cancelled", "scheduled"]}]
    assert occurrence.status == "scheduled" and occurrence.status_reason == "雨天"


def test_cancelling_twice_or_restoring_a_running_occurrence_records_nothing(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, cancelled=False, now=LATER)
    edit_occurrence(occurrence, cancelled=True, now=LATER)
    edit_occurrence(occurrence, cancelled=True, now=LATER)
    assert [e.changes for e in _audit(db, "occurrence.edit")] == [{"status": ["scheduled", "cancelled"]}]


def test_a_reason_alone_is_kept_without_a_new_version(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, reason="  请提前十分钟入场 ", now=LATER)
    assert occurrence.status_reason == "请提前十分钟入场"
    assert occurrence.event.sequence == 0 and not occurrence.is_detached
    assert _audit(db, "occurrence.edit") == []


def test_a_moved_slot_loses_an_earlier_clash_override_and_is_checked_again(db, town):
    venue = f.venue(town)
    occurrence = _single(db, town, venue_id=venue.id)
    occurrence.clash_override_reason = "领导批准共用"
    occurrence.holds_venue = False
    db.session.flush()
    edit_occurrence(occurrence, starts_at=datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc), now=LATER)
    assert occurrence.clash_override_reason is None and occurrence.holds_venue


def test_a_cancelled_occurrence_that_is_moved_stays_cancelled(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, cancelled=True, now=LATER)
    edit_occurrence(occurrence, starts_at=datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc), now=LATER)
    assert occurrence.status == "cancelled"


# --- "this and following" where it is really "all", and where it meets another booking -------------

def _booking(db, town, venue, day: date, hour: int):
    event, _ = create_event(EventData(title="婚礼", area_id=town.id, venue_id=venue.id, status="published",
                                      starts_local=datetime(day.year, day.month, day.day, hour),
                                      ends_local=datetime(day.year, day.month, day.day, hour + 1)), now=NOW)
    return event


def test_splitting_with_an_occurrence_of_another_series_is_refused_with_the_exact_reason(db, town):
    one, _ = create_event(_saturdays(town), now=NOW)
    other, _ = create_event(_saturdays(town, title="另一个"), now=NOW)
    with pytest.raises(ValidationError) as refused:
        split_series(one, _rows(db, other)[3], _from(one, _rows(db, other)[3]), now=LATER)
    assert (refused.value.message, refused.value.field) == ("该场次不属于此活动", "occurrence_id")


def test_splitting_leaves_the_occurrences_of_other_events_alone(db, town):
    other, _ = create_event(_saturdays(town, title="另一个", starts_local=datetime(2026, 1, 3, 9),
                                       ends_local=datetime(2026, 1, 3, 10)), now=NOW)
    event, _ = create_event(_saturdays(town), now=NOW)
    other_ids = [o.id for o in _rows(db, other)]
    split_series(event, _rows(db, event)[6], _from(event, _rows(db, event)[6]), now=LATER)
    assert [o.id for o in _rows(db, other)] == other_ids


def test_splitting_an_open_series_stores_both_parts_up_to_the_horizon_of_that_moment(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    split_at = _rows(db, event)[6]
    new_event, _ = split_series(event, split_at, _from(event, split_at), now=LATER)
    # 18 months after LATER (2026-11-21 07:00 UTC); the real clock would give a later horizon.
    assert new_event.stored_until == datetime(2028, 5, 21, 7, 0, tzinfo=timezone.utc)
    assert event.stored_until == datetime(2028, 5, 21, 7, 0, tzinfo=timezone.utc)
    assert _rows(db, new_event)[-1].starts_at == datetime(2028, 5, 20, 6, 30, tzinfo=timezone.utc)


def test_a_split_keeps_the_warnings_about_its_new_data(db, town):
    program = f.program(town)
    edition = f.edition(program, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    event, _ = create_event(_saturdays(town, program_id=program.id, edition_id=edition.id), now=NOW)
    split_at = _rows(db, event)[6]
    _, warnings = split_series(event, split_at, _from(event, split_at), now=LATER)
    assert warnings == ["开始日期 2026-02-14 不在届次「2026戏曲进乡村」的日期范围内（2026-01-01 至 2026-01-31）"]


def test_splitting_an_all_day_series_keeps_its_earlier_extra_days(db, town):
    data = _saturdays(town, starts_local=date(2026, 1, 3), ends_local=date(2026, 1, 4), is_all_day=True,
                      rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260207", rdates=["2026-01-11", "2026-02-01"])
    event, _ = create_event(data, now=NOW)
    split_at = [o for o in _rows(db, event) if o.starts_at.astimezone(SH).date() == date(2026, 1, 24)][0]
    split_series(event, split_at, _from(event, split_at), now=LATER)
    assert event.rdates == ["2026-01-11"]
    assert _local_days(db, event) == [date(2026, 1, 3), date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 17)]


def test_splitting_a_single_event_is_an_edit_by_that_user_at_that_time(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 3), 10)
    event, _ = create_event(_saturdays(town, rrule=None, venue_id=venue.id), now=NOW)
    (only,) = _rows(db, event)
    data = _from(event, only)
    data.starts_local, data.ends_local = datetime(2026, 1, 3, 10), datetime(2026, 1, 3, 12)  # onto the wedding
    result, _ = split_series(event, only, data, user_id=user.id, now=LATER, clash_override="同一场地联合举办")
    assert result.id == event.id and (result.sequence, result.revised_at) == (1, LATER)
    assert _rows(db, event)[0].clash_override_reason == "同一场地联合举办"
    (entry,) = _audit(db, "event.update")
    assert (entry.entity_id, entry.user_id) == (event.id, user.id)


def test_splitting_at_the_first_occurrence_is_an_edit_by_that_user_at_that_time(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 3), 10)
    event, _ = create_event(_saturdays(town, venue_id=venue.id), now=NOW)
    first = _rows(db, event)[0]
    data = _from(event, first)
    data.starts_local, data.ends_local = datetime(2026, 1, 3, 10), datetime(2026, 1, 3, 12)
    result, _ = split_series(event, first, data, user_id=user.id, now=LATER, clash_override="同一场地联合举办")
    assert result.id == event.id and (result.sequence, result.revised_at) == (1, LATER)
    assert [o.clash_override_reason for o in _rows(db, event)][:2] == ["同一场地联合举办", None]
    (entry,) = _audit(db, "event.update")
    assert (entry.entity_id, entry.user_id) == (event.id, user.id)


def test_a_split_onto_another_booking_goes_through_with_the_staff_reason(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 2, 14), 10)
    event, _ = create_event(_saturdays(town, venue_id=venue.id), now=NOW)
    split_at = _rows(db, event)[6]
    data = _from(event, split_at)
    data.starts_local, data.ends_local = datetime(2026, 2, 14, 10), datetime(2026, 2, 14, 12)
    new_event, _ = split_series(event, split_at, data, user_id=user.id, now=LATER, clash_override="同一场地联合举办")
    (entry,) = _audit(db, "venue.clash_override")
    assert (entry.entity_id, entry.user_id) == (new_event.id, user.id)
    rows = _rows(db, new_event)
    assert rows[0].clash_override_reason == "同一场地联合举办" and not rows[0].holds_venue
    assert all(o.holds_venue for o in rows[1:])


def test_a_split_where_the_utc_date_is_the_day_before_keeps_the_local_day_apart(db, town):
    # 07:00 in Beijing is 23:00 UTC the day before: the lunar UNTIL must be the local day before the split.
    data = EventData(title="元宵晨练", area_id=town.id, starts_local=datetime(2026, 3, 3, 7),
                     ends_local=datetime(2026, 3, 3, 8), lunar_rule="FESTIVAL=元宵节;COUNT=4", status="published")
    event, _ = create_event(data, now=NOW)
    split_at = _rows(db, event)[1]
    assert split_at.starts_at == datetime(2027, 2, 19, 23, 0, tzinfo=timezone.utc)
    new_event, _ = split_series(event, split_at, _from(event, split_at), now=LATER)
    assert event.lunar_rule == "FESTIVAL=元宵节;UNTIL=20270219"
    assert _local_days(db, event) == [date(2026, 3, 3)]
    assert _local_days(db, new_event)[0] == date(2027, 2, 20)


def test_the_old_rule_ends_in_utc_whatever_the_servers_zone(db, town, server_in_beijing):
    data = _saturdays(town, timezone="Europe/London", starts_local=datetime(2026, 1, 3, 14, 30),
                      ends_local=datetime(2026, 1, 3, 16, 30))
    event, _ = create_event(data, now=NOW)
    split_at = _rows(db, event)[6]  # 2026-02-14 14:30 in London = 14:30 UTC
    new_event, _ = split_series(event, split_at, _from_zone(event, split_at),
                                now=LATER)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260214T142959Z"
    assert len(_rows(db, event)) == 6 and len(_rows(db, new_event)) == 7


def _from_zone(event, occurrence) -> EventData:
    data = EventData.from_event(event)
    length = data.ends_local - data.starts_local
    data.starts_local = occurrence.starts_at.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
    data.ends_local = data.starts_local + length
    return data


# --- the horizon job where stored rows and the old horizon overlap -----------------------------------

def test_the_horizon_job_skips_instances_already_stored_after_an_older_horizon(db, town):
    # Another event starts at the very instant of the instance the job will add: it must not hide it.
    create_event(_saturdays(town, title="其他活动", rrule=None, starts_local=datetime(2028, 5, 27, 14, 30),
                            ends_local=datetime(2028, 5, 27, 16, 30)), now=NOW)
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    count = len(_rows(db, event))
    # As if the job had last run two weeks earlier: the Saturdays 2028-05-13 and 05-20 are already stored.
    event.stored_until = datetime(2028, 5, 7, 2, 0, tzinfo=timezone.utc)
    assert extend_occurrences(event, now=NOW + timedelta(days=7)) == 1
    rows = _rows(db, event)
    assert len(rows) == count + 1
    assert len({o.original_starts_at for o in rows}) == len(rows)
    assert rows[-1].starts_at == datetime(2028, 5, 27, 6, 30, tzinfo=timezone.utc)


def test_the_horizon_job_adds_an_instance_starting_exactly_at_the_old_horizon_once(db, town):
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA"), now=NOW)
    at = datetime(2028, 5, 20, 6, 30, tzinfo=timezone.utc)
    event.stored_until = at  # the 05-20 row exists and starts exactly at the old horizon
    assert extend_occurrences(event, now=NOW + timedelta(days=7)) == 1
    (row,) = [o for o in _rows(db, event) if o.original_starts_at == at]
    db.session.delete(row)
    db.session.flush()
    event.stored_until = at  # now it is missing: the job adds it, and nothing else
    assert extend_occurrences(event, now=NOW + timedelta(days=8)) == 1
    assert [o.original_starts_at for o in _rows(db, event)].count(at) == 1


def test_the_horizon_of_a_series_that_starts_later_counts_from_its_local_start(db, town):
    # Starts Saturday 2027-01-02 14:30 in Beijing = 06:30 UTC, after NOW: 18 months from then.
    event, _ = create_event(_saturdays(town, rrule="FREQ=WEEKLY;BYDAY=SA", starts_local=datetime(2027, 1, 2, 14, 30),
                                       ends_local=datetime(2027, 1, 2, 16, 30)), now=NOW)
    assert event.stored_until == datetime(2028, 7, 2, 6, 30, tzinfo=timezone.utc)
    for row in _rows(db, event):  # through the session, which would otherwise keep the gone rows
        db.session.delete(row)
    event.stored_until = None
    db.session.flush()
    added = extend_occurrences(event, now=NOW)
    assert event.stored_until == datetime(2028, 7, 2, 6, 30, tzinfo=timezone.utc)
    rows = _rows(db, event)
    assert added == len(rows) and rows[0].starts_at == datetime(2027, 1, 2, 6, 30, tzinfo=timezone.utc)
    assert rows[-1].starts_at == datetime(2028, 7, 1, 6, 30, tzinfo=timezone.utc)


# --- the reason of a single-occurrence edit -------------------------------------------------------------

def test_an_occurrence_reason_of_500_characters_is_kept_and_501_refused_by_name(db, town):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, cancelled=True, reason="雨" * 500, now=LATER)
    assert occurrence.status_reason == "雨" * 500
    with pytest.raises(ValidationError) as refused:
        edit_occurrence(occurrence, reason="雨" * 501, now=LATER)
    assert (refused.value.message, refused.value.field) == ("原因过长：最多 500 个字符，当前 501 个", "reason")


def test_a_move_and_a_cancellation_are_each_audited_by_that_user(db, town, user):
    occurrence = _single(db, town)
    edit_occurrence(occurrence, cancelled=True, user_id=user.id, now=LATER)
    (entry,) = _audit(db, "occurrence.edit")
    assert (entry.entity_type, entry.entity_id, entry.user_id) == ("occurrence", occurrence.id, user.id)
    assert occurrence.event.revised_at == LATER


def test_a_venue_change_alone_checks_the_new_slot_afresh(db, town):
    square = f.venue(town, "东崖村文化广场")
    hall = f.venue(town, "金山镇综合文化站")
    occurrence = _single(db, town, venue_id=square.id)
    occurrence.clash_override_reason = "领导批准共用"
    occurrence.holds_venue = False
    db.session.flush()
    edit_occurrence(occurrence, venue_id=hall.id, now=LATER)
    assert occurrence.clash_override_reason is None and occurrence.holds_venue


def test_a_cancellation_alone_keeps_an_earlier_clash_override(db, town):
    venue = f.venue(town)
    occurrence = _single(db, town, venue_id=venue.id)
    occurrence.clash_override_reason = "领导批准共用"
    occurrence.holds_venue = False
    db.session.flush()
    edit_occurrence(occurrence, cancelled=True, now=LATER)
    assert occurrence.clash_override_reason == "领导批准共用"


def test_moving_onto_another_booking_needs_and_records_the_staff_reason(db, town, user):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 10), 14)
    occurrence = _single(db, town, venue_id=venue.id)
    edit_occurrence(occurrence, starts_at=datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc), user_id=user.id,
                    clash_override="同一场地联合举办", now=LATER)
    assert occurrence.clash_override_reason == "同一场地联合举办" and not occurrence.holds_venue
    (entry,) = _audit(db, "venue.clash_override")
    assert entry.user_id == user.id and entry.changes["reason"] == "同一场地联合举办"



# --- attendance and highlights ------------------------------------------------------------------------

def test_reported_attendance_and_its_correction_are_audited_with_the_figure_they_replace(db, town, user):
    occurrence = _single(db, town)  # Saturday 2026-01-03, long before NOW
    report_attendance(occurrence, 50, user_id=user.id, now=NOW)
    report_attendance(occurrence, 60, user_id=user.id, now=LATER)
    entries = _audit(db, "occurrence.attendance")
    assert [(e.entity_type, e.entity_id, e.user_id) for e in entries] == [("occurrence", occurrence.id, user.id)] * 2
    assert [e.changes for e in entries] == [{"attendance": [None, 50]}, {"attendance": [50, 60]}]
    assert (occurrence.attendance, occurrence.attendance_reported_at) == (60, LATER)


def test_featuring_an_event_and_taking_it_out_again_are_each_stored_and_audited_once(db, town, user):
    event, _ = create_event(_saturdays(town), now=NOW)
    assert set_featured(event, True, user_id=user.id) is True
    assert set_featured(event, True, user_id=user.id) is False
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.is_featured is True
    assert set_featured(event, False, user_id=user.id) is True
    db.session.expire_all()
    assert db.session.get(Event, event.id).is_featured is False
    entries = _audit(db, "event.featured")
    assert [(e.entity_type, e.entity_id, e.user_id) for e in entries] == [("event", event.id, user.id)] * 2
    assert [e.changes for e in entries] == [{"is_featured": [False, True]}, {"is_featured": [True, False]}]


# --- what a whole-series edit keeps, drops and checks again --------------------------------------------

def test_a_whole_series_edit_keeps_the_dates_excluded_from_it(db, town):
    event, _ = create_event(_saturdays(town, exdates=["2026-01-10T14:30"]), now=NOW)
    data = EventData.from_event(event)
    data.title = "非遗周六课堂"
    update_series(event, data, now=LATER)
    assert event.exdates == ["2026-01-10T14:30"]
    assert date(2026, 1, 10) not in _local_days(db, event) and len(_rows(db, event)) == 12


def _to_sundays(event) -> EventData:
    data = EventData.from_event(event)
    data.rrule = "FREQ=WEEKLY;BYDAY=SU;UNTIL=20260328T235959Z"
    data.starts_local, data.ends_local = datetime(2026, 1, 4, 14, 30), datetime(2026, 1, 4, 16, 30)
    return data


def test_a_series_moved_to_another_weekday_drops_the_cancellation_of_an_old_day(db, town):
    event, _ = create_event(_saturdays(town), now=NOW)
    edit_occurrence(_rows(db, event)[1], cancelled=True, reason="场地维修", now=NOW)
    update_series(event, _to_sundays(event), now=LATER)
    assert _local_days(db, event) == [date(2026, 1, 4) + timedelta(weeks=n) for n in range(12)]
    assert [o.status for o in _rows(db, event)] == ["scheduled"] * 12


def test_a_series_moved_to_another_weekday_hints_at_its_new_days_and_the_day_held_before(db, town):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    event, _ = create_event(_saturdays(town), now=NOW)
    report_attendance(_rows(db, event)[0], 120, now=NOW)  # Saturday 3 January (元旦) took place
    _, warnings = update_series(event, _to_sundays(event), now=LATER)
    # The held Saturday stays; the Sundays 4 January .. 22 March replace the other Saturdays (14, 21 and 28
    # February among them, a 调休 working day, 春节 and a 调休 working day: no hint names them any more).
    assert _local_days(db, event) == [date(2026, 1, 3)] + [date(2026, 1, 4) + timedelta(weeks=n) for n in range(12)]
    assert warnings == [
        "有场次安排在调休上班日：1月4日（元旦调休），观众可能较少",
        "有场次安排在法定节假日：1月3日（元旦）、2月15日（春节）、2月22日（春节），请确认场馆开放与人员安排",
    ]


def test_a_cancelled_occurrence_on_a_holiday_gives_no_hint_after_a_whole_series_edit(db, town):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    event, _ = create_event(_saturdays(town), now=NOW)
    holiday = _rows(db, event)[7]
    assert holiday.starts_at.astimezone(SH).date() == date(2026, 2, 21)  # 春节
    edit_occurrence(holiday, cancelled=True, reason="春节闭馆", now=NOW)
    data = EventData.from_event(event)
    data.title = "非遗周六课堂"
    _, warnings = update_series(event, data, now=LATER)
    assert warnings == [
        "有场次安排在调休上班日：2月14日（春节调休）、2月28日（春节调休），观众可能较少",
        "有场次安排在法定节假日：1月3日（元旦），请确认场馆开放与人员安排",
    ]


@pytest.mark.parametrize(("before", "after"), [(15, 16), (16, 15)])
def test_a_cancelled_day_stays_cancelled_when_the_series_time_crosses_midnight_in_the_servers_zone(
        db, town, server_in_beijing, before, after):
    # London in January is UTC+0: 15:00 there is 23:00 in Beijing, 16:00 there is 00:00 the next day in Beijing.
    event, _ = create_event(_saturdays(town, timezone="Europe/London", rrule="FREQ=WEEKLY;COUNT=4",
                                       starts_local=datetime(2026, 1, 3, before),
                                       ends_local=datetime(2026, 1, 3, before, 45)), now=NOW)
    cancelled = _rows(db, event)[1]
    edit_occurrence(cancelled, cancelled=True, reason="场地维修", now=NOW)
    data = EventData.from_event(event)
    data.starts_local, data.ends_local = datetime(2026, 1, 3, after), datetime(2026, 1, 3, after, 45)
    update_series(event, data, now=LATER)
    # The cancelled Saturday keeps its row, its own time and its status; the others follow the series.
    assert [(o.id == cancelled.id, o.starts_at, o.status) for o in _rows(db, event)] == [
        (False, datetime(2026, 1, 3, after, tzinfo=timezone.utc), "scheduled"),
        (True, datetime(2026, 1, 10, before, tzinfo=timezone.utc), "cancelled"),
        (False, datetime(2026, 1, 17, after, tzinfo=timezone.utc), "scheduled"),
        (False, datetime(2026, 1, 24, after, tzinfo=timezone.utc), "scheduled"),
    ]


def test_a_whole_series_time_change_checks_each_day_afresh_even_one_that_had_a_clash_override(db, town):
    venue = f.venue(town)
    _booking(db, town, venue, date(2026, 1, 10), 14)  # a wedding 14:00-15:00 on the second Saturday
    event, _ = create_event(_saturdays(town, venue_id=venue.id), now=NOW, clash_override="同一场地联合举办")
    db.session.commit()
    data = EventData.from_event(event)
    data.starts_local, data.ends_local = datetime(2026, 1, 3, 14, 45), datetime(2026, 1, 3, 16, 45)
    with pytest.raises(VenueConflict) as refused:
        update_series(event, data, now=LATER)
    assert [c.wanted_start for c in refused.value.clashes] == [datetime(2026, 1, 10, 6, 45, tzinfo=timezone.utc)]


# --- work a booking does not do, and zones the server may be in -----------------------------------------

def test_booking_a_new_event_reads_no_occurrence_rows(db, town):
    # A series not yet stored has no rows to look up, and the rows just built give the holiday hints.
    from sqlalchemy import event as sa_event

    reads: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM OCCURRENCES" in statement.upper():
            reads.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", watch)
    try:
        event, _ = create_event(_saturdays(town), now=NOW)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", watch)
    assert reads == []
    assert len(_rows(db, event)) == 13


def test_editing_a_whole_series_reads_its_occurrence_rows_once(db, town):
    # The rows the edit keeps and adds give the holiday hints; the stored ones are read once, to match them.
    from sqlalchemy import event as sa_event

    event, _ = create_event(_saturdays(town), now=NOW)
    db.session.commit()
    rows_read: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _executemany):
        # Whole rows (the feed bookkeeping's look at the venues is another matter).
        if statement.lstrip().upper().startswith("SELECT OCCURRENCES.ID,") and "FROM OCCURRENCES" in statement.upper():
            rows_read.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", watch)
    try:
        update_series(event, _saturdays(town, title="非遗星期六·剪纸", starts_local=datetime(2026, 1, 3, 15),
                                        ends_local=datetime(2026, 1, 3, 17)), now=LATER)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", watch)
    assert len(rows_read) == 1
    assert [o.starts_at.astimezone(SH).hour for o in _rows(db, event)] == [15] * 13


def test_holiday_hints_go_by_the_events_own_day_whatever_the_servers_zone(db, town, server_in_beijing):
    from calendar_app.festivals.services import sync_official_days

    sync_official_days([2026])
    # 17:00 on Saturday 3 January in London (元旦) is already Sunday 4 January (a 调休 working day) in Beijing.
    _, warnings = create_event(_saturdays(town, timezone="Europe/London", rrule=None,
                                          starts_local=datetime(2026, 1, 3, 17), ends_local=datetime(2026, 1, 3, 18)),
                               now=NOW)
    assert warnings == ["有场次安排在法定节假日：1月3日（元旦），请确认场馆开放与人员安排"]


def test_an_event_far_east_of_the_server_is_stored_whatever_the_servers_zone(db, town, server_far_west):
    # 10:00 on Kiritimati (UTC+14) is 20:00 UTC the day before; the server's clock then reads 08:00.
    event, _ = create_event(_saturdays(town, timezone="Pacific/Kiritimati", rrule=None,
                                       starts_local=datetime(2026, 1, 3, 10), ends_local=datetime(2026, 1, 3, 11)),
                            now=NOW)
    assert [o.starts_at for o in _rows(db, event)] == [datetime(2026, 1, 2, 20, tzinfo=timezone.utc)]
