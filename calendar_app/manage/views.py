"""Management pages."""
from __future__ import annotations

from flask import g, render_template

from calendar_app.manage import bp


@bp.get("/")
def dashboard():
    return render_template("manage/dashboard.html", user=g.actor)
