"""Event writes: create, edit (this / this and following / whole series), publish, occurrence overrides.

Services flush and never commit. The occurrences table is kept in step with every series here, so
every reader (public pages, API, feeds, venue load, reminders) reads one indexed source of truth.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update

from calendar_app import recurrence
from calendar_app.areas.services import get_area
from calendar_app.audit.services import record
from calendar_app.db import ValidationError, utcnow
from calendar_app.events.conflicts import hold_venues, new_booking
from calendar_app.events.models import EVENT_STATUSES, Event, NewOccurrence, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import CATEGORIES
from calendar_app.programs.services import get_edition, get_program
from calendar_app.text import clean_text, clean_url
from calendar_app.venues.services import get_venue

MIN_DATE, MAX_DATE = date(1901, 1, 1), date(2099, 12, 31)
#: Longest single instance (a multi-day fair); readers rely on it to bound their index scans.
MAX_INSTANCE_LENGTH = timedelta(days=31)
#: Marks an instance added by the daily horizon job that met another booking at its venue.
HORIZON_CLASH_NOTE = "系统延展系列时与已有预订冲突，待工作人员处理"
#: Fields whose change a subscriber must see (SEQUENCE bump, new LAST-MODIFIED).
_SCHEDULE_FIELDS = ("starts_local", "ends_local", "timezone", "is_all_day", "rrule", "rdates", "exdates", "lunar_rule")


@dataclass
class EventData:
    """What a coordinator says about an event. Dates are local wall-clock values in `timezone`."""

    title: str
    area_id: int
    starts_local: datetime | date
    ends_local: datetime | date
    timezone: str = "Asia/Shanghai"
    is_all_day: bool = False
    description: str | None = None
    program_id: int | None = None
    edition_id: int | None = None
    venue_id: int | None = None
    organiser: str | None = None
    contact: str | None = None
    category: str = "other"
    capacity: int | None = None
    is_free: bool = True
    registration_url: str | None = None
    status: str = "draft"
    rrule: str | None = None
    rdates: list = field(default_factory=list)
    exdates: list = field(default_factory=list)
    lunar_rule: str | None = None

    @classmethod
    def from_event(cls, event: Event) -> EventData:
        values = {f.name: getattr(event, f.name) for f in fields(cls)}
        if event.is_all_day:
            values["starts_local"] = event.starts_local.date()
            values["ends_local"] = event.ends_local.date()
        values["rdates"] = list(event.rdates or [])
        values["exdates"] = list(event.exdates or [])
        return cls(**values)


# --- conversions -----------------------------------------------------------------------------------

def _parse_local(value, *, all_day: bool, field_name: str, label: str):
    """A local date or naive datetime from a value or ISO string; all-day values become dates."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) <= 10 else datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{label}格式不正确：{value[:40]}（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）", field_name) from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValidationError(f"{label}应为当地时间（不带时区偏移）", field_name)
        if all_day:
            if value.time() != time(0):
                raise ValidationError(f"全天活动的{label}只能是日期", field_name)
            return value.date()
        return value.replace(second=0, microsecond=0)
    if isinstance(value, date):
        return value if all_day else datetime.combine(value, time(0))
    raise ValidationError(f"缺少{label}", field_name)


def _as_naive_datetime(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(0))


def _iso(value: datetime | date) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def series_spec(event: Event) -> recurrence.SeriesSpec:
    """The pure recurrence description of a stored event."""
    all_day = event.is_all_day
    conv = (lambda s: _parse_local(s, all_day=all_day, field_name="rdates", label="日期"))
    return recurrence.SeriesSpec(
        start=event.starts_local.date() if all_day else event.starts_local,
        end=event.ends_local.date() if all_day else event.ends_local,
        tzid=event.timezone,
        rrule=event.rrule,
        rdates=tuple(conv(s) for s in event.rdates or ()),
        exdates=tuple(conv(s) for s in event.exdates or ()),
        lunar=recurrence.parse_lunar_rule(event.lunar_rule) if event.lunar_rule else None,
    )


