"""Benchmark of the public pages: latency and SQL statements per page as the occurrences table grows.

    python -m bench.bench_pages [--sizes 10000,100000] [--requests 50] [--postgres ADMIN_URL]

For each size, a fresh database gets the demo year (load_demo) plus that many synthetic occurrences
(generate_dataset), the clock is pinned to the demo's "now", and each page is requested through the
Flask test client (no network): a few warm-up requests, then `--requests` timed ones. Prints p50/p95
in milliseconds and the SQL statements per request, then checks the goals: home p95 <= 50 ms and the
statement count the same at every size.
"""
from __future__ import annotations

import argparse
import gc
from datetime import datetime, timezone

from sqlalchemy import func, select

from bench.common import count_queries, make_app, postgres_url, sample, sqlite_url

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)  # tests.conftest.DEMO_NOW
HOME_GOAL_P95_MS = 50.0


def _paths(db) -> dict[str, str]:
    from calendar_app.areas.models import Area
    from calendar_app.events.models import Event

    event_id = db.session.scalar(select(Event.id).where(Event.uid.startswith("demo-feiyi-saturday")))
    town = db.session.scalar(select(Area.id).where(Area.code == "370305106"))
    return {
        "home": "/",
        "home weekend": "/?when=weekend",
        "home filtered": f"/?area={town}&category=film&q=放映",
        "month": "/month",
        "event": f"/events/{event_id}",
        "program": "/programs/rural-film",
        "area": f"/areas/{town}",
    }


def _statements_per_request(app, client, path: str) -> int:
    with count_queries(app) as statements:
        client.get(path)
    return len(statements)


def bench_size(size: int, url: str, requests: int) -> dict[str, dict]:
    from calendar_app.demo.generate import generate_dataset
    from calendar_app.demo.load import load_demo
    from calendar_app.events.models import Occurrence
    from calendar_app.extensions import db

    app = make_app(url, FIXED_NOW=NOW)
    with app.app_context():
        load_demo(NOW.year, now=NOW)
        db.session.commit()
        generate_dataset(size, seed=1, now=NOW)
        db.session.commit()
        stored = db.session.scalar(select(func.count()).select_from(Occurrence))
        paths = _paths(db)
    # A web process never bulk-loads data: leave the loading's garbage out of the timed requests' GC passes.
    gc.collect()
    gc.freeze()
    client = app.test_client()
    results = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        timing = sample(lambda p=path: client.get(p), repeat=requests, warmup=5)
        results[name] = {**timing, "queries": _statements_per_request(app, client, path)}
    gc.unfreeze()
    print(f"\n{stored:,} occurrences stored ({size:,} synthetic + the demo year), {requests} requests per page")
    print(f"{'page':<15} {'p50 ms':>8} {'p95 ms':>8} {'SQL/request':>12}")
    for name, row in results.items():
        print(f"{name:<15} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['queries']:>12}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="synthetic occurrences per run, comma-separated")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (after 5 warm-up)")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="run on fresh PostgreSQL databases instead of SQLite")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = {}
    for size in sizes:
        name = f"bench_pages_{size}"
        url = postgres_url(args.postgres, name) if args.postgres else sqlite_url(name)
        runs[size] = bench_size(size, url, args.requests)
    home_p95 = {size: run["home"]["p95"] for size, run in runs.items()}
    counts = {size: {page: row["queries"] for page, row in run.items()} for size, run in runs.items()}
    same = all(c == counts[sizes[0]] for c in counts.values())
    print()
    print(f"home p95 <= {HOME_GOAL_P95_MS:.0f} ms: " + ", ".join(
        f"{size:,}: {p95:.1f} ms {'ok' if p95 <= HOME_GOAL_P95_MS else 'OVER'}" for size, p95 in home_p95.items()))
    print(f"SQL statements per page independent of data size: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
