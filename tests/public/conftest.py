"""Fixtures for the public pages: the demo year seen at DEMO_NOW."""
from __future__ import annotations

import pytest

from tests.conftest import DEMO_NOW


@pytest.fixture
def at_demo_now(app, monkeypatch) -> None:
    """Pin the pages' clock to DEMO_NOW (a Saturday in the demo year), and restore its previous value afterwards."""
    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)


@pytest.fixture
def site(demo_client, at_demo_now):
    """A test client over the demo year at DEMO_NOW."""
    return demo_client
