from __future__ import annotations

from datetime import date

from sqlalchemy import false as sa_false
from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from calendar_app.areas.models import Area
from calendar_app.db import TimestampMixin
from calendar_app.extensions import db
from calendar_app.i18n import N_

CATEGORIES = {
    "performance": N_("文艺演出"),
    "opera": N_("戏曲"),
    "film": N_("电影放映"),
    "heritage": N_("非遗"),
    "fair": N_("市集庙会"),
    "festival": N_("节庆"),
    "reading": N_("阅读讲座"),
    "exhibition": N_("展览"),
    "sports": N_("体育健身"),
    "tourism": N_("文旅休闲"),
    "other": N_("其他"),
}


class Program(TimestampMixin, db.Model):
    """A recurring brand such as 四季村晚 or 临淄之夏."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable URL name, e.g. "linzi-summer"; used in page and feed URLs.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    #: CSS colour "#rrggbb" for pages and the feed's COLOR.
    colour: Mapped[str] = mapped_column(String(7), default="#b22222")
    category: Mapped[str] = mapped_column(String(20), default="other")
    #: The area whose bureau runs the program (a district, or a city for city-wide brands).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    #: Poster image key (calendar_app.media.images), or None; the files are named after it.
    poster_key: Mapped[str | None] = mapped_column(String(64))

    area: Mapped[Area] = relationship()
    editions: Mapped[list[Edition]] = relationship(back_populates="program", order_by="Edition.starts_on")


class Edition(TimestampMixin, db.Model):
    """One run of a program (2026 秋季村晚, 第三届洞庭渔火季) with its dates and targets."""

    __tablename__ = "editions"
    __table_args__ = (
        UniqueConstraint("program_id", "name", name="uq_editions_program_name"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("target_events IS NULL OR target_events >= 0", name="target_events_non_negative"),
        CheckConstraint("target_attendance IS NULL OR target_attendance >= 0", name="target_attendance_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Theme of this run, e.g. 蝶舞洞庭, and its colour.
    theme: Mapped[str | None] = mapped_column(String(100))
    theme_colour: Mapped[str | None] = mapped_column(String(7))
    #: 场次: number of events to hold.
    target_events: Mapped[int | None] = mapped_column(Integer)
    #: 人次: attendance headcount to reach.
    target_attendance: Mapped[int | None] = mapped_column(Integer)
    #: Poster image key (calendar_app.media.images), or None; the files are named after it.
    poster_key: Mapped[str | None] = mapped_column(String(64))
    #: Staff put every event of this edition among the highlights of the public home page.
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    program: Mapped[Program] = relationship(back_populates="editions")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="edition", order_by="Assignment.id")


assignment_coordinators = Table(
    "assignment_coordinators",
    db.metadata,
    Column("assignment_id", ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Assignment(TimestampMixin, db.Model):
    """An edition's quota of events for one town-street."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("edition_id", "area_id", name="uq_assignments_edition_area"),
        CheckConstraint("target_events >= 0", name="target_events_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    #: Must be a town-street (镇/街道).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    target_events: Mapped[int] = mapped_column(Integer, default=0)
    target_attendance: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)

    edition: Mapped[Edition] = relationship(back_populates="assignments")
    area: Mapped[Area] = relationship()
    coordinators = relationship("User", secondary=assignment_coordinators, order_by="User.id")
