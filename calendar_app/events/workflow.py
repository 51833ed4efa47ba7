"""What coordinators and staff do to events, with who may do it: the one path for the API, the
management pages and spreadsheet imports.

Each operation takes the acting user (whose scope is active, so objects outside it cannot even be
loaded), checks the rules of the workflow (draft -> submitted -> published; returned with a
comment; cancelled), calls the event services, and, for a published event, records the change entry
that change notices read and the reason the public page shows. Operations flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from calendar_app import clock
from calendar_app.accounts.models import User
from calendar_app.accounts.scope import Scope, ScopeError
from calendar_app.areas.models import Area
from calendar_app.audit.services import record
from calendar_app.db import ValidationError, transaction_memo
from calendar_app.events import services
from calendar_app.events.models import Event, EventChange, Occurrence
from calendar_app.events.services import EventData
from calendar_app.extensions import db
from calendar_app.programs.models import Assignment, Edition, Program
from calendar_app.text import clean_text
from calendar_app.venues.models import Venue

#: Fields a coordinator or an API client may give for an event, with their types.
EVENT_FIELDS = {
    "title": str, "description": str, "program": (int, str), "edition": int, "venue": int, "area": int,
    "starts_local": str, "ends_local": str, "all_day": bool, "timezone": str, "rrule": str, "rdates": list,
    "exdates": list, "lunar_rule": str, "capacity": int, "is_free": bool, "registration_url": str,
    "organiser": str, "contact": str, "category": str,
}


def _scope(actor: User) -> Scope:
    return Scope.of(actor)


# --- reading what the actor may use -----------------------------------------------------------------

def editions_for(actor: User, area: Area | None = None) -> list[Edition]:
    """Editions the actor may schedule into: a coordinator's are those assigned to their town."""
    query = select(Edition).join(Edition.program).order_by(Edition.starts_on.desc(), Edition.id)
    if actor.role == "coordinator":
        query = query.where(Edition.id.in_(select(Assignment.edition_id).where(Assignment.area_id == actor.area_id)))
    elif actor.role == "staff":
        scope = _scope(actor)
        query = query.where(Program.area_id.in_(scope.area_ids()) | Program.area_id.in_(scope.ancestor_ids))
    return list(db.session.scalars(query))


def venues_for(actor: User) -> list[Venue]:
    """Active venues the actor may book (the scope limits them to their area and the areas above)."""
    return list(db.session.scalars(select(Venue).where(Venue.is_active.is_(True)).order_by(Venue.area_id, Venue.name)))


def areas_for(actor: User) -> list[Area]:
    """Areas an event may belong to: the actor's subtree."""
    query = select(Area).order_by(Area.path)
    if actor.role != "admin":
        query = query.where(Area.path.startswith(actor.area.path, autoescape=True))
    return list(db.session.scalars(query))


# --- turning what people send into EventData -----------------------------------------------------------

