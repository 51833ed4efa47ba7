"""UI language for the public pages: Chinese first, English on request, through Flask-Babel.

zh-CN is the source language: message ids are the Chinese strings themselves, so a template reads
naturally and a string without a translation still shows correct Chinese. The English catalogue is
calendar_app/translations/en/LC_MESSAGES/messages.po, compiled to messages.mo (README, "Translations",
tells how to add a string). tests/public/test_translations.py checks that every extracted id has an
English translation, that the compiled catalogue matches the .po, and that English pages carry no
Chinese UI text. Dates, weekdays, months and numbers are formatted by Babel from the locale's CLDR data.

Templates call `_("…", name=value)` (Jinja's i18n extension, installed by Flask-Babel): placeholders are
`%(name)s`, the values are escaped and the catalogue's text is trusted as markup, so a translation must
not carry a straight double quote or a tag its msgid lacks (the catalogue test checks). Python code
calls flask_babel.gettext, which returns plain text.

Only UI strings are translated; content (titles, descriptions, names of places) stays as entered.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

import flask_babel
from babel.dates import format_skeleton, get_day_names
from flask import Flask, Response, g, has_request_context, request, url_for
from flask_babel import gettext

from calendar_app.areas.models import AREA_KIND_LABELS
from calendar_app.events.models import OCCURRENCE_STATUSES
from calendar_app.extensions import babel
from calendar_app.i18n import N_
from calendar_app.programs.models import CATEGORIES
from calendar_app.venues.models import VENUE_KINDS

LANG_COOKIE = "lang"
ZH, EN = "zh-CN", "en"
#: `?lang=` values accepted, mapped to the `lang` attribute of the page.
LANG_PARAMS = {"zh": ZH, "zh-cn": ZH, "zh-CN": ZH, "en": EN}
#: The Babel locale of each page language (translations and CLDR formats).
BABEL_LOCALES = {ZH: "zh_Hans_CN", EN: "en"}

#: Festival, solar-term and holiday names come from the calendar libraries (calendar_app.festivals), not
#: from our code: marked here so that the catalogue carries them. `day_name()` translates them.
DAY_NAMES = (
    N_("春节"), N_("元宵节"), N_("端午节"), N_("七夕"), N_("中秋节"), N_("重阳节"), N_("腊八节"), N_("除夕"), N_("清明"),
    N_("清明节"), N_("元旦"), N_("劳动节"), N_("国庆节"), N_("立春"), N_("雨水"), N_("惊蛰"), N_("春分"), N_("谷雨"),
    N_("立夏"), N_("小满"), N_("芒种"), N_("夏至"), N_("小暑"), N_("大暑"), N_("立秋"), N_("处暑"), N_("白露"),
    N_("秋分"), N_("寒露"), N_("霜降"), N_("立冬"), N_("小雪"), N_("大雪"), N_("冬至"), N_("小寒"), N_("大寒"),
)


def current_lang() -> str:
    """The language of this request: `?lang=` first, then the cookie, else Chinese."""
    lang = g.get("lang")
    if lang is None:
        lang = (LANG_PARAMS.get(request.args.get("lang", ""))
                or LANG_PARAMS.get(request.cookies.get(LANG_COOKIE, ""), ZH))
        g.lang = lang
    return lang


def _babel_locale() -> str | None:
    """Flask-Babel's locale selector: the request's language; outside a request, the default (Chinese)."""
    return BABEL_LOCALES[current_lang()] if has_request_context() else None


def _english() -> bool:
    return has_request_context() and current_lang() == EN


def category_label(key: str) -> str:
    return gettext(CATEGORIES.get(key, key))


def status_label(key: str) -> str:
    return gettext(OCCURRENCE_STATUSES.get(key, key))


def venue_kind_label(key: str) -> str:
    return gettext(VENUE_KINDS.get(key, key))


def area_kind_label(key: str) -> str:
    return gettext(AREA_KIND_LABELS.get(key, key))


def day_name(name: str) -> str:
    """A festival, solar term or holiday name; unknown names (a new holiday) stay as given."""
    return gettext(name)


def weekday_short(index: int) -> str:
    """Column heading of a Monday-first week: 一 … 日 / Mon … Sun (CLDR's narrow Chinese, abbreviated English)."""
    return get_day_names("abbreviated" if _english() else "narrow", locale=flask_babel.get_locale())[index]


def weekday_name(index: int) -> str:
    """周一 … 周日 / Mon … Sun."""
    return get_day_names("abbreviated", locale=flask_babel.get_locale())[index]


def lunar_short(lunar: str) -> str:
    """The lunar day for a calendar cell (十三), or the month's name on its first day (十月, 闰六月)."""
    day = lunar[-2:]
    return lunar[:-2] if day == "初一" else day


def opening_hours_lines(slots) -> list[str]:
    """Opening hours with runs of weekdays that share the same slots folded: 周二至周日 09:00–17:00."""
    by_day: dict[int, tuple[str, ...]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, ())
        by_day[slot.weekday] += (f"{slot.opens_at:%H:%M}–{slot.closes_at:%H:%M}",)
    lines, day = [], 0
    while day < 7:
        if day not in by_day:
            day += 1
            continue
        last = day
        while last + 1 in by_day and by_day[last + 1] == by_day[day]:
            last += 1
        label = weekday_name(day) if last == day else gettext("%(first)s至%(last)s", first=weekday_name(day),
                                                                last=weekday_name(last))
        lines.append(f"{label} {', '.join(by_day[day])}")
        day = last + 1
    return lines


def format_date(d: date, *, with_year: bool = False) -> str:
    """12月5日 周六 / Sat, Dec 5 (2026年12月5日 周六 / Sat, Dec 5, 2026 with the year), from CLDR."""
    return _formatted_date(str(flask_babel.get_locale()), d, with_year)


@lru_cache(maxsize=4096)
def _formatted_date(locale: str, d: date, with_year: bool) -> str:
    """Cached: Babel matches the skeleton to a pattern on every call (~0.1 ms), and a list repeats its days.

    English takes CLDR's date-with-weekday pattern as it is; Chinese keeps the space between the date
    and the weekday that the pages have always had (CLDR writes 12月5日周六).
    """
    if locale == BABEL_LOCALES[EN]:
        return format_skeleton("yMMMEd" if with_year else "MMMEd", d, locale=locale)
    weekday = get_day_names("abbreviated", locale=locale)[d.weekday()]
    return f"{format_skeleton('yMMMd' if with_year else 'MMMd', d, locale=locale)} {weekday}"


def month_title(year: int, month: int) -> str:
    """2026年11月 / November 2026."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=flask_babel.get_locale())


def switch_url(lang: str) -> str:
    """This page's URL with `lang` set, keeping the other query parameters.

    The path is built from the matched route, never copied from the request: on a 404 the raw path is
    the visitor's (`/\\evil.example` would make `/\\evil.example?lang=en`, which browsers read as
    `//evil.example`). A request that matched no route switches on the home page.
    """
    code = "en" if lang == EN else "zh"
    if request.url_rule is None or request.endpoint is None:
        return url_for("public.home", lang=code)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{url_for(request.endpoint, **(request.view_args or {}))}?{urlencode(args)}"


def init_app(app: Flask) -> None:
    """Flask-Babel with the request's language, a `?lang=` choice remembered in a cookie, template helpers."""
    babel.init_app(app, locale_selector=_babel_locale, default_locale=BABEL_LOCALES[ZH],
                   default_timezone=app.config["CALENDAR_TIMEZONE"])

    @app.before_request
    def _pick_language() -> None:
        # Tests (and the CLI) may run several requests in one application context, where both our
        # choice and Flask-Babel's cached locale live: each request chooses afresh.
        g.pop("lang", None)
        flask_babel.refresh()
        current_lang()

    @app.after_request
    def _remember_language(response: Response) -> Response:
        if response.mimetype != "text/html":
            # Feeds, JSON and images have no language, and a shared cache may store them: a cookie
            # there would be handed to everyone who gets the cached copy.
            return response
        chosen = LANG_PARAMS.get(request.args.get("lang", ""))
        if chosen and request.cookies.get(LANG_COOKIE) != ("en" if chosen == EN else "zh"):
            response.set_cookie(LANG_COOKIE, "en" if chosen == EN else "zh", max_age=365 * 24 * 3600,
                                samesite="Lax", httponly=True, secure=request.is_secure)
        # Same URL, different language by cookie: caches must key on it.
        response.vary.add("Cookie")
        response.headers.setdefault("Content-Language", g.get("lang", ZH))
        return response

    app.jinja_env.globals.update(
        current_lang=current_lang, category_label=category_label, status_label=status_label,
        venue_kind_label=venue_kind_label, area_kind_label=area_kind_label, day_name=day_name,
        format_date=format_date, month_title=month_title, weekday_short=weekday_short, lunar_short=lunar_short,
        opening_hours_lines=opening_hours_lines, switch_url=switch_url, LANG_EN=EN,
        # Text made elsewhere (an error's message) in the page's language when the catalogue has it. Plain
        # text, escaped on output: `_()` would trust it as markup and read a `%` in it as a placeholder.
        translate=gettext,
    )
