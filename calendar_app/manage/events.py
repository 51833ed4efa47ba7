"""Management pages: the event form with its date preview, an event's page and its actions.

Every POST here is a small Flask-WTF form (CSRF). A refused action re-renders the page it came from
with the message next to the field that caused it; nothing is half saved (the workflow flushes, the
view commits or rolls back).
"""
from __future__ import annotations

from calendar_app.accounts import scope

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from calendar_app import clock
from calendar_app.accounts.scope import ScopeError
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events.conflicts import VenueConflict
from calendar_app.events.models import EVENT_STATUSES, Event, Occurrence
from calendar_app.events.services import set_featured
from calendar_app.extensions import db
from calendar_app.manage import bp, preview
from calendar_app.manage.forms import (ERROR_FIELDS, ActionForm, AttendanceForm, EventForm, OccurrenceForm, ReasonForm,
                                       ReturnForm, describe_repeat)

#: Events per page of the list.
PAGE_SIZE = 50


def _event_or_404(event_id: int) -> Event:
    event = scope.get(Event, event_id)  # another town's event is outside the scope: it does not exist here
    if event is None:
        abort(404, "活动不存在或不在您的管辖范围内")
    return event


def _occurrence_or_404(occurrence_id: int) -> Occurrence:
    occurrence = scope.get(Occurrence, occurrence_id)
    if occurrence is None:
        abort(404, "场次不存在或不在您的管辖范围内")
    return occurrence


