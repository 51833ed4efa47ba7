"""Scheduled jobs of the events feature (run by calendar_app.scheduler, which commits)."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from calendar_app.db import utcnow
from calendar_app.events.models import Event
from calendar_app.events.services import extend_occurrences
from calendar_app.extensions import db

log = logging.getLogger(__name__)


def extend_horizons(batch_size: int = 500) -> int:
    """Store the next day's worth of instances of every series whose horizon is running out."""
    from flask import current_app
    from dateutil.relativedelta import relativedelta

    now = utcnow()
    threshold = now + relativedelta(months=current_app.config["OCCURRENCE_HORIZON_MONTHS"]) - timedelta(hours=1)
    added = 0
    last_id = 0
    while True:
        events = db.session.scalars(
            select(Event)
            .where(Event.id > last_id, or_(Event.rrule.is_not(None), Event.lunar_rule.is_not(None)),
                   or_(Event.stored_until.is_(None), Event.stored_until < threshold))
            .order_by(Event.id).limit(batch_size)
        ).all()
        if not events:
            break
        for event in events:
            added += extend_occurrences(event, now=now)
        last_id = events[-1].id
        db.session.flush()
    log.info("extended occurrence horizons: %d occurrences added", added)
    return added
