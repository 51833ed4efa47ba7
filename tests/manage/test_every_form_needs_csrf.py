"""Every form that changes something (a POST under /manage, /login, /logout, /account) refuses a
request without its CSRF token, and nothing changes. The routes are read from the app itself, so a
new form is covered the day it is added."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event, Occurrence
from tests.world import PASSWORD

_PREFIXES = ("/manage", "/login", "/logout", "/account")


def _post_rules(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.rule.startswith(_PREFIXES):
            # Any id will do: CSRF is checked before the view (and before the id is looked up).
            path = re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", rule.rule)
            paths.append(re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", path))
    return sorted(set(paths))


def _counts(db) -> tuple:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Event, Occurrence, AuditLog))


def test_the_app_has_management_forms_to_check(app):
    assert {"/login", "/logout"} <= set(_post_rules(app))


def test_every_post_form_refuses_a_missing_csrf_token_and_changes_nothing(app, client, db, world, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "city_admin", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    before = _counts(db)
    refused = {}
    for path in _post_rules(app):
        response = client.post(path, data={"reason": "x", "comment": "x", "title": "x"})
        refused[path] = response.status_code
        assert "表单已过期" in response.get_data(as_text=True), path
    assert set(refused.values()) == {400}, refused
    assert _counts(db) == before
    assert client.get("/manage/").status_code == 200  # still signed in: the refusals did nothing
