from __future__ import annotations

from datetime import time

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, SmallInteger, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from calendar_app.areas.models import Area
from calendar_app.db import TimestampMixin
from calendar_app.extensions import db
from calendar_app.i18n import N_

VENUE_KINDS = {
    "plaza": N_("广场"),
    "village_square": N_("村文化广场"),
    "theatre": N_("剧场"),
    "library": N_("图书馆/城市书房"),
    "museum": N_("博物馆"),
    "scenic_area": N_("景区"),
    "street": N_("街区"),
    "other": N_("其他"),
}
#: Kinds where many things happen at once (an old street, a scenic area): bookings there are not exclusive by default.
SHARED_KINDS = ("street", "scenic_area")
DEFAULT_CHANGEOVER_MINUTES = 30
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class Venue(TimestampMixin, db.Model):
    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("changeover_minutes BETWEEN 0 AND 1440", name="changeover_range"),
        CheckConstraint(
            "kind IN ('plaza','village_square','theatre','library','museum','scenic_area','street','other')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(255))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    #: Seats or standing places; None when unknown (an open street).
    capacity: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    is_indoor: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Whether a booking here excludes every other one at the same time (a theatre: yes; an old street: no).
    is_exclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Minutes kept free after each booking for setting up and clearing (widens the clash check).
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_CHANGEOVER_MINUTES)

    area: Mapped[Area] = relationship()
    opening_hours: Mapped[list[VenueOpeningHours]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", order_by="(VenueOpeningHours.weekday, VenueOpeningHours.opens_at)"
    )

    @property
    def kind_label(self) -> str:
        return VENUE_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name}>"


class VenueOpeningHours(db.Model):
    """One opening interval of a venue on one weekday; several rows make split days (morning + evening)."""

    __tablename__ = "venue_opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        UniqueConstraint("venue_id", "weekday", "opens_at", name="uq_venue_opening_hours_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    #: 0 = Monday ... 6 = Sunday (Python's weekday()).
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens_at: Mapped[time] = mapped_column(Time)
    #: May be earlier than opens_at for a slot that runs past midnight (a night market).
    closes_at: Mapped[time] = mapped_column(Time)

    venue: Mapped[Venue] = relationship(back_populates="opening_hours")
