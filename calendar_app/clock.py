"""The current instant, overridable for tests and benchmarks (config FIXED_NOW, an aware datetime)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from calendar_app.db import utcnow


def now() -> datetime:
    fixed = current_app.config.get("FIXED_NOW")
    return fixed if fixed is not None else utcnow()


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])


def today() -> date:
    return now().astimezone(local_zone()).date()
