"""Bureau staff's pages: review queue, programs and editions, quotas per town, venues, users, audit log.

Every view needs role staff or admin (`staff_only`: coordinators get 403). The active scope already
limits events, occurrences, assignments, users and venues to the staff member's district, so a guessed
id of another district is simply absent (404). Programs, editions and audit entries are not scoped
rows: `_program_access` and `_audit_in_scope` decide explicitly. A program of the district is editable;
a city-wide program above it is shown read-only (its editions still get quotas for the district's towns).

Views are thin: load, validate the form, call the service, commit, respond. Service errors
(`ValidationError`, with the field) are shown next to the field after a rollback.
"""
from __future__ import annotations

from calendar_app.accounts import scope

import re
from datetime import datetime, time, timedelta
from functools import wraps

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from calendar_app import clock
from calendar_app.accounts import tokens as api_tokens
from calendar_app.accounts.models import ROLES, ApiToken, User
from calendar_app.accounts.scope import ScopeError
from calendar_app.accounts.services import create_user, set_password, update_user
from calendar_app.areas.models import Area
from calendar_app.audit.models import AuditLog
from calendar_app.audit.services import record
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events.models import EVENT_STATUSES, Event, Occurrence
from calendar_app.events.venue_holds import VenueRuleConflict, rehold_future_bookings
from calendar_app.extensions import db
from calendar_app.feeds import services as feeds
from calendar_app.manage import bp
from calendar_app.manage.staff_forms import (ApiTokenForm, AuditFilterForm, EditionForm, PasswordResetForm,
                                             ProgramForm, QuotasForm, ReturnForm,
                                             UserCreateForm, UserEditForm, UserFilterForm, VenueFilterForm,
                                             VenueForm)
from calendar_app.programs import services as programs
from calendar_app.programs.models import CATEGORIES, Assignment, Edition, Program
from calendar_app.text import clean_text
from calendar_app.venues import services as venues
from calendar_app.venues.models import VENUE_KINDS, Venue

QUEUE_LIMIT = 200
AUDIT_PAGE_SIZE = 50


def staff_only(view):
    """Bureau staff and admins only: coordinators get the 403 page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.scope.require_staff()
        return view(*args, **kwargs)

    return wrapped


def _show_error(form, exc: ValidationError, fields: dict[str, str] | None = None, default: str | None = None) -> None:
    """Undo the half-done write and put the service's message next to the form field it concerns."""
    db.session.rollback()
    name = (fields or {}).get(exc.field, exc.field)
    target = getattr(form, name, None) if name else None
    if target is None or not hasattr(target, "errors") or not isinstance(target.errors, list):
        target = getattr(form, default) if default else None
    if target is None:
        flash(exc.message, "error")
    else:
        target.errors.append(exc.message)


def _local_bounds(day) -> datetime:
    return datetime.combine(day, time(0), clock.local_zone())


# --- review queue ----------------------------------------------------------------------------------------------

@bp.get("/review")
@staff_only
def review_queue():
    return _render_queue()


def _render_queue(failed: ReturnForm | None = None, failed_id: int | None = None, status: int = 200):
    events = list(db.session.scalars(
        select(Event).where(Event.status == "submitted")
        .options(selectinload(Event.area).selectinload(Area.parent), selectinload(Event.venue),
                 selectinload(Event.program), selectinload(Event.edition))
        .order_by(Event.submitted_at.is_(None), Event.submitted_at, Event.id).limit(QUEUE_LIMIT + 1)))
    more = len(events) > QUEUE_LIMIT
    events = events[:QUEUE_LIMIT]
    stats = {}
    if events:
        rows = db.session.execute(
            select(Occurrence.event_id, func.count(), func.min(Occurrence.starts_at),
                   func.count().filter(Occurrence.clash_override_reason.is_not(None)))
            .where(Occurrence.event_id.in_([e.id for e in events]), Occurrence.status != "cancelled")
            .group_by(Occurrence.event_id))
        stats = {event_id: (count, first, shared) for event_id, count, first, shared in rows}
    forms = {e.id: ReturnForm(prefix=f"r{e.id}", formdata=None) for e in events}
    if failed is not None and failed_id in forms:
        forms[failed_id] = failed
    return render_template("manage/staff/review.html", events=events, stats=stats, return_forms=forms,
                           failed_id=failed_id, more=more,
                           limit=QUEUE_LIMIT), status


def _submitted_or_404(event_id: int) -> Event:
    event = scope.get(Event, event_id)
    if event is None:
        abort(404, "找不到该活动，或它不在您的管辖范围内")
    return event