def event_data(actor: User, payload: dict, *, base: Event | None = None) -> EventData:
    """EventData from a JSON object or form values, checked for type and for the actor's scope.

    With `base` (an update), fields not in the payload keep the event's values.
    """
    if not isinstance(payload, dict):
        raise ValidationError("请求体必须是 JSON 对象", "_")
    unknown = sorted(set(payload) - set(EVENT_FIELDS) - {"reason", "clash_override", "status"})
    if unknown:
        raise ValidationError(f"未知的字段：{', '.join(u[:30] for u in unknown[:5])}", unknown[0][:30])
    for name, value in payload.items():
        expected = EVENT_FIELDS.get(name)
        if expected is None or value is None:
            continue
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(f"字段 {name} 必须是整数", name)
        if expected is bool and not isinstance(value, bool):
            raise ValidationError(f"字段 {name} 必须是 true 或 false", name)
        if expected in (str,) and not isinstance(value, str):
            raise ValidationError(f"字段 {name} 必须是文本", name)
        if expected is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValidationError(f"字段 {name} 必须是日期文本的列表", name)
        if expected == (int, str) and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise ValidationError(f"字段 {name} 必须是编号或网址名", name)
    if isinstance(payload.get("rdates"), list) and len(payload["rdates"]) > 500 or \
            isinstance(payload.get("exdates"), list) and len(payload["exdates"]) > 500:
        raise ValidationError("附加或排除日期最多 500 个", "exdates")

    data = EventData.from_event(base) if base is not None else None
    scope = _scope(actor)

    def given(name):
        return name in payload

    def pick(name, current):
        return payload.get(name) if given(name) else current

    if data is None:
        for required in ("title", "starts_local", "ends_local"):
            if payload.get(required) in (None, ""):
                label = {"title": "标题", "starts_local": "开始时间", "ends_local": "结束时间"}[required]
                raise ValidationError(f"缺少{label}", required)
        area_id = payload.get("area") or (actor.area_id if actor.role == "coordinator" else None)
        if area_id is None:
            raise ValidationError("请选择活动所属区域（镇街或村）", "area")
        data = EventData(title="", area_id=area_id, starts_local=date.today(), ends_local=date.today())
    program_ref = pick("program", data.program_id)
    program_id = _program_id(program_ref) if program_ref is not None else None
    data = replace(
        data,
        title=pick("title", data.title),
        description=pick("description", data.description),
        area_id=pick("area", data.area_id) or data.area_id,
        edition_id=pick("edition", data.edition_id),
        program_id=program_id,
        venue_id=pick("venue", data.venue_id),
        starts_local=pick("starts_local", data.starts_local),
        ends_local=pick("ends_local", data.ends_local),
        is_all_day=bool(pick("all_day", data.is_all_day)),
        timezone=pick("timezone", data.timezone) or "Asia/Shanghai",
        rrule=pick("rrule", data.rrule),
        rdates=list(pick("rdates", data.rdates) or []),
        exdates=list(pick("exdates", data.exdates) or []),
        lunar_rule=pick("lunar_rule", data.lunar_rule),
        capacity=pick("capacity", data.capacity),
        is_free=True if pick("is_free", data.is_free) is None else pick("is_free", data.is_free),
        registration_url=pick("registration_url", data.registration_url),
        organiser=pick("organiser", data.organiser),
        contact=pick("contact", data.contact),
        category=pick("category", data.category) or "other",
    )
    if given("edition") and data.edition_id is not None and not given("program"):
        data = replace(data, program_id=None)  # the edition decides its program
    check_refs(actor, scope, data)
    return data


def _program_id(ref) -> int:
    if isinstance(ref, int):
        return ref
    text = ref.strip()
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    program_id = db.session.scalar(select(Program.id).where(Program.slug == text[:64]))
    if program_id is None:
        raise ValidationError(f"活动品牌不存在：{text[:40]}", "program")
    return program_id


def check_refs(actor: User, scope: Scope, data: EventData) -> None:
    """The event's area, venue and edition must lie where the actor may act (ScopeError, 403)."""
    area = db.session.get(Area, data.area_id) if isinstance(data.area_id, int) else None
    if area is None:
        raise ValidationError(f"区域不存在：{str(data.area_id)[:20]}", "area")
    scope.require_area(area)
    if area.kind not in ("town", "village") and actor.role == "coordinator":
        raise ScopeError("活动须属于您的镇街或其下的村", "area")
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id) if isinstance(data.venue_id, int) else None
        if venue is None:
            # Outside the scope a venue cannot be loaded at all: say so without telling whether it exists.
            raise ScopeError("所选场馆不存在或不在您的管辖范围内", "venue")
        scope.require_venue(venue)
    if data.edition_id is not None:
        edition = db.session.get(Edition, data.edition_id) if isinstance(data.edition_id, int) else None
        if edition is None:
            raise ValidationError(f"届次不存在：{str(data.edition_id)[:20]}", "edition")
        if actor.role == "coordinator":
            town = _town_of(area)
            if not _assigned(edition, town):
                raise ScopeError(f"届次「{edition.name}」没有分配给您的镇街", "edition")
        elif actor.role == "staff":
            program_area = edition.program.area
            if not scope.reaches_venue_area(program_area):
                raise ScopeError(f"届次「{edition.name}」不属于您管辖的区域", "edition")


def _assigned(edition: Edition, town: Area | None) -> bool:
    """Whether the bureau assigned `edition` to `town`. A yes is kept for the rest of the transaction (a
    coordinator's spreadsheet asks for every row; the app never removes an assignment); a no is asked
    again, so an assignment added meanwhile counts."""
    if town is None:
        return False
    memo = transaction_memo("workflow.assigned")
    key = (edition.id, town.id)
    if not memo.get(key):
        memo[key] = db.session.scalar(select(Assignment.id).where(Assignment.edition_id == edition.id,
                                                                  Assignment.area_id == town.id)) is not None
    return memo[key]


