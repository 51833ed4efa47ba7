"""Report pages under /manage/reports: venue load (with one venue in detail), program progress and the
year summary; each chart with its table and CSV/XLSX downloads.

Staff and admins see their district (admins everything); a coordinator sees progress for their own
town. The user's scope is active for every request (as on every management page). Views are thin:
read the query, call one report service, render or download. Bad input gives the page again with a
message (400), an unknown id a 404 page, someone else's area a 403 page.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from urllib.parse import quote

from flask import Blueprint, abort, g, make_response, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from calendar_app import clock
from calendar_app.accounts import scope as scopes
from calendar_app.accounts.auth import page_actor
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.params import QueryArgs
from calendar_app.programs.models import Edition
from calendar_app.reports import charts, exports, periods, tables
from calendar_app.reports.hours import DAY, HOUR, day_seconds
from calendar_app.reports.progress import editions_for, progress, visible_editions
from calendar_app.reports.summary import year_summary
from calendar_app.reports.venue_load import (NotFound, finding_details, local_text, resolve_filters, venue_load,
                                             week_hour_grid)
from calendar_app.venues.models import VENUE_KINDS, WEEKDAY_LABELS, Venue

bp = Blueprint("reports", __name__)

#: Venues drawn in the heatmap (the table and downloads list all of them).
HEATMAP_ROWS = 120


@bp.before_request
@login_required
def require_user():
    page_actor()


#: The query parameters the report pages read; links and downloads carry these and nothing else
#: (an unexpected `venue_id` or `fmt` in the query would otherwise clash with the URL's own).
PAGE_PARAMS = ("period", "date", "start", "end", "granularity", "area", "kind", "venue", "week", "edition", "year",
               "cutoff")


def _args() -> QueryArgs:
    return QueryArgs(request.args, forms=True)


def _values() -> dict[str, str]:
    """This request's known query parameters, to fill the forms and build links."""
    return {k: v for k, v in request.args.items() if k in PAGE_PARAMS}


def _staff() -> None:
    g.scope.require_staff()


def _download(kind: str, name: str, headers: list[str], rows: list[list], sheets: list | None = None):
    if kind == "csv":
        body, mimetype, suffix = exports.to_csv(headers, rows), exports.CSV_MIMETYPE, "csv"
    else:
        body, mimetype, suffix = exports.to_xlsx(sheets or [("报表", headers, rows)]), exports.XLSX_MIMETYPE, "xlsx"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename=report.{suffix}; filename*=UTF-8''{quote(name)}.{suffix}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_context_processor
def _report_helpers():
    def download_links() -> dict:
        """This page's CSV and XLSX downloads, with the same query."""
        view_args = dict(request.view_args or {})
        view_args.pop("fmt", None)
        return {fmt: url_for(request.endpoint, fmt=fmt, **view_args, **_values()) for fmt in ("csv", "xlsx")}

    return {"download_links": download_links}


def _scope_areas() -> list[Area]:
    """Districts and towns the user may report on, for the area choice."""
    query = select(Area).where(Area.kind.in_(("city", "district", "town"))).order_by(Area.path)
    if not g.scope.is_everything:
        query = query.where(Area.path.startswith(g.scope.path, autoescape=True))
    return [(a.id, ("　" if a.kind == "town" else "") + a.name) for a in db.session.scalars(query)]


def _period_from(args: QueryArgs) -> tuple[str, periods.Period]:
    kind = args.choice("period", periods.PERIOD_KINDS) or "month"
    if kind == "custom":
        start, end = args.date("start"), args.date("end")
        if start is None or end is None:
            raise ValidationError("自定义时段请填写开始日期和结束日期", "start")
        return kind, periods.checked(start, end)
    return kind, periods.around(kind, args.date("date") or clock.today())


def _nav_links(kind: str, period: periods.Period) -> dict:
    args = _values()
    out = {}
    for key, step in (("prev", -1), ("next", 1)):
        p = periods.shifted(kind, period, step)
        if kind == "custom":
            args.update(start=p.start.isoformat(), end=p.end.isoformat())
        else:
            args["date"] = p.start.isoformat()
        out[key] = url_for(request.endpoint, **(request.view_args or {}), **args)
    return out


def _column_labels(report) -> tuple[list[str], int]:
    g_ = report.granularity
    if g_ == "month":
        return [f"{first.month}月" for first, _ in report.buckets], 1
    if g_ == "day":
        return [f"{first.day}" for first, _ in report.buckets], 1 if len(report.buckets) <= 31 else 7
    return [f"{first.month}/{first.day}" for first, _ in report.buckets], 1 if len(report.buckets) <= 6 else 4


