"""The scheduler registers its periodic jobs with safe defaults and never starts under tests."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
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
    # The probe has no database: its record of past runs is empty (nothing overdue).
    monkeypatch.setattr("calendar_app.jobs.services.last_runs", lambda: {})
    probe = Flask("probe")
    probe.config.update(SCHEDULER_IN_PROCESS=True, CALENDAR_TIMEZONE="Asia/Shanghai")
    try:
        scheduler.maybe_start_in_process(probe)
        scheduler.maybe_start_in_process(probe)  # a second call (e.g. a second create_app hook) starts nothing
        assert started == []  # creating the app (every `flask` command does) starts no scheduler
        probe.test_client().get("/")  # the first request served starts it
        probe.test_client().get("/")
        assert len(started) == 1 and scheduler._started[id(probe)] is started[0]
        assert {job.id for job in started[0].get_jobs()} == {path for path, _trigger, _args in scheduler.JOBS}
        probe.config["SCHEDULER_IN_PROCESS"] = False
        other = Flask("probe2")
        other.config.update(SCHEDULER_IN_PROCESS=False, CALENDAR_TIMEZONE="Asia/Shanghai")
        scheduler.maybe_start_in_process(other)
        other.test_client().get("/")
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


# --- runs missed during downtime (the database's record of the last run) -----------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
RENDER_ALL = "calendar_app.feeds.jobs.render_all_feeds"  # hourly at minute 7
RENDER_PENDING = "calendar_app.feeds.jobs.render_pending_feeds"  # every minute
EXTEND = "calendar_app.events.jobs.extend_horizons"  # daily at 03:17
NOTIFY = "calendar_app.notifications.jobs.plan_and_dispatch"  # every minute
DIGESTS = "calendar_app.notifications.jobs.plan_weekly_digests"  # Mondays at 08:00
#: The Monday morning before _at's Saturday, when the weekly digests were queued.
LAST_MONDAY = datetime(2026, 11, 16, 8, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, second, tzinfo=SHANGHAI)


def _record(db, **runs: datetime) -> None:
    from calendar_app.jobs.services import record_run

    names = {"render_all": RENDER_ALL, "render_pending": RENDER_PENDING, "extend": EXTEND, "notify": NOTIFY,
             "digests": DIGESTS}
    for name, at in runs.items():
        record_run(names[name], at)
    db.session.commit()


def _registered(app, now: datetime) -> tuple[list[str], dict]:
    sched = BackgroundScheduler(job_defaults=scheduler.JOB_DEFAULTS, timezone="Asia/Shanghai")
    overdue = scheduler.register_jobs(sched, app, now=now)
    sched.start(paused=True)
    jobs = {job.id: job.next_run_time for job in sched.get_jobs()}
    sched.shutdown(wait=False)
    return overdue, jobs


def test_the_hourly_render_missed_during_downtime_runs_on_start(app, db):
    # Killed at 08:05 after the 07:07 render, restarted at 08:09: the 08:07 render was missed.
    _record(db, render_all=_at(7, 7, 1), render_pending=_at(8, 4, 30), extend=_at(3, 17, 2))
    overdue, next_runs = _registered(app, now=_at(8, 9))
    assert RENDER_ALL in overdue and next_runs[RENDER_ALL] == _at(8, 9)
    assert RENDER_PENDING in overdue
    assert EXTEND not in overdue and next_runs[EXTEND] > _at(8, 9)  # its schedule, from the real clock


def test_jobs_that_ran_when_due_keep_their_schedule_on_start(app, db):
    _record(db, render_all=_at(8, 7, 1), render_pending=_at(8, 8, 30), extend=_at(3, 17, 2), notify=_at(8, 8, 40),
            digests=LAST_MONDAY)
    overdue, next_runs = _registered(app, now=_at(8, 9))
    assert overdue == []
    assert all(at > _at(8, 9) for at in next_runs.values())  # their schedules, from the real clock


def test_a_job_with_no_recorded_run_runs_on_start(app, db):
    _record(db, render_all=_at(8, 7, 1), render_pending=_at(8, 8, 30), notify=_at(8, 8, 40), digests=LAST_MONDAY)
    overdue, _ = _registered(app, now=_at(8, 9))
    assert overdue == [EXTEND]


def test_weekly_digests_missed_on_monday_morning_are_queued_on_start(app, db):
    # Down from Sunday night to Monday 23 Nov 09:30: the 08:00 digests run at once, then next Monday.
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
    _record(db, render_all=monday, render_pending=monday, extend=monday, notify=monday, digests=LAST_MONDAY)
    overdue, next_runs = _registered(app, now=monday)
    assert overdue == [DIGESTS] and next_runs[DIGESTS] == monday


def test_a_job_records_its_run_with_its_work(app, db):
    from calendar_app.jobs.models import JobRun

    before = datetime.now(timezone.utc)
    scheduler._job(app, RENDER_ALL)()  # commits in its own app context
    db.session.remove()
    assert db.session.get(JobRun, RENDER_ALL).last_run_at >= before.replace(microsecond=0)


def failing_job() -> None:
    raise RuntimeError("the job broke")


def test_a_failed_run_leaves_no_record_so_the_job_stays_overdue(app, db):
    from calendar_app.jobs.models import JobRun

    job_id = f"{__name__}.failing_job"
    with pytest.raises(RuntimeError):
        scheduler._job(app, job_id)()
    db.session.remove()
    assert db.session.get(JobRun, job_id) is None


def test_a_restarted_scheduler_runs_the_overdue_render_and_records_it(app, db):
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from calendar_app.jobs.models import JobRun

    _record(db, render_all=datetime.now(timezone.utc) - timedelta(hours=2))
    done = threading.Event()
    sched = BackgroundScheduler(job_defaults=scheduler.JOB_DEFAULTS, timezone="Asia/Shanghai")
    sched.add_listener(lambda event: event.job_id == RENDER_ALL and done.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.register_jobs(sched, app)
    for job_id in (RENDER_PENDING, EXTEND):
        sched.remove_job(job_id)  # only the render is under test
    sched.start()
    try:
        assert done.wait(120), "the overdue render never ran"  # a bound on a hang, not a timing claim
    finally:
        sched.shutdown(wait=True)
    db.session.remove()
    assert db.session.get(JobRun, RENDER_ALL).last_run_at > datetime.now(timezone.utc) - timedelta(minutes=30)


# --- only the serving process starts a development scheduler ------------------------------------------

def test_flask_commands_start_no_scheduler_and_the_first_request_does(app, db, monkeypatch):
    from calendar_app import create_app
    from config import DevelopmentConfig

    monkeypatch.delenv("SCHEDULER_IN_PROCESS", raising=False)
    started = []
    monkeypatch.setattr(scheduler, "_start_background", lambda dev_app: started.append(dev_app))
    config = DevelopmentConfig()
    assert config.SCHEDULER_IN_PROCESS is True
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    dev_app = create_app(config)
    result = dev_app.test_cli_runner().invoke(args=["scheduler", "list"])
    assert result.exit_code == 0 and started == []  # creating the app and running a command: no scheduler
    dev_app.test_client().get("/healthz")
    assert started == [dev_app]
