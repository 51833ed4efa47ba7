"""A report world: three venues with their own opening hours and a fortnight of bookings that hit
every rule venue load has (Asia/Shanghai; the fortnight is Monday 2026-12-07 to Sunday 2026-12-20).

- 晚间文化广场 (in 金山镇): open 18:00-22:00 every day
- 尼山书院 (in 东崖村): open 09:00-17:00, closed on Mondays
- 夜市广场 (in 稷下街道): open 20:00-02:00 every day (each day's hours cross midnight)
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from calendar_app.events import services
from calendar_app.events.models import Occurrence
from calendar_app.events.services import EventData, create_event
from calendar_app.venues.services import create_venue
from tests.manage.conftest import client, sign_in  # noqa: F401  (fixtures re-exported)

SHANGHAI = timezone(timedelta(hours=8))
EVERY_DAY = range(7)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


class Bookings:
    """The venues and the events of the fortnight, by name."""

    def __init__(self, world):
        self.world = world
        self.venues = {}
        self.events = {}


def _event(world, key, book: Bookings, venue, start, end, **kwargs):
    area = kwargs.pop("area", world.areas["jinshan"])
    override = kwargs.pop("clash_override", None)
    data = EventData(title=kwargs.pop("title", key), area_id=area.id, venue_id=venue.id, starts_local=start,
                     ends_local=end, status=kwargs.pop("status", "published"), **kwargs)
    event, _ = create_event(data, clash_override=override)
    book.events[key] = event
    return event


@pytest.fixture
def bookings(world, db):
    book = Bookings(world)
    evening = create_venue(name="晚间文化广场", area_id=world.areas["jinshan"].id, kind="plaza", capacity=500,
                           opening_hours={d: [("18:00", "22:00")] for d in EVERY_DAY})
    library = create_venue(name="尼山书院", area_id=world.areas["dongya"].id, kind="library", capacity=120,
                           opening_hours={d: [("09:00", "17:00")] for d in range(1, 7)})
    night = create_venue(name="夜市广场", area_id=world.areas["jixia"].id, kind="plaza", capacity=800,
                         opening_hours={d: [("20:00", "02:00")] for d in EVERY_DAY})
    book.venues = {"evening": evening, "library": library, "night": night}
    ev = lambda *a, **k: _event(world, *a, book=book, **k)  # noqa: E731

    # 晚间文化广场: two Tuesday evenings, the second cancelled; an event that starts before opening time;
    # one moved away to the library; a clash and a tight changeover allowed by staff.
    weekly = ev("weekly", venue=evening, start=datetime(2026, 12, 8, 19), end=datetime(2026, 12, 8, 21),
                rrule="FREQ=WEEKLY;COUNT=2")
    second = next(o for o in weekly.occurrences if o.starts_at == local(2026, 12, 15, 19))
    services.edit_occurrence(second, cancelled=True, reason="因天气原因取消")
    ev("early", venue=evening, start=datetime(2026, 12, 10, 17), end=datetime(2026, 12, 10, 19))
    moved = ev("moved", venue=evening, start=datetime(2026, 12, 11, 19), end=datetime(2026, 12, 11, 21))
    services.edit_occurrence(moved.occurrences[0], starts_at=local(2026, 12, 16, 10), ends_at=local(2026, 12, 16, 12),
                             venue_id=library.id, reason="改到书院")
    ev("gala", venue=evening, start=datetime(2026, 12, 18, 19), end=datetime(2026, 12, 18, 21))
    ev("clash", venue=evening, start=datetime(2026, 12, 18, 19, 30), end=datetime(2026, 12, 18, 20, 30),
       clash_override="同场联合演出")
    ev("first", venue=evening, start=datetime(2026, 12, 19, 18), end=datetime(2026, 12, 19, 19))
    ev("tight", venue=evening, start=datetime(2026, 12, 19, 19, 10), end=datetime(2026, 12, 19, 20),
       clash_override="同一剧组，无需换场")

    # 尼山书院: a lecture on a closed Monday; an all-day fair on a Saturday.
    ev("monday", venue=library, start=datetime(2026, 12, 7, 10), end=datetime(2026, 12, 7, 11),
       area=world.areas["dongya"])
    ev("allday", venue=library, start=date(2026, 12, 19), end=date(2026, 12, 20), is_all_day=True,
       area=world.areas["dongya"])

    # 夜市广场: nights across midnight, one across the start of the fortnight, one across its end, one
    # across the weekend into the second week; and a whole event cancelled.
    jixia = world.areas["jixia"]
    ev("before", venue=night, start=datetime(2026, 12, 6, 23), end=datetime(2026, 12, 7, 1, 30), area=jixia)
    ev("weekend", venue=night, start=datetime(2026, 12, 13, 21), end=datetime(2026, 12, 14, 1), area=jixia)
    ev("after", venue=night, start=datetime(2026, 12, 20, 23), end=datetime(2026, 12, 21, 1), area=jixia)
    called_off = ev("called_off", venue=night, start=datetime(2026, 12, 17, 21), end=datetime(2026, 12, 17, 23),
                    area=jixia)
    services.set_status(called_off, "cancelled")
    db.session.commit()
    return book


def stored_occurrences(db, venue_id: int) -> list[tuple[datetime, datetime, bool]]:
    """(local start, local end, all-day) of the live occurrences at a venue, read plainly from the table."""
    rows = db.session.query(Occurrence).filter(Occurrence.venue_id == venue_id).all()
    out = []
    for o in rows:
        if o.status == "cancelled" or o.event.status == "cancelled":
            continue
        out.append((o.starts_at.astimezone(SHANGHAI).replace(tzinfo=None),
                    o.ends_at.astimezone(SHANGHAI).replace(tzinfo=None), o.event.is_all_day))
    return out
