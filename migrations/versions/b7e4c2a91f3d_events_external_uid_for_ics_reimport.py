"""events.external_uid: the UID of an imported VEVENT, so a re-import updates instead of duplicating

Unique per edition (an external calendar is imported into an edition). A plain ADD COLUMN and a
unique index: no table rebuild on SQLite, so the venue-hold triggers of 91a60076d769 are untouched.

Revision ID: b7e4c2a91f3d
Revises: cfa6e1a8e123
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c2a91f3d'
down_revision = 'cfa6e1a8e123'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('external_uid', sa.String(length=255), nullable=True))
    op.create_index('ix_events_edition_external_uid', 'events', ['edition_id', 'external_uid'], unique=True)


def downgrade():
    op.drop_index('ix_events_edition_external_uid', table_name='events')
    op.drop_column('events', 'external_uid')
