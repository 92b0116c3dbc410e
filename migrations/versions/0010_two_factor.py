"""Two-factor sign-in: users.totp_*, recovery_codes, trusted_devices, staff_sessions.ip.

users.totp_secret holds the account's TOTP secret encrypted with a key derived
from SECRET_KEY, totp_enabled_at says two-factor sign-in is on, and
totp_last_step is the time step of the last accepted code (replays refused).
recovery_codes keeps the SHA-256 of each single-use code; trusted_devices the
SHA-256 of each remembered browser's token. staff_sessions.ip is the client
address a session signed in from. See docs/architecture.md, "Two-factor sign-in".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite cannot add a NOT NULL column in place on every version.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=255)))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True)))
        batch_op.add_column(
            sa.Column(
                "totp_last_step", sa.BigInteger(), server_default="0", nullable=False
            )
        )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ip", sa.String(length=45), server_default="", nullable=False)
        )

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False
    )
    op.create_table(
        "trusted_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_trusted_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_trusted_devices_token_hash")),
    )
    op.create_index(
        op.f("ix_trusted_devices_user_id"), "trusted_devices", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_trusted_devices_user_id"), table_name="trusted_devices")
    op.drop_table("trusted_devices")
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("ip")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
