"""Records from the finished XML elements of a WXR channel."""

from __future__ import annotations

from lxml import etree

from porting.wxr_fields import Fields
from porting.wxr_fields import element_text
from porting.wxr_fields import gmt_datetime
from porting.wxr_fields import integer
from porting.wxr_fields import local_datetime
from porting.wxr_fields import optional_id
from porting.wxr_fields import slug
from porting.wxr_fields import term_name
from porting.wxr_fields import trim
from porting.wxr_names import field_name
from porting.wxr_records import Author
from porting.wxr_records import CommentRecord
from porting.wxr_records import Header
from porting.wxr_records import ItemRecord
from porting.wxr_records import ItemTerm
from porting.wxr_records import Term

RECORD_KINDS = {
    "item": "item",
    "wp:author": "author",
    "wp:category": "category",
    "wp:tag": "tag",
    "wp:term": "term",
}
HEADER_FIELDS = (
    "title",
    "link",
    "wp:wxr_version",
    "wp:base_site_url",
    "wp:base_blog_url",
)
# Per kind of channel-level term: its taxonomy (None: read wp:term_taxonomy),
# then the elements holding its slug, parent slug, name and description.
TERM_FIELDS = {
    "category": (
        "category",
        "wp:category_nicename",
        "wp:category_parent",
        "wp:cat_name",
        "wp:category_description",
    ),
    "tag": ("post_tag", "wp:tag_slug", None, "wp:tag_name", "wp:tag_description"),
    "term": (
        None,
        "wp:term_slug",
        "wp:term_parent",
        "wp:term_name",
        "wp:term_description",
    ),
}
ITEM_REPEATED = ("category", "wp:postmeta", "wp:comment")


def channel_name(element: etree._Element) -> str | None:
    """A channel child's name by meaning, None for comments and foreign elements."""
    tag = element.tag
    return field_name(tag) if isinstance(tag, str) else None


def record_kind(element: etree._Element) -> str | None:
    """ "item", "author", "category", "tag" or "term"; None for other children."""
    return RECORD_KINDS.get(channel_name(element))


def header_field(element: etree._Element) -> tuple[str, str] | None:
    """(name, trimmed text) when the channel child is one the Header holds."""
    name = channel_name(element)
    if name not in HEADER_FIELDS:
        return None
    return name, trim(element_text(element))


def header_record(fields: dict[str, str]) -> Header:
    """The Header from the channel fields seen so far."""
    return Header(
        wxr_version=fields.get("wp:wxr_version"),
        title=fields.get("title", ""),
        link=fields.get("link", ""),
        base_site_url=fields.get("wp:base_site_url", ""),
        base_blog_url=fields.get("wp:base_blog_url", ""),
    )


def author_record(element: etree._Element) -> Author:
    """A `wp:author`."""
    fields = Fields(element)
    return Author(
        wp_id=optional_id(fields.raw("wp:author_id")),
        login=fields.text("wp:author_login"),
        email=fields.text("wp:author_email"),
        display_name=fields.text("wp:author_display_name"),
        first_name=fields.text("wp:author_first_name"),
        last_name=fields.text("wp:author_last_name"),
    )


def term_record(element: etree._Element, kind: str) -> Term:
    """A `wp:category`, `wp:tag` or `wp:term` (kind says which)."""
    fields = Fields(element, repeated=("wp:termmeta",))
    taxonomy, slug_name, parent_name, name_name, description_name = TERM_FIELDS[kind]
    return Term(
        taxonomy=taxonomy or fields.text("wp:term_taxonomy"),
        slug=slug(fields.raw(slug_name)),
        name=term_name(fields.raw(name_name)),
        parent_slug=slug(fields.raw(parent_name)) if parent_name else "",
        description=fields.raw(description_name),
        wp_id=optional_id(fields.raw("wp:term_id")),
        meta=fields.meta("wp:termmeta"),
    )


def item_terms(categories: list[etree._Element]) -> tuple[ItemTerm, ...]:
    """An item's terms; a legacy `<category>` without nicename names none (as in
    WordPress, which reads it from the domain/nicename pair)."""
    terms = []
    for category in categories:
        nicename = category.get("nicename")
        if nicename is None:
            continue
        terms.append(
            ItemTerm(
                domain=trim(category.get("domain", "")),
                slug=slug(nicename),
                name=term_name(element_text(category)),
            )
        )
    return tuple(terms)


def comment_record(element: etree._Element) -> CommentRecord:
    """A `wp:comment` of an item."""
    fields = Fields(element, repeated=("wp:commentmeta",))
    return CommentRecord(
        wp_id=integer(fields.raw("wp:comment_id")),
        parent_wp_id=optional_id(fields.raw("wp:comment_parent")),
        author=fields.text("wp:comment_author"),
        author_email=fields.text("wp:comment_author_email"),
        author_url=fields.text("wp:comment_author_url"),
        author_ip=fields.text("wp:comment_author_IP"),
        date_gmt=gmt_datetime(fields.raw("wp:comment_date_gmt")),
        date=local_datetime(fields.raw("wp:comment_date")),
        content=fields.raw("wp:comment_content"),
        approved=fields.text("wp:comment_approved"),
        comment_type=fields.text("wp:comment_type"),
        user_id=optional_id(fields.raw("wp:comment_user_id")),
        meta=fields.meta("wp:commentmeta"),
    )


def item_record(
    element: etree._Element, comments: tuple[CommentRecord, ...] | None = None
) -> ItemRecord:
    """An `<item>` with its terms, postmeta and comments (comments: those read
    from it already, as it streamed by)."""
    fields = Fields(element, repeated=ITEM_REPEATED)
    return ItemRecord(
        wp_id=optional_id(fields.raw("wp:post_id")),
        post_type=fields.text("wp:post_type"),
        status=fields.text("wp:status"),
        title=fields.text("title"),
        link=fields.text("link"),
        guid=fields.text("guid"),
        slug=slug(fields.raw("wp:post_name")),
        content=fields.raw("content:encoded"),
        excerpt=fields.raw("excerpt:encoded"),
        date_gmt=gmt_datetime(fields.raw("wp:post_date_gmt")),
        date=local_datetime(fields.raw("wp:post_date")),
        author_login=fields.text("dc:creator"),
        parent_wp_id=optional_id(fields.raw("wp:post_parent")),
        menu_order=integer(fields.raw("wp:menu_order")),
        sticky=integer(fields.raw("wp:is_sticky")) != 0,
        password=fields.raw("wp:post_password"),
        comment_status=fields.text("wp:comment_status"),
        attachment_url=fields.text("wp:attachment_url"),
        terms=item_terms(fields.repeated["category"]),
        meta=fields.meta("wp:postmeta"),
        comments=(
            tuple(comment_record(c) for c in fields.repeated["wp:comment"])
            if comments is None
            else comments
        ),
    )