@bp.post("/review/<int:event_id>/publish")
@staff_only
def review_publish(event_id: int):
    event = _submitted_or_404(event_id)
    # A button only: CSRFProtect checked the form's token before any view runs (a 400 without it).
    try:
        workflow.publish(g.actor, event)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("manage.review_queue"))
    title = event.title
    db.session.commit()
    flash(f"已发布「{title}」：公众页面和订阅日历随即更新", "success")
    return redirect(url_for("manage.review_queue"))


@bp.post("/review/<int:event_id>/return")
@staff_only
def review_return(event_id: int):
    event = _submitted_or_404(event_id)
    form = ReturnForm(prefix=f"r{event_id}")
    if form.validate_on_submit():
        try:
            workflow.return_to_draft(g.actor, event, form.comment.data)
        except ValidationError as exc:
            _show_error(form, exc, {"status": "comment"}, default="comment")
        else:
            title = event.title
            db.session.commit()
            flash(f"已退回「{title}」，协调员会在工作台看到您的意见", "success")
            return redirect(url_for("manage.review_queue"))
    return _render_queue(form, event_id, 422)


# --- programs and editions ---------------------------------------------------------------------------------------

def _program_access(program: Program | None) -> str | None:
    """"edit" for a program of the user's subtree, "view" for one of an area above it, else None."""
    if program is None:
        return None
    if g.scope.contains(program.area):
        return "edit"
    if program.area_id in g.scope.ancestor_ids:
        return "view"
    return None


def _program_or_404(program_id: int, *, edit: bool = False) -> Program:
    program = db.session.get(Program, program_id)
    access = _program_access(program)
    if access is None:
        abort(404, "找不到该活动品牌，或它不在您的管辖范围内")
    if edit and access != "edit":
        raise ScopeError("市级活动品牌由市级管理员维护；您可以查看它，并为本区镇街分配任务")
    return program


