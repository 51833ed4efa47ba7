"""Builds the APScheduler instance and registers the periodic jobs; nothing else.

The scheduler is only a clock: the database holds the state, including when each job last ran
(calendar_app.jobs). APScheduler's job store is in memory and knows nothing of runs missed while the
process was down, so on start every job whose due time passed since its recorded run is run at once,
once (coalesced), then keeps its schedule. In production it runs as its own process
(`flask scheduler run`); in development the process that serves requests starts it on its first request
(so no `flask` command and not the reloader's watcher starts one); never under tests.
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from datetime import datetime, timezone

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text

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
    # Weekly digests for coordinators and staff: queued Monday 08:00 local time, sent by the minute job.
    ("calendar_app.notifications.jobs.plan_weekly_digests", "cron", {"day_of_week": "mon", "hour": 8, "minute": 0}),
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
@click.option("--poll", default=5.0, show_default=True, help="不是主调度器时，每隔几秒尝试接管。")
def run_scheduler(poll: float) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT; with several, only the leader runs jobs."""
    app = current_app._get_current_object()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with leadership(app, poll=poll):
        scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=app.config["CALENDAR_TIMEZONE"])
        register_jobs(scheduler, app)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        click.echo(f"调度器已启动，任务 {len(scheduler.get_jobs())} 个：" + ", ".join(j.id for j in scheduler.get_jobs()))
        scheduler.start()


#: Key of the PostgreSQL advisory lock that makes one scheduler process the leader.
LEADER_LOCK_KEY = 0x63616C31  # "cal1"


@contextmanager
def leadership(app: Flask, *, poll: float):
    """Wait until this process is the only scheduler running jobs, and stay so while inside.

    PostgreSQL: a session advisory lock on a connection held for the life of the process (the server
    frees it when the process dies; it does not work through PgBouncer transaction pooling). SQLite:
    an exclusive file lock next to the database (the kernel frees it when the process dies).
    """
    from calendar_app.extensions import db

    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "postgresql":
            connection = db.engine.connect()
            try:
                waited = False
                try_lock = text("SELECT pg_try_advisory_lock(:key)")
                while not connection.execute(try_lock, {"key": LEADER_LOCK_KEY}).scalar():
                    connection.rollback()
                    if not waited:
                        click.echo("另一个调度器正在运行：等待接管（PostgreSQL 咨询锁）", err=False)
                        waited = True
                    time.sleep(poll)
                connection.commit()
                click.echo(f"成为主调度器（进程 {os.getpid()}）")
                yield
            finally:
                connection.close()
            return
        database = url.database or ""
        path = Path(database + ".scheduler.lock") if database and database != ":memory:" else \
            Path(app.instance_path) / "scheduler.lock"
    with open(path, "a+") as handle:
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    click.echo(f"另一个调度器正在运行：等待接管（文件锁 {path}）")
                    waited = True
                time.sleep(poll)
        click.echo(f"成为主调度器（进程 {os.getpid()}）")
        yield


@scheduler_cli.command("list")
def list_jobs() -> None:
    """List the periodic jobs, their triggers and when each last ran successfully."""
    from calendar_app.jobs.services import last_runs

    runs = last_runs()
    for func_path, trigger, args in JOBS:
        last = runs.get(func_path)
        click.echo(f"{func_path}\t{trigger}\t{args}\t上次运行：{last.isoformat() if last else '从未'}")
