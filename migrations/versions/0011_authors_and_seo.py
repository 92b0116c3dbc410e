"""Author profiles and per-article SEO fields.

``users`` gains what an author page shows: ``slug`` (unique; existing
accounts get one made from their display name, with -2, -3... where names
collide), ``bio`` and its rendered ``bio_html``, ``website``, ``avatar_id``
(RESTRICT, like covers: an image in use cannot be deleted) and
``updated_at``, which versions the cached author page. ``articles`` gains
``meta_title``, ``meta_description``, ``canonical_url``, ``social_image_id``
(RESTRICT) and ``noindex``; empty, they change nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00

"""

import sqlalchemy as sa
from alembic import op
from slugify import slugify

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# As models.RESERVED_AUTHOR_SLUGS and author_slug_base() were when written.
RESERVED = {"all", "edit", "feed", "index", "me", "new", "page", "search", "staff"}


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slug", sa.String(length=80), nullable=True))
        for name in ("bio", "bio_html"):
            batch_op.add_column(
                sa.Column(name, sa.Text(), server_default="", nullable=False)
            )
        batch_op.add_column(
            sa.Column(
                "website", sa.String(length=200), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("avatar_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True)
        )
    _backfill_users()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "slug", existing_type=sa.String(length=80), nullable=False
        )
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_slug"), ["slug"])
        batch_op.create_index(
            batch_op.f("ix_users_avatar_id"), ["avatar_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_avatar_id_media"),
            "media",
            ["avatar_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("articles", schema=None) as batch_op:
        for name, length in (
            ("meta_title", 200),
            ("meta_description", 300),
            ("canonical_url", 500),
        ):
            batch_op.add_column(
                sa.Column(
                    name, sa.String(length=length), server_default="", nullable=False
                )
            )
        batch_op.add_column(sa.Column("social_image_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "noindex", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_index(
            batch_op.f("ix_articles_social_image_id"), ["social_image_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_social_image_id_media"),
            "media",
            ["social_image_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    _restore_search_triggers()


def _backfill_users():
    """Every account gets a unique ASCII slug from its name, oldest first."""
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("display_name", sa.String),
        sa.column("slug", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.display_name).order_by(users.c.id)
    ).all()
    taken: set[str] = set()
    for user_id, name in rows:
        base = slugify(name or "", max_length=76) or "author"
        base = f"{base}-author" if base in RESERVED else base
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        connection.execute(
            sa.update(users).where(users.c.id == user_id).values(slug=slug)
        )
    connection.execute(sa.update(users).values(updated_at=users.c.created_at))


# On SQLite the batch above copies the articles table, and the copy loses
# the triggers that keep the full-text index in step (migration 0001 made
# them; the text here is the same, as in 0007). The index is rebuilt too.
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
            batch_op.f("fk_articles_social_image_id_media"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_articles_social_image_id"))
        for name in (
            "noindex",
            "social_image_id",
            "canonical_url",
            "meta_description",
            "meta_title",
        ):
            batch_op.drop_column(name)
    _restore_search_triggers()

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_avatar_id_media"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_users_avatar_id"))
        batch_op.drop_constraint(batch_op.f("uq_users_slug"), type_="unique")
        for name in ("updated_at", "avatar_id", "website", "bio_html", "bio", "slug"):
            batch_op.drop_column(name)
