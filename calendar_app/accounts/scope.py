"""What a signed-in user may see and change: the one place that decides it.

A user acts on the subtree of the area tree below their own area (an admin on everything). Reads
are limited centrally: once a management request activates a user's scope, every ORM SELECT of
events, occurrences, assignments, users, API tokens and venues in that session carries the scope as
loader criteria (SQLAlchemy's `do_orm_execute` + `with_loader_criteria`), so lists, lookups by id
(`session.get`) and relationship loads all stop at the boundary, and a guessed id is simply absent.
Venues are visible in the subtree and in the areas above it (a district's museum serves its towns).

Writes check the areas an object is moved *to* with `require_area` / `require_venue` / `require_edition`,
which raise `ScopeError` (HTTP 403) with a Chinese message.

Queries that must see beyond the scope (a venue clash with another town's booking, which feeds a
change touches) run with `execution_options(unscoped=True)` or inside `unscoped()`.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from calendar_app.areas.models import Area
from calendar_app.extensions import db

_INFO_KEY = "accounts.scope"
_SUSPENDED = "accounts.scope_suspended"
_installed = False


class ScopeError(Exception):
    """The user may not act there (HTTP 403); the message says why, in Chinese."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Scope:
    """A user's reach: the area subtree at `path` (None: everything, for admins)."""

    user_id: int
    role: str
    area_id: int
    path: str | None

    @classmethod
    def of(cls, user) -> Scope:
        return cls(user.id, user.role, user.area_id, None if user.role == "admin" else user.area.path)

    @property
    def is_everything(self) -> bool:
        return self.path is None

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in (self.path or "").strip("/").split("/") if p]

    def contains(self, area: Area | None) -> bool:
        """Whether `area` lies in the subtree (the user's own area included)."""
        if area is None:
            return False
        return self.path is None or area.path.startswith(self.path)

    def reaches_venue_area(self, area: Area | None) -> bool:
        """Venues of the subtree and of the areas above it may be booked."""
        return self.contains(area) or (area is not None and area.id in self.ancestor_ids)

    def area_ids(self):
        """A select of the ids of every area in the subtree."""
        return select(Area.id).where(Area.path.startswith(self.path, autoescape=True))

    def criteria(self) -> list:
        from calendar_app.accounts.models import ApiToken, User
        from calendar_app.events.models import Event, EventChange, Occurrence
        from calendar_app.programs.models import Assignment
        from calendar_app.venues.models import Venue

        if self.path is None:
            return []
        ids = self.area_ids()
        users_in_scope = select(User.id).where(User.area_id.in_(ids))
        return [
            with_loader_criteria(Event, Event.area_id.in_(ids), include_aliases=True),
            with_loader_criteria(Occurrence, Occurrence.area_id.in_(ids), include_aliases=True),
            with_loader_criteria(EventChange, EventChange.event_id.in_(select(Event.id).where(Event.area_id.in_(ids))),
                                 include_aliases=True),
            with_loader_criteria(Assignment, Assignment.area_id.in_(ids), include_aliases=True),
            with_loader_criteria(User, User.area_id.in_(ids), include_aliases=True),
            with_loader_criteria(ApiToken, ApiToken.user_id.in_(users_in_scope), include_aliases=True),
            with_loader_criteria(Venue, or_(Venue.area_id.in_(ids), Venue.area_id.in_(self.ancestor_ids or [-1])),
                                 include_aliases=True),
        ]

    # --- write checks ----------------------------------------------------------------------------

    def require_area(self, area: Area | None, field: str = "area") -> Area:
        if area is None or not self.contains(area):
            raise ScopeError("所选区域不在您的管辖范围内", field)
        return area

    def require_venue(self, venue, field: str = "venue") -> None:
        if venue is None or not self.reaches_venue_area(venue.area):
            raise ScopeError("所选场馆不在您的管辖范围内", field)

    def require_staff(self) -> None:
        if self.role not in ("admin", "staff"):
            raise ScopeError("只有文旅局工作人员可以进行此操作")

    def require_admin(self) -> None:
        if self.role != "admin":
            raise ScopeError("只有管理员可以进行此操作")


def activate(user) -> Scope:
    """Limit every later ORM read in this session to `user`'s scope; returns the scope."""
    install()
    scope = Scope.of(user)
    db.session.info[_INFO_KEY] = scope
    return scope


def deactivate() -> None:
    db.session.info.pop(_INFO_KEY, None)


def current() -> Scope | None:
    return db.session.info.get(_INFO_KEY)


@contextmanager
def acting_as(user):
    """Read as `user` inside (work done for them outside a request, e.g. their weekly digest); the
    scope active before, if any, is back afterwards."""
    before = current()
    scope = activate(user)
    try:
        yield scope
    finally:
        if before is None:
            deactivate()
        else:
            db.session.info[_INFO_KEY] = before


@contextmanager
def unscoped(session: Session | None = None):
    """Run the enclosed reads beyond the active scope (system bookkeeping, not shown to the user)."""
    info = (session or db.session).info
    before = info.get(_SUSPENDED, 0)
    info[_SUSPENDED] = before + 1
    try:
        yield
    finally:
        info[_SUSPENDED] = before


def get(model, ident):
    """A row by id as the active scope sees it: None when it is outside (or missing).

    Always asks the database, so an object that an earlier, unscoped read left in the session's
    identity map is not handed out past the scope.
    """
    return db.session.get(model, ident, populate_existing=True)


def install() -> None:
    global _installed
    if _installed:
        return
    sa_event.listen(Session, "do_orm_execute", _limit_reads)
    _installed = True


def _limit_reads(state: ORMExecuteState) -> None:
    scope: Scope | None = state.session.info.get(_INFO_KEY)
    if scope is None or scope.is_everything or not state.is_select:
        return
    if state.session.info.get(_SUSPENDED) or state.execution_options.get("unscoped"):
        return
    state.statement = state.statement.options(*scope.criteria())
