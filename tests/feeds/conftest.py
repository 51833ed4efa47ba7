"""Feed test fixtures: the feed clock pinned to DEMO_NOW, and ways to read a feed back.

A feed is checked by expanding it with recurring-ical-events (and Mozilla's ical.js when it is
installed) and comparing the occurrences with the stored ones: (UID, start UTC, end UTC, cancelled).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from calendar_app.events.models import Event, Occurrence
from calendar_app.feeds.specs import Window, feed_window
from tests.conftest import DEMO_NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")
ICALJS_SCRIPT = Path(__file__).with_name("icaljs_expand.mjs")


@pytest.fixture(autouse=True)
def feed_clock(app, monkeypatch):
    """Feeds are rendered for DEMO_NOW, the instant the demo year was loaded for (the previous setting is restored)."""
    monkeypatch.setitem(app.config, "FEEDS_NOW", DEMO_NOW)
    return DEMO_NOW


def window_for(app) -> Window:
    c = app.config
    return feed_window(DEMO_NOW, days_back=c["FEED_WINDOW_DAYS_BACK"], months_ahead=c["FEED_WINDOW_MONTHS_AHEAD"],
                       tz=c["CALENDAR_TIMEZONE"])


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def _utc(value, tz: ZoneInfo = SHANGHAI) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=tz)  # all-day: local midnight
    return value.astimezone(timezone.utc)


def expanded(body: bytes, window: Window) -> set[tuple]:
    """(UID, start UTC, end UTC, cancelled) of every occurrence recurring-ical-events expands in the window."""
    cal = parse(body)
    # A window in the calendar's zone makes all-day dates mean local days, as they are stored.
    start, end = window.start.astimezone(SHANGHAI), window.end.astimezone(SHANGHAI)
    return {
        (str(e["UID"]), _utc(e["DTSTART"].dt), _utc(e["DTEND"].dt), str(e.get("STATUS", "")) == "CANCELLED")
        for e in recurring_ical_events.of(cal).between(start, end)
    }


def stored(db, window: Window, *conditions, public: bool = True) -> set[tuple]:
    """The same tuples for the stored occurrences a feed selects (`conditions` on Occurrence/Event)."""
    stmt = (select(Event.uid, Occurrence.starts_at, Occurrence.ends_at, Occurrence.status, Event.status)
            .join(Event, Event.id == Occurrence.event_id)
            .where(Occurrence.starts_at < window.end, Occurrence.ends_at > window.start, *conditions))
    if public:
        stmt = stmt.where(Occurrence.is_public.is_(True) | (Event.status == "cancelled"))
    return {(uid, s, e, status == "cancelled" or event_status == "cancelled")
            for uid, s, e, status, event_status in db.session.execute(stmt)}


def icaljs_available() -> bool:
    return shutil.which("node") is not None and _icaljs_dir() is not None


@pytest.fixture(scope="session")
def icaljs() -> str:
    """Mozilla's ical.js, installed from tests/feeds/package-lock.json when missing; a run without it fails.

    The cross-check with an independent, non-Python parser is part of the suite, not an optional extra: a
    developer's run that silently skipped it would pass where CI fails.
    """
    if _icaljs_dir() is None and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=Path(__file__).parent,
                       check=False, timeout=300)
    if not icaljs_available():
        pytest.fail("ical.js is required: install node and npm, then run `npm ci` in tests/feeds (or set ICALJS_DIR)",
                    pytrace=False)
    return _icaljs_dir()


def _icaljs_dir() -> str | None:
    """A directory whose node_modules holds ical.js (ICALJS_DIR, or the tests' own folder)."""
    for candidate in (os.environ.get("ICALJS_DIR"), str(Path(__file__).parent)):
        if candidate and (Path(candidate) / "node_modules" / "ical.js").is_dir():
            return candidate
    return None


def expanded_by_icaljs(body: bytes, window: Window) -> set[tuple]:
    """The same tuples as `expanded`, but from Mozilla's ical.js (Thunderbird's parser), which trusts VTIMEZONE."""
    env = {**os.environ, "ICALJS_DIR": _icaljs_dir(), "TZ": "Asia/Shanghai"}
    result = subprocess.run(
        ["node", str(ICALJS_SCRIPT), window.start.isoformat(), window.end.isoformat()],
        input=body, capture_output=True, check=True, env=env, cwd=_icaljs_dir(), timeout=120,
    )
    return {(uid, datetime.fromisoformat(s), datetime.fromisoformat(e), status == "CANCELLED")
            for uid, s, e, status in json.loads(result.stdout)}


def unfolded_lines(body: bytes) -> list[str]:
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")
