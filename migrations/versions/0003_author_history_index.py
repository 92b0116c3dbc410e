"""A comment post's author check reads only this author's rows on this article.

Replaces ix_comments_author_email_status with (author_email, status,
article_id): the same prefix, so every lookup by address and status still uses
it, and the duplicate check of a new comment (same address, same article, any
status but trash) seeks straight to that author's comments on that article
instead of reading every comment the address ever wrote; see
docs/architecture.md, "Writes on SQLite".

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 02:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_author_email_status_article', ['author_email', 'status', 'article_id'], unique=False)
        batch_op.drop_index('ix_comments_author_email_status')


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_author_email_status', ['author_email', 'status'], unique=False)
        batch_op.drop_index('ix_comments_author_email_status_article')
