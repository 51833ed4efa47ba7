"""GET endpoints of /api/v1. Thin: parse the query, call one service or query, serialise."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from calendar_app.api.openapi import openapi_document
from calendar_app.api.serializers import program_to_json, venue_to_json
from calendar_app.areas.services import area_tree, descendant_ids_query, get_area
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.programs.models import Program
from calendar_app.venues.models import Venue

bp = Blueprint("api", __name__)


def int_arg(name: str) -> int | None:
    """An optional integer query parameter; a malformed one is a 400 with a message, not a 500."""
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


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/areas")
def areas():
    return jsonify({"items": area_tree()})


@bp.get("/venues")
def venues():
    query = select(Venue).options(selectinload(Venue.opening_hours)).order_by(Venue.id)
    area_id = int_arg("area")
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
