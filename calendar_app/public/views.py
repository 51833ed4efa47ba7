"""Public pages: home (today / tomorrow / weekend / 30 days), month view, event, program, edition, area,
venue, and the QR codes of their feeds. Views are thin: parse, call queries, render."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from calendar_app import clock
from calendar_app import links
from calendar_app.areas.services import descendant_ids_query
from calendar_app.events.models import Occurrence
from calendar_app.festivals.services import days as day_facts
from calendar_app.media.services import poster_of, poster_url
from calendar_app.public import outbound, params, presentation, queries
from calendar_app.programs.models import CATEGORIES
from calendar_app.public.devices import DEVICES, device_of
from calendar_app.public.i18n import category_label, format_date
from calendar_app.public.qr import qr_svg
from calendar_app.public.text import tel_links
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
    after = params.cursor_arg()
    page = queries.listing(window.start, window.end, form.filters, after=after)
    facts = {d.date: d for d in day_facts(window.first_day, window.last_day)}
    opening = when == "next30" and not form.filters.active and after is None
    return render_template(
        "public/home.html", when=when, on=on, whens=WHENS, window=window, form=form, page=page,
        days=presentation.collapsed_days(group_by_day(page.occurrences, tz, window.first_day)), facts=facts,
        today=local_today(now, tz), highlights=presentation.highlights(now, tz) if opening else [],
        town_groups=presentation.town_groups() if not form.filters.active else [],
        subscription=_filtered_subscription(form),
    )


def _filtered_subscription(form: params.FilterForm) -> dict[str, str] | None:
    """The subscribe box of a view filtered by exactly one area, program or venue (and nothing else that a
    feed cannot express), else None."""
    values = form.link_args()
    chosen = [k for k in ("area", "program", "venue") if k in values]
    if len(chosen) != 1 or form.filters.impossible or set(values) - {chosen[0]}:
        return None
    kind = chosen[0]
    if kind == "area":
        return subscription("area", form.filters.area.id) if form.filters.area is not None else None
    if kind == "program":
        return subscription("program", values["program"])
    found = queries.venue_by_id(form.filters.venue_id)
    return subscription("venue", found.id) if found is not None else None


@bp.get("/month")
def month():
    now, tz = clock.now(), clock.local_zone()
    today = local_today(now, tz)
    year, month_ = params.month_arg() or (today.year, today.month)
    first, last = month_bounds(year, month_)
    form = params.filter_form()
    return render_template(
        "public/month.html", year=year, month=month_, weeks=month_weeks(year, month_), today=today, form=form,
        subscription=_filtered_subscription(form),
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
        town=presentation.town_of(found.area_id), contact_html=tel_links(found.contact),
        city=presentation.city_of(found.area_id) if presentation.several_cities() else None,
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
    return render_template(template, days=presentation.collapsed_days(group_by_day(page.occurrences, tz, today)),
                           page=page, today=today, subscription=subscription(*feed),
                           **context)


def subscription(kind: str, key: str | int | None = None) -> dict[str, str]:
    """The ways to subscribe to one feed: its subscribe page (what QR codes and buttons lead to), https,
    webcal://, Google's ?cid= link, the .ics download and the QR image."""
    https = links.absolute(links.feed_path(kind, key))
    page = links.subscribe_path(kind, key)
    return {
        "kind": kind, "https": https, "webcal": links.webcal_url(https), "ics": links.feed_path(kind, key),
        "google": links.google_subscribe_url(https), "page": page, "page_url": links.absolute(page),
        "qr": page + "/qr.svg",
    }


def _subscription_title(kind: str, key) -> str | None:
    """What a feed is called on its subscribe page, or None when it does not exist."""
    if kind == "all":
        return _("全部活动")
    if kind == "holidays":
        return _("节假日与节气")
    if kind == "category":
        return category_label(key) if key in CATEGORIES else None
    found = _QR_LOOKUPS[kind](key)
    if found is None:
        return None
    if kind == "edition":
        return f"{found.program.name}·{found.name}"
    if kind == "area" and found.kind == "village" and found.parent is not None:
        return f"{found.parent.name}·{found.name}"
    return found.name


def _subscribe_page(kind: str, key=None):
    title = _subscription_title(kind, key)
    if title is None:
        abort(404, _("找不到要订阅的日历"))
    chosen = request.args.get("device")
    device = chosen if chosen in DEVICES else device_of(request.user_agent.string)
    return render_template("public/subscribe.html", title=title, device=device, sub=subscription(kind, key),
                           devices=DEVICES, reminder=_reminder_target(kind, key))


