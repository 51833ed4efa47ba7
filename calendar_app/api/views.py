"""GET endpoints of /api/v1. Thin: parse the query, call one query or service, serialise."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from calendar_app import clock, links
from calendar_app.accounts.auth import optional_api_actor
from calendar_app.accounts.scope import Scope
from calendar_app.api import params
from calendar_app.api.openapi import openapi_document
from calendar_app.api.serializers import event_to_json, occurrence_to_json, program_to_json, venue_to_json
from calendar_app.areas.services import area_tree, descendant_ids_query, get_area
from calendar_app.db import ValidationError
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.queries import after_cursor, occurrences_query
from calendar_app.extensions import db
from calendar_app.feeds.urls import ical_url
from calendar_app.festivals import services as festivals
from calendar_app.params import Position
from calendar_app.programs.models import Program
from calendar_app.venues.models import Venue

bp = Blueprint("api", __name__)


@bp.after_app_request
def cors(response):
    """Allow the configured mini-program / web origins (CORS_ORIGINS, comma-separated; "*" for any).

    Registered app-wide so that every answer under /api/ gets it, including the 404 of an unknown path
    and the 405 of a wrong method (no API route matched, so no blueprint hook would run). Every such
    answer depends on the Origin header, allowed or not, so caches must key on it.
    """
    if not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    allowed = current_app.config["CORS_ORIGINS"]
    if origin and ("*" in allowed or origin in allowed):
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/areas")
def areas():
    return jsonify({"items": area_tree(lambda a: {"url": links.absolute(links.area_path(a.id)),
                                                   "ical_url": ical_url("area", a)})})


@bp.get("/venues")
def venues():
    query = select(Venue).options(selectinload(Venue.opening_hours)).order_by(Venue.id)
    area_id = params.int_arg("area")
    if area_id is not None:
        try:
            area = get_area(area_id, field="area")
        except ValidationError as exc:
            abort(404, exc.message)
        query = query.where(Venue.area_id.in_(descendant_ids_query(area)))
    return jsonify({"items": [venue_to_json(v) for v in db.session.scalars(query)]})


@bp.get("/programs")
def programs():
    query = select(Program).options(selectinload(Program.editions)).order_by(Program.id)
    return jsonify({"items": [program_to_json(p) for p in db.session.scalars(query)]})


def _next_url(endpoint: str, cursor: str) -> str:
    args = request.args.to_dict()
    args["cursor"] = cursor
    return links.absolute(url_for(endpoint, _external=False, **args))


@bp.get("/occurrences")
def occurrences():
    """Published occurrences overlapping a window of local dates, ordered by start, keyset-paged."""
    start, end = params.date_window()
    flt = params.occurrence_filter(*params.utc_window(start, end))
    limit = params.page_size()
    staff = _staff_reader()
    if staff is not None and request.args.get("include") == "drafts":
        flt = replace(flt, public_only=False)
    query = occurrences_query(flt).options(contains_eager(Occurrence.event))
    if not flt.public_only and staff.role != "admin":
        # Drafts and submissions only of the caller's own area; published ones of everywhere.
        query = query.where(or_(Occurrence.is_public.is_(True), Occurrence.area_id.in_(Scope.of(staff).area_ids())))
    cursor = params.cursor()
    if cursor is not None:
        query = after_cursor(query, cursor.starts_at, cursor.id)
    rows = db.session.scalars(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = _next_url("api.occurrences", Position(rows[-1].starts_at, rows[-1].id).api_token()) if more else None
    items = [occurrence_to_json(o) for o in rows]
    if staff is not None:
        in_scope = Scope.of(staff)
        for item, occ in zip(items, rows):
            # 人次 is the bureau's working figure: shown to staff for their own area only.
            if in_scope.is_everything or in_scope.contains(occ.event.area):
                item["attendance"] = occ.attendance
    response = jsonify({"items": items, "next": next_url})
    if staff is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _staff_reader():
    """The staff or admin user of a bearer token on a public read (None for everyone else)."""
    if not request.headers.get("Authorization"):
        return None
    user = optional_api_actor()
    return user if user is not None and user.is_staff else None


@bp.get("/days")
def days():
    """Festivals, solar terms, lunar dates, statutory holidays and 调休 days for each date."""
    start, end = params.date_window()
    return jsonify({"items": [d.to_json() for d in festivals.days(start, end)]})


@bp.get("/events")
def events():
    """Published events with an occurrence in the window matching the filters, paged by id."""
    start, end = params.date_window()
    flt = params.occurrence_filter(*params.utc_window(start, end))
    limit = params.page_size()
    after_id = params.int_arg("after")
    matching = occurrences_query(flt).with_only_columns(Occurrence.event_id).order_by(None).distinct()
    query = (select(Event).where(Event.id.in_(matching), Event.status == "published").order_by(Event.id).limit(limit + 1))
    if after_id is not None:
        query = query.where(Event.id > after_id)
    rows = db.session.scalars(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        args = request.args.to_dict()
        args["after"] = rows[-1].id
        next_url = links.absolute(url_for("api.events", _external=False, **args))
    return jsonify({"items": [event_to_json(e) for e in rows], "next": next_url})


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    """One published event with its next occurrences and feed URL."""
    event = db.session.get(Event, event_id)
    if event is None or event.status not in ("published", "cancelled"):
        abort(404, f"活动不存在：{event_id}")
    upcoming = db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == event.id, Occurrence.ends_at > clock.now())
        .order_by(Occurrence.starts_at).limit(10)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(Occurrence).where(Occurrence.event_id == event.id))
    body = event_to_json(event)
    body["next_occurrences"] = [occurrence_to_json(o) for o in upcoming]
    body["occurrence_count"] = total
    return jsonify(body)


from calendar_app.api import writes  # noqa: E402,F401  (write routes register on this blueprint)
