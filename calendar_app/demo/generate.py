"""`flask demo generate`: a reproducible synthetic dataset for benchmarks (up to millions of occurrences).

Like a real platform, more data means more history, not a busier week: occurrences are spread at a
fixed density (default 10,000 a month, a province-level 文化云) over a span that runs at least a month
past now (two at most) and reaches back as far as the total requires, so "this week" and "this month"
hold the same number of occurrences whatever the total. Series use simple rules (daily or weekly with COUNT)
so their occurrences can be computed directly and bulk-inserted, yet still equal what the recurrence
engine expands. The zone is Asia/Shanghai (no DST).
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import insert, select, text

from calendar_app.areas.models import Area
from calendar_app.areas.services import create_area
from calendar_app.db import utcnow
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import CATEGORIES, Program
from calendar_app.programs.services import create_program
from calendar_app.venues.models import VENUE_KINDS, Venue
from calendar_app.venues.services import create_venue

TOWNS, VILLAGES_PER_TOWN, VENUES, PROGRAMS = 20, 10, 300, 30
PER_SERIES = 50
SHANGHAI_OFFSET = timedelta(hours=8)
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _structure(seed: int, rng: random.Random) -> tuple[list[Area], list[Venue], list[Program]]:
    code = f"bench{seed}"
    district = db.session.scalar(select(Area).where(Area.code == code))
    if district is None:
        district = create_area(kind="district", code=code, name=f"基准测试区{seed}")
        for t in range(TOWNS):
            town = create_area(kind="town", code=f"{code}-{t:02d}", name=f"测试镇{t:02d}", parent_id=district.id)
            for v in range(VILLAGES_PER_TOWN):
                create_area(kind="village", code=f"{code}-{t:02d}-{v:02d}", name=f"测试村{t:02d}{v:02d}", parent_id=town.id)
        areas = db.session.scalars(select(Area).where(Area.path.startswith(district.path)).order_by(Area.id)).all()
        kinds = list(VENUE_KINDS)
        for i in range(VENUES):
            area = rng.choice(areas[1:])
            create_venue(name=f"测试场馆{i:03d}", area_id=area.id, kind=rng.choice(kinds), capacity=rng.randint(50, 3000),
                         latitude=36 + rng.random(), longitude=118 + rng.random(), opening_hours={d: [("08:00", "22:00")] for d in range(7)})
        categories = list(CATEGORIES)
        for i in range(PROGRAMS):
            create_program(slug=f"bench-{seed}-{i:02d}", name=f"测试品牌{i:02d}", area_id=district.id,
                           category=rng.choice(categories))
    areas = db.session.scalars(select(Area).where(Area.path.startswith(district.path), Area.kind != "district")).all()
    venue_rows = db.session.scalars(select(Venue).where(Venue.name.startswith("测试场馆"), Venue.area_id.in_([a.id for a in areas]))).all()
    programs = db.session.scalars(select(Program).where(Program.slug.startswith(f"bench-{seed}-"))).all()
    return areas, venue_rows, programs


def generate_dataset(total: int, seed: int, *, per_month: int = 10_000, now: datetime | None = None,
                     chunk: int = 20_000) -> dict[str, int]:
    """Add exactly `total` occurrences in series of up to PER_SERIES; the same seed gives the same data."""
    rng = random.Random(seed)
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    span_days = max(14, -(-total * 30 // per_month))
    span_end = (now + timedelta(days=min(60, max(31, span_days // 2)))).date()
    span_start = span_end - timedelta(days=span_days)
    domain = current_app.config["ICAL_UID_DOMAIN"]
    if db.session.scalar(select(Event.id).where(Event.uid == f"gen-{seed}-0@{domain}")) is not None:
        return {"events": 0, "occurrences": 0}
    areas, venues, programs = _structure(seed, rng)
    event_rows, plans = [], []
    remaining = total
    i = 0

    def add_series(start_day, count: int, daily: bool, hour: tuple[int, int], length: timedelta, venue, program,
                   public: bool) -> None:
        nonlocal i
        step = timedelta(days=1 if daily else 7)
        start_local = datetime.combine(start_day, time(*hour))
        rule = f"FREQ=DAILY;COUNT={count}" if daily else f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[start_day.weekday()]};COUNT={count}"
        event_rows.append({
            "uid": f"gen-{seed}-{i}@{domain}", "sequence": 0, "title": f"{program.name}·第{i}期", "program_id": program.id,
            "venue_id": venue.id, "area_id": venue.area_id, "category": program.category, "capacity": venue.capacity,
            "is_free": True, "status": "published" if public else "draft", "starts_local": start_local,
            "ends_local": start_local + length, "timezone": "Asia/Shanghai", "is_all_day": False, "rrule": rule,
            "rdates": [], "exdates": [], "revised_at": now, "stored_until": now + timedelta(days=548),
            "created_at": now, "updated_at": now,
        })
        plans.append((start_local, length, step, count, venue.id, venue.area_id, program.id, public))
        i += 1

    while remaining > 0:
        daily = rng.random() < 0.3
        step_days = 1 if daily else 7
        count = min(PER_SERIES, remaining, max(1, span_days // step_days))
        remaining -= count
        offset = rng.randrange(0, span_days)
        hour = (rng.choice([9, 14, 18, 19]), rng.choice([0, 30]))
        length = timedelta(minutes=rng.choice([60, 90, 120, 150]))
        venue, program, public = rng.choice(venues), rng.choice(programs), rng.random() < 0.95
        # A series that would run past the span's end wraps round to its start as a second series,
        # so every day of the span gets the same expected number of occurrences (no ramp at the edges).
        inside = min(count, -(-(span_days - offset) // step_days))
        add_series(span_start + timedelta(days=offset), inside, daily, hour, length, venue, program, public)
        if count > inside:
            wrapped = offset + inside * step_days - span_days
            add_series(span_start + timedelta(days=wrapped), count - inside, daily, hour, length, venue, program, public)
    inserted = 0
    changeover = timedelta(minutes=30)  # the generated venues keep the default changeover
    first_event_id = None
    for offset in range(0, len(event_rows), 5_000):
        ids = db.session.scalars(
            insert(Event).returning(Event.id, sort_by_parameter_order=True), event_rows[offset:offset + 5_000]
        ).all()
        first_event_id = first_event_id or ids[0]
        occ_rows = []
        for event_id, (start_local, length, step, count, venue_id, area_id, program_id, public) in zip(
                ids, plans[offset:offset + 5_000]):
            first_utc = (start_local - SHANGHAI_OFFSET).replace(tzinfo=timezone.utc)
            for k in range(count):
                starts = first_utc + step * k
                occ_rows.append({"event_id": event_id, "original_starts_at": starts, "starts_at": starts,
                                 "ends_at": starts + length, "blocks_until": starts + length + changeover,
                                 "holds_venue": False, "status": "scheduled", "is_detached": False,
                                 "venue_id": venue_id, "area_id": area_id, "program_id": program_id,
                                 "is_public": public})
                if len(occ_rows) >= chunk:
                    db.session.execute(insert(Occurrence), occ_rows)
                    inserted += len(occ_rows)
                    occ_rows = []
        if occ_rows:
            db.session.execute(insert(Occurrence), occ_rows)
            inserted += len(occ_rows)
    # A bulk load leaves the planner's statistics stale (SQLite has none until asked); refresh them as
    # any bulk import should, so plans match what a running database would choose.
    db.session.flush()
    if first_event_id is not None:
        db.session.execute(_HOLD_GENERATED, {"first_event": first_event_id})
    db.session.execute(text("ANALYZE"))
    return {"events": len(event_rows), "occurrences": inserted}


#: Generated series overlap at random; like the migration's backfill, an occurrence holds its
#: exclusive venue when it starts after every earlier booking there has ended (changeover included),
#: so the data satisfies the venue-hold rule and most rows hold, as on a real platform.
_HOLD_GENERATED = text("""
UPDATE occurrences SET holds_venue = true
FROM (
    SELECT o.id, o.starts_at,
           max(o.blocks_until) OVER (PARTITION BY o.venue_id ORDER BY o.starts_at, o.id
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS busy_until
    FROM occurrences o JOIN venues v ON v.id = o.venue_id
    WHERE v.is_exclusive AND o.event_id >= :first_event
) AS earlier
WHERE occurrences.id = earlier.id AND (earlier.busy_until IS NULL OR earlier.starts_at >= earlier.busy_until)
""")
