"""Fixtures for the event services: the zone the server process runs in."""
from __future__ import annotations

import time

import pytest


def _server_zone(monkeypatch, name: str):
    monkeypatch.setenv("TZ", name)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def server_in_beijing(monkeypatch):
    """The process runs with TZ=Asia/Shanghai, as a server in China may."""
    yield from _server_zone(monkeypatch, "Asia/Shanghai")


@pytest.fixture
def server_in_london(monkeypatch):
    """The process runs with TZ=Europe/London: UTC in winter, an hour ahead in summer."""
    yield from _server_zone(monkeypatch, "Europe/London")


@pytest.fixture
def server_far_west(monkeypatch):
    """The process runs 12 hours behind UTC (the westernmost zone there is)."""
    yield from _server_zone(monkeypatch, "Etc/GMT+12")
