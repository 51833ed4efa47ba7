"""Counts of the outbox by state (for `flask notifications status` and the staff page)."""
from __future__ import annotations

from sqlalchemy import func, select

from calendar_app import clock
from calendar_app.extensions import db
from calendar_app.notifications.models import Notification


def counts() -> dict[str, int]:
    """{"pending", "due" (pending and due now), "sent", "failed", "skipped"}."""
    by_state = dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    due = db.session.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.state == "pending", Notification.due_at <= clock.now()))
    return {"pending": by_state.get("pending", 0), "due": due or 0, "sent": by_state.get("sent", 0),
            "failed": by_state.get("failed", 0), "skipped": by_state.get("skipped", 0)}


def skipped_by_reason() -> dict[str, int]:
    return dict(db.session.execute(select(Notification.skip_reason, func.count())
                                   .where(Notification.state == "skipped").group_by(Notification.skip_reason)).all())
