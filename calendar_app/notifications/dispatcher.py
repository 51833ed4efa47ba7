"""The dispatcher: claim due outbox rows under a lease, send them, record the outcome.

Delivery is at-least-once. A row is claimed (locked_by, locked_until, attempts + 1) and the claim
committed before anything is sent; after sending, the row is marked sent only if this dispatcher
still holds it. A dispatcher killed between sending and recording leaves a row whose lease expires
and is claimed again: that message goes out twice, with the same idempotency key (the SMS
gateway's `id`, the email Message-ID) so the provider or the mail client can drop the copy.

PostgreSQL: any number of dispatchers (claims use FOR UPDATE SKIP LOCKED). SQLite: one dispatcher at
a time (a file lock next to the database), its transactions starting with BEGIN IMMEDIATE.
Leases run on the wall clock; what is due runs on calendar_app.clock (FIXED_NOW in demos and tests).
"""
from __future__ import annotations

import fcntl
import os
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import Integer, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from calendar_app import clock
from calendar_app.accounts.models import User
from calendar_app.db import utcnow, write_intent
from calendar_app.events.models import Event, EventChange, Occurrence
from calendar_app.extensions import db
from calendar_app.notifications.channels import SendError, open_channels
from calendar_app.notifications.messages import Renderer
from calendar_app.notifications.models import Notification, Subscription, idempotency_key
from calendar_app.notifications.services import target_name
from calendar_app.venues.models import Venue

#: How long a claim holds a row (NOTIFICATIONS_LEASE_SECONDS): longer than a batch takes to send.
DEFAULT_LEASE_SECONDS = 300
MAX_ATTEMPTS = 8
#: A reminder found due more than this before its (moved) time is re-timed instead of sent.
RETIME_SLACK = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: dict = field(default_factory=dict)
    retimed: int = 0
    #: The latest due time claimed (where the next claim of the same pass starts).
    last_due: datetime | None = None

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.retimed += other.retimed
        for k, v in other.skipped.items():
            self.skipped[k] = self.skipped.get(k, 0) + v


