"""Coordinators and staff schedule, change and publish events through the API, within their scope."""
from __future__ import annotations

from tests.world import weekly_body

from sqlalchemy import func, select

from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event, EventChange, Occurrence


_weekly = weekly_body


def _events(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Event))


def test_coordinator_creates_a_weekly_draft_in_their_town(client, db, world):
    response = client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["occurrences"] == 6
    assert body["uid"].endswith("@calendar-app.local")
    event = db.session.get(Event, body["id"])
    assert event.created_by_id == world.users["coord"].id and event.program_id == world.program.id


def test_me_says_who_the_token_belongs_to_and_their_scope(client, world):
    body = client.get("/api/v1/me", headers=world.auth("coord")).json
    assert body["username"] == "jinshan_coord" and body["role"] == "coordinator"
    assert body["area"]["name"] == "金山镇" and body["scope"] == {"area_id": world.areas["jinshan"].id,
                                                                  "everything": False}
    assert client.get("/api/v1/me", headers=world.auth("admin")).json["scope"]["everything"] is True


def test_anonymous_and_forged_tokens_are_refused_with_401_and_save_nothing(client, db, world):
    anonymous = client.post("/api/v1/events", json=_weekly(world))
    forged = client.post("/api/v1/events", json=_weekly(world), headers={"Authorization": "Bearer cal_forged"})
    assert anonymous.status_code == forged.status_code == 401
    assert forged.headers["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in anonymous.json["message"]
    assert _events(db) == 0


def test_an_end_before_the_start_is_a_422_naming_the_field(client, db, world):
    response = client.post("/api/v1/events", json=_weekly(world, ends_local="2026-12-05T18:00"),
                           headers=world.auth("coord"))
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["ends_local"]
    assert response.json["errors"]["ends_local"].startswith("结束时间必须晚于开始时间")
    assert _events(db) == 0


def test_a_recurrence_rule_that_does_not_parse_is_a_422(client, db, world):
    response = client.post("/api/v1/events", json=_weekly(world, rrule="FREQ=FORTNIGHTLY"), headers=world.auth("coord"))
    assert response.status_code == 422 and "rrule" in response.json["errors"]
    assert _events(db) == 0


def test_json_of_the_wrong_shape_or_type_is_a_422(client, db, world):
    for body, field in ((["not", "an", "object"], "_"), (_weekly(world, capacity="many"), "capacity"),
                        (_weekly(world, all_day="yes"), "all_day"), (_weekly(world, colour="red"), "colour"),
                        (_weekly(world, rdates="2026-12-24"), "rdates")):
        response = client.post("/api/v1/events", json=body, headers=world.auth("coord"))
        assert response.status_code == 422, body
        assert field in response.json["errors"], response.json
    assert _events(db) == 0


def test_html_in_a_description_is_stored_as_text_and_crlf_cannot_split_a_title(client, db, world):
    body = _weekly(world, title="村晚\r\nDTSTART:19700101T000000Z", description="<script>alert(1)</script>好戏")
    response = client.post("/api/v1/events", json=body, headers=world.auth("coord"))
    assert response.status_code == 201
    event = db.session.get(Event, response.json["id"])
    assert event.title == "村晚 DTSTART:19700101T000000Z"
    assert event.description == "<script>alert(1)</script>好戏"


def test_a_registration_link_must_be_a_real_web_address(client, db, world):
    for url in ("javascript:alert(1)", "https://exa\u202emple.org/x", "https://localhost", "http://"):
        response = client.post("/api/v1/events", json=_weekly(world, registration_url=url), headers=world.auth("coord"))
        assert response.status_code == 422, url
        assert "registration_url" in response.json["errors"]
    assert _events(db) == 0


def test_a_venue_or_edition_outside_the_coordinators_scope_is_403(client, db, world):
    other_venue = client.post("/api/v1/events", json=_weekly(world, venue=world.venues["jixia_hall"].id),
                              headers=world.auth("coord"))
    other_edition = client.post("/api/v1/events", json=_weekly(world, edition=world.other_edition.id),
                                headers=world.auth("coord"))
    other_town = client.post("/api/v1/events", json=_weekly(world, area=world.areas["jixia"].id),
                             headers=world.auth("coord"))
    assert other_venue.status_code == other_edition.status_code == other_town.status_code == 403
    assert other_venue.json["field"] == "venue" and other_town.json["field"] == "area"
    assert _events(db) == 0


def test_a_district_venue_is_shared_with_its_towns(client, world):
    response = client.post("/api/v1/events", json=_weekly(world, venue=world.venues["theatre"].id),
                           headers=world.auth("coord"))
    assert response.status_code == 201


def test_an_edition_not_assigned_to_the_town_is_refused(client, db, world):
    from calendar_app.programs.services import create_edition

    unassigned = create_edition(program_id=world.program.id, name="2027戏曲进乡村", starts_on=world.edition.starts_on,
                                ends_on=world.edition.ends_on)
    db.session.commit()
    response = client.post("/api/v1/events", json=_weekly(world, edition=unassigned.id), headers=world.auth("coord"))
    assert response.status_code == 403 and "没有分配" in response.json["message"]


def test_an_edition_assigned_to_the_town_later_in_the_same_transaction_counts(db, world):
    """The assignment check keeps a yes for the rest of the transaction (a coordinator's spreadsheet asks
    it for every row) but asks a no again: staff may assign the edition in between."""
    import pytest

    from calendar_app.accounts.scope import ScopeError
    from calendar_app.events import workflow
    from calendar_app.programs.services import create_assignment, create_edition

    unassigned = create_edition(program_id=world.program.id, name="2027戏曲进乡村", starts_on=world.edition.starts_on,
                                ends_on=world.edition.ends_on)
    body = _weekly(world, edition=unassigned.id)
    with pytest.raises(ScopeError, match="没有分配"):
        workflow.event_data(world.users["coord"], body)
    create_assignment(edition_id=unassigned.id, area_id=world.areas["jinshan"].id, target_events=4)
    assert workflow.event_data(world.users["coord"], body).edition_id == unassigned.id


def test_a_clash_is_409_listing_every_clashing_occurrence_and_saves_nothing(client, db, world):
    first = client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord"))
    assert first.status_code == 201
    # Fortnightly from the same Saturday: three of its four nights meet the weekly series.
    clash = _weekly(world, title="村晚彩排", starts_local="2026-12-05T20:00", ends_local="2026-12-05T22:00",
                    rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=4")
    response = client.post("/api/v1/events", json=clash, headers=world.auth("coord"))
    assert response.status_code == 409
    conflicts = response.json["conflicts"]
    assert [c["start"][:10] for c in conflicts] == ["2026-12-05", "2026-12-19", "2027-01-02"]
    assert {c["event_id"] for c in conflicts} == {first.json["id"]}
    assert all(c["title"] == "戏曲进乡村·东崖村" and c["venue_id"] == world.venues["dongya_square"].id
               for c in conflicts)
    assert "东崖村文化广场" in response.json["message"]
    assert _events(db) == 1


def test_the_changeover_buffer_widens_the_clash_and_an_old_street_is_not_exclusive(client, world):
    assert client.post("/api/v1/events", json=_weekly(world, rrule=None), headers=world.auth("coord")).status_code == 201
    # 21:00 end + 30 minutes changeover: 21:20 is too early, 21:30 is fine.
    too_early = _weekly(world, title="露天电影", rrule=None, starts_local="2026-12-05T21:20", ends_local="2026-12-05T23:00")
    in_time = dict(too_early, starts_local="2026-12-05T21:30")
    assert client.post("/api/v1/events", json=too_early, headers=world.auth("coord")).status_code == 409
    assert client.post("/api/v1/events", json=in_time, headers=world.auth("coord")).status_code == 201
    street = {"venue": world.venues["old_street"].id, "rrule": None}
    assert client.post("/api/v1/events", json=_weekly(world, **street), headers=world.auth("staff")).status_code == 201
    assert client.post("/api/v1/events", json=_weekly(world, title="非遗市集", **street),
                       headers=world.auth("staff")).status_code == 201


def test_a_cancelled_occurrence_frees_its_slot(client, db, world):
    first = client.post("/api/v1/events", json=_weekly(world, rrule=None), headers=world.auth("coord")).json
    occurrence = db.session.scalar(select(Occurrence).where(Occurrence.event_id == first["id"]))
    assert client.patch(f"/api/v1/occurrences/{occurrence.id}", json={"status": "cancelled", "reason": "下雨"},
                        headers=world.auth("coord")).status_code == 200
    again = client.post("/api/v1/events", json=_weekly(world, title="改期演出", rrule=None), headers=world.auth("coord"))
    assert again.status_code == 201


def test_staff_may_override_a_clash_with_a_reason_that_is_audited_coordinators_may_not(client, db, world):
    client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord"))
    clash = _weekly(world, title="区级调演", rrule=None, clash_override="区里统一调演，与村里协商合场")
    by_coordinator = client.post("/api/v1/events", json=clash, headers=world.auth("coord"))
    assert by_coordinator.status_code == 403
    by_staff = client.post("/api/v1/events", json=clash, headers=world.auth("staff"))
    assert by_staff.status_code == 201
    shared = db.session.scalar(select(Occurrence).where(Occurrence.event_id == by_staff.json["id"]))
    assert shared.holds_venue is False and shared.clash_override_reason == "区里统一调演，与村里协商合场"
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "venue.clash_override"))
    assert log.user_id == world.users["staff"].id and log.changes["reason"] == "区里统一调演，与村里协商合场"


