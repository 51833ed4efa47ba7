"""GET parameters of the public pages, parsed and validated.

A malformed value (`?area=abc`, `?ym=2026-13`) is a 400 with a message; a well-formed value that names
nothing (`?program=no-such-slug`) is a filter that matches nothing, so a stale shared link shows an
empty list rather than everything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request

from calendar_app.db import ValidationError
from calendar_app.festivals.lunar import MAX_DATE, MIN_DATE
from calendar_app.programs.models import CATEGORIES
from calendar_app.public import queries
from calendar_app.public.i18n import category_label, gettext
from calendar_app.public.queries import Cursor, FilterOptions, Filters
from calendar_app.public.windows import DEFAULT_WHEN, WHENS

#: Query parameters of the filter form, in form order (links that keep the filters copy these).
FILTER_PARAMS = ("area", "program", "category", "venue", "free", "q")
MAX_KEYWORD = 50


def _invalid(name: str) -> ValidationError:
    return ValidationError(gettext("参数有误：{name}", name=name), name)


def _is_number(raw: str) -> bool:
    # str.isdigit() alone accepts "²" and other digits int() refuses.
    return raw.isascii() and raw.isdigit()


def int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not _is_number(raw) or not 0 < int(raw) < 2**31:
        raise _invalid(name)
    return int(raw)


def date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise _invalid(name) from None
    if not MIN_DATE <= value <= MAX_DATE:  # the lunar and holiday tables cover 1901-2099
        raise _invalid(name)
    return value


def month_arg(name: str = "ym") -> tuple[int, int] | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    year, _, month = raw.partition("-")
    if not (_is_number(year) and _is_number(month) and MIN_DATE.year <= int(year) <= MAX_DATE.year
            and 1 <= int(month) <= 12):
        raise _invalid(name)
    return int(year), int(month)


def when_arg() -> str:
    when = request.args.get("when", "").strip()
    if not when:
        return DEFAULT_WHEN
    if when not in WHENS:
        raise _invalid("when")
    return when


def cursor_arg() -> Cursor | None:
    raw = request.args.get("after", "").strip()
    if not raw:
        return None
    try:
        return Cursor.parse(raw)
    except (ValueError, OverflowError, OSError):
        raise _invalid("after") from None


@dataclass(frozen=True)
class FilterForm:
    """The filters to apply, the choices to offer, and the raw values to show back in the form."""

    filters: Filters
    options: FilterOptions
    values: dict[str, str]

    def link_args(self) -> dict[str, str]:
        """The non-empty filter parameters, for links that keep them (tabs, month view, next page)."""
        return {k: v for k, v in self.values.items() if v}

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """(value, label) pairs for each select of the form, in the request's language. Built here rather
        than in the template: hundreds of venues make a Jinja loop of appends measurably slow."""
        indent = "\u00a0\u00a0"  # areas in tree order, indented by depth (district, then its towns)
        return {
            "area": [("", gettext("全部区域"))]
            + [(str(a.id), indent * (len(a.ancestor_ids()) - 1) + a.name) for a in self.options.areas],
            "program": [("", gettext("全部品牌"))] + [(p.slug, p.name) for p in self.options.programs],
            "category": [("", gettext("全部类别"))] + [(key, category_label(key)) for key in CATEGORIES],
            "venue": [("", gettext("全部场馆"))] + [(str(v.id), v.name) for v in self.options.venues],
            "free": [("", gettext("不限")), ("1", gettext("免费")), ("0", gettext("需购票或报名"))],
        }


def filter_form() -> FilterForm:
    """Read the filter parameters and load the form's choices: a constant number of queries."""
    area_id = int_arg("area")
    venue_id = int_arg("venue")
    free_raw = request.args.get("free", "").strip()
    if free_raw not in ("", "1", "0"):
        raise _invalid("free")
    keyword = " ".join(request.args.get("q", "").split())[:MAX_KEYWORD] or None
    slug = request.args.get("program", "").strip() or None
    category = request.args.get("category", "").strip() or None

    areas, programs = queries.area_and_program_choices()
    area = None
    if area_id is not None:
        # Villages are not offered in the list (a town includes them) but a link may name one.
        area = next((a for a in areas if a.id == area_id), None) or queries.get_area(area_id)
    program = next((p for p in programs if p.slug == slug), None) if slug else None
    impossible = (area_id is not None and area is None) or (slug is not None and program is None) \
        or (category is not None and category not in CATEGORIES)
    filters = Filters(
        area=area, program_id=program.id if program else None, category=category, venue_id=venue_id,
        free=None if not free_raw else free_raw == "1", q=keyword, impossible=impossible,
    )
    options = FilterOptions(areas=areas, programs=programs, venues=queries.venue_choices(area))
    values = {"area": str(area_id or ""), "program": slug or "", "category": category or "",
              "venue": str(venue_id or ""), "free": free_raw, "q": keyword or ""}
    return FilterForm(filters=filters, options=options, values=values)
