"""The site as a WordPress export (WXR 1.2), which WordPress's importer reads.

Streamed with lxml's incremental writer: the channel header, the authors and
tags, then one item per article or page with its comments, each flushed as
it is written. Bodies are the sanitized HTML readers see (WordPress stores
HTML); text a CDATA section cannot hold ("]]>") is split across two, and
the characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from flask import current_app
from lxml import etree
from sqlalchemy import select

from blueprints.articles.page import reader_url
from blueprints.comments.formatting import format_body
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import Tag
from models import User
from models import article_tags
from models import db
from models import utcnow
from porting.keyset import keyset_chunks
from porting.pipe import Pipe
from web.urls import site_url

WP = "http://wordpress.org/export/1.2/"
NSMAP = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
# XML 1.0 allows tab, newline and carriage return of the C0 controls, and
# neither surrogates nor U+FFFE/U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
APPROVED = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.TRASH: "trash",
}
COMMENT_TYPE = {
    CommentKind.COMMENT: "",
    CommentKind.PINGBACK: "pingback",
    CommentKind.TRACKBACK: "trackback",
}
POST_TYPE = {ArticleKind.ARTICLE: "post", ArticleKind.PAGE: "page"}
ARTICLE_COLUMNS = (
    Article.id,
    Article.kind,
    Article.slug,
    Article.title,
    Article.summary,
    Article.body_html,
    Article.status,
    Article.published_at,
    Article.created_at,
    Article.author_id,
    Article.comments_open,
    Article.featured,
)
COMMENT_COLUMNS = (
    Comment.id,
    Comment.author_name,
    Comment.author_email,
    Comment.author_url,
    Comment.created_at,
    Comment.body,
    Comment.status,
    Comment.kind,
    Comment.parent_id,
)


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold: the forbidden characters dropped."""
    return FORBIDDEN.sub("", "" if value is None else str(value))


def _element(xf, tag: str, value: object = "", cdata: bool = False, **attrs) -> None:
    """Write <tag>value</tag>; cdata: as CDATA sections, split around "]]>"."""
    with xf.element(tag, **attrs):
        text = xml_text(value)
        if not cdata:
            xf.write(text)
            return
        pieces = text.split("]]>")
        for index, piece in enumerate(pieces):
            head = ">" if index else ""
            tail = "]]" if index < len(pieces) - 1 else ""
            xf.write(etree.CDATA(head + piece + tail))


def wp(name: str) -> str:
    """A tag in WordPress's export namespace."""
    return f"{{{WP}}}{name}"


def _dates(moment: datetime) -> tuple[str, str]:
    """WordPress's local and GMT date strings for a moment."""
    local = moment.astimezone(ZoneInfo(current_app.config["TIME_ZONE"]))
    gmt = moment.astimezone(UTC)
    return local.strftime("%Y-%m-%d %H:%M:%S"), gmt.strftime("%Y-%m-%d %H:%M:%S")


def _rfc822(moment: datetime) -> str:
    """An RSS date (pubDate) in GMT."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def post_status(status: ArticleStatus, published_at: datetime | None) -> str:
    """The wp:status of an article: publish, future (scheduled) or draft."""
    if status != ArticleStatus.PUBLISHED:
        return "draft"
    return (
        "future" if published_at is not None and published_at > utcnow() else "publish"
    )


def _channel_header(xf, logins: dict[int, str]) -> None:
    """The site's title, addresses and language, its authors and tags."""
    config = current_app.config
    _element(xf, "title", config["SITE_TITLE"])
    _element(xf, "link", site_url() + "/")
    _element(xf, "description", config["SITE_DESCRIPTION"])
    _element(xf, "pubDate", _rfc822(utcnow()))
    _element(xf, "language", "en")
    _element(xf, wp("wxr_version"), "1.2")
    _element(xf, wp("base_site_url"), site_url() + "/")
    _element(xf, wp("base_blog_url"), site_url() + "/")
    for users in keyset_chunks(select(User.id, User.email, User.display_name), User.id):
        for row in users:
            with xf.element(wp("author")):
                _element(xf, wp("author_id"), row.id)
                _element(xf, wp("author_login"), logins[row.id], cdata=True)
                _element(xf, wp("author_email"), row.email, cdata=True)
                _element(xf, wp("author_display_name"), row.display_name, cdata=True)
    for tags in keyset_chunks(select(Tag.id, Tag.slug, Tag.name), Tag.id):
        for tag in tags:
            with xf.element(wp("tag")):
                _element(xf, wp("term_id"), tag.id)
                _element(xf, wp("tag_slug"), tag.slug, cdata=True)
                _element(xf, wp("tag_name"), tag.name, cdata=True)
    _element(xf, "generator", "Folio")


