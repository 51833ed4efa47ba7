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


def test_a_testing_app_never_starts_the_scheduler_even_when_configured_to(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_IN_PROCESS", True)
    assert app.testing
    scheduler.maybe_start_in_process(app)
    assert id(app) not in scheduler._started


def test_an_app_configured_for_it_starts_one_in_process_scheduler_with_every_job(monkeypatch):
    from flask import Flask

    started = []
    monkeypatch.setattr(BackgroundScheduler, "start", lambda self, *a, **kw: started.append(self))  # no thread
    probe = Flask("probe")
    probe.config.update(SCHEDULER_IN_PROCESS=True, CALENDAR_TIMEZONE="Asia/Shanghai")
    try:
        scheduler.maybe_start_in_process(probe)
        scheduler.maybe_start_in_process(probe)  # a second call (e.g. a second create_app hook) starts nothing
        assert len(started) == 1 and scheduler._started[id(probe)] is started[0]
        assert {job.id for job in started[0].get_jobs()} == {path for path, _trigger, _args in scheduler.JOBS}
        probe.config["SCHEDULER_IN_PROCESS"] = False
        other = Flask("probe2")
        other.config.update(SCHEDULER_IN_PROCESS=False, CALENDAR_TIMEZONE="Asia/Shanghai")
        scheduler.maybe_start_in_process(other)
        assert id(other) not in scheduler._started and len(started) == 1
    finally:
        scheduler._started.pop(id(probe), None)


def test_the_daily_job_extends_series_and_commits_its_work(app, db, monkeypatch):
    from datetime import date, datetime, timedelta, timezone

    from sqlalchemy import func, select

    from calendar_app.events import jobs
    from calendar_app.events.models import Event, Occurrence
    from tests import factories as f
    from tests.conftest import DEMO_NOW

    monkeypatch.setattr(jobs, "utcnow", lambda: DEMO_NOW)  # the job runs on 2026-11-21
    town = f.town(f.district())
    a_month_ago = DEMO_NOW - timedelta(days=30)
    event = f.event(town, start=datetime(2026, 1, 3, 14, 30), end=datetime(2026, 1, 3, 16, 30),
                    rrule="FREQ=WEEKLY;BYDAY=SA", now=a_month_ago)  # its horizon is a month behind
    db.session.commit()
    event_id = event.id
    count = select(func.count()).select_from(Occurrence).where(Occurrence.event_id == event_id)
    last = select(func.max(Occurrence.starts_at)).where(Occurrence.event_id == event_id)
    before = db.session.scalar(count)
    assert db.session.scalar(last) < datetime(2028, 4, 22, tzinfo=timezone.utc)

    scheduler._job(app, "calendar_app.events.jobs.extend_horizons")()  # commits in its own app context

    db.session.remove()
    # Eighteen months after 2026-11-21 is 2028-05-21 (a Sunday): every Saturday up to 05-20 is stored.
    saturdays = (date(2028, 5, 20) - date(2026, 1, 3)).days // 7 + 1
    assert db.session.scalar(count) == saturdays > before
    assert db.session.scalar(last) == datetime(2028, 5, 20, 6, 30, tzinfo=timezone.utc)
    assert db.session.get(Event, event_id).stored_until >= datetime(2028, 5, 20, 6, 30, tzinfo=timezone.utc)


def test_scheduler_cli_lists_its_jobs(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "list"])
    assert result.exit_code == 0 and "extend_horizons" in result.output
