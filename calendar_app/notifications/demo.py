"""`flask demo subscriptions --count N --seed S`: confirmed subscriptions for tests and benchmarks."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

import click
from sqlalchemy import insert, select

from calendar_app import clock
from calendar_app.areas.models import Area
from calendar_app.db import write_intent
from calendar_app.events.models import Occurrence
from calendar_app.extensions import db
from calendar_app.notifications.models import Subscription, SubscriptionLead


def demo_targets(now, days: int = 14) -> list[tuple[str, int]]:
    """Events, programs and towns with public occurrences in the next `days` days."""
    window = (Occurrence.is_public.is_(True), Occurrence.status != "cancelled", Occurrence.starts_at > now,
              Occurrence.starts_at <= now + timedelta(days=days))
    events = db.session.scalars(select(Occurrence.event_id).distinct().where(*window).order_by(Occurrence.event_id))
    programs = db.session.scalars(select(Occurrence.program_id).distinct().where(*window, Occurrence.program_id.isnot(None))
                                  .order_by(Occurrence.program_id))
    area_ids = set(db.session.scalars(select(Occurrence.area_id).distinct().where(*window)))
    towns = set()
    for area in db.session.scalars(select(Area).where(Area.id.in_(area_ids))) if area_ids else []:
        ancestors = [area.id, *reversed(area.ancestor_ids())]
        town = db.session.scalars(select(Area).where(Area.id.in_(ancestors), Area.kind == "town")).first()
        if town:
            towns.add(town.id)
    return ([("event", i) for i in events] + [("program", i) for i in programs]
            + [("area", i) for i in sorted(towns)])


def create_demo_subscriptions(count: int, seed: int) -> int:
    rng = random.Random(seed)
    now = clock.now()
    targets = demo_targets(now)
    if not targets:
        raise click.ClickException("未来两周没有公开的场次：请先 flask demo load 或 flask demo generate")
    made = 0
    for start in range(0, count, 2000):
        rows = []
        for i in range(start, min(count, start + 2000)):
            target_type, target_id = rng.choice(targets)
            sms = i % 2 == 0
            # Targets and contacts follow the seed; tokens are secrets, new on every run.
            rows.append({"token": secrets.token_urlsafe(24), "target_type": target_type,
                         "target_id": target_id, "channel": "sms" if sms else "email",
                         "address": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" if sms
                         else f"visitor{seed}-{i}@example.test",
                         "wants_changes": True, "status": "active", "code_attempts": 0, "confirmations_sent": 0,
                         "consent_at": now, "consent_source": f"demo:seed={seed}", "confirmed_at": now})
        ids = db.session.scalars(insert(Subscription).returning(Subscription.id), rows).all()
        db.session.execute(insert(SubscriptionLead), [{"subscription_id": i, "minutes": m}
                                                      for i in ids for m in (1440, 120)])
        made += len(ids)
    return made


@click.command("subscriptions")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True, help="订阅数")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子")
@click.option("--force", is_flag=True, help="在生产配置下也生成")
def demo_subscriptions(count: int, seed: int, force: bool) -> None:
    """N confirmed subscriptions (@example.test addresses and 1xx mobiles, a day and two hours ahead)."""
    from calendar_app.demo.cli import _refuse_in_production

    _refuse_in_production(force)
    token = write_intent.set(True)
    try:
        made = create_demo_subscriptions(count, seed)
        db.session.commit()
    finally:
        write_intent.reset(token)
    click.echo(f"已生成 {made} 个已确认的订阅（提前一天和两小时提醒）")
