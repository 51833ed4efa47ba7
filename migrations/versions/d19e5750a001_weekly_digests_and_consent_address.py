"""weekly digests: the outbox addresses a user as well as a subscription (exactly one), kind 'digest';
users opt in or out of the weekly digest; subscriptions keep the client address of the consent

occurrences is not rebuilt, so the venue-hold triggers of 91a60076d769 are untouched (notifications is
rebuilt on SQLite; no trigger lives on it).

Revision ID: d19e5750a001
Revises: a7d3f1c9e5b2
Create Date: 2026-12-03 03:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd19e5750a001'
down_revision = 'a7d3f1c9e5b2'
branch_labels = None
depends_on = None

_ONE_RECIPIENT = ("(subscription_id IS NULL AND user_id IS NOT NULL) OR "
                  "(subscription_id IS NOT NULL AND user_id IS NULL)")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_digest', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_ip', sa.String(length=45), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.alter_column('subscription_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'),
                                         "kind IN ('confirm','reminder','change','digest')")
        batch_op.create_check_constraint(batch_op.f('ck_notifications_one_recipient'), _ONE_RECIPIENT)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_notifications_user', ['user_id', 'state'], unique=False)


def downgrade():
    op.execute("DELETE FROM notifications WHERE user_id IS NOT NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user')
        batch_op.drop_constraint(batch_op.f('fk_notifications_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_notifications_one_recipient'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), "kind IN ('confirm','reminder','change')")
        batch_op.alter_column('subscription_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('user_id')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('consent_ip')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('weekly_digest')
