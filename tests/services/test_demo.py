"""`flask demo load` builds a realistic year from the seeds, and loading twice duplicates nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from calendar_app.demo.load import counts, load_demo
from calendar_app.events.models import Event, Occurrence
from tests.conftest import DEMO_NOW


def test_demo_load_is_idempotent(db):
    first = load_demo(2026, now=DEMO_NOW)
    db.session.commit()
    before = counts()
    second = load_demo(2026, now=DEMO_NOW)
    db.session.commit()
    assert first["events"] > 50
    assert second == {}
    assert counts() == before


def test_demo_cli_prints_counts_and_demo_accounts(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "admin / demo-admin-2026" in result.output
    assert "occurrences" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "未重复创建" in again.output


def test_demo_past_occurrences_carry_reported_attendance_except_the_last_days(db):
    load_demo(2026, now=DEMO_NOW)
    held = select(func.count()).select_from(Occurrence).join(Occurrence.event).where(
        Occurrence.status != "cancelled", Event.status == "published")
    older = held.where(Occurrence.ends_at < DEMO_NOW - timedelta(days=4))
    recent = held.where(Occurrence.ends_at < DEMO_NOW, Occurrence.ends_at >= DEMO_NOW - timedelta(days=4))
    assert db.session.scalar(older) > 100
    assert db.session.scalar(older.where(Occurrence.attendance.is_not(None))) == db.session.scalar(older)
    assert db.session.scalar(recent) > 0
    assert db.session.scalar(recent.where(Occurrence.attendance.is_not(None))) == 0


def test_demo_programs_are_stored_as_series_not_hand_made_events(db):
    load_demo(2026, now=DEMO_NOW)
    series = db.session.scalar(select(func.count()).select_from(Event).where(
        (Event.rrule.is_not(None)) | (Event.lunar_rule.is_not(None))))
    events = db.session.scalar(select(func.count()).select_from(Event))
    occurrences = db.session.scalar(select(func.count()).select_from(Occurrence))
    assert series >= 30
    assert occurrences > 10 * events
