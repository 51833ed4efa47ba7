"""Program, edition and assignment writes. Services flush; the caller commits."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from calendar_app.areas.services import get_area
from calendar_app.audit.services import record
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.programs.models import CATEGORIES, Assignment, Edition, Program
from calendar_app.text import clean_text

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Dates we accept for editions: far enough for history and planning, not typos like 0206 or 20260.
MIN_DATE, MAX_DATE = date(1901, 1, 1), date(2099, 12, 31)


def _colour(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if not _COLOUR.match(value):
        raise ValidationError(f"颜色应为 #RRGGBB 格式：{value}", field)
    return value.lower()


def _non_negative(value: int | None, field: str, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{label}必须是整数", field)
    if value < 0:
        raise ValidationError(f"{label}不能为负数（当前 {value}）", field)
    return value


def _check_edition_dates(starts_on, ends_on) -> None:
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise ValidationError("届次的起止日期必须是日期", "starts_on")
    for value, field in ((starts_on, "starts_on"), (ends_on, "ends_on")):
        if not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError(f"日期超出支持范围（1901–2099 年）：{value}", field)
    if ends_on < starts_on:
        raise ValidationError(f"结束日期 {ends_on} 早于开始日期 {starts_on}", "ends_on")


def get_program(program_id: int | None, *, field: str = "program_id") -> Program:
    program = db.session.get(Program, program_id) if program_id is not None else None
    if program is None:
        raise ValidationError(f"活动品牌不存在：{program_id}", field)
    return program


def get_edition(edition_id: int | None, *, field: str = "edition_id") -> Edition:
    edition = db.session.get(Edition, edition_id) if edition_id is not None else None
    if edition is None:
        raise ValidationError(f"届次不存在：{edition_id}", field)
    return edition


def create_program(
    *, slug: str, name: str, area_id: int, category: str = "other", colour: str = "#b22222",
    description: str | None = None,
) -> Program:
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ValidationError("网址名只能包含小写字母、数字和连字符", "slug")
    if db.session.scalar(select(Program.id).where(Program.slug == slug)) is not None:
        raise ValidationError(f"网址名已被使用：{slug}", "slug")
    if category not in CATEGORIES:
        raise ValidationError(f"未知的类别：{category}", "category")
    program = Program(
        slug=slug,
        name=clean_text(name, field="name", label="品牌名称", max_length=100, required=True),
        description=clean_text(description, field="description", label="简介", max_length=5000, multiline=True),
        area=get_area(area_id),
        category=category,
        colour=_colour(colour, "colour"),
    )
    db.session.add(program)
    db.session.flush()
    return program


def create_edition(
    *, program_id: int, name: str, starts_on: date, ends_on: date, theme: str | None = None,
    theme_colour: str | None = None, target_events: int | None = None, target_attendance: int | None = None,
    is_featured: bool = False,
) -> Edition:
    program = get_program(program_id)
    _check_edition_dates(starts_on, ends_on)
    name = clean_text(name, field="name", label="届次名称", max_length=100, required=True)
    if db.session.scalar(select(Edition.id).where(Edition.program_id == program.id, Edition.name == name)):
        raise ValidationError(f"「{program.name}」已有名为「{name}」的届次", "name")
    edition = Edition(
        program=program, name=name, starts_on=starts_on, ends_on=ends_on,
        theme=clean_text(theme, field="theme", label="主题", max_length=100),
        theme_colour=_colour(theme_colour, "theme_colour"),
        target_events=_non_negative(target_events, "target_events", "目标场次"),
        target_attendance=_non_negative(target_attendance, "target_attendance", "目标人次"),
        is_featured=bool(is_featured),
    )
    db.session.add(edition)
    db.session.flush()
    return edition


def create_assignment(
    *, edition_id: int, area_id: int, target_events: int, target_attendance: int | None = None,
    due_on: date | None = None, coordinator_ids: list[int] | None = None,
) -> Assignment:
    from calendar_app.accounts.models import User  # accounts sits beside programs; imported late to keep the graph one-way

    edition = get_edition(edition_id)
    area = get_area(area_id)
    if not area.is_town:
        raise ValidationError(f"任务只能分配给镇街，「{area.name}」是{area.kind_label}", "area_id")
    if db.session.scalar(select(Assignment.id).where(Assignment.edition_id == edition.id, Assignment.area_id == area.id)):
        raise ValidationError(f"「{area.name}」在该届次已有任务", "area_id")
    coordinators = []
    for user_id in coordinator_ids or []:
        user = db.session.get(User, user_id)
        if user is None:
            raise ValidationError(f"用户不存在：{user_id}", "coordinator_ids")
        coordinators.append(user)
    assignment = Assignment(
        edition=edition, area=area,
        target_events=_non_negative(target_events, "target_events", "目标场次") or 0,
        target_attendance=_non_negative(target_attendance, "target_attendance", "目标人次"),
        due_on=due_on, coordinators=coordinators,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


# --- updates (the staff pages) -------------------------------------------------------------------------


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _apply_changes(obj, values: dict) -> dict:
    """Set each attribute that differs; return {field: [old, new]} for the audit log."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(obj, name, value)
    return changes


