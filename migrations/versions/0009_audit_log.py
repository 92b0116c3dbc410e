"""Staff audit log: audit_events.

One row per security-relevant staff event (sign-ins and failures, password,
session, account, role, settings and two-factor changes), written in the
transaction of what it records. See docs/architecture.md, "Audit log".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["users.id"],
            name=op.f("fk_audit_events_target_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    for name, columns in (
        ("ix_audit_events_created_at_id", ["created_at", "id"]),
        ("ix_audit_events_action", ["action"]),
        ("ix_audit_events_actor_id", ["actor_id"]),
        ("ix_audit_events_target_id", ["target_id"]),
    ):
        op.create_index(name, "audit_events", columns, unique=False)


def downgrade():
    op.drop_table("audit_events")
