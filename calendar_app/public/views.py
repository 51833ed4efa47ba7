"""Public pages: home (today / tomorrow / weekend / 30 days), month view, event, program, edition, area,
venue, and the QR codes of their feeds. Views are thin: parse, call queries, render."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for

from calendar_app import clock
from calendar_app import links
from calendar_app.areas.services import descendant_ids_query
from calendar_app.events.models import Occurrence
from calendar_app.festivals.services import days as day_facts
from calendar_app.media.services import poster_of, poster_url
from calendar_app.public import outbound, params, queries
from calendar_app.public.i18n import format_date
from calendar_app.public.i18n import gettext as _
from calendar_app.public.qr import qr_svg
from calendar_app.public.windows import (WHENS, day_window, group_by_day, local_today, month_bounds, month_weeks,
                                         shift_month, window_for)

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    now, tz = clock.now(), clock.local_zone()
    on = params.date_arg("date")
    when = None if on else params.when_arg()
    window = day_window(on, on, now, tz) if on else window_for(when, now, tz)
    form = params.filter_form()
    page = queries.listing(window.start, window.end, form.filters, after=params.cursor_arg())
    facts = {d.date: d for d in day_facts(window.first_day, window.last_day)}
    return render_template(
        "public/home.html", when=when, on=on, whens=WHENS, window=window, form=form, page=page,
        days=group_by_day(page.occurrences, tz, window.first_day), facts=facts, today=local_today(now, tz),
    )


@bp.get("/month")
def month():
    now, tz = clock.now(), clock.local_zone()
    today = local_today(now, tz)
    year, month_ = params.month_arg() or (today.year, today.month)
    first, last = month_bounds(year, month_)
    form = params.filter_form()
    return render_template(
        "public/month.html", year=year, month=month_, weeks=month_weeks(year, month_), today=today, form=form,
        facts={d.date: d for d in day_facts(first, last)},
        counts=queries.day_counts(first, last, tz, form.filters),
        previous=shift_month(year, month_, -1), following=shift_month(year, month_, 1),
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    found = queries.public_event(event_id)
    if found is None:
        abort(404, _("活动不存在或尚未发布"))
    now, tz = clock.now(), clock.local_zone()
    series = queries.series_dates(found, now)
    wanted = params.int_arg("occurrence")
    focus = queries.occurrence_of(found, wanted) if wanted else None
    focus = focus or (series[0] if series else queries.last_occurrence(found))
    if focus is None:  # an event whose occurrences were all removed
        abort(404, _("活动不存在或尚未发布"))
    page_url = links.absolute(links.occurrence_path(found.id, focus.id))
    shared = outbound.event_links(found, focus, tz, page_url=page_url)
    poster = poster_of(found)
    if poster:  # schema.org Event.image: search engines show the poster with the event
        shared.jsonld["image"] = [links.absolute(poster_url(poster, size)) for size in ("full", "card")]
    return render_template(
        "public/event.html", event=found, focus=focus, venue=focus.venue or found.venue,
        missing=bool(wanted) and focus.id != wanted,
        others=[o for o in series if o.id != focus.id][:queries.SERIES_LIMIT],
        outbound=shared,
        ics_path=links.feed_path("event", found.id), today=local_today(now, tz),
    )


@bp.get("/programs/<slug>")
def program(slug: str):
    found = queries.program_by_slug(slug)
    if found is None:
        abort(404, _("品牌活动不存在"))
    return _listing_page("public/program.html", Occurrence.program_id == found.id, ("program", found.slug),
                         program=found)


@bp.get("/editions/<int:edition_id>")
def edition(edition_id: int):
    found = queries.edition_by_id(edition_id)
    if found is None:
        abort(404, _("活动届次不存在"))
    return _listing_page("public/edition.html", Occurrence.edition_id == found.id, ("edition", found.id),
                         edition=found)


@bp.get("/areas/<int:area_id>")
def area(area_id: int):
    found = queries.area_by_id(area_id)
    if found is None:
        abort(404, _("区域不存在"))
    return _listing_page("public/area.html", Occurrence.area_id.in_(descendant_ids_query(found)), ("area", found.id),
                         area=found, ancestors=queries.areas_by_ids(found.ancestor_ids()[:-1]))


@bp.get("/venues/<int:venue_id>")
def venue(venue_id: int):
    found = queries.venue_by_id(venue_id)
    if found is None:
        abort(404, _("场馆不存在"))
    return _listing_page("public/venue.html", Occurrence.venue_id == found.id, ("venue", found.id), venue=found,
                         amap_url=outbound.amap_url(found), baidu_url=outbound.baidu_url(found))


def _listing_page(template: str, condition, feed: tuple[str, str | int], **context):
    """A page about one program, edition, area or venue: its upcoming dates and how to subscribe."""
    now, tz = clock.now(), clock.local_zone()
    today = local_today(now, tz)
    page = queries.upcoming(condition, now)
    return render_template(template, days=group_by_day(page.occurrences, tz, today), page=page, today=today,
                           subscription=subscription(*feed), **context)


def subscription(kind: str, key: str | int) -> dict[str, str]:
    """The ways to subscribe to one feed: https, webcal://, Google's ?cid= link and the QR image."""
    https = links.absolute(links.feed_path(kind, key))
    return {
        "kind": kind, "https": https, "webcal": links.webcal_url(https),
        "google": links.google_subscribe_url(https), "qr": url_for(f"public.{kind}_qr", key=key),
    }


# QR codes of the feeds: one route per kind, so only our own feed URLs can ever be encoded.
_QR_LOOKUPS = {
    "program": queries.program_by_slug, "edition": queries.edition_by_id,
    "area": queries.area_by_id, "venue": queries.venue_by_id,
}


def _feed_qr(kind: str, key: str | int) -> Response:
    if _QR_LOOKUPS[kind](key) is None:
        abort(404)
    url = links.absolute(links.feed_path(kind, key))
    response = Response(qr_svg(url, title=url), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{kind}-{key}-qr.svg"'
    return response


@bp.get("/programs/<key>/qr.svg")
def program_qr(key: str):
    return _feed_qr("program", key)


@bp.get("/editions/<int:key>/qr.svg")
def edition_qr(key: int):
    return _feed_qr("edition", key)


@bp.get("/areas/<int:key>/qr.svg")
def area_qr(key: int):
    return _feed_qr("area", key)


@bp.get("/venues/<int:key>/qr.svg")
def venue_qr(key: int):
    return _feed_qr("venue", key)


@bp.app_template_global()
def occurrence_when(occurrence: Occurrence, all_day: bool, *, with_year: bool = True) -> str:
    """When an occurrence happens, in local time: 2026年11月21日 周六 14:30–16:30, or dates when all-day."""
    tz = clock.local_zone()
    start, end = occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz)
    if all_day:
        last = max(end.date() - timedelta(days=1), start.date())  # DTEND of an all-day event is exclusive
        text = format_date(start.date(), with_year=with_year)
        if last != start.date():
            text += " – " + format_date(last, with_year=with_year)
        return f"{text} · {_('全天')}"
    text = f"{format_date(start.date(), with_year=with_year)} {start:%H:%M}–"
    if end.date() != start.date():
        text += format_date(end.date()) + " "
    return text + f"{end:%H:%M}"


@bp.app_template_filter("local_time")
def local_time(value, fmt: str = "%H:%M") -> str:
    return value.astimezone(clock.local_zone()).strftime(fmt)


@bp.app_template_filter("local_date")
def local_date(value) -> date:
    return value.astimezone(clock.local_zone()).date()
