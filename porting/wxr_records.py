"""What a WordPress export (WXR) file holds, as plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Header:
    """The channel-level facts about the exporting site."""

    wxr_version: str | None
    title: str
    link: str
    base_site_url: str
    base_blog_url: str


@dataclass(frozen=True, slots=True)
class Author:
    """A `wp:author`: a user who wrote some of the exported content."""

    wp_id: int | None
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class Term:
    """A `wp:category`, `wp:tag` or `wp:term` declared at channel level."""

    taxonomy: str
    slug: str
    name: str
    parent_slug: str
    description: str
    wp_id: int | None
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ItemTerm:
    """An item's `<category domain="..." nicename="...">name</category>`."""

    domain: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A `wp:comment` of an item; approved and comment_type are kept raw."""

    wp_id: int
    parent_wp_id: int | None
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: datetime | None
    date: datetime | None
    content: str
    approved: str
    comment_type: str
    user_id: int | None
    meta: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """An `<item>`: a post, page, attachment, menu item or any other post type."""

    wp_id: int | None
    post_type: str
    status: str
    title: str
    link: str
    guid: str
    slug: str
    content: str
    excerpt: str
    date_gmt: datetime | None
    date: datetime | None
    author_login: str
    parent_wp_id: int | None
    menu_order: int
    sticky: bool
    password: str
    comment_status: str
    attachment_url: str
    terms: tuple[ItemTerm, ...]
    meta: tuple[tuple[str, str], ...]
    comments: tuple[CommentRecord, ...]


@dataclass(frozen=True, slots=True)
class WxrSummary:
    """What a first pass over a well-formed file counted."""

    wxr_version: str | None
    items: int
    items_by_type: dict[str, int]
    comments: int
    comments_by_status: dict[str, int]
    authors: int
    categories: int
    tags: int
    terms: int
    postmeta: int
    total_bytes: int
