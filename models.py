"""Folio's data model: SQLAlchemy 2 typed models and the shared ``db`` handle."""

from __future__ import annotations

import enum
from datetime import UTC
from datetime import datetime

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from slugify import slugify
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import TypeDecorator
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import object_session
from sqlalchemy.orm import relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


# The largest id a column holds (PostgreSQL's INTEGER): a larger number in a
# request names nothing, and comparing it would overflow the database's type.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite hands back naive datetimes; this is the one place that reads them as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the lower-case value, checked by a named CHECK constraint.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    MODERATOR = "moderator"


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ArticleKind(enum.StrEnum):
    """An article is listed (home, tags, feeds, search); a page (About, Privacy)
    is not, and lives at /<slug>."""

    ARTICLE = "article"
    PAGE = "page"


class MenuName(enum.StrEnum):
    HEADER = "header"
    FOOTER = "footer"


class MenuTarget(enum.StrEnum):
    PAGE = "page"
    ARTICLE = "article"
    TAG = "tag"
    URL = "url"


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class CommentKind(enum.StrEnum):
    """A reader's comment, or a notice that another site linked here (imported
    from WordPress; shown apart from the discussion, or not at all)."""

    COMMENT = "comment"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"


class BodyFormat(enum.StrEnum):
    """How an article's body is written: Markdown (the editor's own) or HTML
    (imported from WordPress, sanitized like rendered Markdown)."""

    MARKDOWN = "markdown"
    HTML = "html"


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MediaStatus(enum.StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class SubscriptionKind(enum.StrEnum):
    """What a reader asked to hear about."""

    # Approved replies anywhere under one comment (its thread).
    REPLIES = "replies"
    # Every approved comment on one article or page.
    ARTICLE = "article"


class MessageStatus(enum.StrEnum):
    NEW = "new"
    READ = "read"
    ARCHIVED = "archived"
    SPAM = "spam"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.EDITOR)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved by blueprints.staff.sessions.end_all_sessions(): a session cookie
    # carrying another number is refused, whatever its row says.
    session_generation: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )
    # Two-factor sign-in (blueprints/staff/totp.py): the TOTP secret, encrypted
    # with a key derived from SECRET_KEY; set while two-factor sign-in is on.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step whose code was accepted: that code and older ones
    # are refused (replay), moved by one conditional UPDATE.
    totp_last_step: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )

    @property
    def two_factor_on(self) -> bool:
        """True when signing in asks for a second factor."""
        return self.totp_enabled_at is not None

    # The author page's address, /authors/<slug>: made from the display name
    # when none is given (_default_author_slug), editable on the profile page.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Markdown, and the sanitized HTML rendered from it when saved.
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    bio_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    website: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Deleting an image in use is refused (blueprints/media/library.py); the
    # database keeps the same rule. use_alter: media.uploaded_by_id points back.
    avatar_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="RESTRICT", use_alter=True), index=True
    )
    # When what readers see of the account last changed (_profile_changed):
    # the author page's version and its sitemap date. Not an onupdate: a
    # sign-in or a session count changing is no change to the author page.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="author")
    avatar: Mapped[Media | None] = relationship(foreign_keys=[avatar_id])

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


# Author slugs that stay free for pages of their own under /authors/.
RESERVED_AUTHOR_SLUGS = frozenset(
    {"all", "edit", "feed", "index", "me", "new", "page", "search", "staff"}
)
AUTHOR_SLUG_LENGTH = 80


def author_slug_base(name: str) -> str:
    """The slug a display name suggests: ASCII, lower case, never empty or reserved."""
    base = slugify(name or "", max_length=AUTHOR_SLUG_LENGTH - 4) or "author"
    return f"{base}-author" if base in RESERVED_AUTHOR_SLUGS else base


