"""Test fixtures: one app per session on a freshly migrated database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), a clean database for each test, and the demo year for read-only tests."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher
from flask import g
from sqlalchemy import text

import calendar_app.accounts.models as account_models

from calendar_app import create_app
from calendar_app.extensions import db as _db
from config import TestingConfig
from tests.world import world  # noqa: F401  (a two-district world with a user of every role, for any test)


# Production hashes cost 64 MiB and tens of milliseconds each (the point of argon2id); hundreds of test
# users would make that the suite's main work. Hashing and checking are still real argon2id.
account_models._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


if os.environ.get("MUTATION_RUN"):
    # scripts/mutation: the same examples for every mutant, so that kill rates are reproducible; no
    # deadline and no speed health check, since mutmut's trampolines make every call slower and a mutant
    # must be killed by a wrong result, not by the time the instrumented code takes.
    from hypothesis import HealthCheck as _HealthCheck, settings as _hypothesis_settings

    _hypothesis_settings.register_profile("mutation", derandomize=True, database=None, deadline=None,
                                          suppress_health_check=[_HealthCheck.too_slow])
    _hypothesis_settings.load_profile("mutation")

    def pytest_collection_modifyitems(items):
        """Fixed examples first, Hypothesis properties (and the *_properties.py files) last: mutmut stops at
        the first failure (-x), so a mutant that a fixed example catches skips seconds of generated examples."""
        def is_property(item) -> bool:
            return (item.path.name.endswith("_properties.py")
                    or bool(getattr(getattr(item, "function", None), "is_hypothesis_test", False)))

        items.sort(key=is_property)


@pytest.fixture(scope="session", autouse=True)
def _cold_caches():
    """Each test session starts with the application's memo caches (lru_cache) empty.

    A session must compute what it checks: one started in a process that ran tests before (as mutmut
    does, forking each mutant's run from a process that ran the suite once) would otherwise be served
    results that earlier code computed.
    """
    import functools
    import gc

    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith("calendar_app"):
            obj.cache_clear()


def _reset_schema(app) -> None:
    """Drop everything and rebuild the schema through the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    config = TestingConfig()
    config.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))  # uploaded posters of this session only
    config.SQLALCHEMY_DATABASE_URI = TestingConfig().SQLALCHEMY_DATABASE_URI if database_url == "sqlite://" else database_url
    if config.SQLALCHEMY_DATABASE_URI.startswith("postgresql://"):
        config.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://" + config.SQLALCHEMY_DATABASE_URI[len("postgresql://"):]
    app = create_app(config)
    _reset_schema(app)

    def forget_previous_requests_user():
        # Tests run their requests inside one app context (the `db` fixture's), so `g` outlives a
        # request there, unlike in production; Flask-Login caches the signed-in user on `g`.
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_previous_requests_user)
    return app


def _truncate() -> None:
    _db.session.rollback()
    engine = _db.engine
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # Areas reference their parent: no table order deletes a tree, so the foreign keys are
            # checked at commit, when every row is gone (PRAGMA foreign_keys cannot change inside a
            # transaction, and the app begins every SQLite transaction itself).
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def db(app):
    """An app context over an empty database; everything the test wrote is removed afterwards."""
    from calendar_app.extensions import limiter

    limiter.reset()  # rate-limit counters belong to one test, not the session
    with app.app_context():
        yield _db
        _truncate()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


#: A fixed "now" for the demo year: mid-November of 2026, inside several editions.
DEMO_NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)


def _load_demo_year(app) -> None:
    from calendar_app.demo.load import load_demo

    snapshot = os.environ.get("MUTATION_DEMO_SNAPSHOT")
    if not snapshot or _db.engine.dialect.name != "sqlite":
        load_demo(2026, now=DEMO_NOW)
        _db.session.commit()
        return
    # scripts/mutation, for a group whose modules the loader never calls: the demo year is loaded once (by
    # the first session, which runs the unmutated code) and each later session copies in the same rows and
    # poster files instead of loading it again, which takes seconds per module (drawing the posters).
    import shutil
    import sqlite3
    from contextlib import closing
    from pathlib import Path

    def copy(source: str, target: str) -> None:
        # Through SQLite's backup, on connections of their own: the pool's are closed first (dispose), so
        # that none keeps state from before the copy.
        _db.session.remove()
        _db.engine.dispose()
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)

    database, media = _db.engine.url.database, app.config["MEDIA_ROOT"]
    if Path(snapshot).exists():
        copy(snapshot, database)
        shutil.copytree(snapshot + ".media", media, dirs_exist_ok=True)
        return
    load_demo(2026, now=DEMO_NOW)
    _db.session.commit()
    mine = f"{snapshot}.{os.getpid()}"  # two sessions may make it at once (MUTATION_JOBS=2)
    shutil.copytree(media, mine + ".media")
    copy(database, mine)
    try:
        os.replace(mine + ".media", snapshot + ".media")
    except OSError:  # the other session's files are already there, and the same
        shutil.rmtree(mine + ".media")
    os.replace(mine, snapshot)  # last: the database file says the snapshot is complete


@pytest.fixture(scope="module")
def demo(app):
    """The demo year loaded once for a module of read-only tests (removed at the module's end)."""
    with app.app_context():
        _load_demo_year(app)
        yield _db
        _truncate()
        _db.session.remove()


@pytest.fixture
def demo_client(app, demo):
    return app.test_client()


@pytest.fixture
def csrf_on(app):
    """CSRF checks on, as in every real deployment (the testing config turns them off for brevity)."""
    previous = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = previous