def _attach(form, exc: ValidationError | ScopeError, *, fields: dict | None = None, fallback: str | None = None) -> None:
    """Put a workflow error next to the form field it is about (else next to `fallback`, else on the form)."""
    name = (fields or ERROR_FIELDS).get(exc.field or "", fallback)
    target = getattr(form, name, None) if name else None
    if target is None and fallback:
        target = getattr(form, fallback, None)
    if target is not None:
        target.errors = list(target.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


# --- list ----------------------------------------------------------------------------------------------------

@bp.get("/events")
def events():
    """Events in the actor's scope, newest change first; by status and title."""
    status = request.args.get("status", "")
    q = (request.args.get("q") or "").strip()[:50]
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 5 else 1
    query = select(Event)
    if status in EVENT_STATUSES:
        query = query.where(Event.status == status)
    elif status == "returned":
        query = query.where(Event.status == "draft", Event.review_comment.is_not(None))
    if q:
        query = query.where(Event.title.contains(q, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(Event.venue), selectinload(Event.area))
                              .order_by(Event.updated_at.desc(), Event.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("manage/events/list.html", events=rows, status=status, q=q, page=page, total=total,
                           pages=max(1, -(-total // PAGE_SIZE)), statuses=EVENT_STATUSES)


# --- the event form ------------------------------------------------------------------------------------------------

@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    return _event_form(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    event = _event_or_404(event_id)
    if event.status == "cancelled":
        flash("活动已取消，不能再修改", "error")
        return redirect(url_for("manage.event", event_id=event.id))
    return _event_form(event)


def _event_form(event: Event | None):
    actor = g.actor
    form = EventForm()
    following_choices = _upcoming(event, limit=60) if event is not None and event.is_series else []
    # Editions that are over are not offered for new dates (the edited event keeps its own).
    editions = [e for e in workflow.editions_for(actor)
                if e.ends_on >= clock.today() or (event is not None and e.id == event.edition_id)]
    form.choose(editions=editions, venues=workflow.venues_for(actor),
                areas=workflow.areas_for(actor), event=event, occurrences=following_choices, staff=actor.is_staff)
    if request.method == "GET":
        if event is not None:
            form.load(event)
            wanted = request.args.get("occurrence", "")
            if form.occurrence is not None and wanted in dict(form.occurrence.choices):
                form.edit_scope.data, form.occurrence.data = "following", wanted
        else:
            form.area.data = str(actor.area_id)
            form.date.data = clock.today() + timedelta(days=7)
        return render_template("manage/events/form.html", form=form, event=event, preview=None, clashes=[])

    status, result_preview, clashes = 422, None, []
    if form.validate():
        try:
            data = workflow.event_data(actor, form.payload(), base=event)
            if "preview" in request.form:
                result_preview = preview.build(data, event_id=event.id if event else None)
                status = 200
            else:
                saved, warnings = _save(actor, form, event, data)
                if form.featured is not None:
                    set_featured(saved, bool(form.featured.data), user_id=actor.id)
                db.session.commit()
                flash("已保存为草稿。检查无误后请点“提交审核”。" if saved.status == "draft" else "修改已保存。", "success")
                for warning in warnings:
                    flash(warning, "warning")
                return redirect(url_for("manage.event", event_id=saved.id))
        except VenueConflict as exc:
            db.session.rollback()
            form.venue.errors = list(form.venue.errors) + [exc.message]
            clashes, status = exc.clashes, 409
        except (ValidationError, ScopeError) as exc:
            db.session.rollback()
            _attach(form, exc)
            status = 403 if isinstance(exc, ScopeError) else 422
    return render_template("manage/events/form.html", form=form, event=event, preview=result_preview,
                           clashes=clashes), status


def _save(actor, form: EventForm, event: Event | None, data):
    override = form.clash_override.data if form.clash_override is not None else None
    if event is None:
        return workflow.create(actor, data, clash_override=override or None)
    following = None
    if form.edit_scope is not None and form.edit_scope.data == "following":
        raw = form.occurrence.data or ""
        following = scope.get(Occurrence, int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if following is None or following.event_id != event.id:
            raise ValidationError("请选择从哪一场开始修改", "occurrence")
    reason = form.reason.data if form.reason is not None else None
    return workflow.change_series(actor, event, data, reason=reason, following=following,
                                  clash_override=override or None)


# --- an event's page ---------------------------------------------------------------------------------------------

def _upcoming(event: Event, *, limit: int = 20) -> list[Occurrence]:
    return list(db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.ends_at > clock.now())
        .options(selectinload(Occurrence.venue)).order_by(Occurrence.starts_at).limit(limit)))


def _awaiting(event: Event, *, limit: int = 20) -> list[Occurrence]:
    if event.status != "published":
        return []
    return list(db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.ends_at <= clock.now(),
                                 Occurrence.status != "cancelled", Occurrence.attendance.is_(None))
        .options(selectinload(Occurrence.venue)).order_by(Occurrence.starts_at).limit(limit)))


def _venue_choices() -> list[tuple[str, str]]:
    return [("", "请选择")] + [(str(v.id), f"{v.name}（{v.area.name}）") for v in workflow.venues_for(g.actor)]


def occurrence_form(occurrence: Occurrence, venue_choices, bound: OccurrenceForm | None = None) -> OccurrenceForm:
    form = bound or OccurrenceForm(prefix=f"o{occurrence.id}", formdata=None)
    form.venue.choices = venue_choices
    if bound is None:
        tz = ZoneInfo(occurrence.event.timezone)
        form.date.data = occurrence.starts_at.astimezone(tz).date()
        form.start_time.data = occurrence.starts_at.astimezone(tz).time()
        form.end_time.data = occurrence.ends_at.astimezone(tz).time()
        form.action.data = "restore" if occurrence.status == "cancelled" else "move"
    if occurrence.status == "cancelled":
        form.action.choices = [c for c in form.action.choices if c[0] == "restore"]
    else:
        form.action.choices = [c for c in form.action.choices if c[0] != "restore"]
    return form


def _event_page(event: Event, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    upcoming, awaiting = _upcoming(event), _awaiting(event)
    venues = _venue_choices()
    occ_forms = {o.id: occurrence_form(o, venues, bound.get(f"occ{o.id}")) for o in upcoming}
    att_forms = {o.id: bound.get(f"att{o.id}") or AttendanceForm(prefix=f"a{o.id}", formdata=None) for o in awaiting}
    held = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Occurrence.attendance), 0))
        .where(Occurrence.event_id == event.id, Occurrence.attendance.is_not(None))).one()
    forms = {
        "submit": bound.get("submit") or ActionForm(prefix="submit", formdata=None),
        "publish": bound.get("publish") or ActionForm(prefix="publish", formdata=None),
        "return": bound.get("return") or ReturnForm(prefix="return", formdata=None),
        "cancel": bound.get("cancel") or ReasonForm(prefix="cancel", formdata=None),
    }
    return render_template("manage/events/show.html", event=event, upcoming=upcoming, awaiting=awaiting,
                           occ_forms=occ_forms, att_forms=att_forms, forms=forms, reported=held[0],
                           reported_total=held[1], repeat_text=describe_repeat(event)), status


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    return _event_page(_event_or_404(event_id))


_ACTIONS = {"submit": ActionForm, "publish": ActionForm, "return": ReturnForm, "cancel": ReasonForm}
_DONE = {"submit": "已提交审核，文旅局审核后发布。", "publish": "已发布，公众现在可以看到这项活动。",
         "return": "已退回给协调员，并附上意见。", "cancel": "活动已取消。"}


@bp.post("/events/<int:event_id>/<any(submit, publish, return, cancel):action>")
def event_action(event_id: int, action: str):
    """提交审核, 发布 and 退回 (staff), 取消活动. Publishing or returning as a coordinator is a 403."""
    event = _event_or_404(event_id)
    form = _ACTIONS[action](prefix=action)
    if not form.validate():
        return _event_page(event, {action: form}, 422)
    actor = g.actor
    try:
        if action == "submit":
            workflow.submit(actor, event)
        elif action == "publish":
            workflow.publish(actor, event)
        elif action == "return":
            workflow.return_to_draft(actor, event, form.comment.data)
        else:
            workflow.cancel(actor, event, form.reason.data)
    except VenueConflict as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _event_page(_event_or_404(event_id), {action: form}, 409)
    except ValidationError as exc:
        db.session.rollback()
        _attach(form, exc, fields={"reason": "reason", "comment": "comment"})
        return _event_page(_event_or_404(event_id), {action: form}, 422)
    db.session.commit()
    flash(_DONE[action], "success")
    return redirect(url_for("manage.event", event_id=event.id))


# --- one occurrence ------------------------------------------------------------------------------------------------

_OCCURRENCE_FIELDS = {"starts_local": "date", "starts_at": "date", "ends_local": "end_time", "ends_at": "end_time",
                      "venue": "venue", "venue_id": "venue", "reason": "reason", "status": "action"}


@bp.post("/occurrences/<int:occurrence_id>")
def occurrence_change(occurrence_id: int):
    """改期, 换场地, 取消本场 or 恢复 one occurrence, with its reason."""
    occurrence = _occurrence_or_404(occurrence_id)
    event = occurrence.event
    form = occurrence_form(occurrence, _venue_choices(), OccurrenceForm(prefix=f"o{occurrence.id}"))
    status = 422
    if form.validate():
        try:
            workflow.change_occurrence(g.actor, occurrence, form.payload(occurrence, ZoneInfo(event.timezone)))
        except VenueConflict as exc:
            db.session.rollback()
            target = form.venue if form.action.data == "venue" else form.date
            target.errors = list(target.errors) + [exc.message]
            status = 409
        except (ValidationError, ScopeError) as exc:
            db.session.rollback()
            _attach(form, exc, fields=_OCCURRENCE_FIELDS, fallback="reason")
        else:
            db.session.commit()
            flash({"move": "已改期。", "venue": "已更换场地。", "cancel": "本场已取消。", "restore": "本场已恢复。"}
                  [form.action.data], "success")
            return redirect(url_for("manage.event", event_id=event.id) + f"#occ-{occurrence.id}")
    return _event_page(_event_or_404(event.id), {f"occ{occurrence.id}": form}, status)


@bp.post("/occurrences/<int:occurrence_id>/attendance")
def occurrence_attendance(occurrence_id: int):
    """人次 of a held occurrence, from the dashboard or the event's page (`back` says which)."""
    occurrence = _occurrence_or_404(occurrence_id)
    back = "event" if request.form.get("back") == "event" else "dashboard"
    form = AttendanceForm(prefix=f"a{occurrence.id}")
    if form.validate():
        try:
            workflow.report_attendance(g.actor, occurrence, form.attendance.data, form.note.data)
        except ValidationError as exc:
            db.session.rollback()
            _attach(form, exc, fields={"attendance": "attendance", "note": "note"}, fallback="attendance")
        else:
            db.session.commit()
            flash(f"已填报「{occurrence.event.title}」{form.attendance.data} 人次。", "success")
            if back == "event":
                return redirect(url_for("manage.event", event_id=occurrence.event_id))
            return redirect(url_for("manage.dashboard"))
    if back == "event":
        return _event_page(_event_or_404(occurrence.event_id), {f"att{occurrence.id}": form}, 422)
    from calendar_app.manage.views import dashboard_page

    return dashboard_page({occurrence.id: form}, 422)