def update_program(
    program: Program, *, slug: str, name: str, category: str, colour: str, description: str | None = None,
    area_id: int | None = None, user_id: int | None = None,
) -> Program:
    """Change a program's slug, name, category, colour, description (and area); audited."""
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ValidationError("网址名只能包含小写字母、数字和连字符", "slug")
    if slug != program.slug and db.session.scalar(select(Program.id).where(Program.slug == slug)) is not None:
        raise ValidationError(f"网址名已被使用：{slug}", "slug")
    if category not in CATEGORIES:
        raise ValidationError(f"未知的类别：{category}", "category")
    values = {
        "slug": slug,
        "name": clean_text(name, field="name", label="品牌名称", max_length=100, required=True),
        "description": clean_text(description, field="description", label="简介", max_length=5000, multiline=True),
        "category": category,
        "colour": _colour(colour, "colour"),
    }
    if area_id is not None:
        values["area_id"] = get_area(area_id, field="area").id
    changes = _apply_changes(program, values)
    db.session.flush()
    if changes:
        record("program.update", "program", program.id, user_id=user_id, changes=changes)
    return program


def update_edition(
    edition: Edition, *, name: str, starts_on: date, ends_on: date, theme: str | None = None,
    theme_colour: str | None = None, target_events: int | None = None, target_attendance: int | None = None,
    is_featured: bool | None = None, user_id: int | None = None,
) -> Edition:
    """Change an edition's name, dates, theme, targets (场次, 人次) and home-page featuring; audited."""
    _check_edition_dates(starts_on, ends_on)
    name = clean_text(name, field="name", label="届次名称", max_length=100, required=True)
    if name != edition.name and db.session.scalar(
            select(Edition.id).where(Edition.program_id == edition.program_id, Edition.name == name)):
        raise ValidationError(f"「{edition.program.name}」已有名为「{name}」的届次", "name")
    changes = _apply_changes(edition, {
        "name": name, "starts_on": starts_on, "ends_on": ends_on,
        "theme": clean_text(theme, field="theme", label="主题", max_length=100),
        "theme_colour": _colour(theme_colour, "theme_colour"),
        "target_events": _non_negative(target_events, "target_events", "目标场次"),
        "target_attendance": _non_negative(target_attendance, "target_attendance", "目标人次"),
        **({} if is_featured is None else {"is_featured": bool(is_featured)}),
    })
    db.session.flush()
    if changes:
        record("edition.update", "edition", edition.id, user_id=user_id, changes=changes)
    return edition


def update_assignment(
    assignment: Assignment, *, target_events: int, target_attendance: int | None = None, due_on: date | None = None,
    coordinator_ids: list[int] | None = None, user_id: int | None = None,
) -> Assignment:
    """Change a town's quota: targets, due date and the coordinators responsible (of that town); audited."""
    from calendar_app.accounts.models import User  # imported late, as in create_assignment
    if target_events is None:
        raise ValidationError("请填写目标场次（不需要任务时填 0）", "target_events")
    if due_on is not None and not MIN_DATE <= due_on <= MAX_DATE:
        raise ValidationError(f"日期超出支持范围（1901–2099 年）：{due_on}", "due_on")
    coordinators = []
    for coordinator_id in coordinator_ids or []:
        user = db.session.get(User, coordinator_id)
        if user is None or user.role != "coordinator" or user.area_id != assignment.area_id:
            raise ValidationError(f"只能指定「{assignment.area.name}」的协调员", "coordinator_ids")
        coordinators.append(user)
    changes = _apply_changes(assignment, {
        "target_events": _non_negative(target_events, "target_events", "目标场次"),
        "target_attendance": _non_negative(target_attendance, "target_attendance", "目标人次"),
        "due_on": due_on,
    })
    old_ids = [u.id for u in assignment.coordinators]
    new_ids = [u.id for u in coordinators]
    if sorted(old_ids) != sorted(new_ids):
        changes["coordinator_ids"] = [sorted(old_ids), sorted(new_ids)]
        assignment.coordinators = coordinators
    db.session.flush()
    if changes:
        record("assignment.update", "assignment", assignment.id, user_id=user_id, changes=changes)
    return assignment
