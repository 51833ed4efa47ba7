"""An external calendar (.ics file or URL) into an edition, updated by UID when imported again.

Each VEVENT (with its RRULE, RDATE, EXDATE, all-day dates and TZID) becomes the payload of the event
form and goes through the workflow: a new UID creates a draft (`workflow.create`), a UID already
imported into the edition changes that event (`workflow.change_series`, with a reason when it is
published, and only when something changed), and a VEVENT with STATUS:CANCELLED cancels it
(`workflow.cancel`). Instances changed alone in the other calendar (RECURRENCE-ID) become skipped
dates, plus an extra date when only the start moved. The whole calendar is one transaction.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from calendar_app import clock
from calendar_app.accounts import scope as scoping
from calendar_app.accounts.models import User
from calendar_app.accounts.scope import Scope, ScopeError
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.events import services, workflow
from calendar_app.events.conflicts import VenueConflict
from calendar_app.events.models import Event
from calendar_app.extensions import db
from calendar_app.imports.report import ImportRefused, ImportResult, RowError
from calendar_app.imports.xlsx_import import clash_message, edition_for_import
from calendar_app.programs.models import Edition

MAX_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 5000
UNIT = "个日程"
UPDATE_REASON = "按外部日历更新"
CANCEL_REASON = "外部日历中已取消"
#: Workflow field -> the iCalendar property it came from (for the report).
FIELD_PROPERTIES = {
    "title": "SUMMARY", "description": "DESCRIPTION", "starts_local": "DTSTART", "start": "DTSTART",
    "ends_local": "DTEND", "end": "DTEND", "rrule": "RRULE", "rdates": "RDATE", "exdates": "EXDATE",
    "venue": "LOCATION", "venue_id": "LOCATION", "timezone": "TZID", "area": "area", "edition": "edition",
    "edition_id": "edition", "UID": "UID",
}


@dataclass
class CalendarItem:
    """One event of the calendar: its master VEVENT with the instances changed alone folded in."""

    number: int
    uid: str
    cancelled: bool = False
    payload: dict = field(default_factory=dict)
    location: str | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, prop: str | None, message: str) -> None:
        self.errors.append(RowError(self.number, prop, message, UNIT))

    @property
    def label(self) -> str:
        return f"第 {self.number} {UNIT}（{self.payload.get('title') or self.uid[:40]}）"


def _list_values(component, name: str) -> list:
    prop = component.get(name)
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    values = []
    for p in props:
        for item in getattr(p, "dts", []):
            values.append(item.dt)
    return values


class _Zone:
    """Turns iCalendar date-times into local wall-clock values of the event's zone."""

    def __init__(self, default: str):
        self.default = default

    def zone_of(self, value) -> str:
        tz = getattr(value, "tzinfo", None)
        key = getattr(tz, "key", None)
        if key and key not in ("UTC", "Etc/UTC", "GMT", "Z"):
            try:
                ZoneInfo(key)
                return key
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return self.default

    def local(self, value, zone: str):
        """A date stays a date; an aware datetime is converted to `zone`; a floating one is taken as is."""
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            return value.replace(second=0, microsecond=0)
        return value


def _iso(value, all_day: bool) -> str:
    if all_day:
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    return value.isoformat(timespec="minutes")