def _item(xf, article, logins: dict[int, str]) -> None:
    """One article or page, its tags and its comments."""
    moment = article.published_at or article.created_at
    local, gmt = _dates(moment)
    # WordPress reads titles, excerpts and comments as HTML; Folio's are text.
    _element(xf, "title", html.escape(article.title, quote=False))
    _element(xf, "link", site_url() + reader_url(article))
    _element(xf, "pubDate", _rfc822(moment))
    _element(xf, f"{{{NSMAP['dc']}}}creator", logins.get(article.author_id, ""), True)
    _element(xf, "guid", f"{site_url()}/?p={article.id}", isPermaLink="false")
    _element(xf, "description", "")
    _element(
        xf,
        f"{{{NSMAP['content']}}}encoded",
        absolute_links(article.body_html),
        cdata=True,
    )
    _element(
        xf,
        f"{{{NSMAP['excerpt']}}}encoded",
        html.escape(article.summary, quote=False),
        cdata=True,
    )
    _element(xf, wp("post_id"), article.id)
    _element(xf, wp("post_date"), local, cdata=True)
    _element(xf, wp("post_date_gmt"), gmt, cdata=True)
    _element(xf, wp("comment_status"), "open" if article.comments_open else "closed")
    _element(xf, wp("ping_status"), "closed")
    _element(xf, wp("post_name"), article.slug, cdata=True)
    _element(xf, wp("status"), post_status(article.status, article.published_at))
    _element(xf, wp("post_parent"), 0)
    _element(xf, wp("menu_order"), 0)
    _element(xf, wp("post_type"), POST_TYPE[article.kind])
    _element(xf, wp("post_password"), "")
    _element(xf, wp("is_sticky"), int(article.featured))
    tags = select(Tag.slug, Tag.name).join(article_tags).order_by(Tag.id)
    for slug, name in db.session.execute(
        tags.where(article_tags.c.article_id == article.id)
    ):
        _element(xf, "category", name, True, domain="post_tag", nicename=slug)
    for comments in keyset_chunks(
        select(*COMMENT_COLUMNS).where(Comment.article_id == article.id), Comment.id
    ):
        for comment in comments:
            _comment(xf, comment)


def _comment(xf, comment) -> None:
    """One wp:comment: WordPress's fields, the address left empty (Folio keeps a hash)."""
    local, gmt = _dates(comment.created_at)
    with xf.element(wp("comment")):
        _element(xf, wp("comment_id"), comment.id)
        _element(xf, wp("comment_author"), comment.author_name, cdata=True)
        _element(xf, wp("comment_author_email"), comment.author_email, cdata=True)
        _element(xf, wp("comment_author_url"), comment.author_url)
        _element(xf, wp("comment_author_IP"), "")
        _element(xf, wp("comment_date"), local)
        _element(xf, wp("comment_date_gmt"), gmt)
        _element(xf, wp("comment_content"), str(format_body(comment.body)), cdata=True)
        _element(xf, wp("comment_approved"), APPROVED[comment.status])
        _element(xf, wp("comment_type"), COMMENT_TYPE[comment.kind])
        _element(xf, wp("comment_parent"), comment.parent_id or 0)
        _element(xf, wp("comment_user_id"), 0)


_ROOTED = re.compile(r'(\s(?:src|href)=")(/[^/"][^"]*")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolute_links(body: str) -> str:
    """The body with its site paths (images, links) made absolute: a new site
    on another host must still find them."""
    base = site_url()
    body = _ROOTED.sub(lambda m: m.group(1) + base + m.group(2), body)

    def srcset(match: re.Match[str]) -> str:
        parts = [
            base + part if part.startswith("/") and not part.startswith("//") else part
            for part in (p.strip() for p in match.group(2).split(","))
        ]
        return match.group(1) + ", ".join(parts) + match.group(3)

    return _SRCSET.sub(srcset, body)


def wxr_chunks() -> Iterator[bytes]:
    """The WXR document as byte pieces, one item at a time (UTF-8)."""
    pipe = Pipe()
    logins = {
        row.id: row.slug for row in db.session.execute(select(User.id, User.slug))
    }
    with etree.xmlfile(pipe, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", nsmap=NSMAP, version="2.0"):
            with xf.element("channel"):
                _channel_header(xf, logins)
                xf.flush()
                yield pipe.take()
                for articles in keyset_chunks(select(*ARTICLE_COLUMNS), Article.id):
                    for article in articles:
                        with xf.element("item"):
                            _item(xf, article, logins)
                        xf.flush()
                        yield pipe.take()
    yield pipe.take()