def _town_of(area: Area) -> Area | None:
    if area.kind == "town":
        return area
    if area.kind == "village":
        return area.parent
    return None


# --- the operations ----------------------------------------------------------------------------------------

def _clash_override(actor: User, reason) -> str | None:
    if reason in (None, ""):
        return None
    if actor.role not in ("admin", "staff"):
        raise ScopeError("只有文旅局工作人员可以在冲突时强制安排", "clash_override")
    return clean_text(reason, field="clash_override", label="强制安排的原因", max_length=500, required=True)


def _reason(reason, *, required: bool, label: str = "变更原因") -> str | None:
    value = clean_text(reason, field="reason", label=label, max_length=500)
    if required and not value:
        raise ValidationError(f"已发布的活动变更须填写{label}（会显示给公众）", "reason")
    return value


def create(actor: User, data: EventData, *, clash_override=None) -> tuple[Event, list[str]]:
    """A new draft (coordinators always start with a draft)."""
    data = replace(data, status="draft")
    event, warnings = services.create_event(data, user_id=actor.id, now=clock.now(),
                                            clash_override=_clash_override(actor, clash_override))
    return event, warnings


def _editable(actor: User, event: Event) -> None:
    if event.status == "cancelled":
        raise ValidationError("活动已取消，不能再修改", "status")


def change_series(actor: User, event: Event, data: EventData, *, reason=None, following: Occurrence | None = None,
                  clash_override=None) -> tuple[Event, list[str]]:
    """Change the whole series, or with `following` this occurrence and every later one."""
    _editable(actor, event)
    published = event.status == "published"
    reason = _reason(reason, required=published)
    data = replace(data, status=event.status)
    before = _first_slot(event)
    override = _clash_override(actor, clash_override)
    now = clock.now()
    if following is not None:
        if following.event_id != event.id:
            raise ValidationError("该场次不属于此活动", "occurrence")
        result, warnings = services.split_series(event, following, data, user_id=actor.id, now=now,
                                                 clash_override=override)
    else:
        result, warnings = services.update_series(event, data, user_id=actor.id, now=now, clash_override=override)
    if published:
        after = _first_slot(result)
        kind = "venue_changed" if before[2] != after[2] else "rescheduled" if before[:2] != after[:2] else "updated"
        _record_change(result, kind, actor, reason, before=before, after=after)
    return result, warnings


def _first_slot(event: Event) -> tuple[datetime | None, datetime | None, int | None]:
    tz = ZoneInfo(event.timezone)
    start = event.starts_local.replace(tzinfo=tz).astimezone(timezone.utc) if event.starts_local else None
    end = event.ends_local.replace(tzinfo=tz).astimezone(timezone.utc) if event.ends_local else None
    return start, end, event.venue_id


def _record_change(event: Event, kind: str, actor: User, reason: str | None, *, occurrence: Occurrence | None = None,
                   before=(None, None, None), after=(None, None, None)) -> EventChange:
    event.status_reason = reason
    change = EventChange(event_id=event.id, occurrence_id=occurrence.id if occurrence else None, kind=kind,
                         old_starts_at=before[0], old_ends_at=before[1], old_venue_id=before[2],
                         new_starts_at=after[0], new_ends_at=after[1], new_venue_id=after[2],
                         reason=reason, at=clock.now(), user_id=actor.id)
    db.session.add(change)
    db.session.flush()
    return change


def submit(actor: User, event: Event) -> Event:
    if event.status != "draft":
        raise ValidationError(f"只有草稿可以提交审核（当前：{event.status_label}）", "status")
    event.review_comment = None
    event.submitted_at = clock.now()
    return services.set_status(event, "submitted", user_id=actor.id, now=clock.now())


def publish(actor: User, event: Event) -> Event:
    _scope(actor).require_staff()
    if event.status not in ("submitted", "draft"):
        raise ValidationError(f"该活动不能发布（当前：{event.status_label}）", "status")
    event.published_at = clock.now()
    event.reviewed_by_id = actor.id
    event.review_comment = None
    return services.set_status(event, "published", user_id=actor.id, now=clock.now())


