"""Writes of /api/v1 for coordinators, staff and their tools (bearer token only).

Thin: authenticate (which activates the caller's scope), parse the JSON body, call one workflow
operation, commit, answer. Errors are answered centrally: 422 for invalid input with
{"message", "errors": {field: message}}, 409 for a venue clash with the clashing occurrences, 403 for
a place outside the caller's scope, 404 for ids the caller cannot see.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import func, select

from calendar_app import links
from calendar_app.accounts import scope
from calendar_app.accounts.auth import api_actor
from calendar_app.api.views import bp
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.programs.models import Assignment


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象（Content-Type: application/json）", "_")
    return body


def _event(event_id: int) -> Event:
    event = scope.get(Event, event_id)  # outside the caller's scope it cannot be loaded: 404
    if event is None:
        abort(404, f"活动不存在：{event_id}")
    return event


def _occurrence(occurrence_id: int) -> Occurrence:
    occurrence = scope.get(Occurrence, occurrence_id)
    if occurrence is None:
        abort(404, f"场次不存在：{occurrence_id}")
    return occurrence


def _event_json(event: Event, warnings: list[str] | None = None) -> dict:
    count = db.session.scalar(select(func.count()).select_from(Occurrence).where(Occurrence.event_id == event.id))
    return {"id": event.id, "uid": event.uid, "status": event.status, "sequence": event.sequence,
            "title": event.title, "warnings": warnings or [], "occurrences": count,
            "review_comment": event.review_comment, "status_reason": event.status_reason,
            "url": links.absolute(links.event_path(event.id))}


@bp.get("/me")
@api_actor()
def me():
    user = g.actor
    area = user.area
    return jsonify({"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
                    "area": {"id": area.id, "code": area.code, "name": area.name, "kind": area.kind},
                    "scope": {"area_id": None if g.scope.is_everything else area.id,
                              "everything": g.scope.is_everything}})


@bp.post("/events")
@api_actor()
def create_event():
    body = _body()
    data = workflow.event_data(g.actor, body)
    event, warnings = workflow.create(g.actor, data, clash_override=body.get("clash_override"))
    db.session.commit()
    return jsonify(_event_json(event, warnings)), 201


@bp.patch("/events/<int:event_id>")
@api_actor()
def change_event(event_id: int):
    event = _event(event_id)
    body = _body()
    following = None
    if request.args.get("scope") == "following":
        raw = request.args.get("occurrence", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise ValidationError("scope=following 需要 occurrence=<场次编号>", "occurrence")
        following = _occurrence(int(raw))
    elif request.args.get("scope") not in (None, "", "all"):
        raise ValidationError("scope 只能是 all 或 following", "scope")
    data = workflow.event_data(g.actor, {k: v for k, v in body.items()}, base=event)
    result, warnings = workflow.change_series(g.actor, event, data, reason=body.get("reason"), following=following,
                                              clash_override=body.get("clash_override"))
    db.session.commit()
    return jsonify(_event_json(result, warnings))


@bp.post("/events/<int:event_id>/submit", defaults={"action": "submit"})
@bp.post("/events/<int:event_id>/publish", defaults={"action": "publish"})
@bp.post("/events/<int:event_id>/return", defaults={"action": "return"})
@bp.post("/events/<int:event_id>/cancel", defaults={"action": "cancel"})
@api_actor()
def event_action(event_id: int, action: str):
    event = _event(event_id)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象", "_")
    if action == "submit":
        workflow.submit(g.actor, event)
    elif action == "publish":
        workflow.publish(g.actor, event)
    elif action == "return":
        workflow.return_to_draft(g.actor, event, body.get("comment"))
    else:
        workflow.cancel(g.actor, event, body.get("reason"))
    db.session.commit()
    return jsonify(_event_json(event))


@bp.patch("/occurrences/<int:occurrence_id>")
@api_actor()
def change_occurrence(occurrence_id: int):
    occurrence = _occurrence(occurrence_id)
    workflow.change_occurrence(g.actor, occurrence, _body())
    db.session.commit()
    from calendar_app.api.serializers import occurrence_to_json

    return jsonify(occurrence_to_json(occurrence))


@bp.put("/occurrences/<int:occurrence_id>/attendance")
@api_actor()
def report_attendance(occurrence_id: int):
    occurrence = _occurrence(occurrence_id)
    body = _body()
    if "attendance" not in body:
        raise ValidationError("缺少 attendance（人次）", "attendance")
    workflow.report_attendance(g.actor, occurrence, body.get("attendance"), body.get("note"))
    db.session.commit()
    return jsonify({"id": occurrence.id, "attendance": occurrence.attendance,
                    "reported_at": occurrence.attendance_reported_at.isoformat()})


@bp.get("/assignments")
@api_actor()
def assignments():
    """Quotas in the caller's scope; `mine=1`: those of the caller's own town."""
    query = select(Assignment).order_by(Assignment.edition_id, Assignment.area_id)
    if request.args.get("mine") in ("1", "true") and g.actor.role == "coordinator":
        query = query.where(Assignment.area_id == g.actor.area_id)
    rows = workflow.quota_progress(list(db.session.scalars(query)))
    return jsonify({"items": [p.to_json() for p in rows]})


from calendar_app.api import imports  # noqa: E402,F401  (import/export routes register on the same blueprint)
from calendar_app.api import reports  # noqa: E402,F401  (report routes register on the same blueprint)
