"""Rows written in bulk (`calendar_app.db.insert_rows`: one INSERT from column arrays on PostgreSQL, an
executemany on SQLite) read back exactly as rows written one by one through the ORM."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from calendar_app.audit.models import AuditLog
from calendar_app.db import insert_rows
from calendar_app.feeds.models import FeedChange
from tests.statements import recorded

AT = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)


def _audit_rows() -> list[dict]:
    # Values shared by every row (action, a user of None, no changes), values that vary, NULLs among them,
    # JSON with Chinese text, and times in another zone than UTC.
    rows = [{"at": AT + timedelta(seconds=i), "action": "event.create", "entity_type": "event", "entity_id": i,
             "user_id": None, "changes": {"title": f"村晚·第{i}场", "tags": ["戏曲", i]} if i % 2 else None}
            for i in range(4)]
    rows[3]["entity_id"] = None
    rows[2]["at"] = rows[2]["at"].astimezone(timezone(timedelta(hours=8)))
    return rows


def _stored(db) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        select(AuditLog.at, AuditLog.action, AuditLog.entity_type, AuditLog.entity_id, AuditLog.user_id,
               AuditLog.changes).order_by(AuditLog.id))]


def test_audit_rows_written_in_bulk_read_back_as_rows_written_one_by_one(db):
    for row in _audit_rows():
        db.session.add(AuditLog(**row))
    db.session.commit()
    one_by_one = _stored(db)
    db.session.execute(AuditLog.__table__.delete())
    db.session.commit()

    with recorded(db.engine) as seen:
        insert_rows(db.session.connection(), AuditLog.__table__, _audit_rows())
    db.session.commit()
    assert _stored(db) == one_by_one
    assert [s.rows for s in seen if s.starts("INSERT INTO AUDIT_LOG")] == [4]


def test_a_bulk_insert_of_one_row_or_of_identical_values_stores_each_row(db):
    insert_rows(db.session.connection(), FeedChange.__table__, [{"key": "all", "created_at": AT}])
    # Every column the same in both rows: still two rows.
    insert_rows(db.session.connection(), FeedChange.__table__,
                [{"key": "event:1", "created_at": AT}, {"key": "event:1", "created_at": AT}])
    insert_rows(db.session.connection(), FeedChange.__table__, [])
    db.session.commit()
    assert db.session.execute(select(FeedChange.key, FeedChange.created_at).order_by(FeedChange.id)).all() == [
        ("all", AT), ("event:1", AT), ("event:1", AT)]