def return_to_draft(actor: User, event: Event, comment) -> Event:
    _scope(actor).require_staff()
    comment = clean_text(comment, field="comment", label="退回意见", max_length=1000, required=True, multiline=True)
    if event.status != "submitted":
        raise ValidationError(f"只有待审核的活动可以退回（当前：{event.status_label}）", "status")
    event.review_comment = comment
    event.reviewed_by_id = actor.id
    services.set_status(event, "draft", user_id=actor.id, now=clock.now())
    record("event.return", "event", event.id, user_id=actor.id, changes={"comment": comment})
    return event


def cancel(actor: User, event: Event, reason) -> Event:
    if event.status == "cancelled":
        raise ValidationError("活动已是取消状态", "status")
    published = event.status == "published"
    reason = _reason(reason, required=True, label="取消原因")
    services.set_status(event, "cancelled", user_id=actor.id, now=clock.now())
    event.status_reason = reason
    if published:
        _record_change(event, "cancelled", actor, reason, before=_first_slot(event))
    return event


def change_occurrence(actor: User, occurrence: Occurrence, payload: dict) -> Occurrence:
    """Move one occurrence (`starts_local`, `ends_local`, `venue`), cancel it (`status: "cancelled"`)
    or restore it (`status: "scheduled"`), with `reason`."""
    if not isinstance(payload, dict):
        raise ValidationError("请求体必须是 JSON 对象", "_")
    unknown = sorted(set(payload) - {"starts_local", "ends_local", "venue", "status", "reason", "clash_override"})
    if unknown:
        raise ValidationError(f"未知的字段：{', '.join(u[:30] for u in unknown[:5])}", unknown[0][:30])
    event = occurrence.event
    _editable(actor, event)
    tz = ZoneInfo(event.timezone)
    published = event.status == "published"
    reason = _reason(payload.get("reason"), required=published)
    status = payload.get("status")
    if status not in (None, "cancelled", "scheduled"):
        raise ValidationError("status 只能是 cancelled 或 scheduled", "status")
    starts_at = _local_instant(payload.get("starts_local"), tz, "starts_local", "开始时间")
    ends_at = _local_instant(payload.get("ends_local"), tz, "ends_local", "结束时间")
    if starts_at is not None and ends_at is None:
        ends_at = starts_at + (occurrence.ends_at - occurrence.starts_at)
    venue_id = payload.get("venue")
    if venue_id is not None:
        if isinstance(venue_id, bool) or not isinstance(venue_id, int):
            raise ValidationError("字段 venue 必须是整数", "venue")
        venue = db.session.get(Venue, venue_id)
        if venue is None:
            raise ScopeError("所选场馆不存在或不在您的管辖范围内", "venue")
        _scope(actor).require_venue(venue)
    before = (occurrence.starts_at, occurrence.ends_at, occurrence.venue_id)
    was_cancelled = occurrence.status == "cancelled"
    services.edit_occurrence(occurrence, starts_at=starts_at, ends_at=ends_at, venue_id=venue_id,
                             cancelled={"cancelled": True, "scheduled": False}.get(status), reason=reason,
                             user_id=actor.id, now=clock.now(),
                             clash_override=_clash_override(actor, payload.get("clash_override")))
    after = (occurrence.starts_at, occurrence.ends_at, occurrence.venue_id)
    if published:
        if occurrence.status == "cancelled" and not was_cancelled:
            kind = "cancelled"
        elif was_cancelled and occurrence.status != "cancelled":
            kind = "restored"
        elif before[2] != after[2]:
            kind = "venue_changed"
        elif before[:2] != after[:2]:
            kind = "rescheduled"
        else:
            kind = None
        if kind:
            _record_change(event, kind, actor, reason, occurrence=occurrence, before=before, after=after)
    return occurrence


