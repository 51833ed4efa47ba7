"""The schema comes from migrations only, has one head, and matches the models."""
from __future__ import annotations

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from calendar_app import ROOT, create_app
from config import TestingConfig


def test_alembic_has_a_single_head():
    config = AlembicConfig(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_migrations_build_every_table_of_the_models(app, db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_flask_db_check_finds_no_drift_between_models_and_migrations(app, db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_downgrade_to_empty_and_upgrade_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    app = create_app(config)
    with app.app_context():
        from calendar_app.extensions import db

        upgrade()
        assert "occurrences" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "occurrences" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_rebuilding_the_occurrences_table_on_sqlite_keeps_the_rows_that_refer_to_it(tmp_path):
    """Dropping occurrences.area_id's foreign key rebuilds the table on SQLite (2b8e0c4f6a1d). With
    foreign keys on, dropping the old table would have deleted the notifications about its rows (ON
    DELETE CASCADE) and emptied the change entries' occurrence (SET NULL): migrations run with them off,
    and every connection has them on again afterwards."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'rebuild.db'}"
    app = create_app(config)
    with app.app_context():
        from calendar_app.extensions import db

        upgrade(revision="d19e5750a001")
        with db.engine.begin() as conn:
            for sql in (
                "INSERT INTO areas (id, kind, code, name, path) VALUES (1, 'district', 'lz', '临淄区', '/1/')",
                "INSERT INTO events (id, uid, sequence, title, area_id, starts_local, ends_local, timezone, "
                "is_all_day, status, category, is_free, rdates, exdates, created_at, updated_at, revised_at) "
                "VALUES (1, 'u1@test', 0, '村晚', 1, '2026-12-12 19:00:00', '2026-12-12 21:00:00', 'Asia/Shanghai', "
                "0, 'published', 'performance', 1, '[]', '[]', '2026-12-01', '2026-12-01', '2026-12-01')",
                "INSERT INTO occurrences (id, event_id, original_starts_at, starts_at, ends_at, status, is_detached, "
                "area_id, is_public, holds_venue) VALUES (7, 1, '2026-12-12 11:00:00', '2026-12-12 11:00:00', "
                "'2026-12-12 13:00:00', 'scheduled', 0, 1, 1, 0)",
                "INSERT INTO event_changes (event_id, occurrence_id, kind, reason, at) "
                "VALUES (1, 7, 'cancelled', '天气', '2026-12-01')",
            ):
                conn.execute(text(sql))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT occurrence_id FROM event_changes")).scalar() == 7
            assert conn.execute(text("SELECT count(*) FROM occurrences")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
            assert {"tr_occurrences_hold_insert", "tr_occurrences_hold_update"} <= names
        db.engine.dispose()
