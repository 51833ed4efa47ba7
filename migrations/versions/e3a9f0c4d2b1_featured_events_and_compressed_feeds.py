"""events.is_featured, editions.is_featured (home-page highlights); feed_documents.body_gzip/body_br

Staff mark an event or a whole edition as featured; the public home page shows those first. The feed
store keeps each feed's gzip and Brotli bytes beside the plain ones, so a request does no compression.
Plain ADD COLUMNs (with a server default for the booleans): no rebuild of `occurrences`, so the
venue-hold triggers of 91a60076d769 are untouched.

Revision ID: e3a9f0c4d2b1
Revises: 6437eca20828
Create Date: 2026-12-03 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9f0c4d2b1'
down_revision = '6437eca20828'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('is_featured', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_events_featured', 'events', ['is_featured'], unique=False)
    op.add_column('editions', sa.Column('is_featured', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('feed_documents', sa.Column('body_gzip', sa.LargeBinary(), nullable=True))
    op.add_column('feed_documents', sa.Column('body_br', sa.LargeBinary(), nullable=True))


def downgrade():
    # Plain DROP COLUMNs (SQLite 3.35+ has them): a batch rebuild of `events` would cascade to occurrences.
    op.drop_column('feed_documents', 'body_br')
    op.drop_column('feed_documents', 'body_gzip')
    op.drop_column('editions', 'is_featured')
    op.drop_index('ix_events_featured', table_name='events')
    op.drop_column('events', 'is_featured')