def test_draft_is_submitted_returned_with_a_comment_then_published(client, db, world):
    event_id = client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord")).json["id"]
    assert client.post(f"/api/v1/events/{event_id}/submit", headers=world.auth("coord")).json["status"] == "submitted"
    returned = client.post(f"/api/v1/events/{event_id}/return", json={"comment": "请补充演出剧目"},
                           headers=world.auth("staff"))
    assert returned.json["status"] == "draft" and returned.json["review_comment"] == "请补充演出剧目"
    client.post(f"/api/v1/events/{event_id}/submit", headers=world.auth("coord"))
    assert client.post(f"/api/v1/events/{event_id}/publish", headers=world.auth("coord")).status_code == 403
    published = client.post(f"/api/v1/events/{event_id}/publish", headers=world.auth("staff"))
    assert published.json["status"] == "published"
    public = client.get("/api/v1/occurrences?start=2026-12-01&end=2026-12-31").json["items"]
    assert [o["title"] for o in public] == ["戏曲进乡村·东崖村"] * 4


def test_returning_needs_a_comment(client, world):
    event_id = client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord")).json["id"]
    client.post(f"/api/v1/events/{event_id}/submit", headers=world.auth("coord"))
    response = client.post(f"/api/v1/events/{event_id}/return", json={}, headers=world.auth("staff"))
    assert response.status_code == 422 and "comment" in response.json["errors"]


