"""Most discussed: approved comments per article per UTC day.

The first revision of the plugin's own branch ("discussed"): it needs Folio's
articles table, hence depends_on the core revision that was current when it
was written. `flask db downgrade discussed@base` drops the table again.

Revision ID: discussed_0001
Revises:
Create Date: 2026-12-06 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "discussed_0001"
down_revision = None
branch_labels = ("discussed",)
depends_on = "0016"


def upgrade():
    op.create_table(
        "discussed_activity",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_discussed_activity_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "day", name=op.f("pk_discussed_activity")
        ),
    )
    with op.batch_alter_table("discussed_activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussed_activity_day", ["day", "article_id", "comments"], unique=False
        )


def downgrade():
    with op.batch_alter_table("discussed_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_discussed_activity_day")
    op.drop_table("discussed_activity")