# --- venue load ---------------------------------------------------------------------------------

@bp.get("/")
def index():
    return render_template("reports/index.html")


@bp.get("/venue-load", defaults={"fmt": None})
@bp.get("/venue-load.<any(csv, xlsx):fmt>")
def venue_load_page(fmt: str | None):
    _staff()
    args = _args()
    context = {"area_options": _scope_areas(), "kinds": VENUE_KINDS, "period_kinds": periods.PERIOD_KINDS,
               "granularities": periods.GRANULARITIES, "values": _values(), "today": clock.today()}
    try:
        kind, period = _period_from(args)
        granularity = args.choice("granularity", periods.GRANULARITIES) or ("day" if kind == "week" else "week")
        area, venue, venue_kind = resolve_filters(g.scope, args.id("area"), args.id("venue"), args.choice("kind", VENUE_KINDS))
    except NotFound as exc:
        abort(404, exc.message)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("reports/venue_load.html", error=exc.message, report=None, **context), 400
    report = venue_load(g.scope, period, granularity, tz=clock.local_zone(), area=area, venue=venue, kind=venue_kind,
                        with_attendance=True)
    name = f"场馆使用_{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "csv":
        return _download("csv", name, tables.VENUE_HEADERS, tables.venue_rows(report))
    if fmt == "xlsx":
        return _download("xlsx", name, [], [], sheets=[("场馆汇总", tables.VENUE_HEADERS, tables.venue_rows(report)),
                                                      ("按周期", tables.BUCKET_HEADERS, tables.bucket_rows(report))])
    ranked = report.ranked() + [v for v in report.venues if v.utilization is None]
    report.venues = ranked  # the table lists venues in the heatmap's order
    shown = ranked[:HEATMAP_ROWS]
    columns, every = _column_labels(report)
    query_args = {k: v for k, v in _values().items() if k != "venue"}
    heatmap = charts.heatmap(
        [(v.name, url_for("reports.venue_detail", venue_id=v.id, **query_args)) for v in shown], columns,
        [[v.cell_utilization(i) for i in range(len(report.buckets))] for v in shown],
        cell_titles=[[f"{v.name} {first:%m-%d}起：已预订 {v.booked[i] / HOUR:.1f} 小时 / 开放 {v.available[i] / HOUR:.1f} 小时"
                      for i, (first, _) in enumerate(report.buckets)] for v in shown],
        title=f"场馆利用率热力图（{period.label()}）",
        desc="每行一个场馆，每列一个统计周期，颜色越深利用率越高；灰色斜线表示该周期不开放。",
        column_every=every)
    clashes = finding_details(report.findings)
    return render_template("reports/venue_load.html", report=report, period=period, period_kind=kind, heatmap=heatmap,
                           busiest=report.busiest(), idlest=report.idlest(), clashes=clashes,
                           heatmap_cut=len(ranked) > HEATMAP_ROWS, nav=_nav_links(kind, period),
                           headers=tables.VENUE_HEADERS, rows=tables.venue_rows(report), granularity=granularity,
                           error=None, **context)


