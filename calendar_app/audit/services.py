from __future__ import annotations

from calendar_app.audit.models import AuditLog
from calendar_app.extensions import db


def record(action: str, entity_type: str, entity_id: int | None, *, user_id: int | None = None,
           changes: dict | None = None) -> AuditLog:
    """Add an audit row in the current transaction (it commits or rolls back with the change itself)."""
    entry = AuditLog(action=action, entity_type=entity_type, entity_id=entity_id, user_id=user_id, changes=changes)
    db.session.add(entry)
    return entry
