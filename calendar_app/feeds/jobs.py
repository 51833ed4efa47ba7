"""Scheduled feed rendering (run by calendar_app.scheduler, which commits)."""
from __future__ import annotations

import logging

from calendar_app.feeds import store

log = logging.getLogger(__name__)


def render_pending_feeds() -> int:
    """Every minute: re-render the stored feeds that committed changes made stale."""
    stats = store.render_pending()
    if stats.rendered:
        log.info("feeds: %d re-rendered after changes (%d changed) in %.2fs", stats.rendered, stats.changed, stats.seconds)
    return stats.changed


def render_all_feeds() -> int:
    """Hourly: re-render every feed, so the rolling window moves and nothing stays stale."""
    stats = store.render_all()
    log.info("feeds: %d rendered (%d changed, %d removed) in %.2fs", stats.rendered, stats.changed, stats.removed,
             stats.seconds)
    return stats.changed