def _edition_or_404(program: Program, edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or edition.program_id != program.id:
        abort(404, "找不到该届次")
    return edition


def _program_area_choices() -> list[tuple[int, str]]:
    query = select(Area).where(Area.kind.in_(("city", "district"))).order_by(Area.path)
    if not g.scope.is_everything:
        query = query.where(Area.path.startswith(g.scope.path, autoescape=True))
    return [(a.id, a.name) for a in db.session.scalars(query)]


@bp.get("/programs")
@staff_only
def programs_list():
    query = (select(Program).options(selectinload(Program.area), selectinload(Program.editions))
             .order_by(Program.area_id, Program.name))
    if not g.scope.is_everything:
        query = query.where(or_(Program.area_id.in_(g.scope.area_ids()),
                                Program.area_id.in_(g.scope.ancestor_ids or [-1])))
    items = [(p, _program_access(p)) for p in db.session.scalars(query)]
    return render_template("manage/staff/programs.html", items=items, categories=CATEGORIES)


@bp.route("/programs/new", methods=["GET", "POST"])
@staff_only
def program_new():
    form = ProgramForm()
    form.area.choices = _program_area_choices()
    if form.validate_on_submit():
        try:
            g.scope.require_area(db.session.get(Area, form.area.data), "area")
            program = programs.create_program(slug=form.slug.data.strip(), name=form.name.data,
                                              area_id=form.area.data, category=form.category.data,
                                              colour=form.colour.data, description=form.description.data)
            record("program.create", "program", program.id, user_id=g.actor.id,
                   changes={"name": program.name, "slug": program.slug})
        except ValidationError as exc:
            _show_error(form, exc, {"area_id": "area"}, default="name")
        else:
            db.session.commit()
            flash(f"已新建活动品牌「{form.name.data}」，现在可以添加届次", "success")
            return redirect(url_for("manage.edition_new", program_id=program.id))
    return render_template("manage/staff/program_form.html", form=form, program=None), 422 if form.errors else 200


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@staff_only
def program_edit(program_id: int):
    program = _program_or_404(program_id, edit=True)
    form = ProgramForm(obj=program, area=program.area_id)
    form.area.choices = _program_area_choices()
    if form.validate_on_submit():
        try:
            g.scope.require_area(db.session.get(Area, form.area.data), "area")
            programs.update_program(program, slug=form.slug.data.strip(), name=form.name.data,
                                    category=form.category.data, colour=form.colour.data,
                                    description=form.description.data, area_id=form.area.data, user_id=g.actor.id)
        except ValidationError as exc:
            _show_error(form, exc, {"area_id": "area"}, default="name")
        else:
            db.session.commit()
            flash(f"已保存活动品牌「{form.name.data}」", "success")
            return redirect(url_for("manage.programs_list") + f"#program-{program_id}")
    return render_template("manage/staff/program_form.html", form=form, program=program), 422 if form.errors else 200


def _edition_values(form: EditionForm) -> dict:
    return {"name": form.name.data, "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
            "theme": form.theme.data, "theme_colour": (form.theme_colour.data or "").strip() or None,
            "target_events": form.target_events.data, "target_attendance": form.target_attendance.data,
            "is_featured": bool(form.is_featured.data)}


@bp.route("/programs/<int:program_id>/editions/new", methods=["GET", "POST"])
@staff_only
def edition_new(program_id: int):
    program = _program_or_404(program_id, edit=True)
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = programs.create_edition(program_id=program.id, **_edition_values(form))
            record("edition.create", "edition", edition.id, user_id=g.actor.id,
                   changes={"program": program.name, "name": edition.name})
        except ValidationError as exc:
            _show_error(form, exc, default="name")
        else:
            db.session.commit()
            flash(f"已新建届次「{form.name.data}」，请为各镇街分配任务", "success")
            return redirect(url_for("manage.edition_quotas", program_id=program_id, edition_id=edition.id))
    return render_template("manage/staff/edition_form.html", form=form, program=program, edition=None), \
        422 if form.errors else 200


@bp.route("/programs/<int:program_id>/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@staff_only
def edition_edit(program_id: int, edition_id: int):
    program = _program_or_404(program_id, edit=True)
    edition = _edition_or_404(program, edition_id)
    form = EditionForm(obj=edition)
    if form.validate_on_submit():
        try:
            programs.update_edition(edition, **_edition_values(form), user_id=g.actor.id)
        except ValidationError as exc:
            _show_error(form, exc, default="name")
        else:
            db.session.commit()
            flash(f"已保存届次「{form.name.data}」", "success")
            return redirect(url_for("manage.programs_list") + f"#program-{program_id}")
    return render_template("manage/staff/edition_form.html", form=form, program=program, edition=edition), \
        422 if form.errors else 200


# --- quotas per town ---------------------------------------------------------------------------------------------

def _towns_for(program: Program) -> list[Area]:
    """Towns that can get a quota: below the program's area and inside the user's scope."""
    query = (select(Area).where(Area.kind == "town", Area.path.startswith(program.area.path, autoescape=True))
             .order_by(Area.path))
    if not g.scope.is_everything:
        query = query.where(Area.path.startswith(g.scope.path, autoescape=True))
    return list(db.session.scalars(query))


@bp.route("/programs/<int:program_id>/editions/<int:edition_id>/assignments", methods=["GET", "POST"])
@staff_only
def edition_quotas(program_id: int, edition_id: int):
    program = _program_or_404(program_id)
    edition = _edition_or_404(program, edition_id)
    towns = _towns_for(program)
    town_by_id = {t.id: t for t in towns}
    existing = {a.area_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.edition_id == edition.id).options(selectinload(Assignment.coordinators)))}
    coordinators: dict[int, list[User]] = {t.id: [] for t in towns}
    for user in db.session.scalars(select(User).where(User.role == "coordinator", User.is_active_user.is_(True),
                                                      User.area_id.in_(list(town_by_id) or [-1]))
                                   .order_by(User.display_name)):
        coordinators[user.area_id].append(user)
    if request.method == "POST":
        form = QuotasForm()
    else:
        form = QuotasForm(data={"rows": [_quota_row(t, existing.get(t.id)) for t in towns]})
    rows = []
    for row in form.rows:
        area_id = int(row.area_id.data) if str(row.area_id.data or "").isdigit() else None
        if area_id not in town_by_id:
            abort(400, "表单中的镇街不在您的管辖范围内，请刷新页面后重试")
        row.coordinators.choices = [(u.id, u.display_name) for u in coordinators[area_id]]
        rows.append((row, town_by_id[area_id], existing.get(area_id)))
    if form.validate_on_submit() and _save_quotas(edition, rows):
        db.session.commit()
        flash(f"已保存「{edition.name}」的镇街任务", "success")
        return redirect(url_for("manage.edition_quotas", program_id=program_id, edition_id=edition_id))
    progress = {p.assignment.area_id: p for p in workflow.quota_progress(list(existing.values()))} \
        if request.method == "GET" else {}
    total = sum(a.target_events for a in existing.values())
    return render_template("manage/staff/quotas.html", form=form, rows=rows, program=program, edition=edition,
                           progress=progress, total=total), 422 if form.errors or request.method == "POST" else 200


def _quota_row(town: Area, assignment: Assignment | None) -> dict:
    if assignment is None:
        return {"area_id": town.id}
    return {"area_id": town.id, "target_events": assignment.target_events,
            "target_attendance": assignment.target_attendance, "due_on": assignment.due_on,
            "coordinators": [u.id for u in assignment.coordinators]}