def _published(client, world, **overrides) -> int:
    event_id = client.post("/api/v1/events", json=_weekly(world, **overrides), headers=world.auth("staff")).json["id"]
    client.post(f"/api/v1/events/{event_id}/publish", headers=world.auth("staff"))
    return event_id


def test_changing_a_published_series_needs_a_reason_and_records_a_change_entry(client, db, world):
    event_id = _published(client, world)
    before = db.session.get(Event, event_id).sequence
    refused = client.patch(f"/api/v1/events/{event_id}", json={"starts_local": "2026-12-05T18:30",
                                                               "ends_local": "2026-12-05T20:30"},
                           headers=world.auth("coord"))
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    changed = client.patch(f"/api/v1/events/{event_id}", json={"starts_local": "2026-12-05T18:30",
                                                               "ends_local": "2026-12-05T20:30",
                                                               "reason": "天冷提前半小时"},
                           headers=world.auth("coord"))
    assert changed.status_code == 200 and changed.json["sequence"] > before
    db.session.expire_all()
    change = db.session.scalar(select(EventChange).where(EventChange.event_id == event_id))
    assert change.kind == "rescheduled" and change.reason == "天冷提前半小时"
    assert change.old_starts_at.isoformat() == "2026-12-05T11:00:00+00:00"
    assert change.new_starts_at.isoformat() == "2026-12-05T10:30:00+00:00"
    assert db.session.get(Event, event_id).status_reason == "天冷提前半小时"


def test_this_and_following_splits_the_series_at_the_occurrence(client, db, world):
    event_id = _published(client, world)
    third = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event_id)
                               .order_by(Occurrence.starts_at)).all()[2]
    response = client.patch(f"/api/v1/events/{event_id}?scope=following&occurrence={third.id}",
                            json={"starts_local": "2026-12-19T18:00", "ends_local": "2026-12-19T20:00",
                                  "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=4", "reason": "冬季改为18点开演"},
                            headers=world.auth("coord"))
    assert response.status_code == 200
    assert response.json["id"] != event_id
    db.session.expire_all()
    old_starts = [o.starts_at.hour for o in db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == event_id).order_by(Occurrence.starts_at))]
    new_starts = [o.starts_at.hour for o in db.session.scalars(
        select(Occurrence).where(Occurrence.event_id == response.json["id"]).order_by(Occurrence.starts_at))]
    assert old_starts == [11, 11] and new_starts == [10, 10, 10, 10]


def test_moving_one_published_occurrence_records_old_and_new_time_with_the_reason(client, db, world):
    event_id = _published(client, world)
    occ = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event_id)
                             .order_by(Occurrence.starts_at)).first()
    response = client.patch(f"/api/v1/occurrences/{occ.id}", json={"starts_local": "2026-12-06T19:00",
                                                                   "reason": "雨天顺延一天"},
                            headers=world.auth("coord"))
    assert response.status_code == 200, response.json
    assert response.json["start"] == "2026-12-06T19:00:00+08:00" and response.json["status"] == "moved"
    db.session.expire_all()
    change = db.session.scalar(select(EventChange).where(EventChange.occurrence_id == occ.id))
    assert (change.kind, change.reason) == ("rescheduled", "雨天顺延一天")
    assert change.old_starts_at.isoformat() == "2026-12-05T11:00:00+00:00"
    assert change.new_starts_at.isoformat() == "2026-12-06T11:00:00+00:00"


