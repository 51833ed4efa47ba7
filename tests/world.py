"""A small two-district world with one user of every kind and an API token each, built per test.

Registered for the whole suite in tests/conftest.py; tests/workflow/conftest.py re-exports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest

from calendar_app.accounts.services import create_user
from calendar_app.accounts.tokens import issue_api_token
from calendar_app.areas.services import create_area
from calendar_app.programs.services import create_assignment, create_edition, create_program
from calendar_app.venues.services import create_venue

#: "Now" in these tests: a Tuesday evening in December 2026 (Asia/Shanghai 19:00).
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=timezone.utc)
PASSWORD = "a long test passphrase"


@dataclass
class World:
    areas: dict = field(default_factory=dict)
    venues: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    edition: object = None
    other_edition: object = None
    program: object = None

    def auth(self, who: str | None) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}


@pytest.fixture
def world(app, db):
    previous_now = app.config.get("FIXED_NOW")
    app.config["FIXED_NOW"] = NOW.isoformat()
    w = World()
    city = create_area(kind="city", code="3703", name="淄博市")
    linzi = create_area(kind="district", code="370305", name="临淄区", parent_id=city.id)
    jinshan = create_area(kind="town", code="370305106", name="金山镇", parent_id=linzi.id)
    dongya = create_area(kind="village", code="370305106201", name="东崖村", parent_id=jinshan.id)
    jixia = create_area(kind="town", code="370305004", name="稷下街道", parent_id=linzi.id)
    yueyang = create_area(kind="district", code="430602", name="岳阳楼区")
    dongting = create_area(kind="town", code="430602001", name="洞庭街道", parent_id=yueyang.id)
    w.areas = {"city": city, "linzi": linzi, "jinshan": jinshan, "dongya": dongya, "jixia": jixia,
               "yueyang": yueyang, "dongting": dongting}
    w.venues = {
        "dongya_square": create_venue(name="东崖村文化广场", area_id=dongya.id, kind="village_square", capacity=400),
        "theatre": create_venue(name="临淄大剧院", area_id=linzi.id, kind="theatre", capacity=900),
        "jixia_hall": create_venue(name="稷下街道文化站", area_id=jixia.id, kind="other", capacity=200),
        "old_street": create_venue(name="鱼盐里文旅街区", area_id=linzi.id, kind="street"),
        "yueyang_tower": create_venue(name="岳阳楼景区广场", area_id=dongting.id, kind="plaza", capacity=3000),
    }
    w.program = create_program(slug="xiqu-xiangcun", name="戏曲进乡村", area_id=linzi.id, category="opera")
    w.edition = create_edition(program_id=w.program.id, name="2026戏曲进乡村", starts_on=date(2026, 3, 1),
                               ends_on=date(2027, 2, 28), target_events=100)
    other_program = create_program(slug="yueji", name="月季有约", area_id=yueyang.id)
    w.other_edition = create_edition(program_id=other_program.id, name="2026冬·食在洞庭", starts_on=date(2026, 12, 1),
                                     ends_on=date(2027, 2, 28))
    users = {
        "coord": ("jinshan_coord", "coordinator", jinshan),
        "other_coord": ("jixia_coord", "coordinator", jixia),
        "staff": ("linzi_staff", "staff", linzi),
        "other_staff": ("yueyang_staff", "staff", yueyang),
        "admin": ("city_admin", "admin", city),
    }
    for key, (username, role, area) in users.items():
        user = create_user(username=username, password=PASSWORD, role=role, area_id=area.id)
        w.users[key] = user
        w.tokens[key] = issue_api_token(user)[1]
    create_assignment(edition_id=w.edition.id, area_id=jinshan.id, target_events=40, due_on=date(2026, 12, 31),
                      coordinator_ids=[w.users["coord"].id])
    create_assignment(edition_id=w.edition.id, area_id=jixia.id, target_events=30, due_on=date(2026, 12, 31))
    db.session.commit()
    yield w
    app.config["FIXED_NOW"] = previous_now


def weekly_body(world: World, **overrides) -> dict:
    """The API body of six Saturday evenings of 戏曲进乡村 at 东崖村's square, with `overrides`."""
    body = {"title": "戏曲进乡村·东崖村", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
            "edition": world.edition.id, "starts_local": "2026-12-05T19:00", "ends_local": "2026-12-05T21:00",
            "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=6", "category": "opera"}
    body.update(overrides)
    return body