def _save_quotas(edition: Edition, rows) -> bool:
    """Create or update each town's assignment; False (nothing saved) when a row is refused."""
    for row, town, assignment in rows:
        values = {"target_events": row.target_events.data, "target_attendance": row.target_attendance.data,
                  "due_on": row.due_on.data, "coordinator_ids": list(row.coordinators.data or [])}
        try:
            if assignment is None:
                if values["target_events"] is None:
                    if values["target_attendance"] is not None or values["due_on"] or values["coordinator_ids"]:
                        raise ValidationError("请填写目标场次（不分配任务时整行留空）", "target_events")
                    continue
                created = programs.create_assignment(edition_id=edition.id, area_id=town.id, **values)
                record("assignment.create", "assignment", created.id, user_id=g.actor.id,
                       changes={"edition": edition.name, "town": town.name, "target_events": created.target_events})
            else:
                programs.update_assignment(assignment, **values, user_id=g.actor.id)
        except ValidationError as exc:
            _show_error(row, exc, {"coordinator_ids": "coordinators", "area_id": "target_events"},
                        default="target_events")
            return False
    return True


# --- venues ------------------------------------------------------------------------------------------------------

def _area_choices(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    query = select(Area).order_by(Area.path)
    if kinds:
        query = query.where(Area.kind.in_(kinds))
    if not g.scope.is_everything:
        query = query.where(Area.path.startswith(g.scope.path, autoescape=True))
    areas = list(db.session.scalars(query))
    depth = min((a.path.count("/") for a in areas), default=0)
    return [(a.id, "　" * (a.path.count("/") - depth) + a.name) for a in areas]


def _venue_or_404(venue_id: int, *, edit: bool = False) -> Venue:
    venue = scope.get(Venue, venue_id)
    if venue is None:
        abort(404, "找不到该场馆，或它不在您的管辖范围内")
    if edit and not g.scope.contains(venue.area):
        raise ScopeError("这是上级区域的场馆，只能由上级工作人员修改")
    return venue


@bp.get("/venues")
@staff_only
def venues_list():
    filters = VenueFilterForm(request.args)
    filters.validate()
    q = (filters.q.data or "").strip()[:50] if not filters.q.errors else ""
    kind = filters.kind.data if not filters.kind.errors else ""
    query = (select(Venue).options(selectinload(Venue.area), selectinload(Venue.opening_hours))
             .join(Area, Area.id == Venue.area_id).order_by(Area.path, Venue.name))
    if q:
        query = query.where(Venue.name.contains(q, autoescape=True))
    if kind in VENUE_KINDS:
        query = query.where(Venue.kind == kind)
    items = [(v, g.scope.contains(v.area)) for v in db.session.scalars(query)]
    return render_template("manage/staff/venues.html", items=items, filters=filters)


def _venue_form_data(venue: Venue) -> dict:
    return {
        "name": venue.name, "area": venue.area_id, "kind": venue.kind, "address": venue.address,
        "capacity": venue.capacity,
        "latitude": "" if venue.latitude is None else f"{venue.latitude:g}",
        "longitude": "" if venue.longitude is None else f"{venue.longitude:g}",
        "is_indoor": venue.is_indoor, "is_active": venue.is_active,
        "sharing": "exclusive" if venue.is_exclusive else "shared",
        "changeover_minutes": venue.changeover_minutes,
        "hours": [{"weekday": str(h.weekday), "opens_at": h.opens_at, "closes_at": h.closes_at}
                  for h in venue.opening_hours] + [{}] * 3,
    }


def _venue_values(form: VenueForm) -> dict:
    sharing = form.sharing.data
    return {
        "name": form.name.data, "area_id": form.area.data, "kind": form.kind.data, "address": form.address.data,
        "capacity": form.capacity.data, "latitude": form.latitude_value, "longitude": form.longitude_value,
        "is_indoor": form.is_indoor.data, "is_exclusive": None if sharing == "auto" else sharing == "exclusive",
        "changeover_minutes": form.changeover_minutes.data, "opening_hours": form.opening_hours(),
    }


_VENUE_FIELDS = {"area_id": "area", "opening_hours": "hours", "is_exclusive": "sharing"}


@bp.route("/venues/new", methods=["GET", "POST"])
@staff_only
def venue_new():
    form = VenueForm() if request.method == "POST" else VenueForm(data={"hours": [{}] * 3})
    form.area.choices = _area_choices()
    if form.validate_on_submit():
        try:
            g.scope.require_area(db.session.get(Area, form.area.data), "area")
            values = _venue_values(form)
            venue = venues.create_venue(**values)
            venue.is_active = bool(form.is_active.data)
            record("venue.create", "venue", venue.id, user_id=g.actor.id,
                   changes={"name": venue.name, "is_exclusive": venue.is_exclusive,
                            "changeover_minutes": venue.changeover_minutes})
        except ValidationError as exc:
            _show_error(form, exc, _VENUE_FIELDS, default="name")
        else:
            db.session.commit()
            flash(f"已新建场馆「{form.name.data}」", "success")
            return redirect(url_for("manage.venues_list"))
    return render_template("manage/staff/venue_form.html", form=form, venue=None, clashes=None), \
        422 if form.errors else 200


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@staff_only
def venue_edit(venue_id: int):
    venue = _venue_or_404(venue_id, edit=True)
    form = VenueForm() if request.method == "POST" else VenueForm(data=_venue_form_data(venue))
    form.area.choices = _area_choices()
    clashes = None
    status = 200
    if form.validate_on_submit():
        try:
            g.scope.require_area(db.session.get(Area, form.area.data), "area")
            changes = venues.update_venue(venue, **_venue_values(form), is_active=bool(form.is_active.data),
                                          user_id=g.actor.id)
            # A stricter rule (exclusive, longer changeover) can make stored future bookings overlap, and a
            # looser one frees time: either way the holds of the venue's future bookings are recomputed
            # under the new rule. Clashes refuse the whole change (nothing saved) and are listed, unless
            # staff give a reason: the clashing bookings then share the slot and the override is audited.
            if "is_exclusive" in changes or "changeover_minutes" in changes:
                reason = clean_text(form.override_reason.data, field="override_reason", label="仍要保存的原因",
                                    max_length=500)
                overridden = rehold_future_bookings(venue, since=clock.now(), override_reason=reason,
                                                    user_id=g.actor.id, tz=clock.local_zone())
                if overridden:
                    flash(f"有 {len(overridden)} 个场次与其他活动冲突，已按您填写的原因允许共用场地", "info")
        except VenueRuleConflict as exc:
            db.session.rollback()
            clashes = exc.pairs
            form.override_reason.errors.append(
                f"改动后有 {len(clashes)} 个已排期的场次会与其他活动冲突，未保存。请调整设置，或填写原因后再保存。")
            status = 409
        except ValidationError as exc:
            _show_error(form, exc, _VENUE_FIELDS, default="name")
        else:
            db.session.commit()
            flash(f"已保存场馆「{form.name.data}」", "success")
            return redirect(url_for("manage.venues_list"))
    if form.errors and status == 200:
        status = 422
    return render_template("manage/staff/venue_form.html", form=form, venue=venue, clashes=clashes), status


# --- users -------------------------------------------------------------------------------------------------------

def _role_choices() -> list[tuple[str, str]]:
    roles = ("coordinator", "staff", "admin") if g.actor.role == "admin" else ("coordinator", "staff")
    return [(r, ROLES[r]) for r in roles]


def _user_area_choices() -> list[tuple[int, str]]:
    return _area_choices(("city", "district", "town") if g.actor.role != "admin" else None)


def _check_grant(role: str | None, area_id: int | None) -> None:
    """A staff member never grants admin nor places anyone outside their subtree (403)."""
    if role == "admin" and g.actor.role != "admin":
        raise ScopeError("只有管理员可以授予管理员角色", "role")
    if area_id is not None:  # a missing area is the form's to report
        g.scope.require_area(db.session.get(Area, area_id), "area")


def _user_or_404(user_id: int, *, change: bool = True) -> User:
    user = scope.get(User, user_id)
    if user is None:
        abort(404, "找不到该用户，或其不在您的管辖范围内")
    if change and user.role == "admin" and g.actor.role != "admin":
        raise ScopeError("只有管理员可以修改管理员账号")
    return user


@bp.get("/users")
@staff_only
def users_list():
    filters = UserFilterForm(request.args)
    filters.role.choices = [("", "全部角色")] + list(ROLES.items())
    filters.validate()
    q = (filters.q.data or "").strip()[:50] if not filters.q.errors else ""
    role = filters.role.data if not filters.role.errors else ""
    query = (select(User).options(selectinload(User.area)).join(Area, Area.id == User.area_id)
             .order_by(Area.path, User.role, User.username))
    if q:
        query = query.where(or_(User.username.contains(q, autoescape=True),
                                User.display_name.contains(q, autoescape=True)))
    if role in ROLES:
        query = query.where(User.role == role)
    users = list(db.session.scalars(query))
    return render_template("manage/staff/users.html", users=users, filters=filters, me=g.actor.id)


@bp.route("/users/new", methods=["GET", "POST"])
@staff_only
def user_new():
    form = UserCreateForm()
    form.role.choices = _role_choices()
    form.area.choices = _user_area_choices()
    if request.method == "POST":
        _check_grant(request.form.get("role"), form.area.data if isinstance(form.area.data, int) else None)
    if form.validate_on_submit():
        try:
            user = create_user(username=form.username.data.strip(), password=form.password.data,
                               role=form.role.data, area_id=form.area.data, display_name=form.display_name.data,
                               email=form.email.data, actor_id=g.actor.id)
        except ValidationError as exc:
            _show_error(form, exc, {"area_id": "area"}, default="username")
        else:
            db.session.commit()
            flash(f"已开通账号 {user.username}（{user.display_name}）。请把初始密码当面或电话告知本人。", "success")
            return redirect(url_for("manage.user_edit", user_id=user.id))
    return render_template("manage/staff/user_new.html", form=form), 422 if form.errors else 200


def _render_user(user: User, *, profile=None, password=None, token_form=None, status: int = 200):
    if profile is None:
        profile = UserEditForm(formdata=None, display_name=user.display_name, email=user.email, role=user.role,
                               area=user.area_id, is_active=user.is_active_user)
    profile.role.choices = _role_choices() if user.role != "admin" or g.actor.role == "admin" \
        else [("admin", ROLES["admin"])]
    profile.area.choices = _user_area_choices()
    tokens = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                     .order_by(ApiToken.created_at.desc()).limit(20)))
    return render_template("manage/staff/user_edit.html", user=user, profile=profile,
                           password=password or PasswordResetForm(formdata=None),
                           token_form=token_form or ApiTokenForm(formdata=None),
                           tokens=tokens, now=clock.now(), is_self=user.id == g.actor.id), status


