"""Configuration comes from the environment; production refuses to run with an unsafe secret."""
from __future__ import annotations

import random
import string

import pytest

from config import load_config, secret_key_weakness


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


#: A key as `secrets.token_urlsafe(48)` makes them (fixed here so that the test is repeatable).
GOOD_KEY = "q3Rz0Xv8L_kpD2mW9sYt-Hf4Nc7JbGa1Ue6Po5Li3Kx0Vw2Mn8Zr4By9Ts7Qd1Cf6"


def test_production_reads_database_and_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
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
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/calendar")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_MEMORY_OK", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        load_config("production")


def test_production_cookies_are_secure_and_hsts_is_on(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/calendar")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    config = load_config("production")
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE and config.HSTS
    assert config.MAX_CONTENT_LENGTH == 8 * 1024 * 1024


@pytest.mark.parametrize("key", [" " * 32, "a" * 64, "ab" * 20, "0123456789" * 4, "changeme" * 4,
                                 "dev-insecure-secret-key"])
def test_production_refuses_a_low_entropy_secret_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config("production")


def test_keys_made_the_documented_ways_are_accepted():
    rng = random.Random(2026)  # fixed: the same 3,000 keys on every run
    hex_keys = ["".join(rng.choice("0123456789abcdef") for _ in range(32)) for _ in range(1000)]
    urlsafe = string.ascii_letters + string.digits + "-_"
    short_keys = ["".join(rng.choice(urlsafe) for _ in range(32)) for _ in range(1000)]
    long_keys = ["".join(rng.choice(urlsafe) for _ in range(64)) for _ in range(1000)]
    assert [k for k in hex_keys + short_keys + long_keys if secret_key_weakness(k)] == []


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:////srv/calendar/calendar.db"])
def test_production_refuses_sqlite_unless_explicitly_allowed(monkeypatch, url):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ALLOW_SQLITE_IN_PRODUCTION", raising=False)
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        load_config("production")


def test_a_sqlite_file_in_production_needs_the_explicit_flag_and_memory_never_passes(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    monkeypatch.setenv("RATELIMIT_MEMORY_OK", "1")  # one process: its own counters are all there is
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/calendar/calendar.db")
    assert load_config("production").SQLALCHEMY_DATABASE_URI == "sqlite:////srv/calendar/calendar.db"
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        load_config("production")
