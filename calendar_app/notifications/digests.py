"""Weekly digests for the app's users, by email on Monday morning (and as a page, /manage/digest).

- A coordinator's digest covers their town: this week's events, held occurrences still without an
  attendance report, and quotas behind pace (reports.progress).
- A staff member's (an admin's) covers their district (everything): this week's venue clashes and
  the most and least loaded venues (reports.venue_load).

Everything is read as the user (accounts.scope.acting_as), so a digest shows what their pages show and
nothing beyond. The content is computed when the digest is planned and kept in the outbox row's
payload: every attempt at sending it sends the same message. One digest per user and ISO week
(dedupe key `digest:<user>:<YYYY-Www>`); users without an email address or who opted out get none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select
from sqlalchemy.orm import selectinload

from calendar_app import clock
from calendar_app.accounts import scope as scopes
from calendar_app.accounts.models import User
from calendar_app.db import ValidationError
from calendar_app.events import workflow
from calendar_app.events.models import Event, Occurrence
from calendar_app.extensions import db
from calendar_app.notifications.messages import local_when
from calendar_app.notifications.models import Notification
from calendar_app.notifications.planner import outbox_insert
from calendar_app.programs.models import Edition
from calendar_app.reports.periods import Period
from calendar_app.reports.progress import progress, visible_editions
from calendar_app.reports.venue_load import finding_details, venue_load

#: Items listed per section (the totals are always complete).
LISTED = 30
#: Venues named as most and as least loaded.
VENUES_LISTED = 5
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def parse(cls, raw: str) -> IsoWeek:
        """"2026-W49" (or "2026W49"); a ValidationError in Chinese otherwise."""
        match = _WEEK.fullmatch((raw or "").strip().upper())
        if match:
            try:
                date.fromisocalendar(int(match[1]), int(match[2]), 1)
                return cls(int(match[1]), int(match[2]))
            except ValueError:
                pass
        shown = "".join(ch if ch.isalnum() or ch == "-" else "?" for ch in (raw or "")[:12])
        raise ValidationError(f"周次格式应为 年-W周，如 2026-W49（这一年没有这一周或格式不对：{shown}）", "week")

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def period(self) -> Period:
        monday = date.fromisocalendar(self.year, self.week, 1)
        return Period(monday, monday + timedelta(days=6))

    def label(self) -> str:
        p = self.period
        return f"{self.year}年第{self.week}周（{p.start.month}月{p.start.day}日至{p.end.month}月{p.end.day}日）"

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The week's first and after-last instant (local midnights), in UTC."""
        p = self.period
        return (datetime.combine(p.start, time(0), tz).astimezone(timezone.utc),
                datetime.combine(p.end_exclusive, time(0), tz).astimezone(timezone.utc))


def digest_kind(user: User) -> str:
    return "coordinator" if user.role == "coordinator" else "staff"


def digest_content(user: User, week: IsoWeek, now: datetime | None = None) -> dict:
    """What `user`'s digest of `week` says, as plain JSON data (links are paths under the site)."""
    now = now or clock.now()
    tz = clock.local_zone()
    content = {"kind": digest_kind(user), "week": week.key, "week_label": week.label(), "name": user.display_name,
               "area": user.area.name, "ends_at": week.bounds(tz)[1].isoformat(),
               "links": {"dashboard": "/manage/", "digest": f"/manage/digest?week={week.key}",
                         "settings": "/account/settings"}}
    with scopes.acting_as(user) as scope:
        if content["kind"] == "coordinator":
            content.update(_coordinator_sections(week, now, tz))
        else:
            content.update(_staff_sections(scope, week, tz))
    return content


