"""Benchmark of the recurrence engine, occurrence storage and the occurrences API.

    python -m bench.bench_occurrences [--series 10000] [--sizes 10000,100000,1000000] [--postgres ADMIN_URL]

Prints: expansion of N series (pure), storing and regenerating N series through the events service,
and /api/v1/occurrences for one week and one month with 10k, 100k and 1M stored occurrences, each size
in its own fresh database with the same density around "now" (more data = more history), measured side
by side in one run, with the ratio of the largest to the smallest size.
"""
from __future__ import annotations

import argparse
import random
from datetime import date, datetime, time, timedelta, timezone

from bench.common import make_app, postgres_url, sample, sqlite_url, timer

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
RULES = [
    "FREQ=WEEKLY;BYDAY=SA",
    "FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA,SU;UNTIL=20270831T155959Z",
    "FREQ=MONTHLY;BYDAY=1SA",
    "FREQ=MONTHLY;BYDAY=-1SU",
    "FREQ=WEEKLY;BYDAY=TU,FR;COUNT=40",
    "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=1",
]


def _spec(i: int, rng: random.Random):
    from calendar_app import recurrence

    start = datetime.combine(date(2026, 1, 1) + timedelta(days=rng.randrange(0, 330)), time(19, 0))
    if i % 10 == 9:
        return recurrence.SeriesSpec(start=start, end=start + timedelta(hours=2),
                                     lunar=recurrence.parse_lunar_rule(rng.choice(["元宵节", "中秋节", "FESTIVAL=春节;DAYS=3"])))
    return recurrence.SeriesSpec(start=start, end=start + timedelta(hours=2), rrule=rng.choice(RULES))


def bench_expansion(n: int) -> None:
    from calendar_app import recurrence

    rng = random.Random(1)
    specs = [_spec(i, rng) for i in range(n)]
    horizon = NOW + timedelta(days=548)
    with timer() as t:
        total = sum(len(recurrence.expand(s, datetime(2025, 12, 31, tzinfo=timezone.utc), horizon)) for s in specs)
    print(f"expand {n} series to an 18-month horizon: {t():.2f} s, {total} instances "
          f"({t() / n * 1000:.3f} ms per series)")
    week = (NOW, NOW + timedelta(days=7))
    with timer() as t:
        sum(len(recurrence.expand(s, *week)) for s in specs)
    print(f"expand {n} series over one week:           {t():.2f} s ({t() / n * 1000:.3f} ms per series)")


def bench_store_and_regenerate(n: int, url: str) -> None:
    from calendar_app.events.models import Event
    from calendar_app.events.services import EventData, create_event, update_series
    from calendar_app.extensions import db
    from calendar_app.areas.services import create_area
    from sqlalchemy import func, select
    from calendar_app.events.models import Occurrence

    app = make_app(url)
    rng = random.Random(2)
    with app.app_context():
        district = create_area(kind="district", code="bench-store", name="基准区")
        town = create_area(kind="town", code="bench-store-t", name="基准镇", parent_id=district.id)
        db.session.commit()
        with timer() as t:
            for i in range(n):
                start = datetime.combine(date(2026, 1, 1) + timedelta(days=rng.randrange(0, 330)), time(19, 0))
                rule = rng.choice(["FREQ=MONTHLY;BYDAY=1SA", "FREQ=WEEKLY;BYDAY=SA;COUNT=12", "FREQ=MONTHLY;BYMONTHDAY=15"])
                create_event(EventData(title=f"系列{i}", area_id=town.id, starts_local=start,
                                       ends_local=start + timedelta(hours=2), rrule=rule, status="published"), now=NOW)
                if i % 500 == 499:
                    db.session.commit()
            db.session.commit()
        stored = db.session.scalar(select(func.count()).select_from(Occurrence))
        print(f"create {n} series through the service (validate, expand, store): {t():.1f} s, "
              f"{stored} occurrences ({t() / n * 1000:.2f} ms per series)")
        ids = db.session.scalars(select(Event.id)).all()
        with timer() as t:
            for k, event_id in enumerate(ids):
                event = db.session.get(Event, event_id)
                data = EventData.from_event(event)
                data.starts_local = data.starts_local.replace(hour=18, minute=30)
                data.ends_local = data.ends_local.replace(hour=20, minute=30)
                update_series(event, data, now=NOW)
                if k % 500 == 499:
                    db.session.commit()
                    db.session.expunge_all()
            db.session.commit()
        print(f"regenerate {n} series after a time change (whole series): {t():.1f} s "
              f"({t() / n * 1000:.2f} ms per series)")


def _all(client, url: str) -> list:
    items = []
    while url:
        body = client.get(url).json
        items += body["items"]
        url = body["next"]
    return items


def bench_api(sizes: list[int], make_url) -> None:
    from calendar_app.demo.generate import generate_dataset
    from calendar_app.extensions import db

    rows = []
    for size in sizes:
        app = make_app(make_url(f"bench_api_{size}"), FIXED_NOW=NOW)
        with app.app_context():
            with timer() as t:
                generate_dataset(size, seed=7, now=NOW)
                db.session.commit()
            gen_seconds = t()
        client = app.test_client()
        program = client.get("/api/v1/programs").json["items"][0]["slug"]
        week = "/api/v1/occurrences?start=2026-11-22&end=2026-11-28"
        month = "/api/v1/occurrences?start=2026-11-22&end=2026-12-21"
        figures = {}
        for label, url in [("week", week), ("month", month), ("week+program", f"{week}&program={program}"),
                           ("month, all pages", None)]:
            if url is None:
                def walk():
                    next_url = month + "&limit=500"
                    while next_url:
                        next_url = client.get(next_url).json["next"]
                figures[label] = sample(walk, repeat=5, warmup=1)
            else:
                assert client.get(url).status_code == 200
                figures[label] = sample(lambda u=url: client.get(u), repeat=40)
        week_items = len(_all(client, week + "&limit=500"))
        rows.append((size, gen_seconds, figures, week_items))
    print("\n/api/v1/occurrences, first page (limit 100) unless noted; ms p50 / p95")
    labels = list(rows[0][2])
    print(f"{'stored':>10} {'generate':>9} {'in week':>8} " + " ".join(f"{label:>22}" for label in labels))
    for size, gen_seconds, figures, week_items in rows:
        print(f"{size:>10} {gen_seconds:>8.1f}s {week_items:>8} " + " ".join(
            f"{figures[label]['p50']:>10.2f} / {figures[label]['p95']:>9.2f}" for label in labels))
    first, last = rows[0], rows[-1]
    for label in labels:
        print(f"ratio {last[0]}/{first[0]} for {label}: p50 x{last[2][label]['p50'] / first[2][label]['p50']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to run the API part on as well")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("== recurrence engine (pure) ==")
    bench_expansion(args.series)
    print("\n== store and regenerate through the events service (SQLite) ==")
    bench_store_and_regenerate(args.series, sqlite_url("store"))
    print("\n== occurrences API on SQLite ==")
    bench_api(sizes, sqlite_url)
    if args.postgres:
        print("\n== occurrences API on PostgreSQL ==")
        bench_api(sizes, lambda name: postgres_url(args.postgres, name))


if __name__ == "__main__":
    main()
