"""The scheduler's jobs: every minute plan, then send what is due (the database is the schedule);
on Monday morning queue the weekly digests (the minute job sends them)."""
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


def plan_weekly_digests(week=None):
    """Queue this week's (or `week`'s) digests and commit: once per user and week, however often it runs."""
    from calendar_app.notifications.digests import plan_digests

    token = write_intent.set(True)
    try:
        result = plan_digests(week)
        db.session.commit()
    finally:
        write_intent.reset(token)
    log.info("notifications: weekly digests queued %d (already queued %d, without email %d, opted out %d)",
             result.queued, result.already, result.without_email, result.opted_out)
    return result
