"""Every API write x every kind of caller: the expected status, and nothing changed when refused.

The event and occurrence belong to 金山镇 (its village 东崖村). Callers: anonymous, 金山镇's
coordinator, 稷下街道's coordinator (same district, other town), 临淄区 staff, 岳阳楼区 staff (other
district) and the city admin. Ids are real rows, so a refusal of another area is an IDOR attempt.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event, EventChange, Occurrence
from calendar_app.events.services import EventData, create_event, set_status
from tests.workflow.conftest import NOW

CALLERS = ["anonymous", "coord", "other_coord", "staff", "other_staff", "admin"]


def _event(world, db, status: str, *, start=datetime(2026, 12, 5, 19), end=datetime(2026, 12, 5, 21)) -> Event:
    data = EventData(title="戏曲进乡村·东崖村", area_id=world.areas["dongya"].id, starts_local=start, ends_local=end,
                     venue_id=world.venues["dongya_square"].id, edition_id=world.edition.id,
                     rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3")
    event, _ = create_event(data, now=NOW)
    if status != "draft":
        set_status(event, status, now=NOW)
    db.session.commit()
    return event


def _first(db, event: Event) -> Occurrence:
    return db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)
                              .order_by(Occurrence.starts_at)).first()


def _snapshot(db) -> tuple:
    db.session.rollback()
    db.session.expire_all()
    events = db.session.execute(select(Event.id, Event.status, Event.sequence, Event.title, Event.starts_local,
                                       Event.review_comment).order_by(Event.id)).all()
    occurrences = db.session.execute(select(Occurrence.id, Occurrence.starts_at, Occurrence.status,
                                            Occurrence.attendance, Occurrence.venue_id).order_by(Occurrence.id)).all()
    changes = db.session.scalar(select(func.count()).select_from(EventChange))
    audit = db.session.scalar(select(func.count()).select_from(AuditLog))
    return events, occurrences, changes, audit


# (name, event status, request builder, expected status per caller)
OWN, OTHER = 200, 404


def _create(world, event, occ):
    body = {"title": "新活动", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
            "starts_local": "2026-12-08T19:00", "ends_local": "2026-12-08T21:00"}
    return "post", "/api/v1/events", body


CASES = {
    "create in 金山镇": ("draft", _create,
                        {"anonymous": 401, "coord": 201, "other_coord": 403, "staff": 201, "other_staff": 403,
                         "admin": 201}),
    "change series": ("draft", lambda w, e, o: ("patch", f"/api/v1/events/{e.id}", {"title": "改名"}),
                      {"anonymous": 401, "coord": OWN, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                       "admin": OWN}),
    "submit": ("draft", lambda w, e, o: ("post", f"/api/v1/events/{e.id}/submit", {}),
               {"anonymous": 401, "coord": OWN, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                "admin": OWN}),
    "publish": ("submitted", lambda w, e, o: ("post", f"/api/v1/events/{e.id}/publish", {}),
                {"anonymous": 401, "coord": 403, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                 "admin": OWN}),
    "return": ("submitted", lambda w, e, o: ("post", f"/api/v1/events/{e.id}/return", {"comment": "请补充"}),
               {"anonymous": 401, "coord": 403, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                "admin": OWN}),
    "cancel": ("published", lambda w, e, o: ("post", f"/api/v1/events/{e.id}/cancel", {"reason": "场地维修"}),
               {"anonymous": 401, "coord": OWN, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                "admin": OWN}),
    "move occurrence": ("published", lambda w, e, o: ("patch", f"/api/v1/occurrences/{o.id}",
                                                      {"starts_local": "2026-12-06T19:00", "reason": "雨天顺延"}),
                        {"anonymous": 401, "coord": OWN, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                         "admin": OWN}),
    "report attendance": ("published", lambda w, e, o: ("put", f"/api/v1/occurrences/{o.id}/attendance",
                                                        {"attendance": 180}),
                          {"anonymous": 401, "coord": OWN, "other_coord": OTHER, "staff": OWN, "other_staff": OTHER,
                           "admin": OWN}),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", list(CASES))
def test_api_write_permissions(client, db, world, case, caller):
    status, build, expected = CASES[case]
    past = case == "report attendance"
    event = _event(world, db, status, start=datetime(2026, 11, 28, 19) if past else datetime(2026, 12, 5, 19),
                   end=datetime(2026, 11, 28, 21) if past else datetime(2026, 12, 5, 21))
    method, path, body = build(world, event, _first(db, event))
    before = _snapshot(db)
    headers = {} if caller == "anonymous" else world.auth(caller)
    response = getattr(client, method)(path, json=body, headers=headers)
    assert response.status_code == expected[caller], (case, caller, response.json)
    assert response.json["message"] if response.status_code >= 400 else True
    if response.status_code >= 400:
        assert _snapshot(db) == before, f"{case} by {caller} was refused but changed data"
    else:
        assert _snapshot(db) != before, f"{case} by {caller} succeeded but changed nothing"


@pytest.mark.parametrize("caller,visible", [("coord", {"金山镇"}), ("other_coord", {"稷下街道"}),
                                            ("staff", {"金山镇", "稷下街道"}), ("other_staff", set()),
                                            ("admin", {"金山镇", "稷下街道"})])
def test_assignments_are_limited_to_the_callers_scope(client, world, caller, visible):
    items = client.get("/api/v1/assignments", headers=world.auth(caller)).json["items"]
    assert {i["town"]["name"] for i in items} == visible


def test_guessed_event_ids_of_another_district_answer_404_like_missing_ones(client, db, world):
    event = _event(world, db, "draft")
    missing = client.patch("/api/v1/events/999999", json={"title": "x"}, headers=world.auth("other_staff"))
    guessed = client.patch(f"/api/v1/events/{event.id}", json={"title": "x"}, headers=world.auth("other_staff"))
    assert missing.status_code == guessed.status_code == 404
    assert set(missing.json) == set(guessed.json)
