"""The feed store (rendered feeds served as stored bytes) and the log of changes that make feeds stale."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from calendar_app.db import UTCDateTime, utcnow
from calendar_app.extensions import db

#: The FeedChange key that makes every feed stale.
EVERY_FEED = "*"


class FeedDocument(db.Model):
    """One rendered feed: requests serve these bytes with their ETag; the scheduler re-renders them."""

    __tablename__ = "feed_documents"

    #: Feed key such as "all", "program:3", "area:17?category=heritage", "private:17" (see FeedSpec).
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: Public URL path ("/programs/linzi-summer.ics"); None for private feeds, which are never exported.
    path: Mapped[str | None] = mapped_column(String(300))
    #: The iCalendar bytes (loaded only when a response needs them, not for a 304).
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: `body` gzip-compressed (and Brotli-compressed), stored with it so that serving a feed does no
    #: compression work; None for documents stored before compression existed (served uncompressed).
    body_gzip: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    body_br: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: Strong ETag, quoted, computed from `body`.
    etag: Mapped[str] = mapped_column(String(80))
    #: When the bytes last changed (whole seconds; HTTP Last-Modified).
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the feed was last rendered, changed or not.
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Number of VEVENT components (masters and overrides), for `flask feeds render` and the benchmark.
    vevent_count: Mapped[int] = mapped_column(Integer, default=0)


class FeedChange(db.Model):
    """A committed change that makes feeds stale; written in the changing transaction, consumed by the job.

    Append-only, so writers never contend for a row; the render job deletes exactly the rows it read.
    """

    __tablename__ = "feed_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A feed key prefix ("program:3" also covers "program:3?category=..."), or "*" for every feed.
    key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
