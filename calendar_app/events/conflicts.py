"""Venue conflicts: two occurrences that hold one venue never overlap.

An occurrence *holds* its venue when the venue is exclusive, neither the occurrence nor its event is
cancelled, and staff did not let it share the slot (`clash_override_reason`). It holds it from its
start until its end plus the venue's changeover (`blocks_until`).

The services check every occurrence they are about to store against the holders already stored (one
query per venue over the window the series covers) and refuse with every clash listed. The database
keeps the same rule for requests that race past that check: an exclusion constraint on PostgreSQL,
triggers on SQLite (migration 91a60076d769). A flush that breaks it is turned into the same
`VenueConflict`, listing what won the race.

A new event on PostgreSQL skips the read (`new_booking`): it is written under a savepoint and the
exclusion constraint checks it, which a free slot, the common case, passes without a query of its own;
a refused one is rolled back to the savepoint, and only then are its clashes read.

A run of creations (a spreadsheet import) checks against one read of its venues' holders instead
(`cached_holders`); on PostgreSQL it also writes its bookings together at the end of the run, the
events in batched INSERTs and all their occurrences in one, instead of two statements per booking.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from calendar_app.db import ValidationError, insert_rows
from calendar_app.events.models import Event, NewOccurrence, Occurrence
from calendar_app.extensions import db
from calendar_app.venues.models import Venue

#: A holder that starts earlier than this before a candidate cannot reach it (longest instance 31
#: days plus the longest changeover, a day): the lower bound keeps the index scan to the window.
HOLD_REACH = timedelta(days=33)
_MAX_LISTED = 50
_CACHE_KEY = "conflicts.holders"
#: (event, how) while `new_booking` stores `event`: "write_first" (PostgreSQL, the constraint checks it),
#: "deferred" (PostgreSQL in a holder cache, written by `HolderCache.write`) or "checked" (check, then write).
_BOOKING_KEY = "conflicts.new_booking"


@dataclass(frozen=True)
class Clash:
    """An occurrence already holding the slot a new booking asked for."""

    occurrence_id: int | None
    event_id: int | None
    title: str
    start: datetime
    end: datetime
    venue_id: int
    venue: str
    #: The start of the booking that was refused because of this holder.
    wanted_start: datetime

    def to_json(self) -> dict:
        return {"occurrence_id": self.occurrence_id, "event_id": self.event_id, "title": self.title,
                "start": self.start.isoformat(), "end": self.end.isoformat(), "venue_id": self.venue_id,
                "wanted_start": self.wanted_start.isoformat()}


class VenueConflict(ValidationError):
    """The booking overlaps occurrences that hold the venue; nothing was saved.

    Raised before anything is written when the check finds the clash, or by the database when a
    concurrent booking won the race; then the transaction is lost, and the clashes are looked up
    on first use, after the caller has rolled back. A new booking on PostgreSQL is refused by the
    database as a rule (`new_booking`): there the savepoint is rolled back, and the clashes read then.
    """

    def __init__(self, clashes: list[Clash] | None, tz: ZoneInfo, *, venue_name: str = "",
                 pending: list[tuple] | None = None):
        self._clashes = clashes
        self._pending = pending or []
        self._tz = tz
        if clashes:
            message = _clash_message(clashes, tz)
        else:
            message = f"场馆「{venue_name}」该时段刚被同时提交的另一项预订占用（含换场时间），请换个时间或场地"
        super().__init__(message, "venue_id")

    @property
    def clashes(self) -> list[Clash]:
        """Every clash; for a lost race, read after the caller's rollback."""
        if self._clashes is None:
            self._clashes = _clashes_for_keys(self._pending)
        return self._clashes

    def read_clashes(self) -> None:
        """Read what the refused booking met, once the transaction can read again, and name it in the
        message as the check does. A booking still uncommitted is invisible: the message then stays
        that a concurrent booking is taking the slot."""
        if self.clashes:
            self.message = _clash_message(self.clashes, self._tz)
            self.args = (self.message,)

    def to_dict(self) -> dict:
        return {"error": "venue_conflict", "message": self.message, "field": self.field,
                "conflicts": [c.to_json() for c in self.clashes[:_MAX_LISTED]]}


