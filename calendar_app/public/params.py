"""GET parameters of the public pages, parsed and validated.

A malformed value (`?area=abc`, `?ym=2026-13`) is a 400 with a message; a well-formed value that names
nothing (`?program=no-such-slug`) is a filter that matches nothing, so a stale shared link shows an
empty list rather than everything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request
from flask_babel import gettext

from calendar_app.db import ValidationError
from calendar_app.params import InvalidParameter, Position, QueryArgs
from calendar_app.programs.models import CATEGORIES
from calendar_app.public import queries
from calendar_app.public.i18n import category_label
from calendar_app.public.queries import FilterOptions, Filters
from calendar_app.public.windows import DEFAULT_WHEN, WHENS

#: Query parameters of the filter form, in form order (links that keep the filters copy these).
FILTER_PARAMS = ("area", "program", "category", "venue", "free", "q")
MAX_KEYWORD = 50


def _translated(exc: InvalidParameter) -> ValidationError:
    # A page shows one short message in the reader's language; the API's detailed text is for developers.
    return ValidationError(gettext("参数有误：%(name)s", name=exc.field), exc.field)


def args() -> QueryArgs:
    """This request's query string in the pages' style: blank fields are absent, errors translated."""
    return QueryArgs(request.args, forms=True, restyle=_translated)


def int_arg(name: str) -> int | None:
    return args().id(name)


def date_arg(name: str) -> date | None:
    return args().date(name)


def month_arg(name: str = "ym") -> tuple[int, int] | None:
    return args().month(name)


def when_arg() -> str:
    return args().choice("when", WHENS) or DEFAULT_WHEN


def cursor_arg() -> Position | None:
    return args().page_cursor("after")


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
    query = args()
    area_id = query.id("area")
    venue_id = query.id("venue")
    free_raw = query.choice("free", ("1", "0")) or ""
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