def horizon_end(start_local: datetime | date, tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """Occurrences are stored up to this instant: the rolling horizon from now (or from a future start)."""
    now = now or utcnow()
    start_utc = _as_naive_datetime(start_local).replace(tzinfo=tz).astimezone(timezone.utc)
    months = current_app.config["OCCURRENCE_HORIZON_MONTHS"]
    return max(now, start_utc) + relativedelta(months=months)


# --- validation ------------------------------------------------------------------------------------

class Validated(NamedTuple):
    data: EventData
    warnings: list[str]
    #: The area, venue and edition the checks loaded. The session keeps rows only while something refers
    #: to them: the event being written holds these (`_apply`), so the venue check and the feed marks
    #: find them in the session instead of reading them again.
    rows: tuple


def _validated(data: EventData, now: datetime | None = None) -> Validated:
    """Check and normalise everything about `data`; raise ValidationError with a Chinese message.

    `now` is the instant the occurrences will be stored from: the occurrence limit counts up to the
    same horizon that storing uses."""
    title = clean_text(data.title, field="title", label="标题", max_length=200, required=True)
    description = clean_text(data.description, field="description", label="简介", max_length=20000, multiline=True)
    organiser = clean_text(data.organiser, field="organiser", label="主办单位", max_length=200)
    contact = clean_text(data.contact, field="contact", label="联系方式", max_length=200)
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(f"未知的时区：{str(data.timezone)[:64]}（请使用 IANA 名称，如 Asia/Shanghai）", "timezone") from None
    all_day = bool(data.is_all_day)
    start = _parse_local(data.starts_local, all_day=all_day, field_name="starts_local", label="开始时间")
    end = _parse_local(data.ends_local, all_day=all_day, field_name="ends_local", label="结束时间")
    for value, name in ((start, "starts_local"), (end, "ends_local")):
        day = value.date() if isinstance(value, datetime) else value
        if not MIN_DATE <= day <= MAX_DATE:
            raise ValidationError(f"日期超出支持范围（1901–2099 年）：{day}", name)
    if end <= start:
        what = "结束日期必须晚于开始日期（全天活动的结束日期不含当天）" if all_day else "结束时间必须晚于开始时间"
        raise ValidationError(f"{what}：{_iso(start)} → {_iso(end)}", "ends_local")
    if _as_naive_datetime(end) - _as_naive_datetime(start) > MAX_INSTANCE_LENGTH:
        raise ValidationError("单次活动最长 31 天；更长的活动请设为重复活动", "ends_local")
    if data.status not in EVENT_STATUSES:
        raise ValidationError(f"未知的状态：{data.status}", "status")
    if data.category not in CATEGORIES:
        raise ValidationError(f"未知的类别：{data.category}", "category")
    if data.capacity is not None:
        if isinstance(data.capacity, bool) or not isinstance(data.capacity, int):
            raise ValidationError("容量必须是整数", "capacity")
        if data.capacity < 0:
            raise ValidationError(f"容量不能为负数（当前 {data.capacity}）", "capacity")
    registration_url = clean_url(data.registration_url, field="registration_url", label="报名链接")
    if not data.is_free and not registration_url:
        pass  # ticketed events may be sold offline; the page then shows the contact instead
    area = get_area(data.area_id)
    venue = get_venue(data.venue_id) if data.venue_id is not None else None
    if venue is not None and not venue.is_active:
        raise ValidationError(f"场馆「{venue.name}」已停用", "venue_id")
    program_id = data.program_id
    warnings: list[str] = []
    edition = None
    if data.edition_id is not None:
        edition = get_edition(data.edition_id)
        if program_id is None:
            program_id = edition.program_id
        elif edition.program_id != program_id:
            raise ValidationError(f"届次「{edition.name}」不属于所选活动品牌", "edition_id")
        first_day = start.date() if isinstance(start, datetime) else start
        if not edition.starts_on <= first_day <= edition.ends_on:
            warnings.append(f"开始日期 {first_day} 不在届次「{edition.name}」的日期范围内（{edition.starts_on} 至 {edition.ends_on}）")
    if program_id is not None:
        get_program(program_id)

    rrule = data.rrule.strip() if isinstance(data.rrule, str) and data.rrule.strip() else None
    lunar_rule = data.lunar_rule.strip() if isinstance(data.lunar_rule, str) and data.lunar_rule.strip() else None
    try:
        rrule = recurrence.parse_rrule(rrule) if rrule else None
        lunar = recurrence.parse_lunar_rule(lunar_rule) if lunar_rule else None
        rdates = sorted({_parse_local(v, all_day=all_day, field_name="rdates", label="附加日期") for v in data.rdates or ()})
        exdates = sorted({_parse_local(v, all_day=all_day, field_name="exdates", label="排除日期") for v in data.exdates or ()})
        spec = recurrence.SeriesSpec(start=start, end=end, tzid=data.timezone, rrule=rrule,
                                     rdates=tuple(rdates), exdates=tuple(exdates), lunar=lunar)
        tz = ZoneInfo(data.timezone)
        warnings += recurrence.validate(
            spec, horizon_end=horizon_end(start, tz, now).astimezone(tz).replace(tzinfo=None),
            max_occurrences=current_app.config["MAX_OCCURRENCES_PER_SERIES"],
        )
    except recurrence.RecurrenceError as exc:
        # The pure engine names its parts (rrule, lunar, ...); the message belongs to the event's own field.
        field = getattr(exc, "field", None) or "rrule"
        raise ValidationError(str(exc), "lunar_rule" if field == "lunar" else field) from None
    clean = replace(
        data, title=title, description=description, organiser=organiser, contact=contact,
        starts_local=start, ends_local=end, is_all_day=all_day, registration_url=registration_url,
        area_id=area.id, program_id=program_id, rrule=rrule,
        lunar_rule=recurrence.format_lunar_rule(lunar) if lunar else None,
        rdates=[_iso(v) for v in rdates], exdates=[_iso(v) for v in exdates],
    )
    return Validated(clean, warnings, (area, venue, edition))


def _apply(event: Event, validated: Validated) -> None:
    for f in fields(EventData):
        value = getattr(validated.data, f.name)
        if f.name in ("starts_local", "ends_local"):
            value = _as_naive_datetime(value)
        setattr(event, f.name, value)
    event.loaded_refs = validated.rows


# --- occurrences -----------------------------------------------------------------------------------

def _denormalised(event: Event) -> dict:
    return {
        "area_id": event.area_id,
        "program_id": event.program_id,
        "edition_id": event.edition_id,
        "is_public": event.status == "published",
    }


def _local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def sync_occurrences(event: Event, *, now: datetime | None = None, since: datetime | None = None,
                     clash_override: str | None = None, user_id: int | None = None) -> list[Occurrence | NewOccurrence]:
    """Make the stored occurrences equal the series' instances up to the horizon.

    What people did to single occurrences survives: a moved or cancelled occurrence (`is_detached`)
    and one with reported attendance keep their times and status. When an edit changes the series'
    time of day their original start changes too, so they are matched again by local date. Rows before
    `since` are left untouched (history, for "this and following"). Returns the rows kept or added
    (from `since` on); the added ones as the `NewOccurrence` rows that were inserted.
    """
    tz = ZoneInfo(event.timezone)
    spec = series_spec(event)
    until = horizon_end(spec.start, tz, now)
    window_start = since or _as_naive_datetime(spec.start).replace(tzinfo=tz).astimezone(timezone.utc) - timedelta(days=1)
    instances = recurrence.expand(spec, window_start, until)
    if since is not None:
        instances = [i for i in instances if i.start_utc >= since]
    # A series not yet stored has no stored rows to look up (a bulk run gives it its id before that).
    existing_rows = [] if not sa_inspect(event).has_identity else db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == event.id)).all()
    existing = {o.original_starts_at: o for o in existing_rows if since is None or o.original_starts_at >= since}
    wanted = {i.start_utc: i for i in instances}
    common = _denormalised(event)

    # Pinned rows whose original start vanished: re-key by local date when the new rule has that date free.
    orphans = [o for key, o in existing.items() if key not in wanted]
    free_by_date: dict[date, datetime] = {}
    for key in wanted:
        if key not in existing:
            free_by_date.setdefault(_local_date(key, tz), key)
    for occ in orphans:
        pinned = occ.is_detached or occ.attendance is not None
        new_key = free_by_date.pop(_local_date(occ.original_starts_at, tz), None) if pinned else None
        del existing[occ.original_starts_at]
        if new_key is not None:
            occ.original_starts_at = new_key
            existing[new_key] = occ
        elif occ.attendance is not None:
            pass  # an occurrence that was held stays in the record even if the rule no longer yields it
        else:
            db.session.delete(occ)
    if orphans:
        # Free the old slots before the new instances are checked and inserted: a series moved by less
        # than its length (19:00 -> 19:30) must not clash with itself, in the check or in the database.
        db.session.flush()

    kept: list[Occurrence | NewOccurrence] = []
    for key, inst in wanted.items():
        occ = existing.get(key)
        if occ is None:
            kept.append(NewOccurrence(event=event, original_starts_at=key, starts_at=inst.start_utc,
                                      ends_at=inst.end_utc, venue_id=event.venue_id, **common))
            continue
        for name, value in common.items():
            setattr(occ, name, value)
        occ.venue_id = occ.override_venue_id or event.venue_id
        if not occ.is_detached and occ.attendance is None:
            occ.starts_at, occ.ends_at = inst.start_utc, inst.end_utc
        kept.append(occ)
    kept += [o for o in orphans if o.attendance is not None and o not in kept]
    event.stored_until = until
    hold_venues(event, kept, override_reason=clash_override, user_id=user_id)
    return kept


