"""The feed store: every feed rendered once into `feed_documents` and served from there.

Freshness guarantee
-------------------
* A change committed through the ORM is recorded in `feed_changes` in the same transaction
  (calendar_app.feeds.changes). The scheduler's `render_pending_feeds` job runs every minute and
  re-renders the stored feeds those changes touch, so a subscriber sees a change within about a
  minute of its commit (debounced: all changes of that minute make one render). Until then a request
  is served the previous bytes, which are consistent, only older.
* `render_all_feeds` runs hourly and re-renders every feed, so the rolling window (whole local days)
  moves within an hour of local midnight and nothing can stay stale for more than an hour, even after a
  change written outside the ORM.
* A feed requested before it was ever rendered is rendered by that request, once per process at a
  time (a per-key lock; a concurrent request in another process may render it too, and the upsert
  keeps one). So is a stored feed older than two hours (FEEDS_MAX_AGE_MINUTES): a safety net for a
  scheduler that is not running. `flask feeds render` renders everything now.
* Re-rendering unchanged data gives the same bytes, hence the same ETag and Last-Modified.

Services here flush and never commit; the job, the CLI command or the request commits.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import brotli
from flask import current_app
from sqlalchemy import delete, select, update

from calendar_app.accounts.models import User
from calendar_app.areas.models import Area
from calendar_app.events.models import Event
from calendar_app.extensions import db
from calendar_app.feeds.content import FeedBuilder, Rendered, feed_clock, published_before
from calendar_app.feeds.models import EVERY_FEED, FeedChange, FeedDocument
from calendar_app.feeds.specs import FeedSpec
from calendar_app.programs.models import CATEGORIES, Edition, Program
from calendar_app.venues.models import Venue

__all__ = ["RenderStats", "exportable_documents", "is_overdue", "public_specs", "render_all", "render_document",
           "render_feeds", "render_lock", "render_pending", "stored_document"]

_CHUNK = 500
_BATCH = 200
_LOCKS = tuple(threading.Lock() for _ in range(64))


@dataclass(frozen=True)
class RenderStats:
    rendered: int
    changed: int
    removed: int
    seconds: float
    largest_bytes: int = 0
    largest_key: str | None = None


def etag_of(body: bytes) -> str:
    """Strong ETag of the bytes (quoted)."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


#: Brotli quality of stored feeds: 11 is the smallest and is paid once per change, at render time.
BROTLI_QUALITY = 11


def compressed(body: bytes) -> tuple[bytes, bytes]:
    """(gzip, Brotli) bytes of a feed body; deterministic (no timestamp in the gzip header), so an
    unchanged feed compresses to the same bytes."""
    return gzip.compress(body, compresslevel=9, mtime=0), brotli.compress(body, quality=BROTLI_QUALITY)


def stored_document(key: str) -> FeedDocument | None:
    """The stored feed (its body is loaded only when read)."""
    return db.session.get(FeedDocument, key, populate_existing=True)


def is_overdue(document: FeedDocument) -> bool:
    """Whether a stored feed is older than the hourly render allows: the scheduler is evidently not running."""
    max_age = timedelta(minutes=current_app.config.get("FEEDS_MAX_AGE_MINUTES", 120))
    return document.rendered_at < feed_clock() - max_age


def render_lock(key: str) -> threading.Lock:
    """The in-process lock that keeps concurrent first requests for a feed from rendering it twice."""
    return _LOCKS[hash(key) % len(_LOCKS)]


def render_document(spec: FeedSpec, *, now: datetime | None = None) -> FeedDocument | None:
    """Render one feed now and store it; None when its subject does not exist."""
    builder = FeedBuilder(now)
    rendered = builder.render(spec)
    if rendered is None:
        return None
    _save([rendered], now=builder.now)
    return stored_document(spec.key)


def public_specs() -> list[FeedSpec]:
    """Every public feed with a plain URL: all events, each program, edition, area, venue, category and event."""
    specs = [FeedSpec("all"), FeedSpec("holidays")]
    for kind, model in (("program", Program), ("edition", Edition), ("area", Area), ("venue", Venue)):
        specs += [FeedSpec(kind, i) for i in db.session.scalars(select(model.id).order_by(model.id))]
    specs += [FeedSpec("category", c) for c in CATEGORIES]
    events = db.session.execute(select(Event.id, Event.status).where(Event.status.in_(("published", "cancelled")))
                                .order_by(Event.id)).all()
    cancelled = published_before([i for i, status in events if status == "cancelled"])
    specs += [FeedSpec("event", i) for i, status in events if status == "published" or i in cancelled]
    return specs


def render_feeds(specs: list[FeedSpec], *, now: datetime | None = None) -> RenderStats:
    """Render the given feeds in one pass and store those whose bytes changed; drop feeds that are gone."""
    started = time.perf_counter()
    builder = FeedBuilder(now)
    batch: list[Rendered] = []
    gone: list[str] = []
    count = changed = largest_bytes = 0
    largest_key = None
    for spec in specs:
        result = builder.render(spec)
        if result is None:
            gone.append(spec.key)
            continue
        batch.append(result)
        count += 1
        if len(result.body) > largest_bytes:
            largest_bytes, largest_key = len(result.body), spec.key
        if len(batch) >= _BATCH:  # bounded memory: bodies are stored as the pass goes
            changed += _save(batch, now=builder.now)
            batch = []
    changed += _save(batch, now=builder.now)
    for start in range(0, len(gone), _CHUNK):
        db.session.execute(delete(FeedDocument).where(FeedDocument.key.in_(gone[start:start + _CHUNK])))
    db.session.flush()
    return RenderStats(count, changed, len(gone), time.perf_counter() - started, largest_bytes, largest_key)


