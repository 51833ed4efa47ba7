"""ix_occurrences_venue_window covers venue load: status and event_id (and id on PostgreSQL) ride along

Venue load reads every occurrence of a year at its venues; with these columns in the index the
database answers from the index alone (PostgreSQL: an index-only scan), so the rows of other years
are never touched and the cost follows the window, not the history.

Revision ID: a7d3f1c9e5b2
Revises: e3a9f0c4d2b1
Create Date: 2026-12-03 04:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3f1c9e5b2'
down_revision = 'e3a9f0c4d2b1'
branch_labels = None
depends_on = None


def upgrade():
    # Plain DROP/CREATE INDEX (no batch mode): the occurrences table and its hold triggers stay as they are.
    op.drop_index('ix_occurrences_venue_window', table_name='occurrences')
    op.create_index('ix_occurrences_venue_window', 'occurrences',
                    ['venue_id', 'starts_at', 'ends_at', 'status', 'event_id'], unique=False,
                    postgresql_include=['id'])


def downgrade():
    op.drop_index('ix_occurrences_venue_window', table_name='occurrences')
    op.create_index('ix_occurrences_venue_window', 'occurrences', ['venue_id', 'starts_at', 'ends_at'], unique=False)
