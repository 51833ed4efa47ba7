"""Builds the APScheduler instance and registers the periodic jobs; nothing else.

The scheduler is only a clock: the database holds the state, including when each job last ran
(calendar_app.jobs). APScheduler's job store is in memory and knows nothing of runs missed while the
process was down, so on start every job whose due time passed since its recorded run is run at once,
once (coalesced), then keeps its schedule. In production it runs as its own process
(`flask scheduler run`); in development the process that serves requests starts it on its first request
(so no `flask` command and not the reloader's watcher starts one); never under tests.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timezone

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
_started_lock = threading.Lock()
_started: dict[int, BackgroundScheduler] = {}


def _job(app: Flask, func_path: str):
    """Wrap a job function so it runs inside an app context and commits or rolls back once.

    The run is recorded (calendar_app.jobs) in the job's own transaction: the record exists exactly
    when the work was committed.
    """

    def run() -> None:
        module_name, _, func_name = func_path.rpartition(".")
        module = __import__(module_name, fromlist=[func_name])
        started_at = datetime.now(timezone.utc)
        with app.app_context():
            from calendar_app.extensions import db
            from calendar_app.jobs.services import record_run

            try:
                getattr(module, func_name)()
                record_run(func_path, started_at)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("scheduled job %s failed", func_path)
                raise
            finally:
                db.session.remove()

    run.__name__ = func_path
    return run


#: (dotted path of a no-argument job function, trigger, trigger arguments)
JOBS: list[tuple[str, str, dict]] = [
    ("calendar_app.events.jobs.extend_horizons", "cron", {"hour": 3, "minute": 17}),
    # Feeds: re-render what changes made stale (debounced to a minute), and everything hourly (rolling window).
    ("calendar_app.feeds.jobs.render_pending_feeds", "interval", {"minutes": 1}),
    ("calendar_app.feeds.jobs.render_all_feeds", "cron", {"minute": 7}),
    # Reminders and change notices: the outbox is the schedule; this only plans and sends what is due.
    ("calendar_app.notifications.jobs.plan_and_dispatch", "interval", {"minutes": 1}),
]
_TRIGGERS = {"cron": CronTrigger, "interval": IntervalTrigger}


def is_overdue(trigger: BaseTrigger, last_run: datetime | None, now: datetime) -> bool:
    """Whether `trigger` was due at some time after `last_run` and not after `now` (never run: overdue)."""
    if last_run is None:
        return True
    # Given the previous run, both trigger kinds answer the first due time after it (cron: the next
    # matching minute; interval: previous + interval), however far in the past that is.
    due = trigger.get_next_fire_time(last_run, now)
    return due is not None and due <= now


def register_jobs(scheduler, app: Flask, *, now: datetime | None = None) -> list[str]:
    """Add JOBS to `scheduler`; those overdue by the database's record run at once. Returns their ids."""
    from calendar_app.jobs.services import last_runs

    now = now or datetime.now(timezone.utc)
    with app.app_context():
        runs = last_runs()
    tz = app.config["CALENDAR_TIMEZONE"]
    overdue = []
    for func_path, kind, args in JOBS:
        trigger = _TRIGGERS[kind](timezone=tz, **args)
        extra = {}
        if is_overdue(trigger, runs.get(func_path), now):
            overdue.append(func_path)
            extra["next_run_time"] = now
        scheduler.add_job(_job(app, func_path), trigger, id=func_path, replace_existing=True, **extra)
    if overdue:
        log.info("scheduler: running overdue jobs now: %s", ", ".join(overdue))
    return overdue


def maybe_start_in_process(app: Flask) -> None:
    """In development (SCHEDULER_IN_PROCESS), start a background scheduler on the first request served.

    Not when the app is created: every `flask` command (db upgrade, demo load, shell) creates it too,
    and only the process that serves requests should run the jobs. The reloader's watcher process
    serves none, so it never starts one.
    """
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.testing:
        return

    @app.before_request
    def start_scheduler_once() -> None:
        if id(app) not in _started:
            _start_background(app)


def _start_background(app: Flask) -> None:
    with _started_lock:
        if id(app) in _started:
            return
        scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=app.config["CALENDAR_TIMEZONE"])
        register_jobs(scheduler, app)
        scheduler.start()
        _started[id(app)] = scheduler
        log.info("in-process scheduler started with %d jobs", len(scheduler.get_jobs()))


scheduler_cli = AppGroup("scheduler", help="周期任务调度器（生产环境中单独运行一个进程）。")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=app.config["CALENDAR_TIMEZONE"])
    register_jobs(scheduler, app)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    click.echo(f"调度器已启动，任务 {len(scheduler.get_jobs())} 个：" + ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()


@scheduler_cli.command("list")
def list_jobs() -> None:
    """List the periodic jobs, their triggers and when each last ran successfully."""
    from calendar_app.jobs.services import last_runs

    runs = last_runs()
    for func_path, trigger, args in JOBS:
        last = runs.get(func_path)
        click.echo(f"{func_path}\t{trigger}\t{args}\t上次运行：{last.isoformat() if last else '从未'}")
