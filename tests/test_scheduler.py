"""The scheduler registers its periodic jobs with safe defaults and never starts under tests."""
from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from calendar_app import scheduler


def test_jobs_are_registered_with_coalescing_and_no_misfire_limit(app):
    sched = BackgroundScheduler(job_defaults=scheduler.JOB_DEFAULTS, timezone="Asia/Shanghai")
    scheduler.register_jobs(sched, app)
    sched.start(paused=True)  # job defaults are applied when the scheduler starts
    jobs = {job.id: job for job in sched.get_jobs()}
    sched.shutdown(wait=False)
    assert "calendar_app.events.jobs.extend_horizons" in jobs
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time is None


def test_no_scheduler_is_started_by_the_test_app(app):
    assert id(app) not in scheduler._started


def test_the_daily_job_extends_series_and_commits_its_work(app, db):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select

    from calendar_app.events.models import Event, Occurrence
    from tests import factories as f

    town = f.town(f.district())
    a_month_ago = datetime.now(timezone.utc) - timedelta(days=30)
    event = f.event(town, start=datetime(2026, 1, 3, 14, 30), end=datetime(2026, 1, 3, 16, 30),
                    rrule="FREQ=WEEKLY;BYDAY=SA", now=a_month_ago)  # its horizon is a month behind
    db.session.commit()
    event_id = event.id
    count = select(func.count()).select_from(Occurrence).where(Occurrence.event_id == event_id)
    before = db.session.scalar(count)

    scheduler._job(app, "calendar_app.events.jobs.extend_horizons")()  # commits in its own app context

    db.session.remove()
    assert db.session.scalar(count) >= before + 4
    assert db.session.get(Event, event_id).stored_until > a_month_ago + timedelta(days=500)


def test_scheduler_cli_lists_its_jobs(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "list"])
    assert result.exit_code == 0 and "extend_horizons" in result.output