def _clash_message(clashes: list[Clash], tz: ZoneInfo) -> str:
    when = "、".join(f"{c.start.astimezone(tz):%Y-%m-%d %H:%M}–{c.end.astimezone(tz):%H:%M}「{c.title}」"
                    for c in clashes[:3])
    more = f" 等 {len(clashes)} 处" if len(clashes) > 3 else ""
    return f"场馆「{clashes[0].venue}」该时段已被占用（含换场时间）：{when}{more}"


def blocks_until(ends_at: datetime, venue: Venue | None) -> datetime:
    return ends_at + timedelta(minutes=venue.changeover_minutes if venue else 0)


def wants_hold(occ: Occurrence, event: Event, venue: Venue | None) -> bool:
    return bool(venue is not None and venue.is_exclusive and occ.status != "cancelled" and event.status != "cancelled")


def hold_venues(event: Event, occurrences: list[Occurrence | NewOccurrence], *, override_reason: str | None = None,
                user_id: int | None = None) -> list[Clash]:
    """Give `occurrences` of `event` their holds and flush them (storing the new ones); refuse clashes.

    Raises VenueConflict listing every clash (nothing is changed in the database), unless
    `override_reason` is given (staff only): the clashing occurrences then share the slot without
    holding it, and the override is audited. Returns the clashes that were overridden.

    Holds are released before they are taken, in two flushes when needed: the database checks each
    row as it is written, and an occurrence moving into a slot another row of the same series is
    leaving (or a row about to be deleted still holds) must not look like a clash.
    """
    from calendar_app.audit.services import record

    with db.session.no_autoflush:
        venues: dict[int, Venue] = {}
        wanted: list[Occurrence] = []
        for occ in occurrences:
            venue = None
            if occ.venue_id:
                venue = venues.get(occ.venue_id) or db.session.get(Venue, occ.venue_id)
                venues[occ.venue_id] = venue
            occ.blocks_until = blocks_until(occ.ends_at, venue)
            hold = wants_hold(occ, event, venue)
            if hold and occ.clash_override_reason is not None:
                hold = False  # allowed to share its slot; stays so until it is moved
            if hold:
                wanted.append(occ)
        # A new event under `new_booking` leaves the stored holders to the database (and to
        # read_clashes, if it refuses); the occurrences are still checked against each other here.
        write_first = (override_reason is None and _booking(event) == "write_first"
                       and all(isinstance(o, NewOccurrence) for o in occurrences))
        clashes = find_clashes(wanted, venues, stored=not write_first)
        if clashes and write_first:
            clashes = find_clashes(wanted, venues)  # refused anyway: list the stored holders it meets too
        overridden: list[Clash] = []
        if clashes:
            if override_reason is None:
                raise VenueConflict(clashes, ZoneInfo(event.timezone))
            sharing = {c.wanted_start for c in clashes}
            for occ in wanted:
                if occ.starts_at in sharing:
                    occ.clash_override_reason = override_reason
            wanted = [o for o in wanted if o.starts_at not in sharing]
            overridden = clashes
        taking = set(map(id, wanted))
        releasing = any(o.holds_venue and (id(o) not in taking or _slot_changed(o)) for o in occurrences
                        if o.id is not None) or any(isinstance(o, Occurrence) for o in db.session.deleted)
        for occ in occurrences:
            occ.holds_venue = id(occ) in taking and not releasing
    if releasing:
        db.session.flush()  # free the old slots (and delete dropped rows) first
        for occ in wanted:
            occ.holds_venue = True
    _flush_checked(event, wanted, venues, [o for o in occurrences if isinstance(o, NewOccurrence)])
    if overridden:
        # Recorded after the flush: a new event only has its id now, and the audit line must name it.
        record("venue.clash_override", "event", event.id, user_id=user_id,
               changes={"reason": override_reason, "clashes": [c.to_json() for c in overridden[:_MAX_LISTED]]})
    return overridden


