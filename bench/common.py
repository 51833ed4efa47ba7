"""Helpers shared by the benchmark commands: fresh databases, an app on them, and timing."""
from __future__ import annotations

import multiprocessing
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import event as sa_event

from calendar_app import create_app
from calendar_app.extensions import db as _db
from config import TestingConfig


def sqlite_url(name: str) -> str:
    directory = Path(tempfile.mkdtemp(prefix="calendar-bench-"))
    return f"sqlite:///{directory / name}.db"


def postgres_url(admin_url: str, name: str) -> str:
    """Create (or recreate) database `name` on the server of `admin_url` and return its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def make_app(url: str, **config):
    """An app on a freshly migrated database at `url` (the scheduler never starts here)."""
    from flask_migrate import upgrade

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = url.replace("postgresql://", "postgresql+psycopg://", 1)
    for key, value in config.items():
        setattr(cfg, key, value)
    app = create_app(cfg)
    with app.app_context():
        upgrade()
    return app


def generate_elsewhere(url: str, size: int, *, now: datetime, per_month: int | None = None,
                       venues: int | None = None) -> float:
    """Fill the database at `url` with `flask demo generate`'s data of `size` occurrences, in a child
    process; return the seconds it took.

    The measuring process then starts on the stored data as a server worker does, not with the heap of a
    process that has just built a million rows: in that process the garbage collector's full passes walk
    them all, which made the same venue-load report 224-232 ms from a fresh process but 282-332 ms there.
    On PostgreSQL the child also vacuums and analyses, as autovacuum does a minute after a bulk load (this
    server may run with it off): planner statistics, and the visibility map index-only scans need; then it
    checkpoints, so that writing out the load's gigabyte of pages does not fall inside the timings.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_generate, (url, size, now, per_month, venues))


def _generate(url: str, size: int, now: datetime, per_month: int | None, venues: int | None) -> float:
    from sqlalchemy import text

    from calendar_app.demo import generate

    if venues is not None:
        generate.VENUES = venues
    app = make_app(url, FIXED_NOW=now.isoformat())
    with app.app_context():
        with timer() as t:
            generate.generate_dataset(size, seed=7, now=now, **({"per_month": per_month} if per_month else {}))
            _db.session.commit()
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
                # And the load's dirty pages written out now, not by a checkpoint in the middle of the timings.
                conn.execute(text("CHECKPOINT"))
        _db.engine.dispose()
    return t()


@contextmanager
def timer():
    """`with timer() as t: ...` then t() gives the elapsed seconds."""
    started = time.perf_counter()
    elapsed = [None]
    yield lambda: elapsed[0] if elapsed[0] is not None else time.perf_counter() - started
    elapsed[0] = time.perf_counter() - started


def sample(fn, repeat: int, warmup: int = 3, after=None) -> dict[str, float]:
    """Call fn `warmup` times, then `repeat` times; return p50/p95/mean in milliseconds. `after`, if given,
    runs after each call, outside the timing (the benchmark's own checks, and undoing what fn wrote)."""
    for _ in range(warmup):
        fn()
        if after is not None:
            after()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        if after is not None:
            after()
    return summary(times)


def summary(times: list[float]) -> dict[str, float]:
    """p50, p95 and mean of timings in milliseconds."""
    times = sorted(times)
    return {"p50": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)], "mean": statistics.fmean(times)}


def machine_reference() -> dict[str, float]:
    """Two figures of the machine itself, in ms, to set beside timings taken on another day or machine
    (inside an app context): a fixed pure-Python workload, and one `SELECT 1` through the app's session,
    round trip included. The same booking took 11 ms on SQLite one day and 20 ms on another machine the
    next; these say how much of such a change is the machine."""
    from sqlalchemy import text

    python = sample(lambda: sorted(str(i) for i in range(100_000)), 7, warmup=1)["p50"]
    select_one = sample(lambda: _db.session.execute(text("SELECT 1")).scalar(), 300, warmup=20)["p50"]
    _db.session.rollback()
    return {"python_ms": python, "select1_ms": select_one}


@contextmanager
def count_queries(app) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (SAVEPOINTs and PRAGMAs excluded)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not re.match(r"\s*(PRAGMA|SAVEPOINT|RELEASE)", statement, re.I):
            statements.append(statement)

    with app.app_context():
        engine = _db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
