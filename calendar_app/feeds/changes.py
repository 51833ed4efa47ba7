"""Which feeds a change makes stale, recorded in the changing transaction (table `feed_changes`).

SQLAlchemy session listeners watch flushes: a change to an event or an occurrence marks exactly the
feeds that show the event, read from the database just before the flush and just after it (so an
event moved to another programme or venue marks the old feeds and the new): all events, its own,
its program, edition, category, venues, and the area and private feeds of its area and every area
above. A change to a venue, programme, edition or area, whose names appear in many feeds, marks every
feed. Bulk ORM
statements on those tables mark the one event they are restricted to, or every feed. Writes that
bypass the ORM are caught by the hourly full render.

Marks are gathered in the session and written when the transaction commits (one INSERT of one row per
affected feed), so writers never wait on each other and a change of many rows costs one statement. A
rolled-back transaction writes none; a rolled-back savepoint leaves its marks in (a feed rendered once
too often is harmless, a missed one is not).
"""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement

from calendar_app.areas.models import Area
from calendar_app.db import insert_rows, utcnow
from calendar_app.events.models import Event, Occurrence
from calendar_app.feeds.models import EVERY_FEED, FeedChange
from calendar_app.festivals.models import OfficialDay
from calendar_app.programs.models import Edition, Program
from calendar_app.venues.models import Venue

__all__ = ["install", "keys_for_events"]

_INFO_KEY = "feeds.marked"
_PENDING_KEY = "feeds.pending"
_KNOWN_KEY = "feeds.known_events"
#: Attributes whose change no feed shows.
_IGNORED = {
    Event: {"created_at", "updated_at", "created_by_id", "split_from_id", "is_featured", "poster_key"},
    # The home page's highlights and the posters appear on pages, not in any feed.
    Program: {"poster_key"},
    Edition: {"is_featured", "poster_key"},
    Occurrence: {"attendance", "attendance_reported_at", "is_detached"},
}
_EVENT_REFS = ("program_id", "edition_id", "venue_id", "area_id", "category")
_CHUNK = 500
#: Store key of the holiday feed (/holidays.ics).
HOLIDAYS_FEED = "holidays"
_EVERYTHING = (Venue, Program, Edition, Area)
_installed = False


def install() -> None:
    """Register the listeners once per process (every Session; the app factory may run many times)."""
    global _installed
    if _installed:
        return
    sa_event.listen(Session, "before_flush", _before_flush)
    sa_event.listen(Session, "after_flush", _after_flush)
    sa_event.listen(Session, "do_orm_execute", _bulk_statement)
    sa_event.listen(Session, "before_commit", _write_marks)
    sa_event.listen(Session, "after_transaction_end", _forget_marks)
    _installed = True


def _relevant(obj, session: Session) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    ignored = _IGNORED.get(type(obj), set())
    state = inspect(obj)
    return any(attr.key not in ignored and attr.history.has_changes() for attr in state.attrs)


def _changed_events(session: Session, objects) -> tuple[set[int], set[int], set[int], bool]:
    """What these objects touch: (event ids, events whose feed references changed, venue ids
    their occurrences now sit at, every feed?)."""
    event_ids: set[int] = set()
    moved: set[int] = set()
    venue_ids: set[int] = set()
    for obj in objects:
        if not isinstance(obj, (Event, Occurrence, *_EVERYTHING)) or not _relevant(obj, session):
            continue
        if isinstance(obj, _EVERYTHING) or (isinstance(obj, Event) and obj in session.deleted):
            # Names of places, programmes and areas appear in many feeds; a deleted event's rows are gone.
            return set(), set(), set(), True
        state = inspect(obj)
        if isinstance(obj, Event):
            # An object expired by a commit keeps its key in the identity, not in its dict.
            event_id = state.identity[0] if state.identity else state.dict.get("id")
            event_ids.add(event_id)
            if obj in session.new or any(state.attrs[name].history.has_changes() for name in _EVENT_REFS):
                moved.add(event_id)
        else:
            history = state.attrs.event_id.history
            event_ids |= {obj.event_id, *(history.deleted or ())}  # loads event_id when expired
            if obj not in session.new and any(i is not None for i in history.deleted or ()):
                moved |= {obj.event_id, *history.deleted}  # an occurrence handed to another series
            if obj.venue_id is not None and (obj in session.new or state.attrs.venue_id.history.has_changes()):
                venue_ids.add(obj.venue_id)
    return {i for i in event_ids if i is not None}, moved, venue_ids, False


def _known(session: Session) -> set[int]:
    """Events whose feeds, as the database holds them now, this transaction has already marked."""
    return session.info.setdefault(_KNOWN_KEY, set())


def _holiday_change(objects) -> bool:
    """Whether a statutory holiday or 调休 day is added, changed or removed: the holiday feed shows them."""
    return any(isinstance(obj, OfficialDay) for obj in objects)


def _before_flush(session: Session, _flush_context, _instances) -> None:
    if _holiday_change(chain(session.new, session.dirty, session.deleted)):
        _record(session, {HOLIDAYS_FEED})
    # Feeds that show the rows as they are before this flush (an event leaving a programme or a venue);
    # for an event already looked at in this transaction they are marked, unless a bulk statement ran.
    event_ids, _moved, _venues, everything = _changed_events(session, chain(session.dirty, session.deleted))
    if everything:
        _record(session, {EVERY_FEED})
        return
    unknown = event_ids - _known(session)
    if unknown:
        _record(session, keys_for_events(session, unknown))
        _known(session).update(unknown)


