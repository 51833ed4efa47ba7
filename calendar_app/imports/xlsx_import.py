"""A schedule sheet into an edition: every row through the workflow, the whole file in one transaction.

Each row becomes the payload the event form and the API send (`workflow.event_data`) and is created
as a draft with `workflow.create`, so it is checked exactly like a form: scope, edition, venue,
recurrence limits and venue clashes, including clashes between rows of the same file (an earlier row
is already flushed when a later one is checked). Each row runs in its own savepoint so that every bad
row is reported; if any row failed, or only a check was asked for, the savepoint around the whole
import is rolled back and nothing remains.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from calendar_app import clock
from calendar_app.accounts import scope as scoping
from calendar_app.accounts.models import User
from calendar_app.accounts.scope import ScopeError
from calendar_app.areas.models import Area
from calendar_app.audit.services import batched as audit_batched
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events import services
from calendar_app.events.conflicts import HOLD_REACH, VenueConflict, cached_holders
from calendar_app.extensions import db
from calendar_app.imports.report import ImportResult, RowError
from calendar_app.imports.sheet import SheetRow, read_sheet
from calendar_app.programs.models import Edition
from calendar_app.venues.models import Venue

#: Field names of ValidationError / ScopeError -> the sheet's column.
FIELD_COLUMNS = {
    "title": "活动名称", "description": "备注", "program": "品牌活动", "program_id": "品牌活动",
    "edition": "品牌活动", "edition_id": "品牌活动", "area": "镇街", "area_id": "镇街", "venue": "场馆",
    "venue_id": "场馆", "starts_local": "日期", "start": "日期", "ends_local": "结束时间", "end": "结束时间",
    "rrule": "重复", "lunar": "重复", "lunar_rule": "重复", "rdates": "重复", "exdates": "重复",
}
_TOWN_KINDS = ("town", "village")


def edition_for_import(actor: User, edition_id) -> Edition:
    """The edition to import into: it must exist (ValidationError) and be one the actor may schedule into (403)."""
    if isinstance(edition_id, str):
        edition_id = int(edition_id) if edition_id.isascii() and edition_id.isdigit() and len(edition_id) < 10 else None
    if not isinstance(edition_id, int) or isinstance(edition_id, bool):
        raise ValidationError("请选择要导入的届次（edition=<届次编号>）", "edition")
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        raise ValidationError(f"届次不存在：{edition_id}", "edition")
    if edition.id not in {e.id for e in workflow.editions_for(actor)}:
        if actor.role == "coordinator":
            raise ScopeError(f"届次「{edition.name}」没有分配给您的镇街，不能导入", "edition")
        raise ScopeError(f"届次「{edition.name}」不属于您管辖的区域，不能导入", "edition")
    return edition


class Lookups:
    """Areas and venues the actor may use, by the names people write in a sheet (loaded once per file)."""

    def __init__(self, actor: User):
        self.actor = actor
        self.areas_by_name: dict[str, list[Area]] = defaultdict(list)
        self.areas_by_code: dict[str, Area] = {}
        for area in workflow.areas_for(actor):
            if area.kind in _TOWN_KINDS:
                self.areas_by_name[area.name].append(area)
                self.areas_by_code[area.code] = area
        self.venues_by_name: dict[str, list[Venue]] = defaultdict(list)
        for venue in workflow.venues_for(actor):
            self.venues_by_name[venue.name].append(venue)

    def area(self, text: str | None) -> Area:
        if text is None:
            if self.actor.role == "coordinator" and self.actor.area.kind in _TOWN_KINDS:
                return self.actor.area
            raise LookupError("缺少镇街（填写镇街或村的名称，或区划代码）")
        found = self.areas_by_code.get(text) or None
        if found is not None:
            return found
        matches = self.areas_by_name.get(text, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise LookupError(f"名称「{text}」对应多个区域，请改填区划代码（{'、'.join(a.code for a in matches[:4])}）")
        raise LookupError(f"「{text}」不是您管辖范围内的镇街或村（请填写名称或区划代码）")

    def venue(self, text: str | None, area: Area) -> Venue | None:
        if text is None:
            return None
        matches = self.venues_by_name.get(text, [])
        if len(matches) > 1:
            # The same name in two places: prefer the one in the event's town, or above it.
            ancestors = {int(p) for p in area.path.strip("/").split("/") if p}
            near = [v for v in matches if v.area_id in ancestors or v.area.path.startswith(area.path)]
            matches = near if len(near) == 1 else matches
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise LookupError(f"有多个名为「{text}」的场馆，无法确定是哪一个，请联系文旅局工作人员")
        raise LookupError(f"「{text}」不是您可以预订的场馆（名称须与系统中的场馆名称一致）")


def payload_for(row: SheetRow, edition: Edition, lookups: Lookups) -> dict | None:
    """The workflow payload of a typed row, or None (with errors added to the row)."""
    area = venue = None
    try:
        area = lookups.area(row.area)
    except LookupError as exc:
        row.fail("镇街", str(exc))
    if area is not None:
        try:
            venue = lookups.venue(row.venue, area)
        except LookupError as exc:
            row.fail("场馆", str(exc))
    program = edition.program
    if row.program is not None and row.program not in (program.name, program.slug):
        row.fail("品牌活动", f"「{row.program}」与届次「{edition.name}」的活动品牌「{program.name}」不符")
    if row.errors:
        return None
    if row.all_day:
        starts, ends = row.day.isoformat(), (row.day + timedelta(days=1)).isoformat()
        skipped = [d.isoformat() for d in row.repeat.exdates]
    else:
        starts = f"{row.day.isoformat()}T{row.start:%H:%M}"
        ends = f"{row.day.isoformat()}T{row.end:%H:%M}"
        skipped = [f"{d.isoformat()}T{row.start:%H:%M}" for d in row.repeat.exdates]
    payload = {"title": row.title, "edition": edition.id, "area": area.id, "starts_local": starts, "ends_local": ends,
               "all_day": row.all_day, "timezone": current_app.config["CALENDAR_TIMEZONE"]}
    if venue is not None:
        payload["venue"] = venue.id
    if row.note:
        payload["description"] = row.note
    if row.repeat.rrule:
        payload["rrule"] = row.repeat.rrule
    if row.repeat.lunar_rule:
        payload["lunar_rule"] = row.repeat.lunar_rule
    if skipped:
        payload["exdates"] = skipped
    return payload


def clash_message(exc: VenueConflict, rows_by_event: dict[int, int], tz: ZoneInfo, *, unit: str = "行",
                  source: str = "本表") -> str:
    """A venue clash in the words of the sheet: which row of this file, or which booking, holds the slot."""
    parts = []
    for clash in exc.clashes[:3]:
        when = f"{clash.start.astimezone(tz):%Y-%m-%d %H:%M}–{clash.end.astimezone(tz):%H:%M}"
        if clash.event_id in rows_by_event:
            parts.append(f"与{source}第 {rows_by_event[clash.event_id]} {unit}「{clash.title}」（{when}）冲突")
        elif clash.event_id is None:
            parts.append(f"与另一项预订（{when}）冲突")
        else:
            parts.append(f"与已有活动「{clash.title}」（{when}）冲突")
    more = f" 等 {len(exc.clashes)} 处" if len(exc.clashes) > 3 else ""
    venue = exc.clashes[0].venue
    return f"场馆「{venue}」该时段已被占用（含换场时间）：{'；'.join(parts)}{more}"


def run_rows(actor: User, rows: list[SheetRow], edition: Edition, *, dry_run: bool) -> ImportResult:
    """Rows -> drafts in `edition`, all or nothing. Leaves nothing behind unless every row was created.

    A clean file runs straight through; as soon as a row fails, everything is rolled back and the
    rows run again each in its own savepoint, so that the report names every bad row (a savepoint per
    row costs a flush and two statements, which a good file does not need to pay).
    """
    lookups = Lookups(actor)
    planned = [(row, payload_for(row, edition, lookups)) for row in rows]  # cell and place errors first
    careful = any(payload is None for _row, payload in planned)
    result = None if careful else _run(actor, planned, dry_run=dry_run, careful=False)
    if result is None:
        result = _run(actor, planned, dry_run=dry_run, careful=True)
    result.errors.sort(key=lambda e: (e.row or 0))
    return result


def _run(actor: User, planned: list[tuple[SheetRow, dict | None]], *, dry_run: bool,
         careful: bool) -> ImportResult | None:
    """One pass in a savepoint; without `careful`, None at the first failing row (everything rolled back)."""
    result = ImportResult(rows=len(planned), dry_run=dry_run)
    whole = db.session.begin_nested()
    # The audit rows wait in memory and go in with one INSERT at the end, when the import is kept.
    # A clean file's bookings are checked against one read of its venues' holders, not a query per row
    # (the careful pass, which reports each bad row, asks the database row by row).
    tz = ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])
    holders = nullcontext() if careful else _holder_cache(planned, tz)
    try:
        # Under a holder cache PostgreSQL holds the new events back until cache.write(): a query a row
        # makes (a coordinator's assignment) must not flush the rows before it one by one.
        with audit_batched() as audit, holders as cache, db.session.no_autoflush if cache else nullcontext():
            if not _create_rows(actor, planned, result, careful=careful, tz=tz):
                whole.rollback()
                return None
            if cache is not None:
                try:
                    cache.write()  # a dry run too: the database's own checks see every row
                except VenueConflict:  # a concurrent booking took a slot since the check: report it row by row
                    whole.rollback()
                    return None
            if not result.errors and not dry_run:
                audit.write()
    except BaseException:
        whole.rollback()
        raise
    if result.errors or dry_run:
        whole.rollback()
        result.created_ids = []
    else:
        whole.commit()
    return result


def _create_rows(actor: User, planned: list[tuple[SheetRow, dict | None]], result: ImportResult, *,
                 careful: bool, tz: ZoneInfo) -> bool:
    """Create each row's event, adding what happened to `result`; without `careful`, False at the first
    failing row (the caller rolls back), with `careful` each row in a savepoint of its own."""
    rows_by_event: dict[int, int] = {}
    for row, payload in planned:
        if payload is None:
            result.errors += row.errors
            continue
        try:
            with db.session.begin_nested() if careful else nullcontext():
                event, warnings = _create(actor, payload)
        except VenueConflict as exc:
            if not careful:
                return False
            result.errors.append(RowError(row.number, "场馆", clash_message(exc, rows_by_event, tz)))
        except (ValidationError, ScopeError) as exc:
            if not careful:
                return False
            result.errors.append(RowError(row.number, FIELD_COLUMNS.get(exc.field or "", None), exc.message))
        else:
            rows_by_event[event.id] = row.number
            result.created_ids.append(event.id)
            result.warnings += [f"第 {row.number} 行：{w}" for w in warnings]
    return True


#: Fewer rows than this are checked against the database row by row (reading the venues' holders
#: over the sheet's whole span would cost more than the queries it saves).
CACHE_HOLDERS_FROM = 20


def _holder_cache(planned: list[tuple[SheetRow, dict | None]], tz: ZoneInfo):
    """The venue holders every row of the sheet may meet: from the day before its first date to the
    horizon of its last (no occurrence is stored beyond it), plus the longest instance and changeover."""
    rows = [(row, payload) for row, payload in planned if payload is not None and payload.get("venue")]
    if len(rows) < CACHE_HOLDERS_FROM:
        return nullcontext()
    first = min(row.day for row, _payload in rows)
    last = max(row.day for row, _payload in rows)
    lo = datetime.combine(first - timedelta(days=1), time(0), tz)
    hi = services.horizon_end(last, tz, clock.now()) + HOLD_REACH
    bookings = sum(1 for _row, payload in planned if payload is not None)
    return cached_holders({payload["venue"] for _row, payload in rows}, lo, hi, bookings=bookings)


def _create(actor: User, payload: dict):
    """The row as the event form would create it: checked in the actor's scope, then created.

    The creation itself reads beyond the scope: a clash with another town's booking at a shared venue
    must be found (and the scope's filters on every read cost a fifth of an import's time).
    """
    data = workflow.event_data(actor, payload)
    with scoping.unscoped():
        return workflow.create(actor, data)


def import_xlsx(actor: User, edition_id, data: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import an .xlsx schedule into an edition (drafts). The caller commits when `result.ok` and not dry_run.

    Raises ImportRefused for a file that is not a usable schedule, ScopeError (403) for an edition the
    actor may not schedule into, ValidationError for a missing edition.
    """
    edition = edition_for_import(actor, edition_id)
    sheet = read_sheet(data)
    return run_rows(actor, sheet.rows, edition, dry_run=dry_run)

