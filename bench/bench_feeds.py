"""Benchmark of the iCalendar feeds: cold render, warm request (stored bytes) and 304 request of a large feed.

    python -m bench.bench_feeds [--occurrences 100000] [--per-month 10000] [--requests 200] [--postgres ADMIN_URL]

A fresh database gets the demo year (load_demo) plus `--occurrences` synthetic occurrences
(generate_dataset), with the clock pinned to the demo's "now". The feed measured is the all-events
feed, the largest one. Prints: the feed's size; its cold render (nothing cached in this process:
query, build, serialise, store); a re-render with the VEVENT blocks cached; a render of every feed
(what the hourly job does); then p50/p95 over `--requests` requests through the Flask test client
of a warm request (stored bytes) and of a 304 (If-None-Match), and checks the goals: warm p95 <= 50 ms,
304 p95 <= 5 ms. With the defaults the feed holds about 1,700 VEVENTs (the generator spreads 10,000
occurrences a month, mostly before the feed window); `--occurrences 300000 --per-month 25000` gives
about 4,500.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

from bench.common import make_app, postgres_url, sample, sqlite_url

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)  # tests.conftest.DEMO_NOW
WARM_GOAL_MS, NOT_MODIFIED_GOAL_MS = 50.0, 5.0


def run(report=print, *, occurrences: int = 100_000, per_month: int = 10_000, requests: int = 200,
        postgres: str | None = None) -> dict:
    """Build the data, measure, `report` each line; return the figures (milliseconds)."""
    from sqlalchemy import select

    from calendar_app.demo.generate import generate_dataset
    from calendar_app.demo.load import load_demo
    from calendar_app.extensions import db
    from calendar_app.feeds import ical, store
    from calendar_app.feeds.models import FeedDocument
    from calendar_app.feeds.specs import FeedSpec

    url = postgres_url(postgres, "bench_feeds") if postgres else sqlite_url("bench_feeds")
    app = make_app(url, FEEDS_NOW=NOW)
    figures: dict = {}
    with app.app_context():
        started = time.perf_counter()
        load_demo(2026, now=NOW)
        generated = generate_dataset(occurrences, seed=1, per_month=per_month, now=NOW)
        db.session.commit()
        report(f"data: demo year + {generated['occurrences']:,} occurrences in {generated['events']:,} series on "
               f"{db.engine.dialect.name} ({time.perf_counter() - started:.1f} s)")

        spec = FeedSpec("all")
        ical.render_series.cache_clear()  # cold: no VEVENT block rendered in this process yet
        db.session.execute(FeedDocument.__table__.delete())
        db.session.commit()
        started = time.perf_counter()
        store.render_document(spec)
        db.session.commit()
        figures["cold_ms"] = (time.perf_counter() - started) * 1000
        document = db.session.scalar(select(FeedDocument).where(FeedDocument.key == spec.key))
        path, etag, size, vevents = document.path, document.etag, len(document.body), document.vevent_count
        report(f"feed {path}: {vevents:,} VEVENTs (masters and overrides), {size / 1024:,.0f} KB")
        report(f"  cold render (query, build, serialise, store)   {figures['cold_ms']:9.1f} ms")
        started = time.perf_counter()
        store.render_feeds([spec])
        db.session.commit()
        figures["rerender_ms"] = (time.perf_counter() - started) * 1000
        report(f"  re-render, VEVENT blocks cached               {figures['rerender_ms']:9.1f} ms")
        everything = store.render_all()
        db.session.commit()
        figures["render_all_ms"] = everything.seconds * 1000
        report(f"  render every feed ({everything.rendered:,} feeds, the hourly job) {figures['render_all_ms']:9.1f} ms")

    client = app.test_client()
    warm = sample(lambda: client.get(path), requests)
    not_modified = sample(lambda: client.get(path, headers={"If-None-Match": etag}), requests)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    report(f"  warm request (stored bytes)     p50 {warm['p50']:6.2f} ms   p95 {warm['p95']:6.2f} ms   "
           f"goal p95 <= {WARM_GOAL_MS:g} ms  {'ok' if warm['p95'] <= WARM_GOAL_MS else 'MISSED'}")
    report(f"  304 request (If-None-Match)     p50 {not_modified['p50']:6.2f} ms   p95 {not_modified['p95']:6.2f} ms   "
           f"goal p95 <= {NOT_MODIFIED_GOAL_MS:g} ms  {'ok' if not_modified['p95'] <= NOT_MODIFIED_GOAL_MS else 'MISSED'}")
    figures.update(vevents=vevents, bytes=size, warm=warm, not_modified=not_modified)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark of the iCalendar feeds")
    parser.add_argument("--occurrences", type=int, default=100_000, help="synthetic occurrences (default 100000)")
    parser.add_argument("--per-month", type=int, default=10_000,
                        help="occurrences per month in the generated data (default 10000; more = denser window)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measurement (default 200)")
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        help="run on PostgreSQL: a database bench_feeds is (re)created on that server")
    args = parser.parse_args()
    run(occurrences=args.occurrences, per_month=args.per_month, requests=args.requests, postgres=args.postgres)


if __name__ == "__main__":
    main()
