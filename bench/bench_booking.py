"""Benchmark of booking a venue: the clash check plus the insert of a weekly series for one year.

    python -m bench.bench_booking [--sizes 100000,1000000] [--repeat 30] [--postgres ADMIN_URL] [--skip-sqlite]

For each size a fresh database gets `flask demo generate`'s synthetic data (the same density around
"now"; a bigger dataset only means more history), in which generated occurrences hold their exclusive
venues as real bookings do, written by a child process (`bench.common.generate_elsewhere`; on PostgreSQL
vacuumed and analysed as autovacuum would). At the busiest venue of the coming year it then times, side by side:

- book: validate, expand, check and store a weekly series of 52 late evenings in a free slot (timed up to
  the commit, which this bench never makes: outside the timing, the stored rows are counted and the
  booking rolled back; each run takes a slot of its own, as real bookings do: on PostgreSQL a rolled-back
  row stays in the indexes until VACUUM, so booking one slot again and again made every run probe the
  dead rows of all the runs before it, and the median drifted from 20 to 26 ms within a run),
- refuse: the same series in a taken slot, answered with every clash (nothing stored),

and prints the median and p95 in ms and the ratio of the largest size to the smallest (goal: book
median <= 20 ms and flat), with two figures of the machine itself to compare runs on different machines.
The sizes take turns, run by run (`measure`): all databases are generated first.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone

from bench.common import generate_elsewhere, machine_reference, make_app, postgres_url, sqlite_url, summary

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
WARMUP = 3


def _busiest_venue(db):
    from sqlalchemy import func, select

    from calendar_app.events.models import Occurrence

    return db.session.execute(
        select(Occurrence.venue_id, func.count()).where(
            Occurrence.holds_venue.is_(True), Occurrence.starts_at >= NOW,
            Occurrence.starts_at < NOW + timedelta(days=365))
        .group_by(Occurrence.venue_id).order_by(func.count().desc()).limit(1)).one()


def _taken_slot(db, venue_id: int) -> datetime:
    from sqlalchemy import select

    from calendar_app.events.models import Occurrence

    first = db.session.scalar(select(Occurrence.starts_at).where(
        Occurrence.venue_id == venue_id, Occurrence.holds_venue.is_(True), Occurrence.starts_at >= NOW)
        .order_by(Occurrence.starts_at).limit(1))
    return first.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)


class _Size:
    """One size's database, its app, and what was measured on it."""

    def __init__(self, url: str, size: int):
        from calendar_app.extensions import db
        from calendar_app.venues.models import Venue

        self.size = size
        self.generate_s = generate_elsewhere(url, size, now=NOW)
        self.app = make_app(url, FIXED_NOW=NOW.isoformat())
        with self.app.app_context():
            self.venue_id, self.upcoming = _busiest_venue(db)
            self.area_id = db.session.get(Venue, self.venue_id).area_id
            self.taken_start = _taken_slot(db, self.venue_id)
        # Generated bookings start at 9, 14, 18 or 19 o'clock and end by 22:00 plus changeover: from 23:00 to
        # 9:00 the venue is free. Each run books a slot of its own: one of 7 weekdays x 8 slots of 75 minutes
        # (45 minutes and the changeover), none of whose 52 weeks meets another run's.
        self.free_slots = iter([datetime(2026, 11, 24, 23, 0) + timedelta(days=day, minutes=75 * slot)
                                for slot in range(8) for day in range(7)])
        self.book_ms: list[float] = []
        self.refuse_ms: list[float] = []
        self.clashes = 0
        self.machine: dict[str, float] = {}

    def run(self, start: datetime, *, refused: bool) -> float:
        """One booking in a fresh app context (as a request has), timed up to the commit; then, untimed,
        the stored rows counted and the booking rolled back. Returns the milliseconds."""
        from sqlalchemy import func, select

        from calendar_app.events.conflicts import VenueConflict
        from calendar_app.events.models import Occurrence
        from calendar_app.events.services import EventData, create_event
        from calendar_app.extensions import db

        data = EventData(title="基准测试·每周晚间活动", area_id=self.area_id, venue_id=self.venue_id,
                         starts_local=start, ends_local=start + timedelta(minutes=45),
                         rrule="FREQ=WEEKLY;COUNT=52", status="draft")
        with self.app.app_context():
            began = time.perf_counter()
            try:
                event, _ = create_event(data, now=NOW)
                db.session.flush()
            except VenueConflict as exc:
                elapsed = (time.perf_counter() - began) * 1000
                if not refused:
                    raise AssertionError(f"the free slot {start} was refused: {exc.message}") from None
                self.clashes = len(exc.clashes)
            else:
                elapsed = (time.perf_counter() - began) * 1000
                if refused:
                    raise AssertionError(f"the taken slot {start} was booked")
                stored = db.session.scalar(select(func.count()).select_from(Occurrence).where(
                    Occurrence.event_id == event.id))
                assert stored == 52, stored
            db.session.rollback()
        return elapsed


def measure(targets: list[tuple[str, int]], repeat: int) -> list[dict]:
    """Book at every size's busiest venue, the sizes taking turns run by run.

    A shared machine's speed drifts by half within minutes (the same code gave 13 and 24 ms in one
    session, measured a size at a time); turns give every size the same mix of fast and slow minutes,
    so their ratio holds even when the absolute figures move."""
    sizes = [_Size(url, size) for url, size in targets]
    if repeat + WARMUP > 7 * 8:
        raise SystemExit(f"--repeat at most {7 * 8 - WARMUP}: each run needs a free slot of its own")
    for turn in range(WARMUP + repeat):
        for size in sizes:
            ms = size.run(next(size.free_slots), refused=False)
            if turn >= WARMUP:
                size.book_ms.append(ms)
    for _ in range(repeat):
        for size in sizes:
            size.refuse_ms.append(size.run(size.taken_start, refused=True))
    for size in sizes:
        with size.app.app_context():
            size.machine = machine_reference()
    return [{"size": s.size, "generate_s": s.generate_s, "venue_upcoming": s.upcoming, "book": summary(s.book_ms),
             "refuse": summary(s.refuse_ms), "clashes": s.clashes, "machine": s.machine} for s in sizes]


def report(label: str, results: list[dict]) -> None:
    print(f"\n{label}: weekly series of 52 evenings at the busiest venue")
    print(f"{'stored':>10} {'venue next year':>16} {'book p50':>9} {'book p95':>9} {'refuse p50':>11} "
          f"{'clashes':>8} {'generate s':>11}")
    for r in results:
        print(f"{r['size']:>10,} {r['venue_upcoming']:>16,} {r['book']['p50']:>9.2f} {r['book']['p95']:>9.2f} "
              f"{r['refuse']['p50']:>11.2f} {r['clashes']:>8} {r['generate_s']:>11.1f}")
    machine = results[-1]["machine"]
    print(f"machine: Python reference {machine['python_ms']:.1f} ms, SELECT 1 through the session "
          f"{machine['select1_ms']:.2f} ms (bench.common.machine_reference)")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"ratio {last['size']:,} / {first['size']:,}: book x{last['book']['p50'] / first['book']['p50']:.2f}, "
              f"refuse x{last['refuse']['p50'] / first['refuse']['p50']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", help="admin URL, e.g. postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.skip_sqlite:
        report("SQLite", measure([(sqlite_url(f"booking{size}"), size) for size in sizes], args.repeat))
    if args.postgres:
        report("PostgreSQL", measure([(postgres_url(args.postgres, f"bench_booking_{size}"), size) for size in sizes],
                                     args.repeat))


if __name__ == "__main__":
    main()
