"""job runs: the last successful run of each periodic job

A restarted scheduler compares each job's due times with this record and runs what it missed.

Revision ID: cfa6e1a8e123
Revises: 91a60076d769
Create Date: 2026-12-01 20:52:25.422062

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cfa6e1a8e123'
down_revision = '91a60076d769'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('job_id', sa.String(length=200), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_runs'))
    )


def downgrade():
    op.drop_table('job_runs')
