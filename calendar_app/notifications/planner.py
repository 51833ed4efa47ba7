"""The planner turns subscriptions and change entries into outbox rows (insert; duplicates do nothing).

- Reminders: for every active subscription, lead time and public, not-cancelled occurrence of its
  target whose reminder falls due within PLAN_AHEAD, one row due at start minus the lead time. One
  INSERT ... SELECT per target type; the unique `dedupe_key` makes re-planning free of duplicates.
- Change notices: for every change entry of a published event made within CHANGE_LOOKBACK, one row
  per matching subscriber (those who asked for change notices; for a cancellation, everyone who
  would have been reminded). The reminders of a moved occurrence are re-timed, those of a
  cancelled one skipped, in the same transaction.
Flush only: the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, func, literal, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from calendar_app import clock
from calendar_app.areas.models import Area
from calendar_app.events.models import Event, EventChange, Occurrence
from calendar_app.extensions import db
from calendar_app.notifications.models import Notification, Subscription, SubscriptionLead
from calendar_app.notifications.services import LEAD_CHOICES

#: How far ahead reminders are queued: a move after queuing re-times the row, so nothing is lost
#: by queuing early, but short keeps the outbox small.
PLAN_AHEAD = timedelta(days=1)
#: Change entries this recent are turned into notices (after downtime longer than this they are old news).
CHANGE_LOOKBACK = timedelta(days=2)
_TARGET_COLUMNS = {"event": Occurrence.event_id, "program": Occurrence.program_id,
                   "edition": Occurrence.edition_id, "venue": Occurrence.venue_id}


@dataclass
class PlanResult:
    reminders: int = 0
    changes: int = 0
    retimed: int = 0
    dropped: int = 0


def outbox_insert(dialect: str):
    """INSERT into the outbox, in the dialect that knows ON CONFLICT DO NOTHING."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notification)


def _due_expression(dialect: str):
    if dialect == "postgresql":
        return Occurrence.starts_at - func.make_interval(0, 0, 0, 0, 0, SubscriptionLead.minutes)
    # SQLite stores UTC instants as "YYYY-MM-DD HH:MM:SS.ffffff"; occurrences start on whole seconds.
    return func.datetime(Occurrence.starts_at, cast(-SubscriptionLead.minutes, String) + " minutes") + ".000000"