@bp.get("/venues/<int:venue_id>", defaults={"fmt": None})
@bp.get("/venues/<int:venue_id>.<any(csv, xlsx):fmt>")
def venue_detail(venue_id: int, fmt: str | None):
    _staff()
    args = _args()
    context = {"period_kinds": periods.PERIOD_KINDS, "values": _values(), "today": clock.today()}
    try:
        _area, venue, _kind = resolve_filters(g.scope, None, venue_id, None)
        kind, period = _period_from(args)
        week_of = args.date("week") or max(period.start, min(clock.today(), period.end))
    except NotFound as exc:
        abort(404, exc.message)
    except ValidationError as exc:
        db.session.rollback()
        venue = scopes.get(Venue, venue_id)
        return render_template("reports/venue.html", error=exc.message, venue=venue, report=None, **context), 400
    tz = clock.local_zone()
    booked, open_, bookings = week_hour_grid(venue, period, tz)
    report = venue_load(g.scope, period, "week", tz=tz, venue=venue, with_attendance=True)
    load = report.venues[0] if report.venues else None
    hours = [f"{h:02d}" for h in range(24)]
    grid_rows = [[WEEKDAY_LABELS[d]] + [round(booked[d][h] / HOUR, 2) for h in range(24)] for d in range(7)]
    if fmt:
        headers = ["星期"] + [f"{h}时（已预订小时）" for h in hours]
        booking_rows = [[b.title, local_text(b.start), local_text(b.end), "是" if b.outside else "否"] for b in bookings]
        name = f"{venue.name}_{period.start:%Y%m%d}-{period.end:%Y%m%d}"
        if fmt == "csv":
            return _download("csv", name, headers, grid_rows)
        return _download("xlsx", name, [], [], sheets=[("星期x小时", headers, grid_rows),
                                                      ("预订", ["活动", "开始", "结束", "开放时间外"], booking_rows)])
    values = []
    for d in range(7):
        row = []
        for h in range(24):
            if open_[d][h]:
                row.append(min(1.0, booked[d][h] / open_[d][h]))
            else:
                row.append(None if not booked[d][h] else 1.0)
        values.append(row)
    grid = charts.heatmap(
        [(label, None) for label in WEEKDAY_LABELS], hours, values, label_width=50, cell=24,
        cell_titles=[[f"{WEEKDAY_LABELS[d]} {h:02d}时：已预订 {booked[d][h] / HOUR:.1f} 小时 / 开放 {open_[d][h] / HOUR:.1f} 小时"
                      for h in range(24)] for d in range(7)],
        title=f"{venue.name}：星期 × 小时利用率（{period.label()}）",
        desc="每行一个星期几，每列一个小时，颜色越深该时段越常被预订；灰色斜线表示不开放。")
    # The timeline: one week, Monday to Sunday, with opening hours and bookings.
    monday = week_of - timedelta(days=week_of.weekday())
    week_lo = day_seconds(monday)
    days, bars, spans = [], [], []
    from calendar_app.reports.hours import OpenIntervals, pattern_of

    pattern = pattern_of(venue.opening_hours)
    week_open = OpenIntervals(pattern, week_lo, week_lo + 7 * DAY) if pattern else None
    for d in range(7):
        lo = week_lo + d * DAY
        day = monday + timedelta(days=d)
        days.append(f"{WEEKDAY_LABELS[d]} {day.month}/{day.day}")
        bars.append([((max(b.start, lo) - lo) / HOUR, (min(b.end, lo + DAY) - lo) / HOUR,
                      f"{b.title} {local_text(b.start)}–{local_text(b.end)[11:]}", b.outside)
                     for b in bookings if b.start < lo + DAY and b.end > lo])
        spans.append([((a - lo) / HOUR, (b - lo) / HOUR) for a, b in (week_open.pieces(lo, lo + DAY) if week_open else [])])
    week_booked = _week_bookings(venue, monday, tz) if not (period.start <= monday and monday + timedelta(days=6) <= period.end) else None
    if week_booked is not None:
        bars = [[((max(b.start, week_lo + d * DAY) - week_lo - d * DAY) / HOUR,
                  (min(b.end, week_lo + (d + 1) * DAY) - week_lo - d * DAY) / HOUR,
                  f"{b.title} {local_text(b.start)}–{local_text(b.end)[11:]}", b.outside)
                 for b in week_booked if b.start < week_lo + (d + 1) * DAY and b.end > week_lo + d * DAY] for d in range(7)]
    timeline = charts.timeline(days, bars, open_spans=spans,
                               title=f"{venue.name}：{monday:%Y-%m-%d} 这一周的预订",
                               desc="每行一天，横轴为 0–24 时；虚线框为开放时间，深色条为预订，橙色条为开放时间外的预订。")
    week_args = _values()
    prev_week = url_for("reports.venue_detail", venue_id=venue.id, **{**week_args, "week": (monday - timedelta(days=7)).isoformat()})
    next_week = url_for("reports.venue_detail", venue_id=venue.id, **{**week_args, "week": (monday + timedelta(days=7)).isoformat()})
    return render_template("reports/venue.html", venue=venue, load=load, period=period, period_kind=kind, grid=grid,
                           grid_rows=grid_rows, hours=hours, timeline=timeline, monday=monday, prev_week=prev_week,
                           next_week=next_week, bookings=bookings[:300], local_text=local_text,
                           nav=_nav_links(kind, period), error=None, report=report, **context)


def _week_bookings(venue: Venue, monday: date, tz):
    _booked, _open, bookings = week_hour_grid(venue, periods.Period(monday, monday + timedelta(days=6)), tz)
    return bookings


# --- progress -----------------------------------------------------------------------------------

