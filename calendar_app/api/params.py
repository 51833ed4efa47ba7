"""Query-string parsing for the API: every malformed value is a 400 with a message, never a 500."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import abort, current_app, request
from sqlalchemy import select

from calendar_app.areas.models import Area
from calendar_app.clock import local_zone, today
from calendar_app.db import ValidationError
from calendar_app.events.queries import OccurrenceFilter
from calendar_app.extensions import db
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue

MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 30
MIN_DATE, MAX_DATE = date(1901, 1, 1), date(2099, 12, 31)


def int_arg(name: str) -> int | None:
    """An optional positive integer query parameter."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"参数 {name} 必须是整数：{raw[:40]}", name) from None
    if not 0 < value < 2**31:
        raise ValidationError(f"参数 {name} 超出范围：{value}", name)
    return value


def date_arg(name: str, default: date | None) -> date | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = date.fromisoformat(raw)
        if len(raw) != 10:
            raise ValueError
    except ValueError:
        raise ValidationError(f"参数 {name} 应为 YYYY-MM-DD 格式的日期：{raw[:40]}", name) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValidationError(f"参数 {name} 超出支持范围（1901–2099 年）：{raw}", name)
    return value


def date_window() -> tuple[date, date]:
    """`start` and `end` (inclusive dates); default today + 30 days; at most a year; end not before start."""
    start = date_arg("start", None) or today()
    end = date_arg("end", None) or min(start + timedelta(days=DEFAULT_WINDOW_DAYS), MAX_DATE)
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
    default = current_app.config["API_PAGE_SIZE"]
    limit = current_app.config["API_MAX_PAGE_SIZE"]
    raw = request.args.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"参数 limit 必须是整数：{raw[:40]}", "limit") from None
    if not 1 <= value <= limit:
        raise ValidationError(f"参数 limit 必须在 1 到 {limit} 之间", "limit")
    return value


@dataclass(frozen=True)
class Cursor:
    starts_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.starts_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_request(cls) -> Cursor | None:
        raw = request.args.get("cursor")
        if raw in (None, ""):
            return None
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
            stamp, _, ident = decoded.partition("|")
            starts_at = datetime.fromisoformat(stamp)
            if starts_at.tzinfo is None:
                raise ValueError
            return cls(starts_at.astimezone(timezone.utc), int(ident))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise ValidationError("参数 cursor 无效（请使用上一页返回的 next 链接）", "cursor") from None


def _must_exist(model, ident: int, label: str):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404, f"{label}不存在：{ident}")
    return obj


def occurrence_filter(start: datetime, end: datetime) -> OccurrenceFilter:
    """The optional filters shared by /occurrences and /events; unknown ids are 404."""
    program_id = None
    raw_program = request.args.get("program")
    if raw_program not in (None, ""):
        if raw_program.isdigit():
            program_id = _must_exist(Program, int_arg("program"), "活动品牌").id
        else:
            program_id = db.session.scalar(select(Program.id).where(Program.slug == raw_program[:64]))
            if program_id is None:
                abort(404, f"活动品牌不存在：{raw_program[:64]}")
    edition_id = int_arg("edition")
    if edition_id is not None:
        _must_exist(Edition, edition_id, "届次")
    area_id = int_arg("area")
    area = _must_exist(Area, area_id, "区域") if area_id is not None else None
    venue_id = int_arg("venue")
    if venue_id is not None:
        _must_exist(Venue, venue_id, "场馆")
    category = request.args.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise ValidationError(f"未知的类别：{category[:40]}（可选 {', '.join(CATEGORIES)}）", "category")
    q = (request.args.get("q") or "").strip() or None
    if q is not None and len(q) > 100:
        raise ValidationError("关键词最长 100 个字符", "q")
    return OccurrenceFilter(start=start, end=end, program_id=program_id, edition_id=edition_id, area=area,
                            venue_id=venue_id, category=category, q=q)