@contextmanager
def new_booking(event: Event) -> Iterator[None]:
    """Add the new `event` to the session; the block stores it with its occurrences (`hold_venues`).

    On PostgreSQL, outside a holder cache, the block runs under a savepoint and the stored holders are
    not read first: the exclusion constraint refuses a clash as the check would, the savepoint is rolled
    back (nothing of the booking stays, the event's own row included, and the transaction goes on), and
    the VenueConflict then reads and names every clash. A free slot saves the read of the venue's
    holders over the series' whole span. SQLite and bulk runs keep checking first: there the read is
    in-process or in the cache, and cheap; a refusal by the check takes the unwritten event out of the
    session again. (A refusal by the database there, a lost race, leaves the transaction to the
    caller's rollback, as for every write.)
    """
    cache: HolderCache | None = db.session.info.get(_CACHE_KEY)
    if db.session.get_bind().dialect.name != "postgresql" or cache is not None:
        how = "checked"
        if cache is not None and cache.defers_writes:
            event.id = cache.new_event_id()  # known at once (audit, reports); the row is written by cache.write()
            how = "deferred"
        db.session.add(event)
        try:
            with _storing(event, how):
                yield
        except Exception:
            if inspect(event).pending:  # refused before anything was written: leave nothing behind
                db.session.expunge(event)
                if cache is not None:
                    cache.forget(event)
            raise
        return
    try:
        with db.session.begin_nested():  # flushes what the caller has pending first, outside the savepoint
            db.session.add(event)
            with _storing(event, "write_first"):
                yield
    except VenueConflict as refused:
        refused.read_clashes()  # the savepoint is rolled back: the transaction can read again
        raise


@contextmanager
def _storing(event: Event, how: str) -> Iterator[None]:
    db.session.info[_BOOKING_KEY] = (event, how)
    try:
        yield
    finally:
        db.session.info.pop(_BOOKING_KEY, None)


def _booking(event: Event) -> str | None:
    """How `new_booking` is storing `event` (see _BOOKING_KEY), or None outside it."""
    stored, how = db.session.info.get(_BOOKING_KEY, (None, None))
    return how if stored is event else None


def _slot_changed(occ: Occurrence) -> bool:
    state = inspect(occ)
    return any(state.attrs[name].history.has_changes() for name in ("starts_at", "blocks_until", "venue_id"))


def find_clashes(candidates: list[Occurrence], venues: dict[int, Venue], *, stored: bool = True) -> list[Clash]:
    """Every (candidate, holder) overlap: among the candidates themselves, and (unless `stored` is false)
    against the holders stored or in the holder cache."""
    by_venue: dict[int, list[Occurrence]] = defaultdict(list)
    for occ in candidates:
        by_venue[occ.venue_id].append(occ)
    clashes: list[Clash] = []
    met: list[tuple[Holder, int, str, datetime]] = []  # (holder, venue, venue name, the start that met it)
    # The candidates themselves, and rows this transaction is deleting, hold nothing any more.
    own_ids = {occ.id for occ in candidates if occ.id is not None}
    own_ids |= {o.id for o in db.session.deleted if isinstance(o, Occurrence) and o.id is not None}
    for venue_id, wanted in by_venue.items():
        wanted.sort(key=lambda o: o.starts_at)
        first = wanted[0].starts_at
        high = max(o.blocks_until for o in wanted)
        cache: HolderCache | None = db.session.info.get(_CACHE_KEY)
        if not stored:
            rows = []
        elif cache is not None and cache.covers(venue_id, first, high):
            rows = cache.holders(venue_id, first, high)
        else:
            rows = _stored_holders([venue_id], first, high)[venue_id]
        held = [r for r in rows if r.id is None or r.id not in own_ids]
        venue_name = venues[venue_id].name
        met += _met(held, venue_id, venue_name, [(o.starts_at, o.blocks_until) for o in wanted])
        # Instances of one booking that overlap each other (a multi-day fair repeated daily).
        for earlier, later in zip(wanted, wanted[1:]):
            if later.starts_at < earlier.blocks_until:
                clashes.append(Clash(earlier.id, earlier.event_id, earlier.event.title if earlier.event else "本活动",
                                     earlier.starts_at, earlier.ends_at, venue_id, venue_name, later.starts_at))
    clashes += _named(met)
    clashes.sort(key=lambda c: (c.wanted_start, c.start))
    return clashes


