"""Staff put an event or a whole edition among the public home page's highlights; coordinators cannot."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from calendar_app.audit.models import AuditLog
from calendar_app.programs.models import Edition
from tests import factories


def _event_form(w, event) -> dict:
    return {"title": event.title, "edition": f"e:{w.edition.id}", "area": str(w.areas["jinshan"].id),
            "venue": str(w.venues["dongya_square"].id), "date": "2026-12-12", "start_time": "19:00",
            "end_time": "21:00", "repeat": "once", "category": "opera", "is_free": "y", "save": "1"}


def _draft(w, db):
    event = factories.event(w.areas["jinshan"], title="金山镇冬季村晚", start=datetime(2026, 12, 12, 19),
                            end=datetime(2026, 12, 12, 21), venue_id=w.venues["dongya_square"].id,
                            edition_id=w.edition.id, status="draft")
    db.session.commit()
    return event


def test_staff_mark_an_event_featured_on_its_form_and_it_is_audited(sign_in, world, db):
    event = _draft(world, db)
    staff = sign_in("staff")
    assert "在公众首页推荐" in staff.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    saved = staff.post(f"/manage/events/{event.id}/edit", data={**_event_form(world, event), "featured": "y"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]
    db.session.refresh(event)
    assert event.is_featured
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.featured"))
    assert entry.entity_id == event.id and entry.user_id == world.users["staff"].id
    # Unticked on the next save: taken out again.
    staff.post(f"/manage/events/{event.id}/edit", data=_event_form(world, event))
    db.session.refresh(event)
    assert not event.is_featured


def test_a_coordinator_sees_no_featured_box_and_cannot_feature_by_posting_it(sign_in, world, db):
    event = _draft(world, db)
    coordinator = sign_in("coord")
    assert "在公众首页推荐" not in coordinator.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    saved = coordinator.post(f"/manage/events/{event.id}/edit", data={**_event_form(world, event), "featured": "y"})
    assert saved.status_code == 302
    db.session.refresh(event)
    assert not event.is_featured


def test_staff_feature_a_whole_edition_on_its_form(sign_in, world, db):
    staff = sign_in("staff")
    program_id, edition = world.program.id, world.edition
    url = f"/manage/programs/{program_id}/editions/{edition.id}/edit"
    assert "在公众首页推荐本届活动" in staff.get(url).get_data(as_text=True)
    saved = staff.post(url, data={"name": edition.name, "starts_on": "2026-03-01", "ends_on": "2027-02-28",
                                  "target_events": "100", "is_featured": "y"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).is_featured