def render_all(*, now: datetime | None = None) -> RenderStats:
    """Re-render every public feed and every stored feed (narrowed and private ones); consume pending changes."""
    change_ids, _keys = _pending_changes()
    specs = public_specs()
    known = {s.key for s in specs}
    orphans: list[str] = []
    for key in _stored_keys():
        if key in known:
            continue
        spec = _spec_or_none(key)
        if spec is None or (spec.is_private and not _private_feed_held(spec.ident)):
            orphans.append(key)
        else:
            specs.append(spec)
    for start in range(0, len(orphans), _CHUNK):
        db.session.execute(delete(FeedDocument).where(FeedDocument.key.in_(orphans[start:start + _CHUNK])))
    stats = render_feeds(specs, now=now)
    _forget_changes(change_ids)
    return stats


def render_pending(*, now: datetime | None = None) -> RenderStats:
    """Re-render the stored feeds that committed changes made stale, and consume those changes."""
    change_ids, keys = _pending_changes()
    if not change_ids:
        return RenderStats(0, 0, 0, 0.0)
    stored = _stored_keys()
    if EVERY_FEED in keys:
        stale = stored
    else:
        stale = [k for k in stored if k in keys or k.partition("?")[0] in keys]
    specs = [s for s in map(_spec_or_none, stale) if s is not None]
    stats = render_feeds(specs, now=now)
    _forget_changes(change_ids)
    return stats


def exportable_documents() -> Iterator[tuple[str, bytes]]:
    """(path, body) of every stored public feed with a plain URL: no private feeds, no ?category= variants."""
    rows = db.session.execute(select(FeedDocument.key, FeedDocument.path).where(FeedDocument.path.is_not(None))
                              .order_by(FeedDocument.key)).all()
    for key, path in rows:
        if "?" not in path:
            yield path, db.session.scalar(select(FeedDocument.body).where(FeedDocument.key == key))


# --- helpers ---------------------------------------------------------------------------------------

def _spec_or_none(key: str) -> FeedSpec | None:
    try:
        return FeedSpec.from_key(key)
    except ValueError:
        return None


def _stored_keys() -> list[str]:
    return list(db.session.scalars(select(FeedDocument.key).order_by(FeedDocument.key)))


def _private_feed_held(area_id: int) -> bool:
    return db.session.scalar(select(User.id).where(
        User.area_id == area_id, User.feed_token_hash.is_not(None), User.is_active_user.is_(True)).limit(1)) is not None


def _pending_changes() -> tuple[list[int], set[str]]:
    rows = db.session.execute(select(FeedChange.id, FeedChange.key).order_by(FeedChange.id)).all()
    return [r.id for r in rows], {r.key for r in rows}


def _forget_changes(ids: list[int]) -> None:
    # Exactly the rows read: a change committed meanwhile stays for the next run.
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(delete(FeedChange).where(FeedChange.id.in_(ids[start:start + _CHUNK])))


def _save(rendered: list[Rendered], *, now: datetime) -> int:
    """Store rendered feeds; only changed bytes get a new ETag and Last-Modified. Returns how many changed."""
    now_s = now.replace(microsecond=0)
    existing: dict[str, tuple[str, datetime]] = {}
    keys = [r.spec.key for r in rendered]
    for start in range(0, len(keys), _CHUNK):
        for key, etag, last_modified in db.session.execute(
                select(FeedDocument.key, FeedDocument.etag, FeedDocument.last_modified)
                .where(FeedDocument.key.in_(keys[start:start + _CHUNK]))):
            existing[key] = (etag, last_modified)
    changed, unchanged = [], []
    for r in rendered:
        etag = etag_of(r.body)
        old = existing.get(r.spec.key)
        if old is not None and old[0] == etag:
            unchanged.append(r.spec.key)
            continue
        # HTTP dates have whole seconds: a second change within the same second must still look newer.
        last_modified = now_s if old is None else max(now_s, old[1] + timedelta(seconds=1))
        body_gzip, body_br = compressed(r.body)
        changed.append({"key": r.spec.key, "path": r.path, "body": r.body, "body_gzip": body_gzip, "body_br": body_br,
                        "etag": etag, "last_modified": last_modified, "rendered_at": now,
                        "vevent_count": r.vevent_count})
    for start in range(0, len(changed), _CHUNK):
        _upsert(changed[start:start + _CHUNK])
    for start in range(0, len(unchanged), _CHUNK):
        db.session.execute(update(FeedDocument).where(FeedDocument.key.in_(unchanged[start:start + _CHUNK]))
                           .values(rendered_at=now).execution_options(synchronize_session=False))
    db.session.flush()
    return len(changed)


def _upsert(rows: list[dict]) -> None:
    """Insert or replace documents; a concurrent first render in another process simply wins or loses."""
    table = FeedDocument.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL
        for row in rows:
            db.session.merge(FeedDocument(**row))
        return
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={name: stmt.excluded[name] for name in ("path", "body", "body_gzip", "body_br", "etag", "last_modified",
                                                      "rendered_at", "vevent_count")},
    )
    db.session.execute(stmt, rows)
