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


def test_a_job_runs_in_an_app_context_and_commits(app, db):
    run = scheduler._job(app, "calendar_app.events.jobs.extend_horizons")
    run()  # no series yet: nothing to extend, but the wrapper must work end to end


def test_scheduler_cli_lists_its_jobs(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "list"])
    assert result.exit_code == 0 and "extend_horizons" in result.output
