"""gizmo: its first table.

Revision ID: gizmo_0001
Revises:
Create Date: 2026-12-10 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "gizmo_0001"
down_revision = None
branch_labels = ("gizmo",)
depends_on = "0016"


def upgrade():
    op.create_table(
        "gizmo_things",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gizmo_things")),
    )


def downgrade():
    op.drop_table("gizmo_things")
