"""For generated rules, the occurrences we store equal what an independent expander makes of the same series.

The independent side is recurring-ical-events over a VEVENT built with icalendar from the stored
event (DTSTART/DTEND with TZID, EXDATE, RDATE) and the rule as the test wrote it (UNTIL in UTC, or as a
DATE for an all-day series), expanded over the stored range. A rule the service refuses must be refused
for a reason the test expects, and most generated examples must really be compared.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import EventData, create_event, series_spec
from tests import factories as f
from tests.hypothesis_budget import examples

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw):
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq == "WEEKLY":
        parts.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))))
    elif freq == "MONTHLY":
        choice = draw(st.sampled_from(["ordinal", "monthday", "setpos", "none"]))
        if choice == "ordinal":
            parts.append(f"BYDAY={draw(st.sampled_from(['1', '2', '-1']))}{draw(st.sampled_from(DAYS))}")
        elif choice == "monthday":
            parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 15, 28, -1]))}")
        elif choice == "setpos":
            parts.append("BYDAY=SA,SU;BYSETPOS=" + draw(st.sampled_from(["1", "-1"])))
    elif freq == "YEARLY":
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 28))}")
    end = draw(st.sampled_from(["count", "until", "none"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 30))}")
    elif end == "until":
        # 15:59:59 UTC is the last second of that day in Shanghai.
        parts.append(f"UNTIL={draw(st.dates(date(2026, 2, 1), date(2027, 6, 30))).strftime('%Y%m%d')}T155959Z")
    return ";".join(parts)


#: The only refusals these rules may meet (a rule that ends before it starts).
EXPECTED_REFUSALS = ("UNTIL 早于开始时间",)


def _as_published(rule: str, all_day: bool) -> str:
    """The rule as RFC 5545 wants it next to a DATE DTSTART: UNTIL as a DATE (same local day in Shanghai)."""
    if not all_day or "UNTIL=" not in rule:
        return rule
    head, until = rule.split("UNTIL=")
    return f"{head}UNTIL={until[:8]}"


def _stored(db, event) -> list[tuple[datetime, datetime]]:
    rows = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    return sorted((o.starts_at, o.ends_at) for o in rows)


def _independent(event: Event, rule: str, until: datetime) -> list[tuple[datetime, datetime]]:
    spec = series_spec(event)
    tz = ZoneInfo(event.timezone)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    if event.is_all_day:
        vevent.add("dtstart", spec.start)
        vevent.add("dtend", spec.end)
    else:
        vevent.add("dtstart", spec.start.replace(tzinfo=tz))
        vevent.add("dtend", spec.end.replace(tzinfo=tz))
    vevent.add("rrule", icalendar.vRecur.from_ical(_as_published(rule, event.is_all_day)))
    for value in spec.exdates:
        vevent.add("exdate", value if event.is_all_day else value.replace(tzinfo=tz))
    for value in spec.rdates:
        vevent.add("rdate", value if event.is_all_day else value.replace(tzinfo=tz))
    cal = icalendar.Calendar()
    cal.add_component(vevent)
    found = []
    for inst in recurring_ical_events.of(cal).between(datetime(1990, 1, 1, tzinfo=timezone.utc), until):
        start, end = inst["DTSTART"].dt, inst["DTEND"].dt
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0), tz)
            end = datetime.combine(end, time(0), tz)
        found.append((start.astimezone(timezone.utc), end.astimezone(timezone.utc)))
    return sorted(found)


EXAMPLES = examples(60)


def test_stored_occurrences_equal_an_independent_expansion(db):
    compared: list[str] = []
    refused: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(rule=rules(), start=st.dates(date(2026, 1, 1), date(2026, 12, 31)), all_day=st.booleans(),
           hour=st.integers(0, 22), exclude_second=st.booleans())
    def check(rule, start, all_day, hour, exclude_second):
        try:
            _compare(db, rule, start, all_day, hour, exclude_second)
        finally:
            db.session.rollback()  # nothing was committed: each example starts from an empty database
        compared.append(rule)

    def _compare(db, rule, start, all_day, hour, exclude_second):
        town = f.town(f.district())
        if all_day:
            starts, ends = start, start + timedelta(days=1)
        else:
            starts = datetime.combine(start, time(hour, 30))
            ends = starts + timedelta(hours=1, minutes=30)
        data = EventData(title="测试", area_id=town.id, starts_local=starts, ends_local=ends, is_all_day=all_day,
                         rrule=rule, status="published")
        try:
            event, _ = create_event(data, now=NOW)
        except ValidationError as exc:
            # Only an expected refusal is not a mismatch; any other error fails the test.
            assert any(reason in exc.message for reason in EXPECTED_REFUSALS), (rule, exc.message)
            refused.append(rule)
            assume(False)
        stored = _stored(db, event)
        if exclude_second and len(stored) > 2:
            # EXDATE the second instance and check again, through a whole-series edit.
            from calendar_app.events.services import update_series

            tz = ZoneInfo(event.timezone)
            second = stored[1][0].astimezone(tz)
            data = EventData.from_event(event)
            data.exdates = [second.date().isoformat() if all_day
                            else second.replace(tzinfo=None).isoformat(timespec="minutes")]
            update_series(event, data, now=NOW)
            stored = _stored(db, event)
        assert stored == _independent(event, rule, event.stored_until)

    check()
    # Refused examples are not counted by Hypothesis; those compared must be most of the run.
    assert len(compared) >= EXAMPLES * 3 // 4, (len(compared), len(refused))
