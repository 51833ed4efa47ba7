"""One row per periodic job: when its last successful run started."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from calendar_app.db import UTCDateTime
from calendar_app.extensions import db


class JobRun(db.Model):
    """The last successful run of one periodic job (calendar_app.scheduler.JOBS).

    Written in the same transaction as the job's work, so a run that failed or was killed midway left
    no record: on its next start the scheduler finds the job overdue and runs it.
    """

    __tablename__ = "job_runs"

    #: The job's id: the dotted path of its function, e.g. "calendar_app.feeds.jobs.render_all_feeds".
    job_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: When that run started (UTC).
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
