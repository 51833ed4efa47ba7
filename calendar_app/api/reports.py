"""/api/v1/reports/...: venue load, program progress and the year summary as JSON.

Staff or admin bearer token; every figure is limited to the caller's scope (an area or venue outside
it is a 403, an unknown id a 404, a malformed or over-long period a 400). The services are the ones
the /manage/reports pages use.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, g, jsonify, request

from calendar_app import clock
from calendar_app.accounts.auth import api_actor
from calendar_app.api.views import bp
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.params import QueryArgs
from calendar_app.reports import periods
from calendar_app.reports.progress import editions_for, progress
from calendar_app.reports.summary import year_summary
from calendar_app.reports.venue_load import NotFound, resolve_filters, venue_load
from calendar_app.venues.models import VENUE_KINDS


def _year(args: QueryArgs, required: bool) -> int | None:
    raw = args.raw("year")
    if raw is None:
        if required:
            raise ValidationError("请提供参数 year（四位年份）", "year")
        return None
    return periods.parse_year(raw)


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/reports/venue-load")
@api_actor("staff", "admin")
def report_venue_load():
    args = QueryArgs(request.args)
    today = clock.today()
    start = args.date("start") or today.replace(day=1)
    end = args.date("end") or min(periods.around("month", start).end, start + timedelta(days=periods.MAX_DAYS - 1))
    period = periods.checked(start, end)
    granularity = args.choice("granularity", periods.GRANULARITIES) or "week"
    try:
        area, venue, kind = resolve_filters(g.scope, args.id("area"), args.id("venue"), args.choice("kind", VENUE_KINDS))
    except NotFound as exc:
        abort(404, exc.message)
    report = venue_load(g.scope, period, granularity, tz=clock.local_zone(), area=area, venue=venue, kind=kind)
    return _private(jsonify({"start": period.start.isoformat(), "end": period.end.isoformat(),
                             "granularity": granularity, "items": report.items()}))


@bp.get("/reports/progress")
@api_actor("staff", "admin")
def report_progress():
    args = QueryArgs(request.args)
    edition_id = args.id("edition")
    year = _year(args, required=edition_id is None)
    try:
        editions, area = editions_for(g.scope, edition_id=edition_id, year=year, area_id=args.id("area"))
    except NotFound as exc:
        abort(404, exc.message)
    today = clock.today()
    report = progress(g.scope, editions, area=area, now=clock.now(), tz=clock.local_zone(), today=today)
    return _private(jsonify({"items": [r.to_json(today) for r in report.rows]}))


@bp.get("/reports/year-summary")
@api_actor("staff", "admin")
def report_year_summary():
    args = QueryArgs(request.args)
    year = _year(args, required=True)
    area_id = args.id("area")
    area = db.session.get(Area, area_id) if area_id is not None else g.actor.area
    if area is None:
        abort(404, f"区域不存在：{area_id}")
    g.scope.require_area(area)
    summary = year_summary(area, year, now=clock.now(), tz=clock.local_zone(), until=args.date("cutoff"))
    return _private(jsonify(summary.to_json()))