def _met(held: list[Holder], venue_id: int, venue_name: str,
         slots: list[tuple[datetime, datetime]]) -> list[tuple[Holder, int, str, datetime]]:
    """(holder, venue id, venue name, the start that met it) for each of one venue's holders, sorted by
    start, that a slot (start, until) meets."""
    starts = [r.starts_at for r in held]
    ends = [r.blocks_until for r in held]
    return [(r, venue_id, venue_name, start) for start, until in slots
            for r in _meeting(held, starts, ends, start, until)]


def _named(met: list[tuple[Holder, int, str, datetime]]) -> list[Clash]:
    """The clashes of (holder, venue id, venue name, the start that met it), with the holders' titles,
    read only now: a free slot (the common case) needs none."""
    missing = {r.event_id for r, *_ in met if r.title is None}
    titles = dict(db.session.execute(select(Event.id, Event.title).where(Event.id.in_(missing))
                                     .execution_options(unscoped=True)).all()) if missing else {}
    return [Clash(r.id, r.event_id, r.title if r.title is not None else titles.get(r.event_id, ""),
                  r.starts_at, r.ends_at, venue_id, venue_name, start) for r, venue_id, venue_name, start in met]


def _meeting(held: list[Holder], starts: list[datetime], ends: list[datetime], start: datetime,
             until: datetime) -> list[Holder]:
    """The holders of one venue busy at some point of [start, until). Holders of one venue never overlap
    (the database sees to it), so sorted by start they are sorted by end too: they are one slice, found by
    bisection (`starts` and `ends` are the holders' starts and ends, in that order)."""
    return held[bisect_right(ends, start):bisect_left(starts, until)]


class Holder(NamedTuple):
    """An occurrence holding its venue, as the clash check reads it (id None: inserted in this
    transaction by a bulk write, its id not read back; title None: not read yet)."""

    id: int | None
    event_id: int
    starts_at: datetime
    ends_at: datetime
    blocks_until: datetime
    title: str | None = None


def _stored_holders(venue_ids: list[int], first: datetime, high: datetime) -> dict[int, list[Holder]]:
    """Per venue, the stored holders still busy at `first` and starting before `high`, by start."""
    o = Occurrence
    with db.session.no_autoflush:
        rows = db.session.execute(
            # No join for the events' titles: only the few holders a booking meets need one (find_clashes).
            select(o.venue_id, o.id, o.event_id, o.starts_at, o.ends_at, o.blocks_until)
            .where(o.venue_id.in_(venue_ids) if len(venue_ids) > 1 else o.venue_id == venue_ids[0],
                   o.holds_venue.is_(True),
                   # Only holders still busy at the first start can meet a candidate (the lower
                   # bound on starts_at keeps the index scan to the window).
                   o.starts_at >= first - HOLD_REACH, o.starts_at < high, o.blocks_until > first)
            .order_by(o.starts_at)
            .execution_options(unscoped=True)  # another town's booking at a shared venue counts too
        ).all()
    by_venue: dict[int, list[Holder]] = {vid: [] for vid in venue_ids}
    for venue_id, *holder in rows:
        by_venue[venue_id].append(Holder(*holder))
    return by_venue


