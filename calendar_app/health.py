"""GET /healthz: is the app up and can it reach its database.

Anyone (a load balancer, an uptime probe) gets the bare answer: 200 `{"status": "ok"}` or 503
`{"status": "error"}`. The details (database dialect, schema revision, latency, the error's type) tell
an attacker what runs here and how loaded it is, so they are given only with
`Authorization: Bearer <HEALTHZ_TOKEN>`. Not "to loopback": behind the reverse proxy that production
requires, every request arrives from loopback.
"""
from __future__ import annotations

import hmac
import time

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from calendar_app.extensions import db

bp = Blueprint("health", __name__)


def _may_see_details() -> bool:
    token = current_app.config.get("HEALTHZ_TOKEN")
    if not token:
        return False
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@bp.get("/healthz")
def healthz():
    started = time.perf_counter()
    details = _may_see_details()
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # the point of a health check is to report, not to raise
        db.session.rollback()
        body = {"status": "error"}
        if details:
            body["database"] = {"ok": False, "error": type(exc).__name__}
        return _uncached(jsonify(body)), 503
    body = {"status": "ok"}
    if details:
        body["database"] = {
            "ok": True,
            "dialect": db.engine.dialect.name,
            "revision": revision,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }
    return _uncached(jsonify(body))


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"  # a cached "ok" would hide an outage
    return response