def extend_occurrences(event: Event, *, now: datetime | None = None) -> int:
    """Add the instances between the stored horizon and the new one; return how many were added."""
    tz = ZoneInfo(event.timezone)
    spec = series_spec(event)
    until = horizon_end(spec.start, tz, now)
    if event.stored_until is not None and until <= event.stored_until:
        return 0
    since = event.stored_until or _as_naive_datetime(spec.start).replace(tzinfo=tz).astimezone(timezone.utc)
    known = set(db.session.scalars(
        select(Occurrence.original_starts_at).where(Occurrence.event_id == event.id, Occurrence.original_starts_at >= since)
    ))
    common = _denormalised(event)
    added: list[NewOccurrence] = []
    for inst in recurrence.expand(spec, since, until):
        if inst.start_utc < since or inst.start_utc in known:
            continue
        added.append(NewOccurrence(event=event, original_starts_at=inst.start_utc, starts_at=inst.start_utc,
                                   ends_at=inst.end_utc, venue_id=event.venue_id, **common))
    event.stored_until = until
    # No one is there to be refused: a new instance that meets another booking is kept without its
    # hold and marked, so staff see the clash in the audit log and on the venue's load page.
    hold_venues(event, added, override_reason=HORIZON_CLASH_NOTE)
    return len(added)


