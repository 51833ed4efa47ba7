"""Reading and writing the record of job runs (flush only: the job's runner commits)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from calendar_app.extensions import db
from calendar_app.jobs.models import JobRun


def record_run(job_id: str, started_at: datetime) -> None:
    """Note that `job_id` ran successfully, starting at `started_at`."""
    run = db.session.get(JobRun, job_id)
    if run is None:
        db.session.add(JobRun(job_id=job_id, last_run_at=started_at))
    else:
        run.last_run_at = started_at
    db.session.flush()


def last_runs() -> dict[str, datetime]:
    """When each job last ran successfully; jobs that never did are absent."""
    return {job_id: at for job_id, at in db.session.execute(select(JobRun.job_id, JobRun.last_run_at))}
