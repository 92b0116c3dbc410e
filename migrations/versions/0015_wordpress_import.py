"""Moving in from WordPress: body formats, featured articles, pingbacks,
redirects, the map of imported ids and the staff area's import runs.

An imported body is HTML (``articles.body_format``), sanitized like rendered
Markdown; sticky posts become ``featured``; pingbacks and trackbacks keep
their kind (``comments.kind``). ``redirects`` answers old addresses with a
301; ``imported_ids`` makes an import idempotent and resumable;
``import_runs`` holds an import started from the browser. See
docs/importing.md.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 13:15:00

"""

import sqlalchemy as sa
from alembic import op

import models


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imported_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_ids")),
        sa.UniqueConstraint("source", "kind", "source_id", name="source_kind_id"),
    )
    op.create_table(
        "redirects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirects")),
        sa.UniqueConstraint("path", name=op.f("uq_redirects_path")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="import_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done_items", sa.Integer(), nullable=False),
        sa.Column("total_items", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_import_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "body_format",
                sa.Enum(
                    "markdown",
                    "html",
                    name="body_format",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="markdown",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "featured", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    op.create_index(
        "ix_articles_featured",
        "articles",
        ["kind", "status", "published_at", "id"],
        unique=False,
        sqlite_where=sa.text("featured = 1"),
        postgresql_where=sa.text("featured"),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "comment",
                    "pingback",
                    "trackback",
                    name="comment_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="comment",
                nullable=False,
            )
        )
    _restore_search_triggers()


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_comments_comment_kind"), type_="check")
        batch_op.drop_column("kind")

    op.drop_index("ix_articles_featured", table_name="articles")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("featured")
        batch_op.drop_constraint(op.f("ck_articles_body_format"), type_="check")
        batch_op.drop_column("body_format")
    _restore_search_triggers()

    op.drop_table("import_runs")
    op.drop_table("redirects")
    op.drop_table("imported_ids")


# On SQLite the batch above copies the articles table, and the copy loses
# the triggers that keep the full-text index in step (migration 0001 made
# them; the text is the same as in 0007, 0011 and 0013: a migration keeps its
# own copy, so a later change cannot rewrite history). The index is rebuilt.
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
