"""Each public page runs a fixed number of SQL statements, whatever the number of occurrences
(counted with SQLAlchemy's before_cursor_execute event: a behaviour test, not a timing test)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from calendar_app.areas.models import Area
from calendar_app.demo.generate import generate_dataset
from calendar_app.events.models import Event, Occurrence
from calendar_app.public.queries import PAGE_SIZE, window_query
from calendar_app.public.windows import window_for
from calendar_app.venues.models import Venue
from tests.conftest import DEMO_NOW
from tests.public.helpers import count_queries, html, listed_occurrence_ids


def _paths(db) -> list[str]:
    event_id = db.session.scalar(select(Event.id).where(Event.uid.startswith("demo-feiyi-saturday")))
    occurrence_id = db.session.scalar(select(func.max(Occurrence.id)).where(Occurrence.event_id == event_id))
    jinshan = db.session.scalar(select(Area.id).where(Area.code == "370305106"))
    venue = db.session.scalar(select(Venue.id).where(Venue.name == "尼山书院"))
    return [
        "/", "/?when=today", "/?when=weekend", f"/?area={jinshan}&category=film&free=1&q=放映",
        f"/?venue={venue}&program=rural-film", "/month", f"/month?ym=2026-12&area={jinshan}",
        f"/events/{event_id}", f"/events/{event_id}?occurrence={occurrence_id}",
        "/programs/rural-film", f"/areas/{jinshan}", f"/venues/{venue}", "/editions/1",
    ]


def _counts(app, client, paths) -> dict[str, int]:
    counts = {}
    for path in paths:
        with count_queries(app) as statements:
            html(client.get(path))
        counts[path] = len(statements)
    return counts


def test_query_count_per_page_does_not_grow_with_the_number_of_occurrences(app, site, demo):
    paths = _paths(demo)
    before = _counts(app, site, paths)
    # areas, programs, venues (filters and towns), the window's rows, day facts (2), the highlights (editions,
    # their rows) and the fallback posters of programs and editions
    assert before["/"] <= 9, before
    assert max(before.values()) <= 10, before

    added = generate_dataset(20_000, seed=11, now=DEMO_NOW)
    demo.session.commit()
    assert added["occurrences"] == 20_000
    window = window_for("next30", DEMO_NOW, ZoneInfo(app.config["CALENDAR_TIMEZONE"]))
    in_window = demo.session.scalar(select(func.count()).select_from(window_query(window.start, window.end).subquery()))
    assert in_window > PAGE_SIZE * 3  # the new rows really land in the home page's window

    after = _counts(app, site, paths)
    print("SQL statements per page:", after)
    assert after == before
    assert len(listed_occurrence_ids(html(site.get("/")))) == PAGE_SIZE  # bounded by the page size


def test_home_listing_reads_through_the_public_window_index(app, demo):
    if demo.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL chooses plans by table statistics")
    window = window_for("next30", DEMO_NOW, ZoneInfo(app.config["CALENDAR_TIMEZONE"]))
    compiled = window_query(window.start, window.end).compile(demo.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row) for row in demo.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_occurrences_public_window" in plan
