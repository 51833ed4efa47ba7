"""The current instant, overridable for tests and benchmarks (config FIXED_NOW, an aware datetime)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from calendar_app.db import utcnow


def now() -> datetime:
    """The current instant in UTC; config FIXED_NOW (an aware datetime or ISO string) pins it."""
    fixed = current_app.config.get("FIXED_NOW")
    if not fixed:
        return utcnow()
    value = datetime.fromisoformat(fixed) if isinstance(fixed, str) else fixed
    return value.astimezone(timezone.utc)


def local_zone() -> ZoneInfo:
    """The deployment's zone (CALENDAR_TIMEZONE): what "today" and date windows mean."""
    return ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])


def today() -> date:
    return now().astimezone(local_zone()).date()
