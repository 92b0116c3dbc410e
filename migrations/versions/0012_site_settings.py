"""Site settings edited in the browser: site_settings, and the settings counter.

One row per setting an admin changed (its JSON value); the ``settings`` row of
site_counters moves with every change, so each process re-reads them only
then. See docs/architecture.md, "Site settings".

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_site_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )
    counters = sa.table("site_counters", sa.column("name"), sa.column("value"))
    op.bulk_insert(counters, [{"name": "settings", "value": 0}])


def downgrade():
    op.execute("DELETE FROM site_counters WHERE name = 'settings'")
    op.drop_table("site_settings")
