"""The holiday feed (/holidays.ics): statutory days off (休), 调休 working days (班), lunar festivals and
solar terms, one all-day VEVENT per day and fact, over the same rolling window as every other feed.

The facts are those of `/api/v1/days` (calendar_app.festivals.services.days): the official_days table for
休 and 班 (nothing for a year whose State Council notice is not loaded: we do not guess), lunar-python for
festivals and solar terms. A solar term that is also that day's festival (清明) is published once.

UIDs are stable (kind, date and name), DTSTAMP/LAST-MODIFIED deterministic: a staff change of an official
day stamps that day with the row's `updated_at`; computed days carry a fixed revision.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select

from calendar_app import links
from calendar_app.extensions import db
from calendar_app.feeds import ical
from calendar_app.feeds.content import Rendered
from calendar_app.feeds.specs import FeedSpec, Window
from calendar_app.festivals.models import OfficialDay
from calendar_app.festivals.services import days

#: DTSTAMP of facts computed from the lunar calendar (they never change).
COMPUTED_REVISION = datetime(2026, 1, 1, tzinfo=timezone.utc)
NAME = "节假日与节气"
DESCRIPTION = "法定节假日（休）、调休上班日（班）、传统节日与二十四节气"


def facts(first: date, last: date) -> list[tuple[date, str, str]]:
    """(date, kind, name) for every fact in [first, last]; kind is holiday, workday, festival or term."""
    result = []
    for day in days(first, last):
        if day.is_holiday:
            result.append((day.date, "holiday", day.holiday_name))
        if day.is_makeup_workday:
            result.append((day.date, "workday", day.holiday_name))
        result += [(day.date, "festival", name) for name in day.festivals]
        if day.solar_term and day.solar_term not in day.festivals:
            result.append((day.date, "term", day.solar_term))
    return result


_SUMMARY = {"holiday": "{name}（休）", "workday": "{name}调休上班（班）", "festival": "{name}", "term": "{name}"}
_CATEGORY = {"holiday": "法定节假日", "workday": "调休上班", "festival": "传统节日", "term": "二十四节气"}


def summary(kind: str, name: str) -> str:
    return _SUMMARY[kind].format(name=name)


def render_holidays(spec: FeedSpec, window: Window) -> Rendered:
    tz = current_app.config["CALENDAR_TIMEZONE"]
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    first = window.start.astimezone(zone).date()
    last = window.end.astimezone(zone).date() - timedelta(days=1)
    stamps = dict(db.session.execute(select(OfficialDay.day, OfficialDay.updated_at).where(
        OfficialDay.day >= first, OfficialDay.day <= last)).all())
    domain = current_app.config["ICAL_UID_DOMAIN"]
    series = []
    for day, kind, name in facts(first, last):
        digest = hashlib.sha1(f"{kind}:{name}".encode()).hexdigest()[:10]
        revised = stamps.get(day) if kind in ("holiday", "workday") else None
        series.append(ical.Series(
            uid=f"day-{day:%Y%m%d}-{kind}-{digest}@{domain}", sequence=0,
            revised_at=(revised or COMPUTED_REVISION).replace(microsecond=0), tzid=tz,
            start=day, end=day + timedelta(days=1),
            details=ical.Details(summary=summary(kind, name), categories=(_CATEGORY[kind],),
                                 url=links.stable_absolute(f"/month?ym={day:%Y-%m}")),
        ))
    path = links.feed_path("holidays")
    info = ical.CalendarInfo(name=NAME, description=DESCRIPTION, url=links.stable_absolute("/month"),
                             source=links.stable_absolute(path))
    body = ical.render_calendar(info, series)
    return Rendered(spec, path, body, len(series))
