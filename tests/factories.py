"""Small builders for test data, going through the real services."""
from __future__ import annotations

from datetime import datetime
from itertools import count

from calendar_app.areas.services import create_area
from calendar_app.events.services import EventData, create_event
from calendar_app.programs.services import create_edition, create_program
from calendar_app.venues.services import create_venue

_seq = count(1)


def district(name: str = "临淄区"):
    return create_area(kind="district", code=f"d{next(_seq)}", name=name)


def town(parent, name: str = "金山镇"):
    return create_area(kind="town", code=f"t{next(_seq)}", name=name, parent_id=parent.id)


def village(parent, name: str = "东崖村"):
    return create_area(kind="village", code=f"v{next(_seq)}", name=name, parent_id=parent.id)


def venue(area, name: str = "东崖村文化广场", **kwargs):
    return create_venue(name=name, area_id=area.id, kind=kwargs.pop("kind", "village_square"), capacity=kwargs.pop("capacity", 300), **kwargs)


def program(area, name: str = "戏曲进乡村", **kwargs):
    return create_program(slug=kwargs.pop("slug", f"p{next(_seq)}"), name=name, area_id=area.id, **kwargs)


def edition(program_, name: str = "2026戏曲进乡村", **kwargs):
    from datetime import date

    return create_edition(program_id=program_.id, name=name, starts_on=kwargs.pop("starts_on", date(2026, 1, 1)),
                          ends_on=kwargs.pop("ends_on", date(2026, 12, 31)), **kwargs)


def event(area, *, title: str = "戏曲进乡村·金山镇", start: datetime = datetime(2026, 12, 5, 19, 0),
          end: datetime = datetime(2026, 12, 5, 21, 0), status: str = "published", now=None, **kwargs):
    data = EventData(title=title, area_id=area.id, starts_local=start, ends_local=end, status=status, **kwargs)
    created, _warnings = create_event(data, now=now)
    return created
