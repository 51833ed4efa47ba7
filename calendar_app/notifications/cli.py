"""`flask notifications plan|dispatch [--once]|status [--json]|digests [--week YYYY-Www]` (all honour FIXED_NOW)."""
from __future__ import annotations

import json
import signal
import time

import click
from flask.cli import AppGroup

from calendar_app.db import write_intent
from calendar_app.extensions import db

notifications_cli = AppGroup("notifications", help="活动提醒与变更通知：排程、发送、状态。")


def _plan():
    from calendar_app.notifications import planner

    token = write_intent.set(True)
    try:
        result = planner.plan()
        db.session.commit()
    finally:
        write_intent.reset(token)
    return result


@notifications_cli.command("plan")
def plan_command() -> None:
    """Queue the reminders and change notices that are due within the planning horizon."""
    result = _plan()
    click.echo(f"新增提醒 {result.reminders} 条，变更通知 {result.changes} 条；"
               f"重新定时 {result.retimed} 条，因取消撤下 {result.dropped} 条")


@notifications_cli.command("dispatch")
@click.option("--once", is_flag=True, help="排程并发送当前到期的通知后退出。")
@click.option("--batch", default=500, show_default=True, help="每批认领的条数。")
@click.option("--interval", default=5.0, show_default=True, help="持续运行时两轮之间的秒数。")
@click.option("--no-plan", is_flag=True, help="只发送，不排程（多个发送进程时由一个负责排程）。")
def dispatch_command(once: bool, batch: int, interval: float, no_plan: bool) -> None:
    """Plan and send what is due; with --once exit afterwards, otherwise run until stopped."""
    from calendar_app.notifications import dispatcher

    stop = {"now": False}
    if not once:
        def _stop(*_):
            stop["now"] = True
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    with dispatcher.single_dispatcher(wait=True):
        worker = dispatcher.worker_name()
        while True:
            if not no_plan:
                _plan()
            result = dispatcher.dispatch_due(worker=worker, limit=batch)
            skipped = sum(result.skipped.values())
            if once or result.claimed:
                click.echo(f"发送 {result.sent} 条，稍后重试 {result.retried} 条，失败 {result.failed} 条，"
                           f"跳过 {skipped} 条（{json.dumps(result.skipped, ensure_ascii=False)}），重新定时 {result.retimed} 条")
            if once or stop["now"]:
                break
            for _ in range(int(interval * 10)):
                if stop["now"]:
                    break
                time.sleep(0.1)
            if stop["now"]:
                break


@notifications_cli.command("digests")
@click.option("--week", help="哪一周的摘要，如 2026-W49（默认本周）。")
def digests_command(week: str | None) -> None:
    """Queue the weekly digests now (each user's digest of a week only once); dispatch sends them."""
    from calendar_app.db import ValidationError
    from calendar_app.notifications.digests import IsoWeek
    from calendar_app.notifications.jobs import plan_weekly_digests

    try:
        chosen = IsoWeek.parse(week) if week else None
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint="--week") from None
    result = plan_weekly_digests(chosen)
    click.echo(f"新排每周摘要 {result.queued} 封，已排过 {result.already} 封；"
               f"未填邮箱 {result.without_email} 人，已选择不接收 {result.opted_out} 人")


@notifications_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def status_command(as_json: bool) -> None:
    """Counts of the outbox by state: pending, due (pending and due now), sent, failed, skipped."""
    from calendar_app.notifications.status import counts, skipped_by_reason

    result = counts()
    if as_json:
        click.echo(json.dumps(result))
        return
    labels = {"pending": "待发送", "due": "已到期", "sent": "已发送", "failed": "失败", "skipped": "已跳过"}
    for key, label in labels.items():
        click.echo(f"{label}（{key}）\t{result[key]}")
    reasons = skipped_by_reason()
    if reasons:
        click.echo("跳过原因：" + "，".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: str(kv[0]))))
