from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from calendar_app.db import TimestampMixin
from calendar_app.extensions import db


class OfficialDay(TimestampMixin, db.Model):
    """A statutory day off or a 调休 make-up working day, as announced by the State Council.

    Loaded from the chinesecalendar package; staff add the next year's days when the notice comes out.
    A year with no rows is a year we know nothing about, and the system says so.
    """

    __tablename__ = "official_days"
    __table_args__ = (CheckConstraint("kind IN ('holiday','workday')", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: "holiday" = statutory day off; "workday" = make-up working day on a weekend (调休上班).
    kind: Mapped[str] = mapped_column(String(16))
    #: Holiday it belongs to, e.g. 春节, 国庆节.
    name: Mapped[str] = mapped_column(String(64))
    #: "chinesecalendar" or "staff".
    source: Mapped[str] = mapped_column(String(32), default="staff")