def free_author_slug(connection, name: str, user_id: int | None = None) -> str:
    """A slug for name that no other account uses: base, base-2, base-3..."""
    base = author_slug_base(name)
    taken = set(
        connection.scalars(
            select(User.slug).where(
                (User.slug == base) | User.slug.startswith(f"{base}-", autoescape=True),
                User.id != (user_id or 0),
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@event.listens_for(User, "before_insert")
def _default_author_slug(mapper, connection, user: User) -> None:
    """A new account without a slug gets one from its display name."""
    if not user.slug:
        user.slug = free_author_slug(connection, user.display_name)


@event.listens_for(User.display_name, "set", active_history=True)
@event.listens_for(User.slug, "set", active_history=True)
@event.listens_for(User.avatar_id, "set", active_history=True)
@event.listens_for(User.bio_html, "set", active_history=True)
@event.listens_for(User.website, "set", active_history=True)
def _profile_changed(user: User, value: object, old: object, initiator: object) -> None:
    """What an author page shows changed: its version moves."""
    if user.id is not None and value != old:
        user.updated_at = utcnow()


@event.listens_for(User.display_name, "set", active_history=True)
@event.listens_for(User.slug, "set", active_history=True)
@event.listens_for(User.avatar_id, "set", active_history=True)
def _byline_changed(user: User, value: object, old: object, initiator: object) -> None:
    """A byline shows its author's name, avatar and page: their articles count as edited."""
    session = object_session(user)
    if user.id is None or session is None or value == old:
        return
    session.connection().execute(
        update(Article.__table__)
        .where(Article.__table__.c.author_id == user.id)
        .values(updated_at=utcnow())
    )


class StaffSession(db.Model):
    """A signed-in staff session: the cookie holds a random token, the row its hash."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="")

    def __repr__(self) -> str:
        return f"<StaffSession {self.id} user={self.user_id}>"


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code: the account saw it once, the row keeps its hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}>"


class TrustedDevice(db.Model):
    """A browser that skips the two-factor step: its cookie holds a token, the row its hash.

    Good until expires_at while the account keeps the session generation it
    had when the device was remembered (a password or two-factor change ends it).
    """

    __tablename__ = "trusted_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    def __repr__(self) -> str:
        return f"<TrustedDevice {self.id} user={self.user_id}>"


class PasswordReset(db.Model):
    """A mailed password-reset link: the mail holds a random token, the row its hash.

    Single use (used_at) and short-lived (expires_at); a newer request for the
    account marks its older unused ones used.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id}>"


class AuditAction(enum.StrEnum):
    """What a staff audit event records (stored as text: a new one needs no migration)."""

    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_OUT = "sign-out"
    PASSWORD_CHANGED = "password-changed"
    PASSWORD_RESET_REQUESTED = "password-reset-requested"
    PASSWORD_RESET = "password-reset"
    SESSIONS_ENDED = "sessions-ended"
    ACCOUNT_CREATED = "account-created"
    ROLE_CHANGED = "role-changed"
    ACCOUNT_DEACTIVATED = "account-deactivated"
    ACCOUNT_REACTIVATED = "account-reactivated"
    PROFILE_CHANGED = "profile-changed"
    SETTINGS_CHANGED = "settings-changed"
    TEST_MAIL_SENT = "test-mail-sent"
    TWO_FACTOR_ENABLED = "two-factor-enabled"
    TWO_FACTOR_DISABLED = "two-factor-disabled"
    TWO_FACTOR_RESET = "two-factor-reset"
    TWO_FACTOR_FAILED = "two-factor-failed"
    RECOVERY_CODE_USED = "recovery-code-used"
    RECOVERY_CODES_RENEWED = "recovery-codes-renewed"
    SITE_EXPORTED = "site-exported"
    SITE_IMPORTED = "site-imported"
    REDIRECT_CHANGED = "redirect-changed"
    COMMENT_EDITED = "comment-edited"
    # A reader erased what the site stored about their address (never what).
    READER_ERASED = "reader-erased"


class AuditEvent(db.Model):
    """One line of the staff audit log: who did what to which account, when, from where.

    Written in the same transaction as what it records (blueprints/staff/audit.py),
    so the log never claims a change that was rolled back. Rows outlive the
    accounts they name: the email at the time is kept beside the ids.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who acted, as they were called then (or the address a failed sign-in named).
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    target_label: Mapped[str] = mapped_column(String(254), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    # What changed, for people: "role editor → admin", "site title, accent colour".
    detail: Mapped[str] = mapped_column(String(1000), default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


article_tags = Table(
    "article_tags",
    Base.metadata,
    Column(
        "article_id",
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "tag_id",
        ForeignKey("tags.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    articles: Mapped[list[Article]] = relationship(
        secondary=article_tags, back_populates="tags"
    )

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (
        # With id, list pages pick their rows from the index alone, in order
        # (listing.published_ids); SQLite has the rowid there anyway, PostgreSQL
        # needs it for an index-only scan. kind leads: lists show articles only.
        Index(
            "ix_articles_kind_status_published_at_id",
            "kind",
            "status",
            "published_at",
            "id",
        ),
        # Every page's version reads the newest visible publication time of
        # articles and pages alike: one seek here (versions.py).
        Index("ix_articles_status_published_at", "status", "published_at"),
        # The few featured articles heading the home page, found without
        # reading every listed article (listing.home_page).
        Index(
            "ix_articles_featured",
            "kind",
            "status",
            "published_at",
            "id",
            sqlite_where=text("featured = 1"),
            postgresql_where=text("featured"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ArticleKind] = mapped_column(
        _enum(ArticleKind, "article_kind"),
        default=ArticleKind.ARTICLE,
        server_default=ArticleKind.ARTICLE.value,
    )
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[BodyFormat] = mapped_column(
        _enum(BodyFormat, "body_format"),
        default=BodyFormat.MARKDOWN,
        server_default=BodyFormat.MARKDOWN.value,
    )
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Derived at save time so list pages never touch the body.
    reading_minutes: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ArticleStatus] = mapped_column(
        _enum(ArticleStatus, "article_status"), default=ArticleStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: the article page cache reads the newest updated_at per request.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    comments_open: Mapped[bool] = mapped_column(Boolean, default=True)
    # Approved comments (pingbacks and trackbacks are not counted), kept by
    # Article.refresh_comment_stats() so list pages need no aggregate;
    # comments_version changes whenever any comment changes state, which is
    # what the rendered comment list's cache is keyed on.
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_version: Mapped[int] = mapped_column(Integer, default=0)
    # Deleting an image in use is refused (blueprints/media/library.py); the
    # database keeps the same rule.
    cover_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="RESTRICT"), index=True
    )
    # Search and link previews (blueprints/articles/seo.py). Empty: derived
    # from the article (its title, summary or text, address and cover).
    meta_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    meta_description: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    canonical_url: Mapped[str] = mapped_column(
        String(500), default="", server_default=""
    )
    # A use of the image like the cover (media_uses, RESTRICT).
    social_image_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="RESTRICT"), index=True
    )
    noindex: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # WordPress's sticky posts: shown first on the home page's first page.
    featured: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    author: Mapped[User | None] = relationship(back_populates="articles")
    cover: Mapped[Media | None] = relationship(foreign_keys=[cover_id])
    social_image: Mapped[Media | None] = relationship(foreign_keys=[social_image_id])
    # Every library image the article shows (body and cover): media_uses.
    images: Mapped[list[Media]] = relationship(secondary="media_uses")
    tags: Mapped[list[Tag]] = relationship(
        secondary=article_tags, back_populates="articles", order_by="Tag.name"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )
    old_slugs: Mapped[list[SlugRedirect]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_published(self) -> bool:
        """True when readers may see the article now."""
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= utcnow()
        )

    @property
    def is_scheduled(self) -> bool:
        """True when published with a publication time still in the future."""
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > utcnow()
        )

    @property
    def is_page(self) -> bool:
        """True for a page (About, Privacy): not listed, served at /<slug>."""
        return self.kind == ArticleKind.PAGE

    @property
    def shows_comments(self) -> bool:
        """An article always has its comment section; a page only when allowed."""
        return not self.is_page or self.comments_open

    @classmethod
    def visible(cls):
        """The SQL condition for articles and pages readers may see."""
        return (cls.status == ArticleStatus.PUBLISHED) & (cls.published_at <= utcnow())

    @classmethod
    def listed(cls):
        """The SQL condition for what lists, feeds and search show: visible
        articles, never pages."""
        return (cls.kind == ArticleKind.ARTICLE) & cls.visible()

    @classmethod
    def comments_changed(cls) -> dict:
        """The column values that record a change to an article's comments.

        The one place comments_version moves (a new comment and a status change
        both use it); the comment list and the page cache are keyed on it. It
        is SQL, so concurrent changes each add one. updated_at is written back
        unchanged: a comment is not an edit of the article, so feeds, the
        sitemap and the site-wide page version do not move with every comment.
        Whoever writes these also runs comment_counts_changed() (the list
        pages' counter).
        """
        return {
            "comments_version": cls.comments_version + 1,
            "updated_at": cls.updated_at,
        }

    def refresh_comment_stats(self) -> None:
        """Recount approved comments and invalidate the cached comment list."""
        # Pingbacks and trackbacks are not discussion: they are not counted.
        self.comment_count = db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.article_id == self.id,
                Comment.status == CommentStatus.APPROVED,
                Comment.kind == CommentKind.COMMENT,
            )
        )
        for name, value in Article.comments_changed().items():
            setattr(self, name, value)
        # The new values are SQL until flushed; reading them afterwards (a
        # signal's ArticleRef) then loads the numbers the database computed.
        db.session.flush()
        count_comment_change(db.session.connection())

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


@event.listens_for(Article.tags, "append")
@event.listens_for(Article.tags, "remove")
def _retagged(article: Article, tag: Tag, initiator: object) -> None:
    """An article's tags are part of it: changing them is an edit."""
    # Its updated_at versions every cached page that shows it.
    article.updated_at = utcnow()


@event.listens_for(Tag.name, "set", active_history=True)
@event.listens_for(Tag.slug, "set", active_history=True)
def _tag_renamed(tag: Tag, value: str, old: object, initiator: object) -> None:
    """A renamed tag changes every article that shows it: they count as edited."""
    session = object_session(tag)
    # old is a marker object, not a str, when the tag had no name before.
    if tag.id is None or session is None or not isinstance(old, str) or value == old:
        return
    tagged = select(article_tags.c.article_id).where(article_tags.c.tag_id == tag.id)
    session.connection().execute(
        update(Article.__table__)
        .where(Article.__table__.c.id.in_(tagged))
        .values(updated_at=utcnow())
    )


class Media(db.Model):
    """An uploaded image: what it is, who described it, and the sizes stored.

    The files are named by the SHA-256 of the uploaded bytes
    (blueprints/media/variants.py), so the same upload is stored once and a
    file's URL never changes meaning: it can be cached for a year.
    """

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The uploaded file's name, for people: files are stored by hash.
    filename: Mapped[str] = mapped_column(String(255), default="")
    alt: Mapped[str] = mapped_column(String(500), default="")
    caption: Mapped[str] = mapped_column(String(500), default="")
    # "jpeg", "png", "gif" or "webp": the format readers' browsers fall back
    # to beside WebP (an AVIF upload falls back to JPEG).
    format: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    # The uploaded file's size, and every stored file's together.
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    stored_bytes: Mapped[int] = mapped_column(Integer, default=0)
    # The widths made, as JSON: [[width, height, {"webp": bytes, "jpeg": bytes}], ...]
    variants: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[MediaStatus] = mapped_column(
        _enum(MediaStatus, "media_status"), default=MediaStatus.PROCESSING
    )
    error: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])

    def __repr__(self) -> str:
        return f"<Media {self.id} {self.sha256[:8]} {self.status}>"


# Which articles show which images, in their body or as their cover; kept by
# blueprints.articles.publishing.note_images() when an article is saved, so
# the library can say where an image is used and refuse to delete it.
media_uses = Table(
    "media_uses",
    Base.metadata,
    Column(
        "media_id",
        ForeignKey("media.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "article_id",
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


COMMENT_COUNTS = "comment_counts"
MENU_CHANGES = "menus"


class SiteCounter(db.Model):
    """A site-wide counter that cached pages are keyed on (one row per name).

    ``comment_counts`` moves whenever any article's approved comments change,
    so the list pages, which show each card's count, know when to render
    again without summing the counts of their own cards. ``menus`` moves
    whenever a menu item is added, edited, moved or removed; every cached
    page shows the menus. Migrations 0004 and 0010 create the rows; they are
    only ever incremented in SQL, so concurrent changes each count.
    """

    __tablename__ = "site_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def comment_counts_changed():
    """The UPDATE that records a change to some article's approved comments."""
    return counter_moved(COMMENT_COUNTS)


def counter_moved(name: str):
    """The UPDATE that moves the site counter name by one (RETURNING its value)."""
    return (
        update(SiteCounter)
        .where(SiteCounter.name == name)
        .values(value=SiteCounter.value + 1)
        .returning(SiteCounter.value)
    )


def count_comment_change(connection) -> None:
    """Record a change to some article's approved comments on connection."""
    count_change(connection, COMMENT_COUNTS)


def count_change(connection, name: str) -> None:
    """Move the site counter name by one on connection.

    The row is created when it is missing (a database emptied by hand): a
    counter that stayed absent would leave cached pages stale.
    """
    if connection.execute(counter_moved(name)).first() is None:
        connection.execute(insert(SiteCounter).values(name=name, value=1))


SETTINGS_COUNTER = "settings"


class SiteSetting(db.Model):
    """A setting changed in the browser: its JSON value, when and by whom.

    web/site_settings.py is the one reader and writer; a setting without a row
    has its environment or default value. Every change moves the
    ``settings`` site counter in the same transaction.
    """

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<SiteSetting {self.key}>"


class SlugRedirect(db.Model):
    """A slug an article used to have; it redirects to the current one."""

    __tablename__ = "slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="old_slugs")


class Redirect(db.Model):
    """An old address on the site that answers 301 with a new one.

    The WordPress importer fills it (``/2019/05/hello/``, ``/?p=12``,
    ``/category/news/``, old upload URLs); staff see and edit it. ``path``
    is the old address as requested: its path and, for WordPress's query
    links, the one query argument that names the item (web/redirects.py).
    """

    __tablename__ = "redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    target: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20), default="staff")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Redirect {self.path} -> {self.target}>"


class ImportedId(db.Model):
    """What an item of an imported file became: re-running the import skips it.

    source names the site the file came from (``wordpress:<site url>``);
    kind is the WordPress kind of thing (post, comment, term, author,
    attachment) and source_id its id there.
    """

    __tablename__ = "imported_ids"
    __table_args__ = (
        UniqueConstraint("source", "kind", "source_id", name="source_kind_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[int] = mapped_column(Integer)


class ImportRun(db.Model):
    """An import started from the staff area: its progress and its report."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255), default="")
    options: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[ImportStatus] = mapped_column(
        _enum(ImportStatus, "import_status"), default=ImportStatus.QUEUED
    )
    done_items: Mapped[int] = mapped_column(Integer, default=0)
    total_items: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


class MenuItem(db.Model):
    """A link in the header or footer menu: to a page, an article, a tag or a URL.

    Exactly one target is set, as target says (the CHECK below); a page,
    article or tag deleted takes its items with it. The label may be empty
    for a page, an article or a tag: the link then shows its title or name.
    Whoever writes these rows also moves the site's ``menus`` counter
    (count_change), which every cached page's version reads.
    """

    __tablename__ = "menu_items"
    __table_args__ = (
        Index("ix_menu_items_menu_position", "menu", "position"),
        CheckConstraint(
            "(target = 'url' AND url <> '' AND article_id IS NULL AND tag_id IS NULL)"
            " OR (target IN ('page', 'article') AND article_id IS NOT NULL"
            " AND tag_id IS NULL AND url = '')"
            " OR (target = 'tag' AND tag_id IS NOT NULL AND article_id IS NULL"
            " AND url = '')",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    menu: Mapped[MenuName] = mapped_column(_enum(MenuName, "menu_name"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(80), default="")
    target: Mapped[MenuTarget] = mapped_column(_enum(MenuTarget, "menu_target"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[int | None] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500), default="")

    article: Mapped[Article | None] = relationship()
    tag: Mapped[Tag | None] = relationship()

    def __repr__(self) -> str:
        return f"<MenuItem {self.id} {self.menu} {self.position}>"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index(
            "ix_comments_article_status_created", "article_id", "status", "created_at"
        ),
        Index("ix_comments_status_created", "status", "created_at"),
        # Its author's history, by address and status; with the article, the
        # duplicate check of a new comment reads only that author's rows there.
        Index(
            "ix_comments_author_email_status_article",
            "author_email",
            "status",
            "article_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE")
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    depth: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[CommentKind] = mapped_column(
        _enum(CommentKind, "comment_kind"),
        default=CommentKind.COMMENT,
        server_default=CommentKind.COMMENT.value,
    )
    author_name: Mapped[str] = mapped_column(String(245))
    author_email: Mapped[str] = mapped_column(String(100))
    author_url: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        _enum(CommentStatus, "comment_status"), default=CommentStatus.PENDING
    )
    # Why the moderation rules (or a moderator) put the comment in its status.
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A keyed hash of the client address, never the address itself.
    ip: Mapped[str] = mapped_column(String(64), default="", index=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # Set when a staff member wrote the comment from the staff area.
    staff_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # When its text last changed (by its author or staff); the history is in
    # comment_revisions.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleted by its author while it had replies: kept as "deleted by its
    # author" (no name, no text) so the thread stays whole.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    staff_author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status}>"


class CommentRevision(db.Model):
    """A comment's text before an edit: staff see the history, readers only "edited"."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The staff member who edited; None: the comment's author.
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    editor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CommentRevision {self.id} of {self.comment_id}>"


class ReaderAddress(db.Model):
    """A reader's email address that asked for mail (double opt-in).

    Consent is per subscription (Subscription.confirmed_at): nothing but a
    confirmation is mailed for a wish its reader has not confirmed, and at
    most one confirmation a day goes to an address. confirmed_at here says
    when the address first confirmed anything (shown to staff).
    """

    __tablename__ = "reader_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased, as comments store it.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="address", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<ReaderAddress {self.id}>"


class Subscription(db.Model):
    """One reader's wish to hear about a thread or an article, and its digest state."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_article_kind", "article_id", "kind"),
        Index("ix_subscriptions_due_at", "due_at"),
        # One of each per address, even when two requests race: a thread by
        # its comment, an article once (its comment_id is NULL, which a plain
        # unique constraint would let repeat).
        Index(
            "uq_subscriptions_address_comment",
            "address_id",
            "comment_id",
            unique=True,
            sqlite_where=text("comment_id IS NOT NULL"),
            postgresql_where=text("comment_id IS NOT NULL"),
        ),
        Index(
            "uq_subscriptions_address_article",
            "address_id",
            "article_id",
            unique=True,
            sqlite_where=text("kind = 'article'"),
            postgresql_where=text("kind = 'article'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(
        ForeignKey("reader_addresses.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SubscriptionKind] = mapped_column(
        _enum(SubscriptionKind, "subscription_kind")
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE")
    )
    # The comment whose thread is followed (kind replies); None for an article.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When its reader confirmed this very wish (the mailed link); nothing is
    # mailed for it before. Typing an address proves nothing, so every new
    # wish waits for its own confirmation.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the last mail for it was queued; the next waits the digest interval.
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the waiting notices go out as one digest (None: nothing waits).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    address: Mapped[ReaderAddress] = relationship(back_populates="subscriptions")
    article: Mapped[Article] = relationship()

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.kind}>"


class SubscriptionNotice(db.Model):
    """An approved comment a subscription announces: waiting (mailed_at unset) or done.

    Kept once mailed, so a comment approved again (approved, held, approved)
    is never announced twice; outbox_id names the mail that carried it, so
    erasing the comment's author can delete that mail too.
    """

    __tablename__ = "subscription_notices"
    __table_args__ = (
        UniqueConstraint("subscription_id", "comment_id", name="subscription_comment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<SubscriptionNotice {self.subscription_id}:{self.comment_id}>"


class ReaderLink(db.Model):
    """A single-use, time-limited link mailed to a reader for "Your comments".

    The mailed token is signed and names only this row's nonce, so the address
    is never in a URL; the row holds it until the link is used (then it is
    cleared), makes the link single-use and counts requests per address by a
    keyed hash.
    """

    __tablename__ = "reader_links"
    __table_args__ = (
        Index("ix_reader_links_email_hash_created", "email_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254), default="")
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReaderLink {self.id}>"


class ContactMessage(db.Model):
    __tablename__ = "contact_messages"
    __table_args__ = (
        Index("ix_contact_messages_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        _enum(MessageStatus, "message_status"), default=MessageStatus.NEW
    )
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # Notification state, mirrored from the outbox row that carries the mail.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0)
    notify_error: Mapped[str] = mapped_column(String(500), default="")

    def __repr__(self) -> str:
        return f"<ContactMessage {self.id} {self.status}>"


class OutboxMail(db.Model):
    """An email waiting to be sent; committed with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addrs: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    # More headers as a JSON object (List-Unsubscribe and its one-click partner);
    # each value goes through the same header checks as the subject.
    extra_headers: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker claims a row by setting this lease; an expired lease is fair game,
    # so a worker that died mid-send never strands the mail.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    contact_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_messages.id", ondelete="SET NULL"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to={self.to_addrs!r}>"