# --- writes ----------------------------------------------------------------------------------------

def new_uid() -> str:
    return f"{uuid.uuid4().hex}@{current_app.config['ICAL_UID_DOMAIN']}"


def create_event(data: EventData, *, user_id: int | None = None, now: datetime | None = None,
                 clash_override: str | None = None) -> tuple[Event, list[str]]:
    """Validate, store the event and its occurrences; return it with non-fatal scheduling warnings.

    Raises VenueConflict (nothing stored) when an occurrence would clash at an exclusive venue,
    unless staff give `clash_override`, a reason that is audited.
    """
    validated = _validated(data, now)
    clean, warnings = validated.data, validated.warnings
    event = Event(uid=new_uid(), sequence=0, created_by_id=user_id, revised_at=now or utcnow())
    _apply(event, validated)
    # The event and its occurrences are written in one flush, after the venue check (or, where the
    # database checks, under a savepoint that a refusal rolls back: `new_booking`).
    with new_booking(event):
        stored = sync_occurrences(event, now=now, clash_override=clash_override, user_id=user_id)
    warnings += scheduling_hints(event, stored)
    record("event.create", "event", event.id, user_id=user_id, changes={"title": clean.title})
    return event, warnings


def _changes(event: Event, data: EventData) -> dict:
    before = EventData.from_event(event)
    changed = {}
    for f in fields(EventData):
        old, new = getattr(before, f.name), getattr(data, f.name)
        if old != new:
            changed[f.name] = [_jsonable(old), _jsonable(new)]
    return changed


