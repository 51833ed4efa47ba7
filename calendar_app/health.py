"""GET /healthz: is the app up and can it reach its database."""
from __future__ import annotations

import time

from flask import Blueprint, jsonify
from sqlalchemy import text

from calendar_app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # the point of a health check is to report, not to raise
        db.session.rollback()
        return jsonify({"status": "error", "database": {"ok": False, "error": type(exc).__name__}}), 503
    return jsonify({
        "status": "ok",
        "database": {
            "ok": True,
            "dialect": db.engine.dialect.name,
            "revision": revision,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    })
