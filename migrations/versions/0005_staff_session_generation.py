"""Staff sessions held server-side: users.session_generation and staff_sessions.

A staff session cookie now names a row of ``staff_sessions`` (by a random
token, stored here as its SHA-256) and carries the account's
``session_generation``. Signing out ends the row; a password change,
deactivation or "Sign out everywhere else" moves the generation and ends the
account's rows; see docs/architecture.md, "Staff sessions". Cookies signed
before this revision name no row, so everyone signs in again once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite cannot add a NOT NULL column in place on every version.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'session_generation', sa.Integer(), server_default='0', nullable=False
            )
        )

    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_staff_sessions_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash')),
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
