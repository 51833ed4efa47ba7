"""Which town-street an area belongs to: villages fold into their town for per-town figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from calendar_app.areas.models import Area
from calendar_app.extensions import db


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    kind: str


class TownIndex:
    """Every area's town (itself for a town; itself for a district or city that organises directly)."""

    def __init__(self, area_ids) -> None:
        wanted = {i for i in area_ids if i is not None}
        rows = db.session.execute(select(Area.id, Area.name, Area.kind, Area.path).where(Area.id.in_(wanted))).all() \
            if wanted else []
        parents = {int(p) for _id, _n, _k, path in rows for p in path.strip("/").split("/") if p} - wanted
        more = db.session.execute(select(Area.id, Area.name, Area.kind, Area.path).where(Area.id.in_(parents))).all() \
            if parents else []
        self._areas = {row[0]: row for row in [*rows, *more]}

    def town_of(self, area_id: int) -> Place:
        row = self._areas[area_id]
        for ancestor in (int(p) for p in row[3].strip("/").split("/") if p):
            a = self._areas.get(ancestor)
            if a is not None and a[2] == "town":
                return Place(a[0], a[1], a[2])
        return Place(row[0], row[1], row[2])