@bp.get("/users/<int:user_id>")
@staff_only
def user_edit(user_id: int):
    return _render_user(_user_or_404(user_id, change=False))


@bp.post("/users/<int:user_id>")
@staff_only
def user_update(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm()
    form.role.choices = _role_choices()
    form.area.choices = _user_area_choices()
    _check_grant(request.form.get("role"), form.area.data if isinstance(form.area.data, int) else None)
    if form.validate_on_submit():
        if user.id == g.actor.id and (form.role.data != user.role or form.area.data != user.area_id
                                      or not form.is_active.data):
            form.is_active.errors.append("不能修改自己的角色、区域或停用自己的账号，请请同事或上级管理员操作")
        else:
            try:
                update_user(user, role=form.role.data, area_id=form.area.data, display_name=form.display_name.data,
                            is_active=bool(form.is_active.data), email=form.email.data, actor_id=g.actor.id)
            except ValidationError as exc:
                _show_error(form, exc, {"area_id": "area"}, default="display_name")
            else:
                db.session.commit()
                flash(f"已保存 {user.username} 的账号信息", "success")
                return redirect(url_for("manage.user_edit", user_id=user_id))
    return _render_user(user, profile=form, status=422)


@bp.post("/users/<int:user_id>/password")
@staff_only
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data, actor_id=g.actor.id)
        except ValidationError as exc:
            _show_error(form, exc, default="password")
        else:
            db.session.commit()
            flash(f"已为 {user.username} 设置新密码；其原有登录已全部失效。请把新密码当面或电话告知本人。", "success")
            return redirect(url_for("manage.user_edit", user_id=user_id))
    return _render_user(user, password=form, status=422)