def _local_instant(value, tz: ZoneInfo, field: str, label: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是 YYYY-MM-DDTHH:MM 格式的文本", field)
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{label}格式不正确：{value[:40]}（应为 YYYY-MM-DDTHH:MM）", field) from None
    if local.tzinfo is not None:
        raise ValidationError(f"{label}应为当地时间（不带时区偏移）", field)
    if not services.MIN_DATE <= local.date() <= services.MAX_DATE:
        raise ValidationError(f"日期超出支持范围（1901–2099 年）：{local.date()}", field)
    return local.replace(second=0, microsecond=0, tzinfo=tz).astimezone(timezone.utc)


def report_attendance(actor: User, occurrence: Occurrence, attendance, note=None) -> Occurrence:
    """人次 after the occurrence has ended."""
    if occurrence.ends_at > clock.now():
        raise ValidationError("活动结束后才能填报人次", "attendance")
    if occurrence.event.status != "published":
        raise ValidationError("只有已发布活动的场次可以填报人次", "attendance")
    note = clean_text(note, field="note", label="备注", max_length=500)
    services.report_attendance(occurrence, attendance, user_id=actor.id, now=clock.now())
    if note:
        record("occurrence.attendance_note", "occurrence", occurrence.id, user_id=actor.id, changes={"note": note})
    return occurrence


# --- quotas ----------------------------------------------------------------------------------------------------

@dataclass
class QuotaProgress:
    assignment: Assignment
    scheduled: int
    held: int
    reported_attendance: int
    unreported: int

    @property
    def owed(self) -> int:
        return max(0, self.assignment.target_events - self.scheduled)

    @property
    def expected_by_now(self) -> int | None:
        """Held occurrences a steady pace would have reached today (None without dates)."""
        edition = self.assignment.edition
        due = self.assignment.due_on or edition.ends_on
        today = clock.today()
        if due <= edition.starts_on:
            return None
        fraction = min(1.0, max(0.0, (today - edition.starts_on).days / (due - edition.starts_on).days))
        return int(self.assignment.target_events * fraction)

    @property
    def on_pace(self) -> bool:
        expected = self.expected_by_now
        return expected is None or self.held >= expected

    def to_json(self) -> dict:
        a = self.assignment
        return {"id": a.id, "edition": {"id": a.edition.id, "name": a.edition.name, "program": a.edition.program.name},
                "town": {"id": a.area.id, "name": a.area.name}, "target": a.target_events,
                "target_attendance": a.target_attendance, "scheduled": self.scheduled, "held": self.held,
                "owed": self.owed, "reported_attendance": self.reported_attendance, "unreported": self.unreported,
                "due_on": (a.due_on or a.edition.ends_on).isoformat(), "expected_by_now": self.expected_by_now,
                "on_pace": self.on_pace}


def quota_progress(assignments: list[Assignment]) -> list[QuotaProgress]:
    """Scheduled / held / reported per assignment, over the edition's occurrences in its town (a query each)."""
    if not assignments:
        return []
    now = clock.now()
    results = []
    for a in assignments:
        town_ids = select(Area.id).where(Area.path.startswith(a.area.path, autoescape=True))
        live = (Occurrence.edition_id == a.edition_id, Occurrence.area_id.in_(town_ids),
                Occurrence.status != "cancelled")
        row = db.session.execute(
            select(func.count(),
                   func.count().filter(Occurrence.ends_at <= now, Occurrence.is_public.is_(True)),
                   func.coalesce(func.sum(Occurrence.attendance), 0),
                   func.count().filter(Occurrence.ends_at <= now, Occurrence.is_public.is_(True),
                                       Occurrence.attendance.is_(None)))
            .select_from(Occurrence).join(Event, Event.id == Occurrence.event_id)
            .where(*live, Event.status != "cancelled")
        ).one()
        results.append(QuotaProgress(a, row[0], row[1], int(row[2]), row[3]))
    return results


def _awaiting_attendance(now: datetime):
    return (select(Occurrence).join(Event, Event.id == Occurrence.event_id)
            .where(Occurrence.is_public.is_(True), Occurrence.status != "cancelled", Occurrence.attendance.is_(None),
                   Occurrence.ends_at <= now, Occurrence.ends_at > now - timedelta(days=400)))


def awaiting_attendance(limit: int = 50, now: datetime | None = None) -> list[Occurrence]:
    """Held occurrences in the scope without a report, the longest overdue first."""
    return list(db.session.scalars(_awaiting_attendance(now or clock.now()).order_by(Occurrence.ends_at).limit(limit)))


def count_awaiting_attendance(now: datetime | None = None) -> int:
    """How many held occurrences in the scope are still without a report."""
    return db.session.scalar(select(func.count()).select_from(_awaiting_attendance(now or clock.now()).subquery()))
