"""Public pages."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template

from calendar_app.public.queries import now_utc, upcoming_by_day

bp = Blueprint("public", __name__)
WEEKDAYS = "一二三四五六日"


@bp.app_template_filter("local_time")
def local_time(value, fmt: str = "%H:%M") -> str:
    return value.astimezone(ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])).strftime(fmt)


@bp.app_template_filter("cn_date")
def cn_date(value) -> str:
    return f"{value.month}月{value.day}日 周{WEEKDAYS[value.weekday()]}"


@bp.get("/")
def home():
    tz = ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])
    days = upcoming_by_day(now_utc(), 30, tz)
    return render_template("public/home.html", days=days)
