"""Pages and menus: articles.kind, menu_items and the site's ``menus`` counter.

A page (About, Privacy) is an article row of kind ``page``: it is never
listed and lives at ``/<slug>``. The list index leads with the kind, so list
pages still read their rows from it alone. ``menu_items`` holds the header
and footer menus; the ``menus`` counter moves with every change to them, and
every cached page's version reads it. See docs/architecture.md, "Pages and
menus".

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=16
    )


def upgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                _enum("article_kind", "article", "page"),
                server_default="article",
                nullable=False,
            )
        )
        batch_op.drop_index("ix_articles_status_published_at_id")
        batch_op.create_index(
            "ix_articles_kind_status_published_at_id",
            ["kind", "status", "published_at", "id"],
            unique=False,
        )
    _restore_search_triggers()

    op.create_table(
        "menu_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("menu", _enum("menu_name", "header", "footer"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column(
            "target", _enum("menu_target", "page", "article", "tag", "url"), nullable=False
        ),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "(target = 'url' AND url <> '' AND article_id IS NULL AND tag_id IS NULL)"
            " OR (target IN ('page', 'article') AND article_id IS NOT NULL"
            " AND tag_id IS NULL AND url = '')"
            " OR (target = 'tag' AND tag_id IS NOT NULL AND article_id IS NULL"
            " AND url = '')",
            name=op.f("ck_menu_items_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_menu_items_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_menu_items_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_items")),
    )
    with op.batch_alter_table("menu_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_menu_items_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_menu_items_tag_id"), ["tag_id"], unique=False)
        batch_op.create_index(
            "ix_menu_items_menu_position", ["menu", "position"], unique=False
        )

    counters = sa.table("site_counters", sa.column("name"), sa.column("value"))
    op.bulk_insert(counters, [{"name": "menus", "value": 0}])


# On SQLite the batch above copies the articles table, and the copy loses
# the triggers that keep the full-text index in step (migration 0001 made
# them; the text is the same as in 0007 and 0011). The index's rows are rebuilt too.
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
    op.execute("DELETE FROM site_counters WHERE name = 'menus'")
    with op.batch_alter_table("menu_items", schema=None) as batch_op:
        batch_op.drop_index("ix_menu_items_menu_position")
        batch_op.drop_index(batch_op.f("ix_menu_items_tag_id"))
        batch_op.drop_index(batch_op.f("ix_menu_items_article_id"))
    op.drop_table("menu_items")

    # Pages become articles again: listed, at /articles/<slug>.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_kind_status_published_at_id")
        batch_op.create_index(
            "ix_articles_status_published_at_id",
            ["status", "published_at", "id"],
            unique=False,
        )
        batch_op.drop_constraint(op.f("ck_articles_article_kind"), type_="check")
        batch_op.drop_column("kind")
    _restore_search_triggers()
