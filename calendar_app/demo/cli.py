"""`flask demo load` and `flask demo generate`."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from calendar_app.extensions import db

demo_cli = AppGroup("demo", help="演示数据：load 载入本年度演示数据，generate 生成基准测试数据。")


def _refuse_in_production(force: bool) -> None:
    """Demo accounts have published passwords: they must never appear in production by accident."""
    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise click.ClickException("生产环境（CALENDAR_ENV=production）不能载入演示数据：演示账号的密码是公开的。"
                                   "确需载入（例如搭建培训环境）请加 --force。")


@demo_cli.command("load")
@click.option("--year", type=int, default=None, help="演示年份（默认今年）")
@click.option("--if-empty", is_flag=True, help="数据库已有数据时什么也不做")
@click.option("--force", is_flag=True, help="在生产配置下也载入（演示账号密码是公开的，慎用）")
def load(year: int | None, if_empty: bool, force: bool) -> None:
    """Fill the database with a realistic current year (idempotent)."""
    from calendar_app.demo import data
    from calendar_app.demo.load import counts, load_demo

    _refuse_in_production(force)
    if if_empty and any(counts().values()):
        click.echo("数据库已有数据，跳过演示数据载入。")
        return
    started = time.perf_counter()
    created = load_demo(year)
    db.session.commit()
    if created:
        click.echo("新建：" + "，".join(f"{k} {v}" for k, v in created.items()))
    else:
        click.echo("演示数据已存在，未重复创建。")
    click.echo("数据库现有：" + "，".join(f"{k} {v}" for k, v in counts().items()))
    click.echo("演示账号（用户名 / 密码 / 角色）：")
    for username, password, role, _area, display in data.USERS:
        click.echo(f"  {username} / {password} / {role}（{display}）")
    click.echo(f"用时 {time.perf_counter() - started:.1f} 秒")


@demo_cli.command("generate")
@click.option("--occurrences", "total", type=click.IntRange(1, 5_000_000), required=True, help="要生成的场次数")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子（相同种子生成相同数据）")
@click.option("--per-month", type=click.IntRange(100, 10_000_000), default=10_000, show_default=True,
              help="每月场次密度；总量越大，历史跨度越长")
@click.option("--force", is_flag=True, help="在生产配置下也生成")
def generate(total: int, seed: int, per_month: int, force: bool) -> None:
    """Add a reproducible synthetic dataset of N occurrences for benchmarks."""
    from calendar_app.demo.generate import generate_dataset

    _refuse_in_production(force)
    started = time.perf_counter()
    result = generate_dataset(total, seed, per_month=per_month)
    db.session.commit()
    click.echo(f"生成：events {result['events']}，occurrences {result['occurrences']}（种子 {seed}），"
               f"用时 {time.perf_counter() - started:.1f} 秒")