class HolderCache:
    """The holders of some venues over a span, read in one query, for a run of creations (a spreadsheet
    import of thousands of rows): each new booking is checked in memory instead of by a query of its
    own, and joins the cache once checked. A check outside the span still asks the database; and the
    database's own rule (exclusion constraint, triggers) still refuses a concurrent booking that won a
    race, as for every write. Not for edits: a moved or cancelled holder would stay in the cache.

    On PostgreSQL the new bookings are also written together, by `write`: one by one, a booking costs two
    round trips there (its event, then its occurrences), most of an import's time. Their events get
    their ids at once, from the events' sequence. (SQLite runs its statements in-process and keeps
    writing each booking as it goes.)"""

    #: Event ids drawn from the sequence at a time when the run's size is not known.
    ID_BLOCK = 500

    def __init__(self, venue_ids: set[int], lo: datetime, hi: datetime, *, bookings: int = 0):
        self.lo, self.hi = lo, hi
        self.by_venue = _stored_holders(sorted(venue_ids), lo, hi) if venue_ids else {}
        self._starts = {vid: [h.starts_at for h in held] for vid, held in self.by_venue.items()}
        self._ends = {vid: [h.blocks_until for h in held] for vid, held in self.by_venue.items()}
        self.defers_writes = db.session.get_bind().dialect.name == "postgresql"
        self._deferred: list[tuple[Event, list[NewOccurrence], list[tuple]]] = []
        self._ids: list[int] = []
        self._expected = bookings

    def new_event_id(self) -> int:
        """An id for a new event, from the events' sequence (ids drawn and not used are gaps, as a
        rolled-back insert leaves)."""
        if not self._ids:
            wanted = self._expected or self.ID_BLOCK
            self._expected = 0  # beyond the announced run, a block at a time
            sequence = func.pg_get_serial_sequence(Event.__tablename__, "id")
            drawn = db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, wanted)))
            self._ids = sorted(drawn, reverse=True)
        return self._ids.pop()

    def defer(self, event: Event, new: list[NewOccurrence], slots: list[tuple]) -> None:
        self._deferred.append((event, new, slots))

    def forget(self, event: Event) -> None:
        self._deferred = [entry for entry in self._deferred if entry[0] is not event]

    def write(self) -> None:
        """Store the bookings checked so far and not written yet: the events in one flush (batched
        INSERTs), their occurrences in one INSERT. A concurrent booking that took one of their slots
        meanwhile makes it a VenueConflict naming it (after the caller's rollback)."""
        if not self._deferred:
            return
        deferred, self._deferred = self._deferred, []
        slots = [slot for _event, _new, event_slots in deferred for slot in event_slots]
        _write_checked(ZoneInfo(deferred[0][0].timezone), [o for _event, new, _slots in deferred for o in new],
                       slots)
        for event, _new, _slots in deferred:
            db.session.expire(event, ["occurrences"])  # read back, with their ids, on first use

    def covers(self, venue_id: int, first: datetime, high: datetime) -> bool:
        return venue_id in self.by_venue and self.lo <= first and high <= self.hi

    def holders(self, venue_id: int, first: datetime, high: datetime) -> list[Holder]:
        """The holders still busy at `first` that start before `high`."""
        return _meeting(self.by_venue[venue_id], self._starts[venue_id], self._ends[venue_id], first, high)

    def add(self, event: Event, stored: list[Occurrence | NewOccurrence]) -> None:
        for occ in stored:
            held = self.by_venue.get(occ.venue_id)
            if held is None or occ.blocks_until <= self.lo or occ.starts_at >= self.hi:
                continue
            starts = self._starts[occ.venue_id]
            i = bisect_left(starts, occ.starts_at)
            starts.insert(i, occ.starts_at)
            self._ends[occ.venue_id].insert(i, occ.blocks_until)
            held.insert(i, Holder(occ.id, event.id, occ.starts_at, occ.ends_at, occ.blocks_until, event.title))