def _coordinator_sections(week: IsoWeek, now: datetime, tz: ZoneInfo) -> dict:
    lo, hi = week.bounds(tz)
    occurrences = list(db.session.scalars(
        select(Occurrence).join(Event, Event.id == Occurrence.event_id)
        .where(Occurrence.starts_at >= lo, Occurrence.starts_at < hi, Occurrence.status != "cancelled",
               Event.status != "cancelled")
        .options(selectinload(Occurrence.event), selectinload(Occurrence.venue))
        .order_by(Occurrence.starts_at, Occurrence.id)))
    events = [{"title": o.event.title, "when": local_when(o.starts_at, tz),
               "venue": o.venue.name if o.venue else None,
               "status": o.event.status_label if o.event.status != "published" else None,
               "moved": o.status == "moved", "path": f"/manage/events/{o.event_id}"} for o in occurrences[:LISTED]]
    awaiting = [{"title": o.event.title, "when": local_when(o.starts_at, tz),
                 "days": max(0, (now - o.ends_at) // timedelta(days=1)), "path": f"/manage/#occ-{o.id}"}
                for o in workflow.awaiting_attendance(limit=LISTED, now=now)]
    today = now.astimezone(tz).date()
    editions = list(db.session.scalars(visible_editions(scopes.current())
                                       .where(Edition.starts_on <= today, Edition.ends_on >= today - timedelta(days=31))
                                       .options(selectinload(Edition.program)).order_by(Edition.starts_on, Edition.id)))
    report = progress(scopes.current(), editions, area=None, now=now, tz=tz, today=today)
    behind = [{"edition": f"{r.edition.program.name} · {r.edition.name}", "town": r.town.name, "held": r.held,
               "scheduled": r.scheduled, "expected": r.expected_by(today), "target": r.target_events,
               "due": f"{r.due_on.year}年{r.due_on.month}月{r.due_on.day}日",
               "path": f"/manage/reports/progress?edition={r.edition.id}"}
              for r in report.rows if r.on_pace(today) is False]
    return {"events": events, "events_total": len(occurrences), "awaiting": awaiting,
            "awaiting_total": workflow.count_awaiting_attendance(now=now), "behind": behind}


def _staff_sections(scope: scopes.Scope, week: IsoWeek, tz: ZoneInfo) -> dict:
    period = week.period
    report = venue_load(scope, period, "day", tz=tz)
    on_week = f"period=week&date={period.start.isoformat()}"
    clash_findings = report.clashes()
    clashes = [{"venue": d["venue"], "when": _local_text_when(d["at"], tz), "title": d["title"],
                "other_title": d["other_title"], "path": f"/manage/reports/venues/{d['venue_id']}?{on_week}"}
               for d in finding_details(clash_findings[:LISTED])]

    def venue(v) -> dict:
        return {"name": v.name, "area": v.area_name, "utilization": f"{round(v.utilization * 100)}%",
                "booked": f"{v.booked_hours:.1f}", "available": f"{v.available_hours:.1f}",
                "occurrences": v.total_occurrences, "path": f"/manage/reports/venues/{v.id}?{on_week}"}

    # The report's ranking, busiest first; a small district's venues are split between the two lists
    # rather than named in both.
    ranked = report.ranked()
    top = min(VENUES_LISTED, (len(ranked) + 1) // 2)
    busiest = [v for v in ranked[:top] if v.booked_hours > 0]
    idlest = list(reversed(ranked[len(busiest):]))[:VENUES_LISTED]
    return {"clashes": clashes, "clashes_total": sum(v.total_conflicts for v in report.venues),
            "busiest": [venue(v) for v in busiest], "idlest": [venue(v) for v in idlest],
            "venues_total": len(report.venues), "venue_load_path": f"/manage/reports/venue-load?{on_week}"}


def _local_text_when(text: str, tz: ZoneInfo) -> str:
    """"2026-12-05 19:00" (local already, as findings give it) -> "12月5日（周六）19:00"."""
    return local_when(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz), tz)


@dataclass
class DigestPlan:
    queued: int = 0
    already: int = 0
    without_email: int = 0
    opted_out: int = 0


def plan_digests(week: IsoWeek | None = None, now: datetime | None = None) -> DigestPlan:
    """Queue this week's (or `week`'s) digest for every active user who wants one and has an email
    address; a user's digest of a week is queued once however often this runs. Flush only."""
    now = now or clock.now()
    week = week or IsoWeek.containing(now.astimezone(clock.local_zone()).date())
    dialect = db.session.get_bind().dialect.name
    result = DigestPlan()
    users = list(db.session.scalars(select(User).where(User.is_active_user.is_(True)).order_by(User.id)
                                    .options(selectinload(User.area)).execution_options(unscoped=True)))
    queued = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "digest", Notification.dedupe_key.like(f"digest:%:{week.key}"))))
    for user in users:
        if not user.weekly_digest:
            result.opted_out += 1
        elif not user.email:
            result.without_email += 1
        elif user.id in queued:
            result.already += 1
        else:
            row = {"dedupe_key": f"digest:{user.id}:{week.key}", "kind": "digest", "user_id": user.id,
                   "payload": digest_content(user, week, now), "state": "pending", "due_at": now, "attempts": 0,
                   "created_at": now}
            stmt = outbox_insert(dialect).values([row]).on_conflict_do_nothing(index_elements=["dedupe_key"])
            added = len(db.session.connection().execute(stmt.returning(literal(1))).all())
            result.queued += added
            result.already += 1 - added
    db.session.flush()
    return result

