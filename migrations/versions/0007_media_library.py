"""The media library: media, media_uses and articles.cover_id.

``media`` holds one row per uploaded image (its files are named by the
upload's SHA-256, unique here); ``media_uses`` records which articles show
which images, in their body or as their cover, so an image in use cannot be
deleted (``articles.cover_id`` is RESTRICT for the same reason).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 07:17:58

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("alt", sa.String(length=500), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("stored_bytes", sa.Integer(), nullable=False),
        sa.Column("variants", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "processing",
                "ready",
                "failed",
                name="media_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_media_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_sha256")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_created_at_id", ["created_at", "id"], unique=False
        )

    op.create_table(
        "media_uses",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_media_uses_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_uses_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", "article_id", name=op.f("pk_media_uses")),
    )
    with op.batch_alter_table("media_uses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_uses_article_id"), ["article_id"], unique=False
        )

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_articles_cover_id"), ["cover_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_cover_id_media"),
            "media",
            ["cover_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    _restore_search_triggers()


# On SQLite the batch above copies the articles table, and the copy loses
# the triggers that keep the full-text index in step (migration 0001 made
# them; the text here is the same). The index's rows are rebuilt too.
SQLITE_SEARCH_TRIGGERS = [
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body ON articles "
    "BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO articles_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
]


def _restore_search_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in SQLITE_SEARCH_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_cover_id_media"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_articles_cover_id"))
        batch_op.drop_column("cover_id")
    _restore_search_triggers()

    with op.batch_alter_table("media_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_uses_article_id"))

    op.drop_table("media_uses")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("ix_media_created_at_id")

    op.drop_table("media")
