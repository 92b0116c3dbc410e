"""Initial schema: users, articles, tags, comments, contact messages, outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 20:36:19.917237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('new', 'read', 'archived', 'spam', name='message_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notify_attempts', sa.Integer(), nullable=False),
    sa.Column('notify_error', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_messages'))
    )
    with op.batch_alter_table('contact_messages', schema=None) as batch_op:
        batch_op.create_index('ix_contact_messages_status_created', ['status', 'created_at'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('slug', name=op.f('uq_tags_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'editor', 'moderator', name='role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('reading_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='article_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('comments_open', sa.Boolean(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('comments_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_articles_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_articles_slug'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('ix_articles_status_published_at', ['status', 'published_at'], unique=False)

    op.create_table('article_tags',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_tags_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_article_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'tag_id', name=op.f('pk_article_tags'))
    )
    with op.batch_alter_table('article_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=245), nullable=False),
    sa.Column('author_email', sa.String(length=100), nullable=False),
    sa.Column('author_url', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'spam', 'trash', name='comment_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.Column('staff_author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_comments_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_author_id'], ['users.id'], name=op.f('fk_comments_staff_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_article_status_created', ['article_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_comments_author_email_status', ['author_email', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_comments_status_created', ['status', 'created_at'], unique=False)

    op.create_table('slug_redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_slug_redirects_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slug_redirects')),
    sa.UniqueConstraint('slug', name=op.f('uq_slug_redirects_slug'))
    )
    with op.batch_alter_table('slug_redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slug_redirects_article_id'), ['article_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_addrs', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('contact_message_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_outbox_comment_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_message_id'], ['contact_messages.id'], name=op.f('fk_outbox_contact_message_id_contact_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_contact_message_id'), ['contact_message_id'], unique=False)
        batch_op.create_index('ix_outbox_sent_at_next_attempt_at', ['sent_at', 'next_attempt_at'], unique=False)

    _create_search_index()


# Full-text search over articles. SQLite: an FTS5 table over the articles' own
# columns (external content), kept in sync by triggers. PostgreSQL: a GIN index
# on the weighted document expression that blueprints/articles/search.py queries
# (the two texts must stay identical; tests/test_articles_search.py checks).
PG_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', summary), 'B') || "
    "setweight(to_tsvector('english', body), 'C')"
)

SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, summary, body, content='articles', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO articles_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
]


def _create_search_index():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_SEARCH_DDL:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            f"CREATE INDEX articles_fts_document ON articles USING gin (({PG_SEARCH_DOCUMENT}))"
        )


def _drop_search_index():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("articles_fts_au", "articles_fts_ad", "articles_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS articles_fts_document")



def downgrade():
    _drop_search_index()
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sent_at_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_contact_message_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_comment_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('slug_redirects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slug_redirects_article_id'))

    op.drop_table('slug_redirects')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_status_created')
        batch_op.drop_index(batch_op.f('ix_comments_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comments_ip'))
        batch_op.drop_index('ix_comments_author_email_status')
        batch_op.drop_index('ix_comments_article_status_created')

    op.drop_table('comments')
    with op.batch_alter_table('article_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_tags_tag_id'))

    op.drop_table('article_tags')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_status_published_at')
        batch_op.drop_index(batch_op.f('ix_articles_updated_at'))
        batch_op.drop_index(batch_op.f('ix_articles_author_id'))

    op.drop_table('articles')
    op.drop_table('users')
    op.drop_table('tags')
    with op.batch_alter_table('contact_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_messages_status_created')

    op.drop_table('contact_messages')