def _jsonable(value):
    return _iso(value) if isinstance(value, (date, datetime)) else value


def _bump(event: Event, now: datetime | None) -> None:
    event.sequence = (event.sequence or 0) + 1
    event.revised_at = now or utcnow()


def update_series(event: Event, data: EventData, *, user_id: int | None = None,
                  now: datetime | None = None, clash_override: str | None = None) -> tuple[Event, list[str]]:
    """Edit the whole series. Single-occurrence overrides and reported attendance survive."""
    validated = _validated(data, now)
    clean, warnings = validated.data, validated.warnings
    changes = _changes(event, clean)
    if not changes:
        return event, warnings
    _apply(event, validated)
    _bump(event, now)
    stored = sync_occurrences(event, now=now, clash_override=clash_override, user_id=user_id)
    warnings += scheduling_hints(event, stored)
    record("event.update", "event", event.id, user_id=user_id, changes=changes)
    return event, warnings


def split_series(event: Event, occurrence: Occurrence, data: EventData, *, user_id: int | None = None,
                 now: datetime | None = None, clash_override: str | None = None) -> tuple[Event, list[str]]:
    """"This and following": end the series before `occurrence` and start a new series there with `data`.

    History before the split stays with the old series untouched. Occurrences from the split on move
    to the new series, keeping their overrides and attendance where the new rule still has their date.
    """
    if occurrence.event_id != event.id:
        raise ValidationError("该场次不属于此活动", "occurrence_id")
    if not event.is_series:
        return update_series(event, data, user_id=user_id, now=now, clash_override=clash_override)
    first = db.session.scalar(select(Occurrence.original_starts_at).where(Occurrence.event_id == event.id)
                              .order_by(Occurrence.original_starts_at).limit(1))
    if first is not None and occurrence.original_starts_at <= first:
        return update_series(event, data, user_id=user_id, now=now, clash_override=clash_override)
    validated = _validated(data, now)
    warnings = validated.warnings
    split_at = occurrence.original_starts_at
    tz = ZoneInfo(event.timezone)

    # End the old series just before the split (UNTIL is inclusive, so one second earlier).
    old = EventData.from_event(event)
    until_local = split_at.astimezone(tz).replace(tzinfo=None) - timedelta(seconds=1)
    old.rrule = _truncate_rrule(old.rrule, until_local, event.is_all_day, tz) if old.rrule else None
    if old.lunar_rule:
        # A lunar UNTIL is a whole local day (inclusive): the day before the split's, or an evening
        # split would leave that day's instance in both series.
        last_day = split_at.astimezone(tz).date() - timedelta(days=1)
        old.lunar_rule = recurrence.format_lunar_rule(replace(recurrence.parse_lunar_rule(old.lunar_rule),
                                                              until=last_day, count=None))
    old.rdates = [r for r in old.rdates if _parse_local(r, all_day=event.is_all_day, field_name="rdates", label="日期")
                  < _local_value(until_local, event.is_all_day)]
    _apply(event, _validated(old, now))
    _bump(event, now)

    new_event = Event(uid=new_uid(), sequence=0, created_by_id=user_id, revised_at=now or utcnow(), split_from_id=event.id)
    _apply(new_event, validated)
    db.session.add(new_event)
    db.session.flush()
    db.session.execute(
        update(Occurrence).where(Occurrence.event_id == event.id, Occurrence.original_starts_at >= split_at)
        .values(event_id=new_event.id).execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    new_event = db.session.get(Event, new_event.id)
    sync_occurrences(event, now=now)
    stored = sync_occurrences(new_event, now=now, clash_override=clash_override, user_id=user_id)
    warnings += scheduling_hints(new_event, stored)
    record("event.split", "event", event.id, user_id=user_id,
           changes={"new_event_id": new_event.id, "split_at": split_at.isoformat()})
    return new_event, warnings


def _truncate_rrule(rule: str, until_local: datetime, all_day: bool, tz: ZoneInfo) -> str:
    """The same rule ending at `until_local` (inclusive): COUNT and any earlier UNTIL give way to it."""
    parts = [p for p in rule.split(";") if p and not p.upper().startswith(("UNTIL=", "COUNT="))]
    if all_day:
        until = until_local.strftime("%Y%m%d")
    else:
        until = until_local.replace(tzinfo=tz).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ";".join(parts + [f"UNTIL={until}"])


def _local_value(local_dt: datetime, all_day: bool):
    return local_dt.date() if all_day else local_dt


def set_status(event: Event, status: str, *, user_id: int | None = None, now: datetime | None = None) -> Event:
    """Move an event through draft -> submitted -> published (or cancelled); occurrences follow."""
    if status not in EVENT_STATUSES:
        raise ValidationError(f"未知的状态：{status}", "status")
    if status == event.status:
        return event
    old = event.status
    event.status = status
    _bump(event, now)
    db.session.execute(
        update(Occurrence).where(Occurrence.event_id == event.id)
        .values(is_public=status == "published").execution_options(synchronize_session=False)
    )
    if "cancelled" in (old, status):
        # A cancelled event frees its venue; one taken back into the programme must find it free again.
        db.session.expire(event, ["occurrences"])
        hold_venues(event, list(event.occurrences), user_id=user_id)
    db.session.flush()
    record("event.status", "event", event.id, user_id=user_id, changes={"status": [old, status]})
    return event


def edit_occurrence(occurrence: Occurrence, *, starts_at: datetime | None = None, ends_at: datetime | None = None,
                    cancelled: bool | None = None, reason: str | None = None, venue_id: int | None = None,
                    user_id: int | None = None, now: datetime | None = None,
                    clash_override: str | None = None) -> Occurrence:
    """"This occurrence only": move it, cancel or restore it, or hold it at another venue."""
    event = occurrence.event
    reason = clean_text(reason, field="reason", label="原因", max_length=500)
    changes: dict = {}
    new_start = starts_at or occurrence.starts_at
    new_end = ends_at or (new_start + (occurrence.ends_at - occurrence.starts_at))
    for value, name in ((new_start, "starts_at"), (new_end, "ends_at")):
        if value.tzinfo is None:
            raise ValidationError("时间必须带时区", name)
        if not MIN_DATE <= value.date() <= MAX_DATE:
            raise ValidationError(f"日期超出支持范围（1901–2099 年）：{value.date()}", name)
    if new_end <= new_start:
        raise ValidationError("结束时间必须晚于开始时间", "ends_at")
    if new_end - new_start > MAX_INSTANCE_LENGTH:
        raise ValidationError("单次活动最长 31 天", "ends_at")
    venue = get_venue(venue_id) if venue_id is not None and venue_id != occurrence.venue_id else None
    if venue is not None and not venue.is_active:
        raise ValidationError(f"场馆「{venue.name}」已停用", "venue_id")
    if (new_start, new_end) != (occurrence.starts_at, occurrence.ends_at):
        changes["starts_at"] = [occurrence.starts_at.isoformat(), new_start.isoformat()]
        occurrence.holds_venue = False  # the old slot is released; hold_venues claims the new one
        occurrence.starts_at, occurrence.ends_at = new_start, new_end
    if venue is not None:
        changes["venue_id"] = [occurrence.venue_id, venue.id]
        occurrence.holds_venue = False
        occurrence.override_venue_id = venue.id if venue.id != event.venue_id else None
        occurrence.venue_id = venue.id
    if cancelled is True and occurrence.status != "cancelled":
        changes["status"] = [occurrence.status, "cancelled"]
        occurrence.status = "cancelled"
    elif cancelled is False and occurrence.status == "cancelled":
        changes["status"] = ["cancelled", "scheduled"]
        occurrence.status = "scheduled"
    if occurrence.status != "cancelled":
        moved = (occurrence.starts_at != occurrence.original_starts_at or occurrence.override_venue_id is not None)
        occurrence.status = "moved" if moved else "scheduled"
    if reason is not None:
        occurrence.status_reason = reason
    if not changes:
        return occurrence
    occurrence.is_detached = True
    if "starts_at" in changes or "venue_id" in changes:
        occurrence.clash_override_reason = None  # a new slot is checked afresh
    _bump(event, now)
    hold_venues(event, [occurrence], override_reason=clash_override, user_id=user_id)
    record("occurrence.edit", "occurrence", occurrence.id, user_id=user_id, changes=changes)
    return occurrence


def report_attendance(occurrence: Occurrence, attendance: int, *, user_id: int | None = None,
                      now: datetime | None = None) -> Occurrence:
    """Record 人次 for an occurrence that has taken place."""
    if isinstance(attendance, bool) or not isinstance(attendance, int):
        raise ValidationError("人次必须是整数", "attendance")
    if attendance < 0:
        raise ValidationError(f"人次不能为负数（当前 {attendance}）", "attendance")
    if attendance > 10_000_000:
        raise ValidationError("人次超出合理范围", "attendance")
    now = now or utcnow()
    if occurrence.starts_at > now:
        raise ValidationError("活动尚未开始，不能填报人次", "attendance")
    if occurrence.status == "cancelled":
        raise ValidationError("已取消的场次不能填报人次", "attendance")
    old = occurrence.attendance
    occurrence.attendance = attendance
    occurrence.attendance_reported_at = now
    db.session.flush()
    record("occurrence.attendance", "occurrence", occurrence.id, user_id=user_id, changes={"attendance": [old, attendance]})
    return occurrence


def scheduling_hints(event: Event, occurrences: list[Occurrence] | None = None) -> list[str]:
    """Warnings for occurrences that land on a statutory holiday or a 调休 working day (next 18 months).

    `occurrences` are the event's stored rows when the caller has them at hand (all of them)."""
    from calendar_app.festivals.services import hints_for_dates

    tz = ZoneInfo(event.timezone)
    if occurrences is None:
        occurrences = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)).all()
    dates = sorted({o.starts_at.astimezone(tz).date() for o in occurrences if o.status != "cancelled"})
    return hints_for_dates(dates)


def set_featured(event: Event, featured: bool, *, user_id: int | None = None) -> bool:
    """Put an event among (or take it out of) the public home page's highlights; audited. Staff decide
    this (the caller checks the role). Returns whether anything changed. Feeds do not show it."""
    if event.is_featured == featured:
        return False
    record("event.featured", "event", event.id, user_id=user_id,
           changes={"is_featured": [event.is_featured, featured]})
    event.is_featured = featured
    db.session.flush()
    return True
