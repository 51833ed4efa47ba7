"""`flask users ...`: create, set-password, deactivate, list, token."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from calendar_app.accounts.models import ROLES, User
from calendar_app.db import ValidationError
from calendar_app.extensions import db

users_cli = AppGroup("users", help="用户管理：create、set-password、deactivate、list、token。")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _user(username: str) -> User:
    from calendar_app.accounts.services import find_user

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"用户不存在：{username}")
    return user


def _commit_or_fail(action) -> None:
    try:
        action()
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="admin、staff 或 coordinator")
@click.option("--area", "area_ref", required=True, help="所属区域的 id 或代码（staff 为区县，coordinator 为镇街）")
@click.option("--display-name", default=None, help="姓名（默认同用户名）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）")
def create(username: str, role: str, area_ref: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account."""
    from calendar_app.accounts.services import create_user, resolve_area

    def action():
        area = resolve_area(area_ref)
        user = create_user(username=username, password=_read_password(password_stdin), role=role, area_id=area.id,
                           display_name=display_name)
        click.echo(f"已创建用户 {user.username}（{user.role_label}，{area.name}）")

    _commit_or_fail(action)


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）")
def set_password_command(username: str, password_stdin: bool) -> None:
    """Set a user's password; their existing sessions end."""
    from calendar_app.accounts.services import set_password

    def action():
        set_password(_user(username), _read_password(password_stdin))
        click.echo(f"已为 {username} 设置新密码，其已登录的会话均已失效。")

    _commit_or_fail(action)


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stop an account: sessions end, API and private-feed tokens are revoked."""
    from calendar_app.accounts.services import deactivate

    def action():
        deactivate(_user(username))
        click.echo(f"已停用 {username}：会话、API 令牌和私有订阅均已失效。")

    _commit_or_fail(action)


@users_cli.command("list")
def list_command() -> None:
    """One user per line: username, role, area, active."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        click.echo(f"{user.username}\t{user.role}\t{user.area.code} {user.area.name}\t"
                   f"{'active' if user.is_active_user else 'inactive'}")


@users_cli.command("token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="撤销该用户的全部 API 令牌")
@click.option("--name", default=None, help="令牌用途说明，例如「游在临淄小程序」")
@click.option("--expires-days", type=click.IntRange(1, 3660), default=None, help="有效天数（默认不过期）")
def token_command(username: str, revoke: bool, name: str | None, expires_days: int | None) -> None:
    """Issue a new API token (printed once, as the last word of the last line) or revoke all."""
    from calendar_app.accounts.tokens import issue_api_token, revoke_api_tokens

    user = _user(username)
    if revoke:
        count = revoke_api_tokens(user)
        db.session.commit()
        click.echo(f"已撤销 {username} 的 {count} 个 API 令牌。")
        return
    holder = {}

    def action():
        token, secret = issue_api_token(user, name=name, expires_in_days=expires_days)
        holder.update(token=token, secret=secret)

    _commit_or_fail(action)
    expiry = f"，{holder['token'].expires_at:%Y-%m-%d} 过期" if holder["token"].expires_at else ""
    click.echo(f"已为 {username} 签发 API 令牌（仅显示这一次{expiry}）：")
    click.echo(f"Authorization: Bearer {holder['secret']}")