def _secret_page(user: User, *, kind: str, secret: str, url: str | None = None, token: ApiToken | None = None):
    """The secret, shown this once: never stored, never flashed, never cached."""
    response = make_response(render_template("manage/staff/secret.html", user=user, kind=kind, secret=secret,
                                             url=url, token=token))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/users/<int:user_id>/api-token")
@staff_only
def user_token_issue(user_id: int):
    user = _user_or_404(user_id)
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = api_tokens.issue_api_token(user, name=clean_text(form.name.data, field="name",
                                                                            label="令牌用途", max_length=100),
                                                       expires_in_days=form.expires_in_days.data)
            record("user.api_token_issue", "user", user.id, user_id=g.actor.id,
                   changes={"prefix": token.prefix, "name": token.name,
                            "expires_at": token.expires_at.isoformat() if token.expires_at else None})
        except ValidationError as exc:
            _show_error(form, exc, default="name")
        else:
            db.session.commit()
            return _secret_page(user, kind="api", secret=secret, token=token)
    return _render_user(user, token_form=form, status=422)


@bp.post("/users/<int:user_id>/api-token/revoke")
@staff_only
def user_token_revoke(user_id: int):
    user = _user_or_404(user_id)
    count = api_tokens.revoke_api_tokens(user)
    record("user.api_token_revoke", "user", user.id, user_id=g.actor.id, changes={"revoked": count})
    db.session.commit()
    flash(f"已撤销 {user.username} 的 {count} 个 API 令牌" if count else f"{user.username} 没有有效的 API 令牌",
          "success")
    return redirect(url_for("manage.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/feed")
@staff_only
def user_feed_issue(user_id: int):
    user = _user_or_404(user_id)
    if not user.is_active_user:
        flash("该账号已停用，不能签发私人订阅链接", "error")
        return redirect(url_for("manage.user_edit", user_id=user_id))
    secret = feeds.issue_feed_token(user)
    record("user.feed_issue", "user", user.id, user_id=g.actor.id)
    db.session.commit()
    return _secret_page(user, kind="feed", secret=secret, url=feeds.private_feed_url(secret))


@bp.post("/users/<int:user_id>/feed/revoke")
@staff_only
def user_feed_revoke(user_id: int):
    user = _user_or_404(user_id)
    had = user.feed_token_hash is not None
    feeds.revoke_feed_token(user)
    if had:
        record("user.feed_revoke", "user", user.id, user_id=g.actor.id)
    db.session.commit()
    flash("已撤销私人订阅链接，旧链接立即失效" if had else "该用户没有私人订阅链接", "success")
    return redirect(url_for("manage.user_edit", user_id=user_id))


# --- audit log ---------------------------------------------------------------------------------------------------

ACTION_LABELS = {
    "event.create": "新建活动", "event.update": "修改活动", "event.split": "拆分系列（此场及以后）",
    "event.status": "活动状态变更（提交、发布、退回、取消）", "event.return": "退回修改",
    "occurrence.edit": "调整或取消场次", "occurrence.attendance": "填报人次", "occurrence.attendance_note": "人次备注",
    "venue.clash_override": "场地冲突强制安排", "venue.create": "新建场馆", "venue.update": "修改场馆",
    "program.create": "新建活动品牌", "program.update": "修改活动品牌", "edition.create": "新建届次",
    "edition.update": "修改届次", "assignment.create": "分配镇街任务", "assignment.update": "修改镇街任务",
    "user.create": "开通账号", "user.update": "修改账号", "user.password": "设置密码", "user.deactivate": "停用账号",
    "user.api_token_issue": "签发 API 令牌", "user.api_token_revoke": "撤销 API 令牌",
    "user.feed_issue": "签发私人订阅链接", "user.feed_revoke": "撤销私人订阅链接",
}
ENTITY_LABELS = {"event": "活动", "occurrence": "场次", "venue": "场馆", "program": "活动品牌", "edition": "届次",
                 "assignment": "镇街任务", "user": "账号"}
FIELD_LABELS = {
    "status": "状态", "title": "标题", "comment": "意见", "reason": "原因", "role": "角色", "area_id": "区域",
    "display_name": "姓名", "username": "用户名", "is_active": "启用", "name": "名称", "slug": "网址名",
    "category": "类别", "colour": "颜色", "description": "简介", "starts_on": "开始日期", "ends_on": "结束日期",
    "theme": "主题", "theme_colour": "主题颜色", "target_events": "目标场次", "target_attendance": "目标人次",
    "is_featured": "首页推荐",
    "due_on": "截止日期", "coordinator_ids": "协调员", "kind": "类型", "address": "地址", "capacity": "容量",
    "latitude": "纬度", "longitude": "经度", "is_indoor": "室内", "is_exclusive": "独占",
    "changeover_minutes": "换场时间（分钟）", "opening_hours": "开放时间", "attendance": "人次", "note": "备注",
    "starts_at": "开始", "ends_at": "结束", "venue_id": "场馆", "edition": "届次", "program": "品牌", "town": "镇街",
    "clashes": "冲突场次", "prefix": "令牌前缀", "expires_at": "到期", "revoked": "撤销数量",
    "starts_local": "开始时间", "ends_local": "结束时间", "rrule": "重复规则", "program_id": "品牌",
    "edition_id": "届次", "split_at": "拆分于", "new_event_id": "新系列",
}
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_VALUE_LABELS = {"status": {**EVENT_STATUSES, "scheduled": "按计划", "moved": "已调整"}, "role": ROLES,
                 "kind": VENUE_KINDS, "category": CATEGORIES}


def _audit_in_scope():
    """Entries about entities of the user's subtree (the audit table itself is not scoped)."""
    ids = g.scope.area_ids()
    about = AuditLog.entity_id.in_
    return or_(
        and_(AuditLog.entity_type == "event", about(select(Event.id).where(Event.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "occurrence", about(select(Occurrence.id).where(Occurrence.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "user", about(select(User.id).where(User.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "venue", about(select(Venue.id).where(Venue.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "program", about(select(Program.id).where(Program.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "edition",
             about(select(Edition.id).join(Program, Program.id == Edition.program_id).where(Program.area_id.in_(ids)))),
        and_(AuditLog.entity_type == "assignment", about(select(Assignment.id).where(Assignment.area_id.in_(ids)))),
    )


@bp.get("/audit")
@staff_only
def audit_log():
    form = AuditFilterForm(request.args)
    users = list(db.session.scalars(select(User).order_by(User.username)))  # scoped: the user's subtree
    form.user.choices = [(None, "全部")] + [(u.id, f"{u.display_name}（{u.username}）") for u in users]
    known = set(db.session.scalars(select(AuditLog.action).distinct()))
    form.action.choices = [("", "全部")] + [(a, label) for a, label in ACTION_LABELS.items()] + \
        [(a, a) for a in sorted(known - set(ACTION_LABELS))]
    form.entity_type.choices = [("", "全部")] + list(ENTITY_LABELS.items())
    query = select(AuditLog)
    if not g.scope.is_everything:
        query = query.where(_audit_in_scope())
    valid = form.validate()
    if valid:
        if form.user.data:
            query = query.where(AuditLog.user_id == form.user.data)
        if form.action.data:
            query = query.where(AuditLog.action == form.action.data)
        if form.entity_type.data:
            query = query.where(AuditLog.entity_type == form.entity_type.data)
        if form.entity_id.data:
            query = query.where(AuditLog.entity_id == form.entity_id.data)
        if form.date_from.data:
            query = query.where(AuditLog.at >= _local_bounds(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditLog.at < _local_bounds(form.date_to.data + timedelta(days=1)))
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < len(page) < 6 else 1
    entries = list(db.session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                                      .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)))
    has_next = len(entries) > AUDIT_PAGE_SIZE
    entries = entries[:AUDIT_PAGE_SIZE]
    names = _audit_names(entries, users)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("manage/staff/audit.html", form=form, entries=entries, names=names, page=page,
                           has_next=has_next, args=args, describe=lambda e: _describe(e, names),
                           action_labels=ACTION_LABELS, entity_labels=ENTITY_LABELS), 200 if valid else 422


def _audit_names(entries: list[AuditLog], users: list[User]) -> dict:
    """Names of the people and things on this page, a query per kind (out of scope: not named)."""
    names: dict = {("user", u.id): f"{u.display_name}（{u.username}）" for u in users}
    wanted: dict[str, set] = {}
    for e in entries:
        if e.entity_id is not None:
            wanted.setdefault(e.entity_type, set()).add(e.entity_id)
        for key in ("area_id", "venue_id"):
            value = (e.changes or {}).get(key)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, int):
                    wanted.setdefault(key[:-3], set()).add(v)
    models = {"event": (Event, Event.title), "venue": (Venue, Venue.name), "program": (Program, Program.name),
              "edition": (Edition, Edition.name), "area": (Area, Area.name)}
    for kind, (model, label) in models.items():
        if wanted.get(kind):
            for id_, text in db.session.execute(select(model.id, label).where(model.id.in_(wanted[kind]))):
                names[(kind, id_)] = text
    if wanted.get("occurrence"):
        rows = db.session.execute(select(Occurrence.id, Event.title, Occurrence.starts_at)
                                  .join(Event, Event.id == Occurrence.event_id)
                                  .where(Occurrence.id.in_(wanted["occurrence"])))
        zone = clock.local_zone()
        for id_, title, starts_at in rows:
            names[("occurrence", id_)] = f"{title} {starts_at.astimezone(zone):%m-%d %H:%M}"
    return names


def _value_text(field: str, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field in ("area_id", "venue_id") and isinstance(value, int):
        return names.get((field[:-3], value), f"#{value}")
    if field in _VALUE_LABELS and isinstance(value, str):
        return _VALUE_LABELS[field].get(value, value)
    if field == "clashes" and isinstance(value, list):
        return f"{len(value)} 处"
    if isinstance(value, list):
        return "、".join(_value_text(field, v, names) for v in value[:10]) + (" …" if len(value) > 10 else "")
    if isinstance(value, dict):
        return "；".join(f"{FIELD_LABELS.get(k, k)}: {_value_text(k, v, names)}" for k, v in list(value.items())[:10])
    text = str(value)
    if isinstance(value, str) and _ISO_INSTANT.match(text):
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if instant.tzinfo is not None:
                instant = instant.astimezone(clock.local_zone())
            return f"{instant:%Y-%m-%d %H:%M}"
    return text if len(text) <= 200 else text[:200] + "…"


def _describe(entry: AuditLog, names: dict) -> list[tuple[str, str, str | None]]:
    """The `changes` JSON as lines (label, old, new) for {"field": [old, new]}, or (label, value, None)."""
    lines = []
    for field, value in (entry.changes or {}).items() if isinstance(entry.changes, dict) else []:
        label = FIELD_LABELS.get(field, field)
        if isinstance(value, list) and len(value) == 2 and field != "clashes":
            lines.append((label, _value_text(field, value[0], names), _value_text(field, value[1], names)))
        else:
            lines.append((label, _value_text(field, value, names), None))
    return lines
