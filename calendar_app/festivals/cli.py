"""`flask holidays ...`: load and extend statutory holidays and 调休 days."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.festivals import holidays
from calendar_app.festivals.services import set_official_day, sync_official_days

holidays_cli = AppGroup("holidays", help="法定节假日与调休数据。")


@holidays_cli.command("sync")
@click.option("--year", "years", type=int, multiple=True, help="年份（可多次给出）；默认为数据包已知的全部年份")
def sync(years: tuple[int, ...]) -> None:
    """Load the chinesecalendar package's holidays into the database."""
    wanted = list(years) or list(holidays.known_years())
    loaded = sync_official_days(wanted)
    db.session.commit()
    for year in wanted:
        if year in loaded:
            click.echo(f"{year} 年：{loaded[year]} 天")
        else:
            click.echo(f"{year} 年：数据包中没有该年数据，请在国务院通知发布后用 `flask holidays set` 录入", err=True)


@holidays_cli.command("set")
@click.argument("day")
@click.argument("kind", type=click.Choice(["holiday", "workday"]))
@click.argument("name")
def set_day(day: str, kind: str, name: str) -> None:
    """Add or change one day: DAY as YYYY-MM-DD, KIND holiday|workday, NAME such as 春节."""
    try:
        parsed = date.fromisoformat(day)
        set_official_day(parsed, kind, name)
    except ValueError as exc:
        message = exc.message if isinstance(exc, ValidationError) else f"日期格式应为 YYYY-MM-DD：{day}"
        raise click.ClickException(message) from None
    db.session.commit()
    click.echo(f"已保存 {parsed} {kind} {name}")
