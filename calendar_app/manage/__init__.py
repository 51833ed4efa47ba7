"""Pages for town-street coordinators and bureau staff under /manage (Chinese, phone-usable).

Every page needs a signed-in user; the user's scope is activated before the view runs, so every
read below is limited to their area (see `accounts.scope`). Views are thin: load, validate the form,
call one workflow operation, commit, respond.

- `views`: the dashboard
- `events`: the event form, the recurrence preview, an event's page and its actions
- `staff`: review queue, programs and editions, quotas, venues, users, audit log
- `imports`: spreadsheets and calendars in, spreadsheets out
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from calendar_app.accounts.auth import page_actor

bp = Blueprint("manage", __name__)


@bp.before_request
@login_required
def require_user():
    page_actor()


from calendar_app.manage import events, imports, posters, staff, views  # noqa: E402,F401  (routes register on the blueprint)
