"""Benchmark of the reports: venue load for 500 venues over a year by week, and the year summary.

    python -m bench.bench_reports [--sizes 100000,1000000] [--repeat 10] [--postgres ADMIN_URL]

For each size a fresh database gets `flask demo generate`'s synthetic data with 500 venues (the same
density of 8,000 occurrences a month at every size, about 100,000 a year: a bigger dataset only means
more years of history), written by a child process (`bench.common.generate_elsewhere`: the measuring
process starts on the stored data as a server's worker does). It then times, side by side:

- venue load: every venue over 52 weeks, by week (the service),
- venue load API: the same through GET /api/v1/reports/venue-load with an admin token (JSON included),
- year summary: the bench district's year, per program, town and month (the service).

On PostgreSQL the database is vacuumed and analysed after loading, as autovacuum would do in production.
It prints the median and p95 in ms, the occurrences the year holds, and the ratio of the largest size
to the smallest (goals: <= 300 ms at 100k, ratio <= 1.5).
"""
from __future__ import annotations

import argparse
from datetime import date, datetime, timezone

from bench.common import generate_elsewhere, make_app, postgres_url, sample, sqlite_url

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
#: 8,000 occurrences a month (about 100,000 a year): the 100k dataset is one year of history, 1M ten.
PER_MONTH = 8_000
#: 52 Monday weeks ending at the last Sunday the generated data covers at both sizes (it runs to now + 60 days).
START, END = date(2026, 1, 19), date(2027, 1, 17)
VENUES = 500


def measure(url: str, size: int, repeat: int) -> dict:
    from sqlalchemy import func, select

    from calendar_app.accounts.scope import Scope
    from calendar_app.accounts.services import create_user
    from calendar_app.accounts.tokens import issue_api_token
    from calendar_app.areas.models import Area
    from calendar_app.clock import local_zone
    from calendar_app.events.models import Occurrence
    from calendar_app.extensions import db
    from calendar_app.reports.periods import checked
    from calendar_app.reports.summary import year_summary
    from calendar_app.reports.venue_load import venue_load, utc_bounds

    generate_seconds = generate_elsewhere(url, size, now=NOW, per_month=PER_MONTH, venues=VENUES)
    app = make_app(url, FIXED_NOW=NOW.isoformat())
    with app.app_context():
        district = db.session.scalar(select(Area).where(Area.code == "bench7"))
        admin = create_user(username="bench_admin", password="bench admin passphrase 2026", role="admin",
                            area_id=district.id, check_policy=False)
        token = issue_api_token(admin)[1]
        db.session.commit()
        tz = local_zone()
        period = checked(START, END)
        lo, hi = utc_bounds(period, tz)
        in_window = db.session.scalar(select(func.count()).select_from(Occurrence).where(
            Occurrence.starts_at >= lo, Occurrence.starts_at < hi))
        scope = Scope(admin.id, "admin", district.id, None)
        report = venue_load(scope, period, "week", tz=tz)
        venues, weeks = len(report.venues), len(report.buckets)

        def load() -> None:
            venue_load(scope, period, "week", tz=tz)
            db.session.rollback()

        def summary() -> None:
            year_summary(district, 2026, now=NOW, tz=tz)
            db.session.rollback()

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        api_url = f"/api/v1/reports/venue-load?start={START}&end={END}&granularity=week"

        def api() -> None:
            response = client.get(api_url, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:200]

        load_ms = sample(load, repeat, warmup=2)
        api_ms = sample(api, max(3, repeat // 2), warmup=1)
        summary_ms = sample(summary, repeat, warmup=2)
    return {"size": size, "generate_s": generate_seconds, "venues": venues, "weeks": weeks, "in_window": in_window,
            "load": load_ms, "api": api_ms, "summary": summary_ms}


def report(label: str, results: list[dict]) -> None:
    print(f"\n{label}: venue load of every venue over {START}..{END} by week, year summary of 2026")
    print(f"{'stored':>10} {'venues':>7} {'weeks':>6} {'in year':>8} {'load p50':>9} {'load p95':>9} {'API p50':>8} "
          f"{'summary p50':>12} {'summary p95':>12} {'generate s':>11}")
    for r in results:
        print(f"{r['size']:>10,} {r['venues']:>7} {r['weeks']:>6} {r['in_window']:>8,} {r['load']['p50']:>9.1f} "
              f"{r['load']['p95']:>9.1f} {r['api']['p50']:>8.1f} {r['summary']['p50']:>12.1f} "
              f"{r['summary']['p95']:>12.1f} {r['generate_s']:>11.1f}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"ratio {last['size']:,} / {first['size']:,}: venue load x{last['load']['p50'] / first['load']['p50']:.2f}, "
              f"API x{last['api']['p50'] / first['api']['p50']:.2f}, "
              f"year summary x{last['summary']['p50'] / first['summary']['p50']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", help="admin URL, e.g. postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.skip_sqlite:
        report("SQLite", [measure(sqlite_url(f"reports{size}"), size, args.repeat) for size in sizes])
    if args.postgres:
        report("PostgreSQL", [measure(postgres_url(args.postgres, f"bench_reports_{size}"), size, args.repeat)
                              for size in sizes])


if __name__ == "__main__":
    main()