@contextmanager
def cached_holders(venue_ids: set[int], lo: datetime, hi: datetime, *, bookings: int = 0) -> Iterator[HolderCache]:
    """Check the bookings made inside the block against one read of the venues' holders in [lo, hi).

    The block ends with `cache.write()`, which stores the bookings PostgreSQL defers; what is not written
    when the block ends is dropped, as the caller rolls back then. `bookings`, if known, is how many new
    events the block will create."""
    if db.session.info.get(_CACHE_KEY) is not None:
        raise RuntimeError("holder caches do not nest")
    cache = db.session.info[_CACHE_KEY] = HolderCache(venue_ids, lo, hi, bookings=bookings)
    try:
        yield cache
    finally:
        db.session.info.pop(_CACHE_KEY, None)


def is_hold_violation(exc: IntegrityError) -> bool:
    """Whether a failed flush broke the database's venue-hold rule (constraint or trigger)."""
    text = str(getattr(exc, "orig", exc))
    return "venue_hold_conflict" in text or "ex_occurrences_venue_hold" in text


def _deadlocked(exc: DBAPIError) -> bool:
    """Whether PostgreSQL aborted the write to end a deadlock. Two bookings of one slot written at once
    each find the other's row in the exclusion constraint's index and wait for it to commit; the
    server then aborts one of them (SQLSTATE 40P01): a lost race, like a refusal."""
    return getattr(exc.orig, "sqlstate", None) == "40P01"


def _flush_checked(event: Event, holders: list[Occurrence | NewOccurrence], venues: dict[int, Venue],
                   new: list[NewOccurrence]) -> None:
    """Flush, then insert the `new` rows (or leave both to the holder cache's `write`, for a new event
    it defers); a concurrent booking that won the race becomes a VenueConflict naming it (after rollback)."""
    slots = [(o.venue_id, venues[o.venue_id].name, o.starts_at, o.blocks_until) for o in holders]
    cache: HolderCache | None = db.session.info.get(_CACHE_KEY)
    if cache is not None and _booking(event) == "deferred":
        cache.defer(event, new, slots)
    else:
        _write_checked(ZoneInfo(event.timezone), new, slots)
        if new:
            db.session.expire(event, ["occurrences"])  # read back, with their ids, on first use
    if cache is not None:
        cache.add(event, holders)


def _write_checked(tz: ZoneInfo, new: list[NewOccurrence], slots: list[tuple]) -> None:
    """Flush the session, then insert the `new` rows in one INSERT; a refusal by the database's hold rule
    (a concurrent booking won the race for one of `slots`) becomes a VenueConflict."""
    try:
        db.session.flush()
        if new:
            # One INSERT for them all. It bypasses the session's flush hooks: the feeds it touches are
            # those of the events just flushed (their new rows sit at the events' venues).
            insert_rows(db.session.connection(), Occurrence.__table__, [o.row() for o in new])
    except DBAPIError as exc:
        if not (isinstance(exc, IntegrityError) and is_hold_violation(exc) or _deadlocked(exc)):
            raise
        raise VenueConflict(None, tz, venue_name=slots[0][1] if slots else "", pending=slots) from None


def _clashes_for_keys(pending: list[tuple]) -> list[Clash]:
    """The stored holders met by the slots (venue id, venue name, start, blocks until) of a refused
    booking: one read per venue, as `find_clashes` does."""
    by_venue: dict[int, list[tuple]] = defaultdict(list)
    for key in pending:
        by_venue[key[0]].append(key)
    met: list[tuple[Holder, int, str, datetime]] = []
    for venue_id, keys in by_venue.items():
        keys.sort(key=lambda k: k[2])
        held = _stored_holders([venue_id], keys[0][2], max(k[3] for k in keys))[venue_id]
        met += _met(held, venue_id, keys[0][1], [(start, until) for _, _, start, until in keys])
    return sorted(_named(met), key=lambda c: (c.wanted_start, c.start))
