"""programs, editions, events: poster_key, the content-addressed name of an uploaded poster image

Plain ADD COLUMNs (no table rebuild on SQLite, so the venue-hold triggers of 91a60076d769 are
untouched). The image files themselves live under MEDIA_ROOT, not in the database.

Revision ID: e3c1d5a7b9f2
Revises: b7e4c2a91f3d
Create Date: 2026-12-03 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3c1d5a7b9f2'
down_revision = 'b7e4c2a91f3d'
branch_labels = None
depends_on = None

TABLES = ('programs', 'editions', 'events')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('poster_key', sa.String(length=64), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, 'poster_key')
