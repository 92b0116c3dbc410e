"""Site-wide counters the page cache keys list pages on.

``comment_counts`` moves whenever any article's approved comments change, so a
cached list page (which shows each card's comment count) knows to render
again without summing the counts of its own cards; see docs/architecture.md,
"The anonymous page cache". The row is created here: the app only ever
increments it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table(
        'site_counters',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_site_counters')),
    )
    op.bulk_insert(counters, [{'name': 'comment_counts', 'value': 0}])


def downgrade():
    op.drop_table('site_counters')
