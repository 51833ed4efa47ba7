"""The scheduler's minute job: plan, then send what is due (the database is the schedule)."""
from __future__ import annotations

import logging

from calendar_app.db import write_intent
from calendar_app.extensions import db

log = logging.getLogger(__name__)


def plan_and_dispatch() -> None:
    """Plan (commit), then dispatch what is due. On SQLite skip the sending while another dispatcher runs."""
    from calendar_app.notifications import dispatcher, planner

    token = write_intent.set(True)
    try:
        result = planner.plan()
        db.session.commit()
    finally:
        write_intent.reset(token)
    with dispatcher.single_dispatcher(wait=False) as mine:
        if not mine:
            log.info("notifications: another dispatcher holds the lock; not sending this minute")
            return
        sent = dispatcher.dispatch_due()
    if result.reminders or result.changes or sent.claimed:
        log.info("notifications: planned %d reminders, %d change notices; sent %d, retried %d, failed %d, skipped %s",
                 result.reminders, result.changes, sent.sent, sent.retried, sent.failed, sent.skipped)
