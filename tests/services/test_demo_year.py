"""The demo year reads as a program guide: films are named, 渔火季 nights and 村晚 galas say what they offer,
the winter 村晚 reaches the Spring Festival of 2027, every event names its city, and every program and
edition has a poster drawn for it."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from calendar_app.areas.models import Area
from calendar_app.demo import data
from calendar_app.events.models import Event
from calendar_app.programs.models import Edition, Program

TZ = ZoneInfo("Asia/Shanghai")
CITIES = {"370300": "淄博市", "430600": "岳阳市", "421200": "咸宁市"}


def _events(db, slug: str | None = None) -> list[Event]:
    query = select(Event).options(selectinload(Event.occurrences), selectinload(Event.venue))
    if slug:
        query = query.join(Event.program).where(Program.slug == slug)
    return list(db.session.scalars(query.order_by(Event.id)))


def test_every_film_screening_names_its_film_in_title_and_description(demo):
    films = _events(demo, "rural-film")
    assert len(films) == 12 * 6  # each of the 12 towns, a film every two months
    named = {f[0] for f in data.FILMS}
    for event in films:
        title = re.search(r"《(.+?)》", event.title).group(1)
        assert title in named and f"《{title}》" in event.description, event.title
    jinshan = [e for e in films if "金山镇" in e.title]
    assert len({re.search(r"《(.+?)》", e.title).group(1) for e in jinshan}) == 6  # no film twice in a town's year


def test_the_film_series_cover_the_year_without_gaps_or_overlaps(demo):
    jinshan = sorted((e for e in _events(demo, "rural-film") if "金山镇" in e.title), key=lambda e: e.starts_local)
    months = [{o.starts_at.astimezone(TZ).month for o in e.occurrences} for e in jinshan]
    assert months == [{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}]


def test_each_fishing_fire_night_and_each_village_gala_has_its_own_description(demo):
    fishing = _events(demo, "dongting-yuhuo")
    assert len(fishing) == 13
    assert len({e.description for e in fishing}) == 13 and all(len(e.description) > 20 for e in fishing)
    galas = _events(demo, "siji-cunwan")
    assert len({e.description for e in galas}) == len(galas) == 4 * 6 + 6
    chibi = _events(demo, "zhiyin-cunwan")
    assert len(chibi) == 1 and "羊楼洞村" in chibi[0].description


def test_the_winter_village_gala_edition_includes_the_spring_festival_galas_of_2027(demo):
    winter = demo.session.scalar(select(Edition).where(Edition.name == "2026冬季村晚"))
    events = [e for e in _events(demo, "siji-cunwan") if e.edition_id == winter.id]
    days = sorted(o.starts_at.astimezone(TZ).date() for e in events for o in e.occurrences)
    # 春节 2027 is Saturday 6 February; the galas run from 除夕 (the 5th) to 初五 (the 10th).
    spring = [d for d in days if d.year == 2027]
    assert spring == [date(2027, 2, d) for d in range(5, 11)]
    new_year = next(e for e in events if e.starts_local.date() == date(2027, 2, 6))
    assert "春节" in new_year.title and "正月初一" in new_year.title
    assert all(winter.starts_on <= d <= winter.ends_on for d in days)
    assert winter.target_events == len(events) == 12


def test_every_event_names_its_city_and_every_venue_address_its_province_and_city(demo):
    areas = {a.id: a for a in demo.session.scalars(select(Area))}

    def city_of(area: Area) -> str:
        root = areas[int(area.path.strip("/").split("/")[0])]
        return CITIES[root.code]

    events = _events(demo)
    assert len(events) > 100
    for event in events:
        city = city_of(areas[event.area_id])
        assert city in event.title or city in (event.description or ""), (event.title, event.description)
        if event.venue is not None:
            assert city in event.venue.address and "省" in event.venue.address, event.venue.address


def test_every_program_and_edition_has_a_drawn_poster_stored_in_every_size(app, demo):
    keys = [*demo.session.scalars(select(Program.poster_key)), *demo.session.scalars(select(Edition.poster_key))]
    assert len(keys) == 9 + 13 and all(keys)
    assert len(set(keys)) == len(keys)  # each drawn from its own name and colour
    stored = {p.name for p in Path(app.config["MEDIA_ROOT"]).iterdir()}
    for key in keys:
        assert all(f"{key}-{size}.{ext}" in stored for size in ("thumb", "card", "full") for ext in ("jpg", "webp"))
