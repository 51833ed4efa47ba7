"""The API's query parameters: the shared parser (calendar_app.params) in its strict style, plus the
window, page size and filters that /occurrences and /events share. Every malformed value is a 400 with
a message naming the field, a well-formed id that names nothing a 404; never a 500."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import abort, current_app, request
from sqlalchemy import select

from calendar_app.areas.models import Area
from calendar_app.clock import local_zone, today
from calendar_app.db import ValidationError
from calendar_app.events.queries import OccurrenceFilter
from calendar_app.extensions import db
from calendar_app.params import MAX_DATE, Position, QueryArgs, is_id, shown
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue

MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 30
#: Longest `program` slug and `q` keyword (as documented in the OpenAPI document).
MAX_SLUG, MAX_KEYWORD = 64, 100


def args() -> QueryArgs:
    """This request's query string in the API's strict style (the errors explain themselves)."""
    return QueryArgs(request.args)


def int_arg(name: str) -> int | None:
    """An optional id parameter."""
    return args().id(name)


def date_window() -> tuple[date, date]:
    """`start` and `end` (inclusive dates); default today + 30 days; at most a year; end not before start."""
    query = args()
    start = query.date("start") or today()
    end = query.date("end") or min(start + timedelta(days=DEFAULT_WINDOW_DAYS), MAX_DATE)
    if end < start:
        raise ValidationError(f"结束日期 {end} 早于开始日期 {start}", "end")
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise ValidationError(f"时间范围最长一年（{MAX_WINDOW_DAYS} 天），当前 {(end - start).days + 1} 天", "end")
    return start, end


def utc_window(start: date, end: date) -> tuple[datetime, datetime]:
    """Local dates [start, end] as the UTC half-open interval [start 00:00, end+1 00:00)."""
    tz = local_zone()
    return (datetime.combine(start, time(0), tz).astimezone(timezone.utc),
            datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(timezone.utc))


def page_size() -> int:
    return args().count("limit", current_app.config["API_MAX_PAGE_SIZE"]) or current_app.config["API_PAGE_SIZE"]


def cursor() -> Position | None:
    """Where /occurrences continues (the `cursor` of a `next` link)."""
    return args().api_cursor("cursor")


def _must_exist(model, ident: int, label: str):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404, f"{label}不存在：{ident}")
    return obj


def _program_id(raw: str | None) -> int | None:
    """`program` is an id or a slug; one that names nothing (`999999`, `000`, `no-such`) is a 404."""
    if raw is None:
        return None
    if is_id(raw):
        program_id = db.session.scalar(select(Program.id).where(Program.id == int(raw)))
    else:
        program_id = db.session.scalar(select(Program.id).where(Program.slug == raw))
    if program_id is None:
        abort(404, f"活动品牌不存在：{shown(raw)}")
    return program_id


def occurrence_filter(start: datetime, end: datetime) -> OccurrenceFilter:
    """The optional filters shared by /occurrences and /events; unknown ids are 404."""
    query = args()
    program_id = _program_id(query.text("program", MAX_SLUG))
    edition_id = query.id("edition")
    if edition_id is not None:
        _must_exist(Edition, edition_id, "届次")
    area_id = query.id("area")
    area = _must_exist(Area, area_id, "区域") if area_id is not None else None
    venue_id = query.id("venue")
    if venue_id is not None:
        _must_exist(Venue, venue_id, "场馆")
    category = query.choice("category", CATEGORIES)
    # An empty keyword is a keyword that narrows nothing (the schema allows the empty string).
    q = (request.args.get("q") or "").strip() or None
    if q is not None and len(q) > MAX_KEYWORD:
        raise ValidationError(f"关键词最长 {MAX_KEYWORD} 个字符", "q")
    return OccurrenceFilter(start=start, end=end, program_id=program_id, edition_id=edition_id, area=area,
                            venue_id=venue_id, category=category, q=q)
