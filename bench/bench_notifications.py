"""Plan and dispatch 300,000 reminders to the null channel: messages per second and total time.

    python -m bench.bench_notifications [--messages 300000] [--postgres ADMIN_URL]

One published series of 1,000 evenings starting in the next three hours and 150 subscriptions to its
program with two lead times (a day and two hours) make 300,000 reminders, all due now. Planning is
one INSERT ... SELECT per target type; dispatching is `flask notifications dispatch --once --no-plan`
in one and in two processes (SQLite: the second waits for the dispatcher's file lock by design;
PostgreSQL: both claim with FOR UPDATE SKIP LOCKED). Goal: >= 5,000/s, 300k in <= 60 s.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, update

from bench.common import make_app, postgres_url, sqlite_url, timer

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=timezone.utc)


def _build(app, messages: int) -> None:
    from calendar_app.areas.services import create_area
    from calendar_app.events.models import Event, Occurrence
    from calendar_app.extensions import db
    from calendar_app.notifications.models import Subscription, SubscriptionLead
    from calendar_app.programs.services import create_edition, create_program

    occurrences = 1000
    subscriptions = messages // (occurrences * 2)
    with app.app_context():
        district = create_area(kind="district", code="370305", name="临淄区")
        town = create_area(kind="town", code="370305106", name="金山镇", parent_id=district.id)
        program = create_program(slug="siji-cunwan", name="四季村晚", area_id=district.id, category="other")
        edition = create_edition(program_id=program.id, name="2026冬季村晚", starts_on=date(2026, 12, 1),
                                 ends_on=date(2027, 2, 28))
        first = NOW + timedelta(hours=1)
        event = Event(uid="bench-1@calendar-app.local", title="四季村晚·东崖村", area_id=town.id, program_id=program.id,
                      edition_id=edition.id, status="published", starts_local=datetime(2026, 12, 5, 17, 0),
                      ends_local=datetime(2026, 12, 5, 19, 0), timezone="Asia/Shanghai", revised_at=NOW,
                      rdates=[], exdates=[])
        db.session.add(event)
        db.session.flush()
        db.session.execute(insert(Occurrence), [
            {"event_id": event.id, "original_starts_at": first + timedelta(seconds=3 * i),
             "starts_at": first + timedelta(seconds=3 * i), "ends_at": first + timedelta(seconds=3 * i, hours=2),
             "status": "scheduled", "area_id": town.id, "program_id": program.id, "edition_id": edition.id,
             "is_public": True, "is_detached": False, "holds_venue": False} for i in range(occurrences)])
        ids = db.session.scalars(insert(Subscription).returning(Subscription.id), [
            {"token": f"bench-{i}", "target_type": "program", "target_id": program.id, "channel": "sms",
             "address": f"139{i:08d}", "wants_changes": True, "status": "active", "code_attempts": 0,
             "confirmations_sent": 0, "consent_at": NOW - timedelta(days=3), "consent_source": "bench",
             "confirmed_at": NOW - timedelta(days=3)} for i in range(subscriptions)]).all()
        db.session.execute(insert(SubscriptionLead), [{"subscription_id": i, "minutes": m}
                                                      for i in ids for m in (1440, 120)])
        db.session.commit()


def _dispatch(url: str, processes: int) -> float:
    env = dict(os.environ, FLASK_APP="wsgi.py", CALENDAR_ENV="development", DATABASE_URL=url, MAIL_BACKEND="null",
               SMS_BACKEND="null", FIXED_NOW=NOW.isoformat(), SCHEDULER_IN_PROCESS="0")
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "notifications", "dispatch", "--once", "--no-plan",
                               "--batch", "1000"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(processes)]
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(out)
    return time.perf_counter() - started


def bench(url: str, label: str, messages: int) -> None:
    from calendar_app.extensions import db
    from calendar_app.notifications import planner
    from calendar_app.notifications.models import Notification

    app = make_app(url, FIXED_NOW=NOW.isoformat(), MAIL_BACKEND="null", SMS_BACKEND="null")
    _build(app, messages)
    with app.app_context():
        with timer() as plan_time:
            planned = planner.plan_reminders(NOW)
            db.session.commit()
        with timer() as replan_time:
            again = planner.plan_reminders(NOW)
            db.session.commit()
    print(f"{label}: {planned:,} reminders planned in {plan_time():.2f} s ({planned / plan_time():,.0f}/s); "
          f"planning again adds {again} in {replan_time():.2f} s")
    for processes in (1, 2):
        with app.app_context():
            db.session.execute(update(Notification).values(state="pending", sent_at=None, attempts=0, locked_by=None,
                                                           locked_until=None))
            db.session.commit()
        elapsed = _dispatch(app.config["SQLALCHEMY_DATABASE_URI"], processes)
        with app.app_context():
            sent = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.state == "sent"))
        print(f"  dispatch, {processes} process{'es' if processes > 1 else ''}: {sent:,} sent in {elapsed:.1f} s "
              f"({sent / elapsed:,.0f}/s, process start included); plan + dispatch {plan_time() + elapsed:.1f} s "
              f"(goal <= 60 s, >= 5,000/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to run the benchmark on as well")
    args = parser.parse_args()
    bench(sqlite_url("bench-notifications"), "SQLite", args.messages)
    if args.postgres:
        bench(postgres_url(args.postgres, "calendar_bench_notifications"), "PostgreSQL", args.messages)


if __name__ == "__main__":
    main()