def _text(component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _uid(component, number: int) -> str:
    uid = _text(component, "UID")
    if uid is None:
        # No UID (rare, against RFC 5545): a stable stand-in from what identifies the event.
        basis = f"{_text(component, 'SUMMARY')}|{component.get('DTSTART').to_ical() if component.get('DTSTART') else number}"
        return "no-uid-" + hashlib.sha1(basis.encode()).hexdigest()[:24]
    if len(uid) > 255:
        return "sha1-" + hashlib.sha1(uid.encode()).hexdigest()
    return uid


def parse_calendar(data: bytes, *, default_zone: str) -> list[CalendarItem]:
    """The events of an iCalendar file; ImportRefused when it is not one."""
    import icalendar

    if not data:
        raise ImportRefused("日历文件是空的")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"日历文件超过 {MAX_BYTES // 1024 // 1024} MB 上限")
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        if data.startswith(b"PK\x03\x04"):
            raise ImportRefused("这是 Excel 工作簿，请使用“导入 .xlsx 活动表”")
        raise ImportRefused("不是 iCalendar（.ics）日历文件：文件应以 BEGIN:VCALENDAR 开头")
    try:
        calendar = icalendar.Calendar.from_ical(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRefused("日历文件不是 UTF-8 编码") from None
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the user
        raise ImportRefused("日历文件格式有误，无法解析（请确认是 RFC 5545 iCalendar 文件）") from None
    wr_zone = _text(calendar, "X-WR-TIMEZONE")
    try:
        zone = _Zone(wr_zone if wr_zone and ZoneInfo(wr_zone) else default_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = _Zone(default_zone)
    components = [c for c in calendar.walk("VEVENT")]
    if not components:
        raise ImportRefused("日历中没有活动（VEVENT）")
    if len(components) > MAX_EVENTS:
        raise ImportRefused(f"日历中的活动超过 {MAX_EVENTS} 个的上限（共 {len(components)} 个）")
    masters: dict[str, CalendarItem] = {}
    overrides: list[tuple[int, object]] = []
    items: list[CalendarItem] = []
    for number, component in enumerate(components, start=1):
        if component.get("RECURRENCE-ID") is not None:
            overrides.append((number, component))
            continue
        item = _item(number, component, zone)
        if item.uid in masters:
            item.fail("UID", f"UID 与第 {masters[item.uid].number} {UNIT}重复：{item.uid[:60]}")
        else:
            masters[item.uid] = item
        items.append(item)
    for number, component in overrides:
        _fold_override(number, component, masters, zone, items)
    return items


def _item(number: int, component, zone: _Zone) -> CalendarItem:
    item = CalendarItem(number=number, uid=_uid(component, number))
    item.cancelled = (_text(component, "STATUS") or "").upper() == "CANCELLED"
    title = _text(component, "SUMMARY") or "（无标题）"
    if len(title) > 200:
        item.warnings.append(f"{item.label}：标题超过 200 字，已截断")
        title = title[:200]
    item.payload["title"] = title
    start_prop = component.get("DTSTART")
    if start_prop is None:
        item.fail("DTSTART", "缺少开始时间（DTSTART）")
        return item
    try:
        start = component.start
        end = component.end
    except Exception:  # noqa: BLE001 - icalendar raises several kinds for broken DTEND/DURATION
        item.fail("DTEND", "结束时间（DTEND/DURATION）无法解析")
        return item
    all_day = not isinstance(start, datetime)
    tz_name = zone.zone_of(start) if not all_day else zone.default
    start_local, end_local = zone.local(start, tz_name), zone.local(end, tz_name)
    if not all_day and not isinstance(end_local, datetime):
        end_local = datetime.combine(end_local, datetime.min.time())
    if end_local <= start_local:
        if all_day:
            end_local = start_local + timedelta(days=1)
        else:
            end_local = start_local + timedelta(hours=1)
            item.warnings.append(f"{item.label}：没有结束时间，按 1 小时导入")
    item.payload.update({"starts_local": _iso(start_local, all_day), "ends_local": _iso(end_local, all_day),
                         "all_day": all_day, "timezone": tz_name})
    rrule = component.get("RRULE")
    if isinstance(rrule, list):
        if len(rrule) > 1:
            item.fail("RRULE", "一个活动只能有一条 RRULE 规则")
        rrule = rrule[0] if rrule else None
    item.payload["rrule"] = rrule.to_ical().decode() if rrule is not None else None
    rdates, periods = [], 0
    for value in _list_values(component, "RDATE"):
        if isinstance(value, tuple):
            periods += 1
            continue
        rdates.append(_iso(zone.local(value, tz_name), all_day))
    if periods:
        item.warnings.append(f"{item.label}：{periods} 个时段型 RDATE（PERIOD）未导入")
    item.payload["rdates"] = sorted(set(rdates))
    item.payload["exdates"] = sorted({_iso(zone.local(v, tz_name), all_day) for v in _list_values(component, "EXDATE")})
    description = _text(component, "DESCRIPTION")
    if description and len(description) > 19000:
        description = description[:19000]
        item.warnings.append(f"{item.label}：简介过长，已截断")
    item.payload["description"] = description
    item.location = _text(component, "LOCATION")
    return item


def _fold_override(number: int, component, masters: dict[str, CalendarItem], zone: _Zone, items) -> None:
    """An instance changed alone: skip its original date, and add the new start when only the time moved."""
    uid = _uid(component, number)
    master = masters.get(uid)
    if master is None or "starts_local" not in master.payload:
        item = _item(number, component, zone)  # an override without its series: import it as a one-off
        item.uid = f"{uid}#{component.get('RECURRENCE-ID').to_ical().decode()}"[:255]
        items.append(item)
        return
    payload = master.payload
    all_day, tz_name = payload["all_day"], payload["timezone"]
    original = _iso(zone.local(component.get("RECURRENCE-ID").dt, tz_name), all_day)
    payload["exdates"] = sorted(set(payload["exdates"]) | {original})
    if (_text(component, "STATUS") or "").upper() == "CANCELLED":
        return
    try:
        start, end = component.start, component.end
    except Exception:  # noqa: BLE001
        master.warnings.append(f"{master.label}：第 {number} 个组件（单场调整）无法解析，该场未导入")
        return
    length = (datetime.fromisoformat(payload["ends_local"]) - datetime.fromisoformat(payload["starts_local"]))
    if end - start == length:
        payload["rdates"] = sorted(set(payload["rdates"]) | {_iso(zone.local(start, tz_name), all_day)})
    else:
        master.warnings.append(f"{master.label}：{original} 这一场的时长与系列不同，未导入该场")


def target_area(actor: User, value) -> Area:
    """The town or village the imported events belong to: given (id or code), or the coordinator's own."""
    if value in (None, ""):
        if actor.role == "coordinator" and actor.area.kind in ("town", "village"):
            return actor.area
        raise ValidationError("请选择导入活动所属的镇街或村（area=<区域编号或代码>）", "area")
    area = None
    if isinstance(value, int) and not isinstance(value, bool):
        area = db.session.get(Area, value)
    elif isinstance(value, str):
        text = value.strip()[:32]
        area = db.session.get(Area, int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else None
        area = area or db.session.scalar(select(Area).where(Area.code == text))
    if area is None:
        raise ValidationError(f"区域不存在：{str(value)[:32]}", "area")
    Scope.of(actor).require_area(area)
    if area.kind not in ("town", "village"):
        raise ValidationError(f"「{area.name}」不是镇街或村：导入的活动须属于一个镇街或村", "area")
    return area


def _venue_for(location: str | None, venues) -> object | None:
    if not location:
        return None
    exact = [v for v in venues if v.name == location]
    if len(exact) == 1:
        return exact[0]
    contained = sorted((v for v in venues if v.name and v.name in location), key=lambda v: -len(v.name))
    if contained and (len(contained) == 1 or len(contained[0].name) > len(contained[1].name)):
        return contained[0]
    return None


def _unchanged(event: Event, data: services.EventData) -> bool:
    clean, _warnings, _rows = services._validated(data, clock.now())
    return services.EventData.from_event(event) == replace(clean, status=event.status)


def run_items(actor: User, items: list[CalendarItem], edition: Edition, area: Area, *,
              dry_run: bool) -> ImportResult:
    """Calendar items -> events of `edition` in `area`, all or nothing."""
    result = ImportResult(rows=len(items), dry_run=dry_run)
    venues = workflow.venues_for(actor)
    tz = ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])
    rows_by_event: dict[int, int] = {}
    whole = db.session.begin_nested()
    try:
        for item in items:
            result.warnings += item.warnings
            if item.errors:
                result.errors += item.errors
                continue
            payload = dict(item.payload, edition=edition.id, area=area.id)
            venue = _venue_for(item.location, venues)
            payload["venue"] = venue.id if venue else None
            if item.location and venue is None:
                note = f"地点：{item.location[:200]}"
                payload["description"] = f"{note}\n\n{payload['description']}" if payload.get("description") else note
                result.warnings.append(f"{item.label}：地点「{item.location[:60]}」不是系统中的场馆，已写入简介")
            try:
                with db.session.begin_nested():
                    _apply_item(actor, item, payload, edition, result, rows_by_event)
            except VenueConflict as exc:
                item.fail("LOCATION", clash_message(exc, rows_by_event, tz, unit=UNIT, source="本日历"))
                result.errors += item.errors
            except (ValidationError, ScopeError) as exc:
                item.fail(FIELD_PROPERTIES.get(exc.field or "", None), exc.message)
                result.errors += item.errors
    except BaseException:
        whole.rollback()
        raise
    if result.errors or dry_run:
        whole.rollback()
        result.created_ids, result.updated_ids, result.cancelled_ids = [], [], []
    else:
        whole.commit()
    return result


def _existing(edition: Edition, uid: str) -> Event | None:
    event = db.session.scalar(select(Event).where(Event.edition_id == edition.id, Event.external_uid == uid))
    if event is None:
        with scoping.unscoped():
            elsewhere = db.session.scalar(select(Event.id).where(Event.edition_id == edition.id,
                                                                 Event.external_uid == uid))
        if elsewhere is not None:
            raise ScopeError("该 UID 已由其他镇街导入到此届次，不能重复导入", "UID")
    return event


def _apply_item(actor: User, item: CalendarItem, payload: dict, edition: Edition, result: ImportResult,
                rows_by_event: dict[int, int]) -> None:
    event = _existing(edition, item.uid)
    if item.cancelled:
        if event is not None and event.status != "cancelled":
            workflow.cancel(actor, event, CANCEL_REASON)
            result.cancelled_ids.append(event.id)
        elif event is None:
            result.warnings.append(f"{item.label}：外部日历中已取消，未导入")
        return
    if event is None:
        data = workflow.event_data(actor, payload)
        event, warnings = workflow.create(actor, data)
        event.external_uid = item.uid
        db.session.flush()
        rows_by_event[event.id] = item.number
        result.created_ids.append(event.id)
        result.warnings += [f"{item.label}：{w}" for w in warnings]
        return
    if event.status == "cancelled":
        result.warnings.append(f"{item.label}：本系统中该活动已取消，未按外部日历更新")
        return
    payload.setdefault("lunar_rule", None)
    data = workflow.event_data(actor, payload, base=event)
    if _unchanged(event, data):
        return
    reason = UPDATE_REASON if event.status == "published" else None
    event, warnings = workflow.change_series(actor, event, data, reason=reason)
    rows_by_event[event.id] = item.number
    result.updated_ids.append(event.id)
    result.warnings += [f"{item.label}：{w}" for w in warnings]


def import_ics(actor: User, edition_id, data: bytes, *, area=None, dry_run: bool = False) -> ImportResult:
    """Import an iCalendar file into an edition for `area`. The caller commits when `result.ok`."""
    edition = edition_for_import(actor, edition_id)
    town = target_area(actor, area)
    items = parse_calendar(data, default_zone=current_app.config["CALENDAR_TIMEZONE"])
    return run_items(actor, items, edition, town, dry_run=dry_run)

