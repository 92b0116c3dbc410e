"""Small WordPress export (WXR) documents for the importer's tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

WP = "http://wordpress.org/export/1.2/"


def cdata(text: str) -> str:
    """text as CDATA, split where it holds `]]>` (as WordPress's exporter does)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def document(
    *parts: str, version: str = "1.2", site: str = "https://old.example"
) -> bytes:
    """A WXR file holding parts (authors, terms, items) in its channel."""
    body = "\n".join(parts)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="{WP}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{WP}">
<channel>
<title>Old blog</title>
<link>{site}</link>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
{body}
</channel>
</rss>
""".encode()


def author(login: str, email: str = "", name: str = "", wp_id: int = 1) -> str:
    """A wp:author."""
    return f"""<wp:author><wp:author_id>{wp_id}</wp:author_id>
<wp:author_login>{cdata(login)}</wp:author_login>
<wp:author_email>{cdata(email)}</wp:author_email>
<wp:author_display_name>{cdata(name or login)}</wp:author_display_name>
<wp:author_first_name>{cdata("")}</wp:author_first_name>
<wp:author_last_name>{cdata("")}</wp:author_last_name></wp:author>"""


def category(slug: str, name: str, parent: str = "", wp_id: int = 10) -> str:
    """A channel-level wp:category."""
    return f"""<wp:category><wp:term_id>{wp_id}</wp:term_id>
<wp:category_nicename>{cdata(slug)}</wp:category_nicename>
<wp:category_parent>{cdata(parent)}</wp:category_parent>
<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>"""


def tag(slug: str, name: str, wp_id: int = 20) -> str:
    """A channel-level wp:tag."""
    return f"""<wp:tag><wp:term_id>{wp_id}</wp:term_id>
<wp:tag_slug>{cdata(slug)}</wp:tag_slug>
<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>"""


def comment(
    wp_id: int,
    content: str,
    *,
    approved: str = "1",
    parent: int = 0,
    name: str = "Reader",
    email: str = "reader@example.com",
    url: str = "",
    ip: str = "192.0.2.1",
    date_gmt: str = "2024-01-03 10:00:00",
    kind: str = "",
    user_id: int = 0,
) -> str:
    """A wp:comment."""
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>
<wp:comment_author>{cdata(name)}</wp:comment_author>
<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>
<wp:comment_author_url>{escape(url)}</wp:comment_author_url>
<wp:comment_author_IP>{escape(ip)}</wp:comment_author_IP>
<wp:comment_date>{date_gmt}</wp:comment_date>
<wp:comment_date_gmt>{date_gmt}</wp:comment_date_gmt>
<wp:comment_content>{cdata(content)}</wp:comment_content>
<wp:comment_approved>{cdata(approved)}</wp:comment_approved>
<wp:comment_type>{cdata(kind)}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>{user_id}</wp:comment_user_id></wp:comment>"""


def item(
    wp_id: int,
    title: str,
    content: str = "",
    *,
    post_type: str = "post",
    status: str = "publish",
    slug: str | None = None,
    date_gmt: str = "2024-01-02 09:30:00",
    date: str | None = None,
    creator: str = "admin",
    sticky: bool = False,
    password: str = "",
    comment_status: str = "open",
    excerpt: str = "",
    terms: tuple[tuple[str, str, str], ...] = (),
    meta: tuple[tuple[str, str], ...] = (),
    comments: tuple[str, ...] = (),
    link: str | None = None,
    attachment_url: str = "",
) -> str:
    """An <item>: a post, a page or an attachment."""
    slug = slug if slug is not None else f"post-{wp_id}"
    link = link if link is not None else f"https://old.example/2024/01/{slug}/"
    categories = "".join(
        f'<category domain="{d}" nicename="{escape(s)}">{cdata(n)}</category>'
        for d, s, n in terms
    )
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in meta
    )
    attached = (
        f"<wp:attachment_url>{cdata(attachment_url)}</wp:attachment_url>"
        if attachment_url
        else ""
    )
    return f"""<item><title>{cdata(title)}</title><link>{escape(link)}</link>
<dc:creator>{cdata(creator)}</dc:creator>
<guid isPermaLink="false">https://old.example/?p={wp_id}</guid>
<content:encoded>{cdata(content)}</content:encoded>
<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>{cdata(date or date_gmt)}</wp:post_date>
<wp:post_date_gmt>{cdata(date_gmt)}</wp:post_date_gmt>
<wp:comment_status>{cdata(comment_status)}</wp:comment_status>
<wp:post_name>{cdata(slug)}</wp:post_name>
<wp:status>{cdata(status)}</wp:status>
<wp:post_parent>0</wp:post_parent>
<wp:menu_order>0</wp:menu_order>
<wp:post_type>{cdata(post_type)}</wp:post_type>
<wp:post_password>{cdata(password)}</wp:post_password>
<wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>
{attached}{categories}{metas}{"".join(comments)}</item>"""
