from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false as sa_false
from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from calendar_app.areas.models import Area
from calendar_app.db import TimestampMixin, UTCDateTime
from calendar_app.extensions import db
from calendar_app.i18n import N_
from calendar_app.programs.models import Edition, Program
from calendar_app.venues.models import Venue

EVENT_STATUSES = {"draft": "草稿", "submitted": "待审核", "published": "已发布", "cancelled": "已取消"}
OCCURRENCE_STATUSES = {"scheduled": N_("按计划"), "moved": N_("已调整"), "cancelled": N_("已取消")}


class Event(TimestampMixin, db.Model):
    """One event or a series. Its times are wall-clock times in `timezone`, so a rule keeps its meaning."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("status IN ('draft','submitted','published','cancelled')", name="status"),
        CheckConstraint("ends_local > starts_local", name="ends_after_starts"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        Index("ix_events_status_area", "status", "area_id"),
        Index("ix_events_edition_external_uid", "edition_id", "external_uid", unique=True),
        # The home page's highlights look up the few featured events without scanning the window.
        Index("ix_events_featured", "is_featured"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: iCal UID: assigned once, never changes, the same in every feed the event appears in.
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    #: iCal SEQUENCE: bumped on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    #: Plain text (HTML is shown as text, never interpreted).
    description: Mapped[str | None] = mapped_column(Text)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="RESTRICT"), index=True)
    #: The area that organises the event (a town-street or a village), used for scoping and town feeds.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    organiser: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), default="other")
    capacity: Mapped[int | None] = mapped_column(Integer)
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    registration_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: Wall-clock start and end of the first instance, naive, in `timezone` (midnights when all-day;
    #: ends_local is then the exclusive end date, as iCal's DTEND).
    starts_local: Mapped[datetime] = mapped_column(DateTime)
    ends_local: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    is_all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    #: RFC 5545 RRULE value (without "RRULE:"), or None.
    rrule: Mapped[str | None] = mapped_column(String(500))
    #: Extra and removed instance starts, local ISO strings ("2026-02-12T19:00" or "2026-02-12").
    rdates: Mapped[list] = mapped_column(JSON, default=list)
    exdates: Mapped[list] = mapped_column(JSON, default=list)
    #: Lunar rule text such as "FESTIVAL=元宵节" or "LUNAR=1-15;DAYS=3", or None.
    lunar_rule: Mapped[str | None] = mapped_column(String(200))
    #: The series this one was split from by a "this and following" edit.
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Last change a subscriber cares about; the feed's DTSTAMP and LAST-MODIFIED.
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Occurrences are stored up to this instant; the daily job moves it forward.
    stored_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The reviewer's comment when the event was returned to its coordinator.
    review_comment: Mapped[str | None] = mapped_column(String(1000))
    #: Why the published event last changed or was cancelled; shown on the public page.
    status_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: UID of the VEVENT this event was imported from (an external calendar); a re-import into the
    #: same edition updates the event instead of adding it again.
    external_uid: Mapped[str | None] = mapped_column(String(255))
    #: Poster image key (calendar_app.media.images), or None; the files are named after it.
    poster_key: Mapped[str | None] = mapped_column(String(64))
    #: Staff put this event among the highlights at the top of the public home page.
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    program: Mapped[Program | None] = relationship()
    edition: Mapped[Edition | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    area: Mapped[Area] = relationship()
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True, order_by="Occurrence.starts_at"
    )
    #: Not a column: the rows a write's validation loaded (area, venue, edition), kept alive while the
    #: event is, so that the session finds them again instead of reading them anew (it holds rows weakly).
    loaded_refs = ()

    @property
    def is_series(self) -> bool:
        return bool(self.rrule or self.lunar_rule or self.rdates)

    @property
    def status_label(self) -> str:
        return EVENT_STATUSES[self.status]


class Occurrence(db.Model):
    """One concrete instance of an event, in UTC, with what people did to it alone.

    Program, edition, area, venue and publication are copied from the event (venue may be overridden)
    so that the public page, feeds, venue load and reminders filter one indexed table by time window.
    """

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "original_starts_at", name="uq_occurrences_event_original"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("status IN ('scheduled','moved','cancelled')", name="status"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_non_negative"),
        CheckConstraint("NOT holds_venue OR (venue_id IS NOT NULL AND blocks_until IS NOT NULL AND blocks_until >= ends_at)",
                        name="hold_has_venue_and_end"),
        # ends_at rides along in every window index: an overlap query scans back over the longest
        # instance (31 days) and must check ends_at there without fetching each row.
        Index("ix_occurrences_public_window", "is_public", "starts_at", "ends_at"),
        # Venue load reads a year of every venue from this index alone (status, event and, on
        # PostgreSQL, id ride along; SQLite's rowid is the id): no row lookups, however long the history.
        Index("ix_occurrences_venue_window", "venue_id", "starts_at", "ends_at", "status", "event_id",
              postgresql_include=["id"]),
        Index("ix_occurrences_area_window", "area_id", "starts_at", "ends_at"),
        Index("ix_occurrences_program_window", "program_id", "starts_at", "ends_at"),
        Index("ix_occurrences_edition_window", "edition_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: The start the rule gave this instance (iCal RECURRENCE-ID), UTC; its identity within the series.
    original_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    #: Shown to the public with a cancelled or moved occurrence ("因天气原因取消").
    status_reason: Mapped[str | None] = mapped_column(String(500))
    #: True once someone changed this instance alone; regeneration then leaves its times alone.
    is_detached: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Venue for this instance only (None = the event's venue); `venue_id` is the effective one.
    override_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    #: The event's area, copied (the area filters read it without a join). No foreign key of its own:
    #: the event's key already refuses an unknown area and keeps a used one from being deleted, and this
    #: one was checked again for every row a booking writes (52 for a year of weekly evenings), by a scan
    #: of the areas table where PostgreSQL finds it small (migration 2b8e0c4f6a1d).
    area_id: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"))
    #: Copy of event.status == "published" (the public filter needs no join).
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 人次 reported after the event.
    attendance: Mapped[int | None] = mapped_column(Integer)
    attendance_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: End of the time this occurrence keeps its venue: ends_at plus the venue's changeover.
    blocks_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: True when the occurrence excludes others at its venue (exclusive venue, not cancelled, no override).
    #: The database refuses two overlapping holders at one venue: an exclusion constraint on
    #: PostgreSQL and a trigger on SQLite (both created by the migration, not by the model).
    holds_venue: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Staff let this occurrence share a taken slot, for this reason (logged in the audit log).
    clash_override_reason: Mapped[str | None] = mapped_column(String(500))

    event: Mapped[Event] = relationship(back_populates="occurrences")
    venue: Mapped[Venue | None] = relationship(foreign_keys=[venue_id])
    override_venue: Mapped[Venue | None] = relationship(foreign_keys=[override_venue_id])

    @property
    def status_label(self) -> str:
        return OCCURRENCE_STATUSES[self.status]



@dataclass(eq=False, slots=True)
class NewOccurrence:
    """An instance of a series about to be stored: a plain row, not yet an ORM object.

    A series brings tens or hundreds of new instances at once. They are checked for clashes in memory
    and written in one INSERT (`conflicts.hold_venues`, `db.insert_rows`), a fraction of what the ORM's unit
    of work spends on as many objects; `event.occurrences` reads them back as `Occurrence` rows on
    first use. The attributes the clash check reads and sets are those of `Occurrence`.
    """

    event: Event
    original_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    venue_id: int | None
    area_id: int
    program_id: int | None
    edition_id: int | None
    is_public: bool
    status: str = "scheduled"
    blocks_until: datetime | None = None
    holds_venue: bool = False
    clash_override_reason: str | None = None
    #: Not stored yet, so it has no id and holds nothing in the database.
    id: None = None

    @property
    def event_id(self) -> int | None:
        return self.event.id

    def row(self) -> dict:
        """The values of its INSERT (the event must have been flushed: it needs its id)."""
        return {"event_id": self.event.id, "original_starts_at": self.original_starts_at,
                "starts_at": self.starts_at, "ends_at": self.ends_at, "status": self.status,
                "is_detached": False, "venue_id": self.venue_id, "area_id": self.area_id,
                "program_id": self.program_id, "edition_id": self.edition_id, "is_public": self.is_public,
                "blocks_until": self.blocks_until, "holds_venue": self.holds_venue,
                "clash_override_reason": self.clash_override_reason}

CHANGE_KINDS = {
    "updated": "活动信息变更",
    "rescheduled": "时间调整",
    "venue_changed": "场地变更",
    "cancelled": "取消",
    "restored": "恢复举办",
}


class EventChange(db.Model):
    """A change to a published event that subscribers must hear about (read by change notices).

    One row per changed occurrence, or one row with no occurrence for a change of the whole series.
    """

    __tablename__ = "event_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('updated','rescheduled','venue_changed','cancelled','restored')", name="kind"),
        Index("ix_event_changes_event", "event_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    old_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    new_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    #: When the change was made (UTC); change notices go out for rows newer than their last run.
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()

    @property
    def kind_label(self) -> str:
        return CHANGE_KINDS[self.kind]
