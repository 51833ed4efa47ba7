"""The scheduler's minute job sends a change notice on its own; demo subscriptions for benchmarks."""
from __future__ import annotations

from sqlalchemy import func, select

from calendar_app import scheduler
from calendar_app.jobs.models import JobRun
from calendar_app.notifications.models import Subscription, SubscriptionLead
from tests.notifications.conftest import at, subscribe_active, utc

JOB = "calendar_app.notifications.jobs.plan_and_dispatch"


def test_the_minute_job_sends_a_postponement_by_sms_and_records_its_run(app, client, db, world, gala, gateway):
    assert (JOB, "interval", {"minutes": 1}) in scheduler.JOBS
    subscribe_active(db, target_type="area", target_id=world.areas["jinshan"].id)  # a visitor in the town
    at(app, utc(2026, 12, 5, 8, 0))
    moved = client.patch(f"/api/v1/occurrences/{gala.occs[0].id}", headers=world.auth("staff"),
                         json={"starts_local": "2026-12-06T19:00", "reason": "天气原因延期一天"})
    assert moved.status_code == 200, moved.json
    db.session.remove()
    scheduler._job(app, JOB)()  # what the scheduler runs every minute
    [text] = [t for t in gateway.texts("13800138000") if "时间调整" in t]
    assert "改为 12月6日（周日）19:00" in text and "天气原因延期一天" in text
    assert db.session.get(JobRun, JOB) is not None


def test_demo_subscriptions_are_confirmed_with_a_day_and_two_hours_over_upcoming_targets(app, db, world, gala,
                                                                                       runner):
    result = runner.invoke(args=["demo", "subscriptions", "--count", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    subs = list(db.session.scalars(select(Subscription)))
    assert len(subs) == 40 and {s.status for s in subs} == {"active"}
    assert {s.channel for s in subs} == {"sms", "email"}
    assert all(s.address.endswith("@example.test") for s in subs if s.channel == "email")
    assert all(len(s.address) == 11 and s.address[0] == "1" for s in subs if s.channel == "sms")
    assert {(s.target_type, s.target_id) for s in subs} <= {("event", gala.id), ("program", gala.program_id),
                                                           ("area", world.areas["jinshan"].id)}
    assert db.session.scalar(select(func.count()).select_from(SubscriptionLead)) == 80
    again = runner.invoke(args=["demo", "subscriptions", "--count", "40", "--seed", "7"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    rows = db.session.execute(select(Subscription.id, Subscription.address, Subscription.target_type,
                                     Subscription.target_id, Subscription.token).order_by(Subscription.id)).all()
    first, second = rows[:40], rows[40:]
    assert [r[1:4] for r in first] == [r[1:4] for r in second]  # the same seed, the same visitors and targets
    assert not {r[4] for r in first} & {r[4] for r in second}  # but never the same secret links
