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
