"""Readers in the loop: reply notifications with consent, self-service links
and comment edits.

``reader_addresses`` remembers an address that confirmed it wants mail (double
opt-in); ``subscriptions`` are its threads and articles, with the digest's
state; ``subscription_notices`` the approved comments waiting for a digest.
``reader_links`` makes the "Your comments" links single-use. Comments gain
``edited_at`` (history in ``comment_revisions``) and ``removed_at`` (deleted by
their author, kept while they have replies). Outbox rows carry
``extra_headers`` (List-Unsubscribe). See docs/comments.md.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:01:04.281078

"""

import sqlalchemy as sa
from alembic import op

import models


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reader_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "confirmation_sent_at", models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reader_addresses")),
        sa.UniqueConstraint("email", name=op.f("uq_reader_addresses_email")),
    )
    op.create_table(
        "reader_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reader_links")),
        sa.UniqueConstraint("nonce", name=op.f("uq_reader_links_nonce")),
    )
    with op.batch_alter_table("reader_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reader_links_email_hash_created",
            ["email_hash", "created_at"],
            unique=False,
        )

    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_revisions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["users.id"],
            name=op.f("fk_comment_revisions_editor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
    )
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_revisions_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "replies",
                "article",
                name="subscription_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_mailed_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["reader_addresses.id"],
            name=op.f("fk_subscriptions_address_id_reader_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_subscriptions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_subscriptions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriptions_address_id"), ["address_id"], unique=False
        )
        batch_op.create_index(
            "ix_subscriptions_article_kind", ["article_id", "kind"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subscriptions_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index("ix_subscriptions_due_at", ["due_at"], unique=False)
        batch_op.create_index(
            "uq_subscriptions_address_comment",
            ["address_id", "comment_id"],
            unique=True,
            sqlite_where=sa.text("comment_id IS NOT NULL"),
            postgresql_where=sa.text("comment_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_subscriptions_address_article",
            ["address_id", "article_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'article'"),
            postgresql_where=sa.text("kind = 'article'"),
        )

    op.create_table(
        "subscription_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_subscription_notices_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_subscription_notices_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_notices_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_notices")),
        sa.UniqueConstraint(
            "subscription_id", "comment_id", name="subscription_comment"
        ),
    )
    with op.batch_alter_table("subscription_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_notices_comment_id"),
            ["comment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_subscription_notices_outbox_id"),
            ["outbox_id"],
            unique=False,
        )

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edited_at", models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("removed_at", models.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extra_headers", sa.Text(), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("extra_headers")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("edited_at")

    with op.batch_alter_table("subscription_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_notices_outbox_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_notices_comment_id"))

    op.drop_table("subscription_notices")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("uq_subscriptions_address_article")
        batch_op.drop_index("uq_subscriptions_address_comment")
        batch_op.drop_index("ix_subscriptions_due_at")
        batch_op.drop_index(batch_op.f("ix_subscriptions_comment_id"))
        batch_op.drop_index("ix_subscriptions_article_kind")
        batch_op.drop_index(batch_op.f("ix_subscriptions_address_id"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_revisions_comment_id"))

    op.drop_table("comment_revisions")
    with op.batch_alter_table("reader_links", schema=None) as batch_op:
        batch_op.drop_index("ix_reader_links_email_hash_created")

    op.drop_table("reader_links")
    op.drop_table("reader_addresses")
