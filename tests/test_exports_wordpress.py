"""`flask export wordpress`: a WXR 1.2 file WordPress's importer reads."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from models import Article
from models import ArticleStatus
from models import Comment
from models import Tag
from models import db
from porting.wxr_export import post_status
from porting.wxr_export import xml_text
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.sample_site import build_site

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _export(app, tmp_path) -> etree._Element:
    """Run the command; the parsed channel element."""
    path = tmp_path / "site.xml"
    result = app.test_cli_runner().invoke(args=["export", "wordpress", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return etree.parse(str(path)).getroot().find("channel")


def _items(channel) -> dict[str, etree._Element]:
    """The items by their wp:post_name."""
    return {
        item.findtext("wp:post_name", namespaces=NS): item
        for item in channel.iter("item")
    }


def test_export_wordpress_channel_header(app, tmp_path):
    build_site(app)
    channel = _export(app, tmp_path)
    assert channel.getparent().get("version") == "2.0"
    assert channel.findtext("title") == "Acme notes"
    assert channel.findtext("link") == "http://localhost/"
    assert channel.findtext("language") == "en"
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS) == "http://localhost/"
    assert channel.findtext("wp:base_blog_url", namespaces=NS) == "http://localhost/"
    authors = channel.findall("wp:author", NS)
    logins = {a.findtext("wp:author_login", namespaces=NS) for a in authors}
    assert logins == {"ada", "ed"}
    ada = next(
        a for a in authors if a.findtext("wp:author_login", namespaces=NS) == "ada"
    )
    assert ada.findtext("wp:author_email", namespaces=NS) == "ada@example.com"
    assert ada.findtext("wp:author_display_name", namespaces=NS) == "Ada"
    tags = {
        t.findtext("wp:tag_slug", namespaces=NS): t.findtext(
            "wp:tag_name", namespaces=NS
        )
        for t in channel.findall("wp:tag", NS)
    }
    assert tags == {"garden": "Garden", "food": "Food"}
    assert all(
        t.findtext("wp:term_id", namespaces=NS).isdigit()
        for t in channel.findall("wp:tag", NS)
    )


def test_export_wordpress_items(app, tmp_path):
    site = build_site(app)
    items = _items(_export(app, tmp_path))
    post = items["tomatoes-and-basil"]
    assert (
        post.findtext("title") == "Tomatoes &amp; basil"
    )  # HTML, as WordPress reads it
    assert post.findtext("link") == "http://localhost/articles/tomatoes-and-basil"
    assert post.findtext("dc:creator", namespaces=NS) == "ada"
    guid = post.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"http://localhost/?p={site.article_id}"
    assert "<strong>tomatoes</strong>" in post.findtext(
        "content:encoded", namespaces=NS
    )
    assert post.findtext("excerpt:encoded", namespaces=NS).startswith("Summary of")
    assert post.findtext("wp:post_id", namespaces=NS) == str(site.article_id)
    assert post.findtext("wp:post_type", namespaces=NS) == "post"
    assert post.findtext("wp:status", namespaces=NS) == "publish"
    assert post.findtext("wp:comment_status", namespaces=NS) == "open"
    assert post.findtext("wp:is_sticky", namespaces=NS) == "1"
    date_gmt = post.findtext("wp:post_date_gmt", namespaces=NS)
    assert len(date_gmt) == 19 and date_gmt[10] == " "
    categories = [
        (c.get("domain"), c.get("nicename"), c.text) for c in post.findall("category")
    ]
    assert sorted(categories) == [
        ("post_tag", "food", "Food"),
        ("post_tag", "garden", "Garden"),
    ]
    page = items["about"]
    assert page.findtext("wp:post_type", namespaces=NS) == "page"
    assert page.findtext("wp:comment_status", namespaces=NS) == "closed"
    assert page.findtext("wp:is_sticky", namespaces=NS) == "0"
    statuses = {
        slug: item.findtext("wp:status", namespaces=NS) for slug, item in items.items()
    }
    assert "draft" in statuses.values() and "future" in statuses.values()


def test_export_wordpress_comments_keep_threads_states_and_kinds(app, tmp_path):
    site = build_site(app)
    post = _items(_export(app, tmp_path))["tomatoes-and-basil"]
    comments = {
        # Each comment goes out as the HTML of its paragraphs.
        c.findtext("wp:comment_content", namespaces=NS)
        .removeprefix("<p>")
        .removesuffix("</p>"): c
        for c in post.findall("wp:comment", NS)
    }
    assert len(comments) == 8
    approved = {
        text: c.findtext("wp:comment_approved", namespaces=NS)
        for text, c in comments.items()
    }
    assert approved["First!"] == "1" and approved["Waiting"] == "0"
    assert approved["Buy pills"] == "spam" and approved["Gone"] == "trash"
    assert comments["Linked"].findtext("wp:comment_type", namespaces=NS) == "pingback"
    assert comments["First!"].findtext("wp:comment_type", namespaces=NS) == ""
    assert comments["First!"].findtext("wp:comment_parent", namespaces=NS) == "0"
    reply = comments["A reply ]]&gt; with CDATA end"]
    assert reply.findtext("wp:comment_id", namespaces=NS) == str(site.reply_id)
    parent = reply.findtext("wp:comment_parent", namespaces=NS)
    assert comments["First!"].findtext("wp:comment_id", namespaces=NS) == parent
    nested = comments["Reply to the reply"].findtext("wp:comment_parent", namespaces=NS)
    assert nested == str(site.reply_id)
    first = comments["First!"]
    assert (
        first.findtext("wp:comment_author_url", namespaces=NS)
        == "https://reader.example"
    )
    assert first.findtext("wp:comment_author_IP", namespaces=NS) == ""
    assert first.findtext("wp:comment_user_id", namespaces=NS) == "0"
    assert first.findtext("wp:comment_author_email", namespaces=NS).endswith(
        "@example.org"
    )


def test_export_wordpress_splits_cdata_and_drops_control_characters(app, tmp_path):
    with app.app_context():
        article = make_article("Bell\x07 and ]]> end", body="Text ]]> more\n")
        make_comment(article, "Soh\x01 here ]]>]]> twice", author_name="Ann ]]> Bee")
        db.session.commit()
    raw = tmp_path / "site.xml"
    channel = _export(app, tmp_path)
    assert b"\x07" not in raw.read_bytes() and b"\x01" not in raw.read_bytes()
    assert b"]]]]><![CDATA[>" in raw.read_bytes()
    [item] = channel.iter("item")
    # Text goes out as the HTML WordPress expects: escaped.
    assert item.findtext("title") == "Bell and ]]&gt; end"
    assert "Text ]]&gt; more" in item.findtext("content:encoded", namespaces=NS)
    comment = item.find("wp:comment", NS)
    assert comment.findtext("wp:comment_author", namespaces=NS) == "Ann ]]> Bee"
    assert (
        comment.findtext("wp:comment_content", namespaces=NS)
        == "<p>Soh here ]]&gt;]]&gt; twice</p>"
    )


def test_export_wordpress_writes_text_as_escaped_html(app, tmp_path):
    """A comment that shows as text in Folio must not become markup in WordPress."""
    with app.app_context():
        article = make_article("a < b > c", summary="<b>not bold</b>")
        make_comment(article, "<img src=x onerror=alert(1)> see https://example.org")
        db.session.commit()
    channel = _export(app, tmp_path)
    [item] = channel.iter("item")
    assert item.findtext("title") == "a &lt; b &gt; c"
    assert (
        item.findtext("excerpt:encoded", namespaces=NS) == "&lt;b&gt;not bold&lt;/b&gt;"
    )
    content = item.find("wp:comment", NS).findtext("wp:comment_content", namespaces=NS)
    assert "<img" not in content and "&lt;img src=x" in content
    assert '<a href="https://example.org"' in content


@pytest.mark.parametrize(
    ("status", "days", "expected"),
    [
        (ArticleStatus.PUBLISHED, -1, "publish"),
        (ArticleStatus.PUBLISHED, 1, "future"),
        (ArticleStatus.DRAFT, -1, "draft"),
        (ArticleStatus.DRAFT, None, "draft"),
    ],
)
def test_post_status(status, days, expected):
    from datetime import timedelta

    from models import utcnow

    when = None if days is None else utcnow() + timedelta(days=days)
    assert post_status(status, when) == expected


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a\x00b\x1fc", "abc"),
        ("tab\tnl\ncr\r", "tab\tnl\ncr\r"),
        ("\ufffe\uffffé", "é"),
    ],
)
def test_xml_text_drops_what_xml_forbids(text, kept):
    assert xml_text(text) == kept


def test_export_wordpress_reads_back_with_the_wordpress_importer(
    app, second_app, tmp_path
):
    build_site(app)
    _export(app, tmp_path)
    result = second_app.test_cli_runner().invoke(
        args=["import", "wordpress", str(tmp_path / "site.xml"), "--create-authors"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        before = _census()
    with second_app.app_context():
        after = _census()
    assert after == before


def _census() -> dict[str, object]:
    """What a WXR round trip keeps: titles and statuses, comments by status, tags."""
    articles = db.session.execute(
        select(Article.kind, Article.title, Article.status, Article.featured)
    ).all()
    comments = db.session.execute(
        select(Comment.status, Comment.kind, Comment.body, Comment.depth)
    ).all()
    return {
        "articles": sorted(tuple(map(str, row)) for row in articles),
        "comments": sorted(tuple(map(str, row)) for row in comments),
        "tags": sorted(db.session.scalars(select(Tag.slug))),
    }
