"""Management pages: staff (see the package docstring)."""
from __future__ import annotations

from calendar_app.manage import bp  # noqa: F401
