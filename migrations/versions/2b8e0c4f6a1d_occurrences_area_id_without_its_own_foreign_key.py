"""occurrences.area_id without a foreign key of its own: it copies the event's area, which the event's key guards

A booking wrote one row per occurrence and PostgreSQL checked the area key for each (52 checks for a
year of weekly evenings); on an areas table of a few pages it plans that check as a sequential scan, so
each check read the whole table: 1.4 ms of a booking's 9 ms INSERT. The event's own key (RESTRICT)
already refuses an unknown area and keeps a used area from being deleted, and the services copy the
event's area into every occurrence.

SQLite drops a foreign key by rebuilding the table (batch mode), with foreign keys off for the run
(migrations/env.py), so that dropping the old table does not cascade to the rows that refer to
occurrences; the rebuild also drops the venue-hold triggers, which are created again here.

Revision ID: 2b8e0c4f6a1d
Revises: d19e5750a001
Create Date: 2026-12-03 14:15:00.000000

"""
from alembic import context, op


# revision identifiers, used by Alembic.
revision = '2b8e0c4f6a1d'
down_revision = 'd19e5750a001'
branch_labels = None
depends_on = None


def _recreate_hold_triggers():
    if op.get_bind().dialect.name == 'sqlite':
        context.script.get_revision('91a60076d769').module.create_sqlite_hold_triggers()


def upgrade():
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_constraint('fk_occurrences_area_id_areas', type_='foreignkey')
    _recreate_hold_triggers()


def downgrade():
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_occurrences_area_id_areas', 'areas', ['area_id'], ['id'], ondelete='RESTRICT')
    _recreate_hold_triggers()