@contextmanager
def _writing():
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def claim(worker: str, limit: int, now: datetime, only: list[int] | None = None,
          after: datetime | None = None) -> tuple[list[int], datetime | None]:
    """Lease up to `limit` due rows (of `only`, when given; due at or after `after`) to `worker` and
    commit the claim; returns their ids and the latest due time among them."""
    real_now = utcnow()
    lease = timedelta(seconds=current_app.config.get("NOTIFICATIONS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
    candidates = (select(Notification.id)
                  .where(Notification.state == "pending", Notification.due_at <= now,
                         (Notification.locked_until.is_(None)) | (Notification.locked_until < real_now))
                  .order_by(Notification.due_at).limit(limit))
    if only is not None:
        candidates = candidates.where(Notification.id.in_(only))
    if after is not None:
        # Keyset: rows sent a moment ago leave dead index entries at the front of the pending range
        # until VACUUM; starting past them keeps each claim from walking all of them again.
        candidates = candidates.where(Notification.due_at >= after)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with _writing():
        # UPDATE ... FROM (the locked candidates): PostgreSQL plans "id IN (subquery)" as a scan of
        # the whole outbox; joining the small locked set uses the primary key.
        if db.session.get_bind().dialect.name == "postgresql":
            claimed = candidates.subquery("claimed")
            which = Notification.id == claimed.c.id
        else:  # SQLite evaluates the IN list once; a join was measured slower there
            which = Notification.id.in_(candidates.scalar_subquery())
        rows = db.session.execute(
            update(Notification).where(which)
            .values(locked_by=worker, locked_until=real_now + lease, attempts=Notification.attempts + 1)
            .returning(Notification.id, Notification.due_at).execution_options(synchronize_session=False)).all()
        db.session.commit()
    return [r[0] for r in rows], max((r[1] for r in rows), default=None)


def _among(ids: list[int]):
    """`id IN ids`: one array parameter on PostgreSQL (a thousand placeholders cost more to send)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Notification.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return Notification.id.in_(ids)


def _rows(ids: list[int]) -> list[dict]:
    new_venue = aliased(Venue)
    event_id = func.coalesce(Occurrence.event_id, EventChange.event_id)
    query = (select(Notification.id, Notification.kind, Notification.dedupe_key, Notification.occurrence_id,
                    Notification.lead_minutes, Notification.payload, Notification.attempts, Notification.due_at,
                    Subscription.channel, Subscription.address, Subscription.token, Subscription.status.label("sub_status"),
                    Subscription.target_type, Subscription.target_id, Subscription.code_expires_at,
                    Occurrence.starts_at, Occurrence.ends_at, Occurrence.status.label("occ_status"), Occurrence.is_public,
                    event_id.label("event_id"), Event.title, Event.timezone,
                    Venue.name.label("venue_name"), Venue.address.label("venue_address"),
                    EventChange.kind.label("change_kind"), EventChange.old_starts_at, EventChange.new_starts_at,
                    EventChange.reason, new_venue.name.label("new_venue_name"),
                    User.email.label("user_email"), User.weekly_digest, User.is_active_user)
             .select_from(Notification)
             .outerjoin(Subscription, Subscription.id == Notification.subscription_id)
             .outerjoin(User, User.id == Notification.user_id)
             .outerjoin(Occurrence, Occurrence.id == Notification.occurrence_id)
             .outerjoin(EventChange, EventChange.id == Notification.change_id)
             .outerjoin(Event, Event.id == event_id)
             .outerjoin(Venue, Venue.id == Occurrence.venue_id)
             .outerjoin(new_venue, new_venue.id == EventChange.new_venue_id)
             .where(_among(ids)))
    result = db.session.execute(query)
    keys = list(result.keys())
    rows = [dict(zip(keys, row)) for row in result]
    for row in rows:
        if row["kind"] == "digest":  # to the user's address as it is now
            row["channel"], row["address"] = "email", row["user_email"]
    return rows


def _verdict(row: dict, now: datetime) -> tuple[str, object]:
    """("send", None), ("skip", reason) or ("retime", new due time) for one claimed row."""
    kind = row["kind"]
    if kind == "digest":
        if not row["is_active_user"]:
            return "skip", "inactive"  # the account was stopped since
        if not row["weekly_digest"]:
            return "skip", "opted_out"
        if not row["user_email"]:
            return "skip", "no_email"
        if datetime.fromisoformat(row["payload"]["ends_at"]) <= now:
            return "skip", "stale"  # the week it is about is over
        return "send", None
    if kind == "confirm":
        if row["sub_status"] != "pending":
            return "skip", "not_pending"
        if row["channel"] == "sms" and (row["code_expires_at"] is None or row["code_expires_at"] <= now):
            return "skip", "expired"
        return "send", None
    if row["sub_status"] != "active":
        return "skip", "unsubscribed"
    if kind == "reminder":
        if row["starts_at"] is None or row["occ_status"] == "cancelled" or not row["is_public"]:
            return "skip", "cancelled"
        if row["starts_at"] <= now:
            return "skip", "stale"  # the occurrence has started: a reminder now is useless
        due = row["starts_at"] - timedelta(minutes=row["lead_minutes"])
        if due > now + RETIME_SLACK:
            return "retime", due  # moved later since it was queued
        return "send", None
    # change notice: worth sending until the occurrence it concerns is over
    if row["ends_at"] is not None and row["ends_at"] <= now:
        return "skip", "stale"
    return "send", None


def dispatch_batch(worker: str, channels: dict, renderer: Renderer, *, limit: int = 500,
                   now: datetime | None = None, only: list[int] | None = None,
                   after: datetime | None = None) -> BatchResult:
    """Claim, send and record one batch; returns what happened."""
    now = now or clock.now()
    ids, last_due = claim(worker, limit, now, only, after)
    result = BatchResult(claimed=len(ids), last_due=last_due)
    if not ids:
        return result
    rows = _rows(ids)
    db.session.rollback()  # end the read transaction before the (slow) sending
    sent: list[int] = []
    skipped: dict[str, list[int]] = {}
    outcomes: list[tuple[int, dict]] = []
    for row in rows:
        action, detail = _verdict(row, now)
        if action == "skip":
            skipped.setdefault(detail, []).append(row["id"])
            continue
        if action == "retime":
            outcomes.append((row["id"], {"due_at": detail, "attempts": row["attempts"] - 1}))
            result.retimed += 1
            continue
        row["idempotency_key"] = idempotency_key(row["dedupe_key"])
        if row["kind"] == "confirm":
            row["target_title"] = target_name(row["target_type"], row["target_id"])
            db.session.rollback()
        try:
            channels[row["channel"]].send(renderer.render(row, now))
        except SendError as exc:
            error = str(exc)[:500]
            if exc.permanent or row["attempts"] >= MAX_ATTEMPTS:
                outcomes.append((row["id"], {"state": "failed", "last_error": error}))
                result.failed += 1
            else:
                outcomes.append((row["id"], {"due_at": now + backoff(row["attempts"]), "last_error": error}))
                result.retried += 1
            continue
        sent.append(row["id"])
    with _writing():
        mine = (Notification.locked_by == worker)
        # Only rows this dispatcher still holds: if the lease ran out and another took the row over,
        # the other's outcome stands.
        if sent:
            db.session.execute(update(Notification).where(_among(sent), mine)
                               .values(state="sent", sent_at=utcnow(), locked_by=None, locked_until=None,
                                       last_error=None)
                               .execution_options(synchronize_session=False))
        for reason, skip_ids in skipped.items():
            db.session.execute(update(Notification).where(_among(skip_ids), mine)
                               .values(state="skipped", skip_reason=reason, locked_by=None, locked_until=None)
                               .execution_options(synchronize_session=False))
        for note_id, values in outcomes:
            db.session.execute(update(Notification).where(Notification.id == note_id, mine)
                               .values(locked_by=None, locked_until=None, **values)
                               .execution_options(synchronize_session=False))
        db.session.commit()
    result.sent = len(sent)
    result.skipped = {k: len(v) for k, v in skipped.items()}
    return result


def dispatch_due(*, worker: str | None = None, limit: int = 500, max_batches: int | None = None,
                 channels: dict | None = None, only: list[int] | None = None) -> BatchResult:
    """Send everything due now, batch after batch, until nothing due is left unclaimed."""
    worker = worker or worker_name()
    own_channels = channels is None
    channels = channels or open_channels(current_app.config)
    renderer = Renderer()
    total = BatchResult()
    try:
        batches = 0
        after = None
        while max_batches is None or batches < max_batches:
            batch = dispatch_batch(worker, channels, renderer, limit=limit, only=only, after=after)
            total.add(batch)
            batches += 1
            if batch.claimed == 0 and after is not None:
                after = None  # one more look from the start: rows due earlier may have become free
                continue
            if batch.claimed == 0 or batch.claimed == batch.retried + batch.retimed:
                break
            after = batch.last_due
    finally:
        if own_channels:
            for channel in channels.values():
                channel.close()
    return total


def lock_path() -> Path | None:
    """The dispatcher's lock file next to the SQLite database (None on PostgreSQL: no lock needed)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:":
        return Path(current_app.instance_path) / "notifications-memory.lock"
    return Path(database + ".dispatch.lock")


@contextmanager
def single_dispatcher(*, wait: bool):
    """On SQLite, hold the dispatcher file lock (yields False when `wait` is off and another holds it)."""
    path = lock_path()
    if path is None:
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
