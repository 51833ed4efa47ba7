"""Configuration comes from the environment; production refuses to run with an unsafe secret."""
from __future__ import annotations

import pytest

from config import load_config


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config("production")


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    with pytest.raises(RuntimeError, match="32"):
        load_config("production")


def test_production_reads_database_and_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/calendar")
    monkeypatch.setenv("CALENDAR_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("FEED_WINDOW_DAYS_BACK", "45")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    config = load_config("production")
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://user@db/calendar"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.FEED_WINDOW_DAYS_BACK == 45


def test_a_malformed_number_in_the_environment_stops_start_up(monkeypatch):
    monkeypatch.setenv("OCCURRENCE_HORIZON_MONTHS", "eighteen")
    with pytest.raises(RuntimeError, match="OCCURRENCE_HORIZON_MONTHS"):
        load_config("development")


def test_development_defaults_to_embedded_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config("development").SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")


def test_production_refuses_per_worker_rate_limit_counters(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/calendar")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_MEMORY_OK", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        load_config("production")


def test_production_cookies_are_secure_and_hsts_is_on(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/calendar")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    config = load_config("production")
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE and config.HSTS
    assert config.MAX_CONTENT_LENGTH == 8 * 1024 * 1024