def test_moving_an_occurrence_onto_a_taken_slot_is_a_409(client, db, world):
    event_id = _published(client, world)
    other = client.post("/api/v1/events", json=_weekly(world, title="电影放映", rrule=None,
                                                        starts_local="2026-12-06T19:00", ends_local="2026-12-06T21:00"),
                        headers=world.auth("coord")).json["id"]
    occ = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event_id)
                             .order_by(Occurrence.starts_at)).first()
    response = client.patch(f"/api/v1/occurrences/{occ.id}", json={"starts_local": "2026-12-06T19:00", "reason": "雨"},
                            headers=world.auth("coord"))
    assert response.status_code == 409
    assert [c["event_id"] for c in response.json["conflicts"]] == [other]
    db.session.expire_all()
    assert db.session.get(Occurrence, occ.id).starts_at.isoformat() == "2026-12-05T11:00:00+00:00"


def test_cancelling_a_published_event_needs_a_reason_and_frees_the_venue(client, db, world):
    event_id = _published(client, world)
    assert client.post(f"/api/v1/events/{event_id}/cancel", json={}, headers=world.auth("coord")).status_code == 422
    cancelled = client.post(f"/api/v1/events/{event_id}/cancel", json={"reason": "场地维修"}, headers=world.auth("coord"))
    assert cancelled.json["status"] == "cancelled" and cancelled.json["status_reason"] == "场地维修"
    db.session.expire_all()
    assert db.session.scalar(select(EventChange.kind).where(EventChange.event_id == event_id)) == "cancelled"
    assert client.post("/api/v1/events", json=_weekly(world, title="接替演出"), headers=world.auth("coord")).status_code == 201


def test_attendance_is_reported_after_the_occurrence_has_ended(client, db, world, app):
    event_id = _published(client, world, starts_local="2026-11-28T19:00", ends_local="2026-11-28T21:00")
    past, future = db.session.scalars(select(Occurrence).where(Occurrence.event_id == event_id)
                                      .order_by(Occurrence.starts_at)).all()[:2]
    early = client.put(f"/api/v1/occurrences/{future.id}/attendance", json={"attendance": 120},
                       headers=world.auth("coord"))
    assert early.status_code == 422 and "结束后" in early.json["message"]
    for bad in (-1, "many", True, 1.5):
        assert client.put(f"/api/v1/occurrences/{past.id}/attendance", json={"attendance": bad},
                          headers=world.auth("coord")).status_code == 422
    reported = client.put(f"/api/v1/occurrences/{past.id}/attendance", json={"attendance": 260, "note": "天冷人少"},
                          headers=world.auth("coord"))
    assert reported.status_code == 200 and reported.json["attendance"] == 260
    staff_view = client.get("/api/v1/occurrences?start=2026-11-28&end=2026-11-28", headers=world.auth("staff")).json
    assert staff_view["items"][0]["attendance"] == 260
    public_view = client.get("/api/v1/occurrences?start=2026-11-28&end=2026-11-28").json
    assert "attendance" not in public_view["items"][0]


def test_staff_see_drafts_of_their_scope_with_include_drafts_and_the_public_never_does(client, world):
    client.post("/api/v1/events", json=_weekly(world, rrule=None), headers=world.auth("coord"))
    window = "/api/v1/occurrences?start=2026-12-05&end=2026-12-05"
    assert client.get(window + "&include=drafts").json["items"] == []
    assert client.get(window + "&include=drafts", headers=world.auth("other_staff")).json["items"] == []
    staff = client.get(window + "&include=drafts", headers=world.auth("staff")).json["items"]
    assert [o["title"] for o in staff] == ["戏曲进乡村·东崖村"]
    assert client.get(window, headers=world.auth("staff")).json["items"] == []


def test_my_assignments_show_target_scheduled_and_owed(client, world):
    client.post("/api/v1/events", json=_weekly(world), headers=world.auth("coord"))
    items = client.get("/api/v1/assignments?mine=1", headers=world.auth("coord")).json["items"]
    assert len(items) == 1
    mine = items[0]
    assert (mine["town"]["name"], mine["target"], mine["scheduled"], mine["owed"]) == ("金山镇", 40, 6, 34)
    assert mine["due_on"] == "2026-12-31" and mine["held"] == 0
    staff_items = client.get("/api/v1/assignments", headers=world.auth("staff")).json["items"]
    assert {i["town"]["name"] for i in staff_items} == {"金山镇", "稷下街道"}
    assert client.get("/api/v1/assignments", headers=world.auth("other_staff")).json["items"] == []
