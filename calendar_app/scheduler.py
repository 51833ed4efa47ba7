"""Builds the APScheduler instance and registers the periodic jobs; nothing else.

The scheduler is only a clock: the database holds the state. Jobs use an in-memory store with
coalescing and no misfire grace limit, so a run missed during downtime happens once on restart.
In production it runs as its own process (`flask scheduler run`); in development the web process
starts it once (not in the reloader's watcher process); never under tests.
"""
from __future__ import annotations

import logging
import os
import signal
import threading

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
_started_lock = threading.Lock()
_started: dict[int, BackgroundScheduler] = {}


def _job(app: Flask, func_path: str):
    """Wrap a job function so it runs inside an app context and commits or rolls back once."""

    def run() -> None:
        module_name, _, func_name = func_path.rpartition(".")
        module = __import__(module_name, fromlist=[func_name])
        with app.app_context():
            from calendar_app.extensions import db

            try:
                getattr(module, func_name)()
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
]


def register_jobs(scheduler, app: Flask) -> None:
    tz = app.config["CALENDAR_TIMEZONE"]
    for func_path, trigger, args in JOBS:
        scheduler.add_job(_job(app, func_path), trigger, id=func_path, replace_existing=True, timezone=tz, **args)


def maybe_start_in_process(app: Flask) -> None:
    """Start a background scheduler in this process when configured (development only)."""
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.testing:
        return
    # Under the reloader, only the child that serves requests (WERKZEUG_RUN_MAIN=true) starts it.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
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
    """List the periodic jobs and their triggers."""
    for func_path, trigger, args in JOBS:
        click.echo(f"{func_path}\t{trigger}\t{args}")
