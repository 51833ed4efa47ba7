"""Management pages: the dashboard, and this week's digest as a page (the same content as the email).

A coordinator sees their town: quotas with progress, the next two weeks, held occurrences still waiting
for 人次 (the longest overdue first, each with its own small form), drafts and returned events. Staff
see the same over their district, with the way to the review queue.
"""
from __future__ import annotations

from datetime import timedelta

from flask import g, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from calendar_app import clock
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.manage import bp
from calendar_app.manage.forms import AttendanceForm
from calendar_app.notifications.digests import IsoWeek, digest_content
from calendar_app.programs.models import Assignment, Edition

#: The dashboard's "upcoming" reaches this far.
UPCOMING_DAYS = 14
UPCOMING_LIMIT = 60


@bp.get("/")
def dashboard():
    return dashboard_page()


def dashboard_page(bound: dict | None = None, status: int = 200):
    """The dashboard; `bound` holds an attendance form that was refused, by occurrence id, to show its error."""
    actor = g.actor
    now, today = clock.now(), clock.today()
    query = (select(Assignment).join(Edition, Edition.id == Assignment.edition_id)
             .where(Edition.ends_on >= today - timedelta(days=31))
             .options(selectinload(Assignment.edition).selectinload(Edition.program), selectinload(Assignment.area))
             .order_by(Edition.ends_on, Assignment.area_id))
    if actor.role == "coordinator":
        query = query.where(Assignment.area_id == actor.area_id)
    quotas = workflow.quota_progress(list(db.session.scalars(query)))

    upcoming = list(db.session.scalars(
        select(Occurrence).join(Event, Event.id == Occurrence.event_id)
        .where(Occurrence.starts_at >= now, Occurrence.starts_at < now + timedelta(days=UPCOMING_DAYS),
               Event.status != "cancelled")
        .options(selectinload(Occurrence.event), selectinload(Occurrence.venue))
        .order_by(Occurrence.starts_at).limit(UPCOMING_LIMIT + 1)))
    awaiting = workflow.awaiting_attendance(limit=30)
    bound = bound or {}
    forms = {o.id: bound.get(o.id) or AttendanceForm(prefix=f"a{o.id}", formdata=None) for o in awaiting}

    drafts = list(db.session.scalars(
        select(Event).where(Event.status == "draft")
        .options(selectinload(Event.venue))
        .order_by(Event.review_comment.is_(None), Event.updated_at.desc()).limit(30)))
    submitted = db.session.scalar(select(func.count()).select_from(Event).where(Event.status == "submitted"))
    return render_template(
        "manage/dashboard.html", user=actor, quotas=quotas, upcoming=upcoming[:UPCOMING_LIMIT],
        more_upcoming=len(upcoming) > UPCOMING_LIMIT, awaiting=awaiting, forms=forms, drafts=drafts,
        submitted=submitted, now=now, today=today, upcoming_days=UPCOMING_DAYS), status


@bp.get("/digest")
def digest():
    """The signed-in user's weekly digest of this week (or ?week=2026-W49), as it would be emailed now."""
    actor = g.actor
    this_week = IsoWeek.containing(clock.today())
    try:
        week = IsoWeek.parse(request.args["week"]) if request.args.get("week") else this_week
    except ValidationError as exc:
        return render_template("manage/digest.html", user=actor, error=exc.message), 400
    monday = week.period.start
    # The partial the email includes reads the content's keys as variables: the page passes them the same way.
    return render_template("manage/digest.html", **digest_content(actor, week), base="", user=actor, error=None,
                           shown_week=week, this_week=this_week,
                           previous_week=IsoWeek.containing(monday - timedelta(days=7)),
                           next_week=IsoWeek.containing(monday + timedelta(days=7)))
