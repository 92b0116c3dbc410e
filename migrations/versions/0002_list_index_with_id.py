"""List pages read their ids from the index: (status, published_at, id).

Replaces ix_articles_status_published_at. With id in the index, a list page's
ids come from an index-only scan in order on PostgreSQL too (SQLite has the
rowid in every index already); see docs/articles.md, "List pages and search".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 23:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_status_published_at_id', ['status', 'published_at', 'id'], unique=False)
        batch_op.drop_index('ix_articles_status_published_at')


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_status_published_at', ['status', 'published_at'], unique=False)
        batch_op.drop_index('ix_articles_status_published_at_id')