def plan_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that fall due within PLAN_AHEAD; returns how many rows were added."""
    now = now or clock.now()
    dialect = db.session.get_bind().dialect.name
    due = _due_expression(dialect)
    horizon = now + PLAN_AHEAD
    latest_start = horizon + timedelta(minutes=max(LEAD_CHOICES))
    key = (literal("reminder:") + cast(Subscription.id, String) + ":" + cast(Occurrence.id, String) + ":"
           + cast(SubscriptionLead.minutes, String))
    added = 0
    for target_type in ("event", "program", "edition", "venue", "area"):
        query = (select(key, literal("reminder"), Subscription.id, Occurrence.id, SubscriptionLead.minutes,
                        literal("pending"), due, literal(0), literal(now, Notification.created_at.type))
                 .select_from(Subscription)
                 .join(SubscriptionLead, SubscriptionLead.subscription_id == Subscription.id))
        if target_type == "area":
            target, place = aliased(Area), aliased(Area)
            query = (query.join(target, target.id == Subscription.target_id)
                     .join(place, place.path.startswith(target.path))
                     .join(Occurrence, Occurrence.area_id == place.id))
        else:
            query = query.join(Occurrence, _TARGET_COLUMNS[target_type] == Subscription.target_id)
        query = query.where(
            Subscription.status == "active", Subscription.target_type == target_type,
            Occurrence.is_public == true(), Occurrence.status != "cancelled",
            Occurrence.starts_at > now, Occurrence.starts_at <= latest_start,
            due <= literal(horizon, Notification.due_at.type),
            # A reminder whose moment passed before the visitor confirmed would arrive oddly late.
            due >= Subscription.confirmed_at)
        stmt = outbox_insert(dialect).from_select(
            ["dedupe_key", "kind", "subscription_id", "occurrence_id", "lead_minutes", "state", "due_at", "attempts",
             "created_at"], query).on_conflict_do_nothing(index_elements=["dedupe_key"])
        # Count what RETURNING gives back: psycopg reports no rowcount for INSERT ... SELECT here.
        added += len(db.session.connection().execute(stmt.returning(literal(1))).all())
    db.session.flush()
    return added


def _matching_subscriptions(event: Event, venue_ids: set[int]) -> list[Subscription]:
    area_ids = [*event.area.ancestor_ids(), event.area_id] if event.area else [event.area_id]
    conditions = [and_(Subscription.target_type == "event", Subscription.target_id == event.id),
                  and_(Subscription.target_type == "area", Subscription.target_id.in_(area_ids))]
    if event.program_id:
        conditions.append(and_(Subscription.target_type == "program", Subscription.target_id == event.program_id))
    if event.edition_id:
        conditions.append(and_(Subscription.target_type == "edition", Subscription.target_id == event.edition_id))
    if venue_ids:
        conditions.append(and_(Subscription.target_type == "venue", Subscription.target_id.in_(venue_ids)))
    return list(db.session.scalars(select(Subscription).where(Subscription.status == "active", or_(*conditions))))


def plan_changes(now: datetime | None = None) -> PlanResult:
    """Queue change notices for recent change entries; re-time or drop the reminders they affect."""
    now = now or clock.now()
    result = PlanResult()
    dialect = db.session.get_bind().dialect.name
    changes = db.session.scalars(select(EventChange).where(EventChange.at >= now - CHANGE_LOOKBACK)
                                 .order_by(EventChange.id)).all()
    for change in changes:
        event = change.event
        if change.occurrence_id is not None:
            occurrences = [o for o in [db.session.get(Occurrence, change.occurrence_id)] if o is not None]
        else:
            occurrences = list(db.session.scalars(select(Occurrence).where(
                Occurrence.event_id == event.id, Occurrence.ends_at > now)))
        result.retimed, result.dropped = _retime(occurrences, now, result.retimed, result.dropped)
        # A change nobody can still act on (the occurrence is over) is not worth a message.
        upcoming = [o for o in occurrences if o.ends_at > now]
        if change.occurrence_id is not None and not upcoming:
            continue
        if change.occurrence_id is None and not upcoming and change.kind != "cancelled":
            continue
        venues = {v for v in (change.old_venue_id, change.new_venue_id, event.venue_id) if v}
        venues.update(o.venue_id for o in occurrences if o.venue_id)
        recipients = [s for s in _matching_subscriptions(event, venues)
                      if s.wants_changes or change.kind == "cancelled"]
        if not recipients:
            continue
        rows = [{"dedupe_key": f"change:{s.id}:{change.id}", "kind": "change", "subscription_id": s.id,
                 "occurrence_id": change.occurrence_id, "change_id": change.id, "state": "pending",
                 "due_at": now, "attempts": 0, "created_at": now} for s in recipients]
        stmt = outbox_insert(dialect).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
        result.changes += len(db.session.connection().execute(stmt.returning(literal(1))).all())
    db.session.flush()
    return result


def _retime(occurrences: list[Occurrence], now: datetime, retimed: int, dropped: int) -> tuple[int, int]:
    if not occurrences:
        return retimed, dropped
    by_id = {o.id: o for o in occurrences}
    pending = db.session.scalars(select(Notification).where(
        Notification.occurrence_id.in_(by_id), Notification.kind == "reminder", Notification.state == "pending"))
    for note in pending:
        occ = by_id[note.occurrence_id]
        if occ.status == "cancelled" or not occ.is_public:
            note.state, note.skip_reason, note.locked_by = "skipped", "cancelled", None
            dropped += 1
            continue
        due = occ.starts_at - timedelta(minutes=note.lead_minutes)
        if note.due_at != due:
            note.due_at = due
            retimed += 1
    return retimed, dropped


def plan(now: datetime | None = None) -> PlanResult:
    """Change notices first (they re-time and drop reminders), then reminders."""
    now = now or clock.now()
    result = plan_changes(now)
    result.reminders = plan_reminders(now)
    return result