def _after_flush(session: Session, _flush_context) -> None:
    # ... and the feeds that show them as they are now: looked up again only for new events and
    # events whose programme, edition, venue, area or category changed; an occurrence at another
    # venue adds that venue's feed.
    event_ids, moved, venue_ids, everything = _changed_events(session, chain(session.new, session.dirty))
    if everything:
        _record(session, {EVERY_FEED})
        return
    known = _known(session)
    keys: set[str] = set()
    created: set[int] = set()
    for event in (obj for obj in session.new if isinstance(obj, Event)):
        # A new event's references are all in memory (its occurrences are new too: their venues follow).
        keys |= _keys_from_refs(session, {event.id}, {"program_id": {event.program_id},
                                "edition_id": {event.edition_id}, "venue_id": {event.venue_id},
                                "area_id": {event.area_id}, "category": {event.category}})
        created.add(event.id)
    known |= created
    lookup = (event_ids - known) | ((moved & event_ids) - created)
    if lookup:
        keys |= keys_for_events(session, lookup)
        known |= lookup
    _record(session, keys | {f"venue:{i}" for i in venue_ids})


def _bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    classes = {m.class_ for m in state.all_mappers}
    if OfficialDay in classes:
        _record(state.session, {HOLIDAYS_FEED})
    if not classes & {Event, Occurrence, *_EVERYTHING}:
        return
    event_id = _single_event(state) if classes == {Occurrence} and not state.is_insert else None
    # The statement may change what any event refers to: later flushes look their feeds up again.
    state.session.info.pop(_KNOWN_KEY, None)
    if event_id is None:
        _record(state.session, {EVERY_FEED})
    else:
        _record(state.session, keys_for_events(state.session, {event_id}))


def _single_event(state: ORMExecuteState) -> int | None:
    """The event id a bulk UPDATE/DELETE of occurrences is restricted to ("WHERE event_id = :id"), if any."""
    where = getattr(state.statement, "whereclause", None)
    if where is None:
        return None
    column = Occurrence.__table__.c.event_id
    for element in visitors.iterate(where):
        if (isinstance(element, BinaryExpression) and element.operator is operators.eq
                and isinstance(element.left, ColumnElement) and element.left.compare(column)
                and isinstance(element.right, BindParameter)
                and isinstance(element.right.effective_value, int)):
            return element.right.effective_value
    return None


def keys_for_events(session: Session, event_ids: set[int]) -> set[str]:
    """Keys of the feeds that show these events as the database holds them now."""
    conn = session.connection()
    ids = sorted(event_ids)
    refs: dict[str, set] = {name: set() for name in _EVENT_REFS}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in conn.execute(select(Event.program_id, Event.edition_id, Event.venue_id, Event.area_id,
                                       Event.category).where(Event.id.in_(chunk))):
            for name, value in zip(_EVENT_REFS, row):
                if value is not None:
                    refs[name].add(value)
        # Occurrences held at another venue put the event in that venue's feed too.
        refs["venue_id"] |= set(conn.scalars(select(Occurrence.venue_id).where(
            Occurrence.event_id.in_(chunk), Occurrence.venue_id.is_not(None)).distinct()))
    return _keys_from_refs(session, set(ids), refs)


def _keys_from_refs(session: Session, event_ids: set[int], refs: dict[str, set]) -> set[str]:
    refs = {name: {v for v in values if v is not None} for name, values in refs.items()}
    keys = {"all"} | {f"event:{i}" for i in event_ids}
    keys |= {f"program:{i}" for i in refs["program_id"]} | {f"edition:{i}" for i in refs["edition_id"]}
    keys |= {f"venue:{i}" for i in refs["venue_id"]} | {f"category:{c}" for c in refs["category"]}
    areas: set[int] = set()
    for area_id in sorted(refs["area_id"]):
        with session.no_autoflush:
            area = session.get(Area, area_id)  # areas are few and usually loaded already
        if area is not None:
            areas |= {int(p) for p in area.path.strip("/").split("/") if p}
    keys |= {f"area:{i}" for i in areas} | {f"private:{i}" for i in areas}
    return keys


def _record(session: Session, keys: set[str]) -> None:
    marked: set[str] = session.info.setdefault(_INFO_KEY, set())
    if EVERY_FEED in marked:
        return
    new = {EVERY_FEED} if EVERY_FEED in keys else keys - marked
    if not new:
        return
    pending: set[str] = session.info.setdefault(_PENDING_KEY, set())
    if EVERY_FEED in new:
        pending.clear()
    pending |= new
    marked |= new


def _write_marks(session: Session) -> None:
    """Store the transaction's marks just before it commits (a savepoint's commit leaves them pending)."""
    if session.in_nested_transaction():
        return
    session.flush()  # the commit's own last flush may mark feeds too
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        now = utcnow()
        insert_rows(session.connection(), FeedChange.__table__,
                    [{"key": k, "created_at": now} for k in sorted(pending)])


def _forget_marks(session: Session, transaction) -> None:
    # A new transaction records its own changes (a rolled-back one took its rows with it). Every
    # flush runs in a subtransaction of its own; its end is not the end of what the database holds.
    if transaction.parent is not None and not transaction.nested:
        return
    session.info.pop(_INFO_KEY, None)
    session.info.pop(_KNOWN_KEY, None)
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)  # committed (written) or rolled back (dropped); a savepoint's stay