@bp.get("/progress", defaults={"fmt": None})
@bp.get("/progress.<any(csv, xlsx):fmt>")
def progress_page(fmt: str | None):
    args = _args()
    today = clock.today()
    editions = list(db.session.scalars(visible_editions(g.scope).where(Edition.ends_on >= date(today.year - 2, 1, 1))
                                       .options(selectinload(Edition.program))
                                       .order_by(Edition.starts_on.desc(), Edition.id)))
    context = {"area_options": _scope_areas(), "edition_options": [(e.id, f"{e.program.name} · {e.name}") for e in editions], "values": _values(), "today": today}
    try:
        edition_id = args.id("edition")
        year = None
        if edition_id is None:
            raw = args.raw("year")
            year = today.year if raw is None else _year(raw)
        chosen, area = editions_for(g.scope, edition_id=edition_id, year=year, area_id=args.id("area"))
    except NotFound as exc:
        abort(404, exc.message)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("reports/progress.html", error=exc.message, report=None, **context), 400
    report = progress(g.scope, chosen, area=area, now=clock.now(), tz=clock.local_zone(), today=today)
    rows = tables.progress_rows(report, today)
    if fmt:
        name = f"任务进度_{year or chosen[0].name}"
        return _download(fmt, name, tables.PROGRESS_HEADERS, rows,
                         sheets=[("各镇街进度", tables.PROGRESS_HEADERS, rows)])
    chart_list = []
    for c in report.charts:
        if not c.months or not (sum(c.scheduled) or c.target_events):
            continue
        # Month names only (the edition's dates are in its title): a year prefix does not fit a column.
        labels = [f"{m.month}月" for m in c.months]
        where = f" · {c.narrowed_to}" if c.narrowed_to else ""
        chart_list.append({"edition": c.edition, "chart": c, "svg": charts.progress_chart(
            labels, c.scheduled, c.held, c.pace(), title=f"{c.edition.program.name} · {c.edition.name}{where}（{c.edition.starts_on:%Y-%m-%d} 至 {c.edition.ends_on:%Y-%m-%d}）：逐月累计场次",
            desc="浅色柱为累计已排期场次，深色柱为累计已举办场次，红色虚线为按期完成目标所需的进度。"),
            "table": list(zip(labels, c.scheduled, c.held, c.pace()))})
    return render_template("reports/progress.html", report=report, rows=rows, headers=tables.PROGRESS_HEADERS,
                           charts=chart_list, year=year, area=area, error=None, **context)


def _year(raw: str) -> int:
    return periods.parse_year(raw)


# --- year summary ----------------------------------------------------------------------------

@bp.get("/year-summary", defaults={"fmt": None})
@bp.get("/year-summary.<any(csv, xlsx):fmt>")
def year_summary_page(fmt: str | None):
    _staff()
    args = _args()
    today = clock.today()
    context = {"area_options": _scope_areas(), "values": _values(), "today": today}
    try:
        raw = args.raw("year")
        year = today.year if raw is None else _year(raw)
        area_id = args.id("area") or g.actor.area_id
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound(f"区域不存在：{area_id}", "area")
        g.scope.require_area(area)
        summary = year_summary(area, year, now=clock.now(), tz=clock.local_zone(), until=args.date("cutoff"))
    except NotFound as exc:
        abort(404, exc.message)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("reports/year_summary.html", error=exc.message, summary=None, **context), 400
    if fmt:
        name = f"{area.name}{year}年文旅活动汇总"
        town_headers, town_rows = tables.summary_town_table(summary)
        month_headers, month_rows = tables.summary_month_table(summary)
        return _download(fmt, name, tables.SUMMARY_HEADERS, tables.summary_rows(summary),
                         sheets=[("年度汇总", tables.SUMMARY_HEADERS, tables.summary_rows(summary)),
                                 ("按镇街", town_headers, town_rows), ("按月", month_headers, month_rows)])
    town_headers, town_rows = tables.summary_town_view(summary)
    month_headers, month_rows = tables.summary_month_view(summary)
    return render_template("reports/year_summary.html", summary=summary, rows=tables.summary_rows(summary),
                           headers=tables.SUMMARY_HEADERS, town_headers=town_headers, town_rows=town_rows,
                           month_headers=month_headers, month_rows=month_rows, year=year, area=area, error=None,
                           cutoff_label=_cutoff_label(summary.cutoff.astimezone(clock.local_zone())), **context)


def _cutoff_label(local: datetime) -> str:
    """"2026-10-31 当天结束" for a cut-off at midnight (a chosen day, or the year's end), else the minute."""
    if local.time() == time(0):
        return f"{local.date() - timedelta(days=1):%Y-%m-%d} 当天结束"
    return f"{local:%Y-%m-%d %H:%M}"