def _reminder_target(kind: str, key) -> tuple[str, int] | None:
    """What SMS/email reminders can follow for this calendar: a program, edition, area or venue."""
    if kind in ("edition", "area", "venue"):
        return kind, key
    if kind == "program":
        program = queries.program_by_slug(key)
        return ("program", program.id) if program else None
    return None


@bp.get("/subscribe/all")
def subscribe_all():
    return _subscribe_page("all")


@bp.get("/subscribe/holidays")
def subscribe_holidays():
    return _subscribe_page("holidays")


@bp.get("/subscribe/<any(program, edition, area, venue, category):kind>/<key>")
def subscribe(kind: str, key: str):
    return _subscribe_page(kind, _id_key(kind, key))


def _id_key(kind: str, key: str) -> str | int:
    """A program's slug or a category as is; the id of an edition, area or venue (404 unless a valid id)."""
    if kind in ("program", "category"):
        return key
    if not (key.isascii() and key.isdigit() and not key.startswith("0") and len(key) <= 10 and int(key) < 2**31):
        abort(404, _("找不到要订阅的日历"))
    return int(key)


def _qr_response(target: str, filename: str) -> Response:
    response = Response(qr_svg(target, title=target), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/subscribe/all/qr.svg")
def subscribe_all_qr():
    return _qr_response(links.absolute(links.subscribe_path("all")), "all-qr.svg")


@bp.get("/subscribe/holidays/qr.svg")
def subscribe_holidays_qr():
    return _qr_response(links.absolute(links.subscribe_path("holidays")), "holidays-qr.svg")


@bp.get("/subscribe/<any(program, edition, area, venue, category):kind>/<key>/qr.svg")
def subscribe_qr(kind: str, key: str):
    if kind == "category":
        if key not in CATEGORIES:
            abort(404)
        return _qr_response(links.absolute(links.subscribe_path(kind, key)), f"category-{key}-qr.svg")
    return _feed_qr(kind, _id_key(kind, key))


# QR codes of the subscribe pages: one route per kind, so only our own pages can ever be encoded. The
# code leads to the subscribe page rather than to the raw .ics, which a phone camera would download.
_QR_LOOKUPS = {
    "program": queries.program_by_slug, "edition": queries.edition_by_id,
    "area": queries.area_by_id, "venue": queries.venue_by_id,
}


def _feed_qr(kind: str, key: str | int) -> Response:
    if _QR_LOOKUPS[kind](key) is None:
        abort(404)
    return _qr_response(links.absolute(links.subscribe_path(kind, key)), f"{kind}-{key}-qr.svg")


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
def occurrence_when(occurrence: Occurrence, all_day: bool, *, with_year: bool = True) -> Markup:
    """When an occurrence happens, in local time: 2026年11月21日 周六 14:30–16:30, or dates when all-day.
    The date and the time range are each kept on one line (a range never breaks after its dash)."""
    tz = clock.local_zone()
    start, end = occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz)
    if all_day:
        last = max(end.date() - timedelta(days=1), start.date())  # DTEND of an all-day event is exclusive
        parts = [format_date(start.date(), with_year=with_year)]
        if last != start.date():
            parts[0] += " –"
            parts.append(format_date(last, with_year=with_year))
        return _unbroken(parts) + Markup(" · ") + escape(_("全天"))
    if end.date() != start.date():
        return (_unbroken([format_date(start.date(), with_year=with_year), f"{start:%H:%M}–"])
                + _unbroken([format_date(end.date()), f"{end:%H:%M}"]))
    return _unbroken([format_date(start.date(), with_year=with_year), f"{start:%H:%M}–{end:%H:%M}"])


def _unbroken(parts: list[str]) -> Markup:
    """Each part in a span that does not wrap inside, separated by ordinary spaces."""
    return Markup(" ").join(Markup('<span class="nowrap">{}</span>').format(p) for p in parts)


@bp.app_template_filter("local_time")
def local_time(value, fmt: str = "%H:%M") -> str:
    return value.astimezone(clock.local_zone()).strftime(fmt)


@bp.app_template_filter("local_date")
def local_date(value) -> date:
    return value.astimezone(clock.local_zone()).date()
