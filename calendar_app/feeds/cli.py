"""`flask feeds render | export DIR | token USERNAME`."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from calendar_app.accounts.models import User
from calendar_app.extensions import db

feeds_cli = AppGroup("feeds", help="iCalendar 订阅源：render 立即渲染全部，export 导出为静态文件，token 管理私有订阅。")


@feeds_cli.command("render")
def render() -> None:
    """Render every feed now and store it."""
    from calendar_app.feeds import store

    stats = store.render_all()
    db.session.commit()
    click.echo(f"已渲染 {stats.rendered} 个订阅源（{stats.changed} 个有变化，移除 {stats.removed} 个），"
               f"用时 {stats.seconds:.2f} 秒；最大 {stats.largest_key}（{stats.largest_bytes / 1024:.0f} KB）")


@feeds_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Render every public feed and write it under DIRECTORY at its URL path (DIR/calendar.ics, DIR/programs/...)."""
    from calendar_app.feeds import store

    stats = store.render_all()
    db.session.commit()
    written = 0
    root = directory.resolve()
    for path, body in store.exportable_documents():
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents:  # paths come from our own URL scheme; refuse anything else
            raise click.ClickException(f"拒绝写出目录之外的路径：{path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a web server never serves a half-written file.
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(body)
        os.replace(tmp.name, target)
        written += 1
    click.echo(f"已导出 {written} 个订阅源到 {root}（渲染用时 {stats.seconds:.2f} 秒）")


@feeds_cli.command("token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="撤销私有订阅（链接随即失效）")
def token(username: str, revoke: bool) -> None:
    """Issue (or with --revoke, revoke) a user's private feed and print its URL."""
    from calendar_app.feeds.services import issue_feed_token, private_feed_url, revoke_feed_token

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户不存在：{username}")
    if revoke:
        revoke_feed_token(user)
        db.session.commit()
        click.echo(f"已撤销 {username} 的私有订阅。")
        return
    token = issue_feed_token(user)
    db.session.commit()
    click.echo(private_feed_url(token))
