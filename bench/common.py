"""Helpers shared by the benchmark commands: fresh databases, an app on them, and timing."""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def timer():
    """`with timer() as t: ...` then t() gives the elapsed seconds."""
    started = time.perf_counter()
    elapsed = [None]
    yield lambda: elapsed[0] if elapsed[0] is not None else time.perf_counter() - started
    elapsed[0] = time.perf_counter() - started


def sample(fn, repeat: int, warmup: int = 3) -> dict[str, float]:
    """Call fn `warmup` times, then `repeat` times; return p50/p95/mean in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)], "mean": statistics.fmean(times)}


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
