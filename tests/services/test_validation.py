"""Bad input is refused with a clear Chinese message, naming the field, and nothing is saved."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from calendar_app.areas.services import create_area
from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import EventData, create_event, edit_occurrence
from calendar_app.programs.models import Assignment, Edition
from calendar_app.programs.services import create_assignment, create_edition
from calendar_app.venues.models import Venue
from calendar_app.venues.services import create_venue
from tests import factories as f


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def linzi(db):
    district = f.district()
    town = f.town(district)
    areas = {"district": district, "town": town, "village": f.village(town), "venue": f.venue(town)}
    db.session.commit()
    return areas


def _event_data(area, **overrides) -> EventData:
    values = dict(title="戏曲进乡村", area_id=area.id, starts_local=datetime(2026, 12, 5, 19),
                  ends_local=datetime(2026, 12, 5, 21))
    values.update(overrides)
    return EventData(**values)


def _refused(db, call, field: str, message_part: str, model) -> None:
    before = _count(db, model)
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert excinfo.value.field == field
    assert message_part in excinfo.value.message
    db.session.rollback()
    assert _count(db, model) == before


def test_event_ending_before_it_starts_is_refused(db, linzi):
    data = _event_data(linzi["town"], ends_local=datetime(2026, 12, 5, 18))
    _refused(db, lambda: create_event(data), "ends_local", "结束时间必须晚于开始时间", Event)


def test_event_ending_when_it_starts_is_refused(db, linzi):
    data = _event_data(linzi["town"], ends_local=datetime(2026, 12, 5, 19))
    _refused(db, lambda: create_event(data), "ends_local", "晚于", Event)


def test_all_day_event_needs_an_exclusive_end_date(db, linzi):
    data = _event_data(linzi["town"], is_all_day=True, starts_local=date(2026, 12, 5), ends_local=date(2026, 12, 5))
    _refused(db, lambda: create_event(data), "ends_local", "全天活动", Event)


def test_negative_venue_capacity_is_refused(db, linzi):
    call = lambda: create_venue(name="新广场", area_id=linzi["town"].id, capacity=-1)  # noqa: E731
    _refused(db, call, "capacity", "不能为负数", Venue)


def test_event_at_a_venue_that_does_not_exist_is_refused(db, linzi):
    data = _event_data(linzi["town"], venue_id=999999)
    _refused(db, lambda: create_event(data), "venue_id", "场馆不存在", Event)


def test_event_in_an_area_that_does_not_exist_is_refused(db, linzi):
    data = EventData(title="x", area_id=424242, starts_local=datetime(2026, 1, 1, 9), ends_local=datetime(2026, 1, 1, 10))
    _refused(db, lambda: create_event(data), "area_id", "区域不存在", Event)


def test_venue_in_an_area_that_does_not_exist_is_refused(db, linzi):
    _refused(db, lambda: create_venue(name="x", area_id=424242), "area_id", "区域不存在", Venue)


def test_edition_of_another_program_is_refused(db, linzi):
    opera = f.program(linzi["district"], "戏曲进乡村")
    film = f.program(linzi["district"], "农村公益电影放映")
    film_2026 = f.edition(film, "2026农村公益电影放映")
    db.session.commit()
    data = _event_data(linzi["town"], program_id=opera.id, edition_id=film_2026.id)
    _refused(db, lambda: create_event(data), "edition_id", "不属于所选活动品牌", Event)


def test_edition_that_does_not_exist_is_refused(db, linzi):
    data = _event_data(linzi["town"], edition_id=31337)
    _refused(db, lambda: create_event(data), "edition_id", "届次不存在", Event)


def test_edition_ending_before_it_starts_is_refused(db, linzi):
    program = f.program(linzi["district"])
    db.session.commit()
    call = lambda: create_edition(program_id=program.id, name="2026", starts_on=date(2026, 9, 1), ends_on=date(2026, 8, 1))  # noqa: E731
    _refused(db, call, "ends_on", "早于开始日期", Edition)


@pytest.mark.parametrize("kind", ["district", "village"])
def test_assignment_for_an_area_that_is_not_a_town_street_is_refused(db, linzi, kind):
    program = f.program(linzi["district"])
    edition = f.edition(program)
    db.session.commit()
    call = lambda: create_assignment(edition_id=edition.id, area_id=linzi[kind].id, target_events=10)  # noqa: E731
    _refused(db, call, "area_id", "任务只能分配给镇街", Assignment)


def test_assignment_for_a_town_street_is_saved(db, linzi):
    edition = f.edition(f.program(linzi["district"]))
    assignment = create_assignment(edition_id=edition.id, area_id=linzi["town"].id, target_events=128)
    assert assignment.id and assignment.area.is_town


@pytest.mark.parametrize("tz", ["Asia/Beijing", "Mars/Olympus", "", "../../etc/passwd"])
def test_unknown_time_zone_is_refused(db, linzi, tz):
    data = _event_data(linzi["town"], timezone=tz)
    _refused(db, lambda: create_event(data), "timezone", "未知的时区", Event)


@pytest.mark.parametrize("start", [datetime(1850, 1, 1, 19), datetime(2150, 1, 1, 19)])
def test_dates_far_in_the_past_or_future_are_refused(db, linzi, start):
    data = _event_data(linzi["town"], starts_local=start, ends_local=start.replace(hour=21))
    _refused(db, lambda: create_event(data), "starts_local", "1901–2099", Event)


def test_huge_title_is_refused(db, linzi):
    data = _event_data(linzi["town"], title="村晚" * 200)
    _refused(db, lambda: create_event(data), "title", "过长", Event)


def test_blank_title_is_refused(db, linzi):
    data = _event_data(linzi["town"], title=" \r\n\t ")
    _refused(db, lambda: create_event(data), "title", "不能为空", Event)


def test_crlf_and_control_characters_never_reach_a_stored_title(db, linzi):
    event, _ = create_event(_event_data(linzi["town"], title="村晚\r\nBEGIN:VEVENT\x00\x1b结束"))
    assert event.title == "村晚 BEGIN:VEVENT结束"
    assert not any(ch in event.title for ch in "\r\n\x00\x1b")


def test_description_keeps_line_breaks_but_no_control_characters(db, linzi):
    event, _ = create_event(_event_data(linzi["town"], description="第一行\r\n第二行\x07<script>alert(1)</script>"))
    assert event.description == "第一行\n第二行<script>alert(1)</script>"


def test_registration_link_must_be_a_web_address(db, linzi):
    data = _event_data(linzi["town"], is_free=False, registration_url="javascript:alert(1)")
    _refused(db, lambda: create_event(data), "registration_url", "http", Event)


def test_village_must_sit_under_a_town_street(db, linzi):
    call = lambda: create_area(kind="village", code="bad", name="孤村", parent_id=linzi["district"].id)  # noqa: E731
    from calendar_app.areas.models import Area

    _refused(db, call, "parent_id", "不能放在", Area)


def test_refused_event_leaves_no_occurrences_behind(db, linzi):
    data = _event_data(linzi["town"], rrule="FREQ=SECONDLY")
    _refused(db, lambda: create_event(data), "rrule", "秒", Occurrence)


# --- boundaries: each limit accepted at its value and refused one step past it


def test_an_instance_of_exactly_31_days_is_accepted(db, linzi):
    start = datetime(2026, 12, 5, 19)
    event, _ = create_event(_event_data(linzi["town"], starts_local=start, ends_local=datetime(2027, 1, 5, 19)))
    (occurrence,) = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    assert occurrence.ends_at - occurrence.starts_at == timedelta(days=31)


def test_an_instance_one_minute_longer_than_31_days_is_refused(db, linzi):
    data = _event_data(linzi["town"], ends_local=datetime(2027, 1, 5, 19, 1))
    _refused(db, lambda: create_event(data), "ends_local", "单次活动最长 31 天", Event)


def test_an_all_day_instance_of_31_days_is_accepted_and_of_32_refused(db, linzi):
    ok = _event_data(linzi["town"], is_all_day=True, starts_local=date(2026, 12, 1), ends_local=date(2027, 1, 1))
    create_event(ok)
    db.session.commit()
    too_long = _event_data(linzi["town"], is_all_day=True, starts_local=date(2026, 12, 1), ends_local=date(2027, 1, 2))
    _refused(db, lambda: create_event(too_long), "ends_local", "单次活动最长 31 天", Event)


def test_moving_one_occurrence_to_exactly_31_days_is_accepted_and_a_minute_more_refused(db, linzi):
    event, _ = create_event(_event_data(linzi["town"]))
    db.session.commit()
    (occurrence,) = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    start = occurrence.starts_at
    edit_occurrence(occurrence, ends_at=start + timedelta(days=31))
    assert occurrence.ends_at == start + timedelta(days=31)
    db.session.commit()
    with pytest.raises(ValidationError, match="单次活动最长 31 天") as excinfo:
        edit_occurrence(occurrence, ends_at=start + timedelta(days=31, minutes=1))
    assert excinfo.value.field == "ends_at"
    db.session.rollback()
    assert db.session.get(Occurrence, occurrence.id).ends_at == start + timedelta(days=31)


def test_event_at_an_inactive_venue_is_refused(db, linzi):
    closed = f.venue(linzi["town"], "旧礼堂")
    closed.is_active = False
    db.session.commit()
    data = _event_data(linzi["town"], venue_id=closed.id)
    _refused(db, lambda: create_event(data), "venue_id", "场馆「旧礼堂」已停用", Event)


def test_moving_one_occurrence_to_an_inactive_venue_is_refused(db, linzi):
    event, _ = create_event(_event_data(linzi["town"], venue_id=linzi["venue"].id))
    closed = f.venue(linzi["town"], "旧礼堂")
    closed.is_active = False
    db.session.commit()
    (occurrence,) = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    with pytest.raises(ValidationError, match="场馆「旧礼堂」已停用") as excinfo:
        edit_occurrence(occurrence, venue_id=closed.id)
    assert excinfo.value.field == "venue_id"
    db.session.rollback()
    assert db.session.get(Occurrence, occurrence.id).venue_id == linzi["venue"].id


@pytest.mark.parametrize("capacity", [-1, -5])
def test_negative_event_capacity_is_refused_from_minus_one(db, linzi, capacity):
    data = _event_data(linzi["town"], capacity=capacity)
    _refused(db, lambda: create_event(data), "capacity", f"容量不能为负数（当前 {capacity}）", Event)


def test_event_capacity_zero_is_accepted(db, linzi):
    event, _ = create_event(_event_data(linzi["town"], capacity=0))
    assert event.capacity == 0


@pytest.mark.parametrize("capacity", [True, 1.5, "300"])
def test_event_capacity_that_is_not_an_integer_is_refused(db, linzi, capacity):
    data = _event_data(linzi["town"], capacity=capacity)
    _refused(db, lambda: create_event(data), "capacity", "容量必须是整数", Event)
