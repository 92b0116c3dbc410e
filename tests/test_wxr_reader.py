"""porting.wxr_reader: a streaming, safe reader of WordPress exports (WXR)."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC
from datetime import datetime

import pytest

from porting.wxr_reader import WxrError
from porting.wxr_reader import read_wxr
from porting.wxr_reader import scan_wxr
from porting.wxr_reader import wordpress_namespace
from porting.wxr_records import Author
from porting.wxr_records import Header
from porting.wxr_records import ItemRecord
from porting.wxr_records import ItemTerm
from porting.wxr_records import Term
from porting.wxr_stream import GuardedStream
from porting.wxr_stream import channel_children
from tests.support.wxr_samples import index_counts
from tests.support.wxr_samples import sample
from tests.support.wxr_samples import sample_names

WP12 = "http://wordpress.org/export/1.2/"


def wxr(
    body: str, *, uri: str = WP12, prefix: str = "wp", version: str = "1.2"
) -> bytes:
    """A small WXR document: a channel with a title, a version and body."""
    excerpt = f"{uri}excerpt/"
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- generator="WordPress/6.5" -->
<rss version="2.0" xmlns:excerpt="{excerpt}"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:{prefix}="{uri}">
<channel>
<title>Folio test</title>
<link>https://old.example/</link>
<{prefix}:wxr_version>{version}</{prefix}:wxr_version>
<{prefix}:base_site_url>https://old.example/</{prefix}:base_site_url>
<{prefix}:base_blog_url>https://old.example/blog/</{prefix}:base_blog_url>
{body}
</channel>
</rss>
""".encode()


def records(data: bytes) -> list:
    """Every record read_wxr yields for the document."""
    return list(read_wxr(io.BytesIO(data)))


def only_item(data: bytes) -> ItemRecord:
    """The one item of the document."""
    (item,) = [r for r in records(data) if isinstance(r, ItemRecord)]
    return item


def item(fields: str) -> str:
    """An <item> holding the given fields."""
    return f"<item><title>Hello</title>{fields}</item>"


def comment(fields: str) -> str:
    """A wp:comment holding the given fields."""
    return f"<wp:comment><wp:comment_id>7</wp:comment_id>{fields}</wp:comment>"


@pytest.mark.parametrize(
    "uri",
    [
        f"{scheme}://wordpress.org/export/{version}/"
        for scheme in ("http", "https")
        for version in ("1.0", "1.1", "1.2")
    ],
)
def test_read_wxr_every_wxr_version_and_scheme(uri):
    version = uri.rsplit("/", 2)[1]
    body = (
        "<wp:author><wp:author_id>3</wp:author_id>"
        "<wp:author_login>ann</wp:author_login></wp:author>"
        + item("<wp:post_id>5</wp:post_id><wp:post_type>post</wp:post_type>")
    )
    header, author, post = records(wxr(body, uri=uri, version=version))
    assert header.wxr_version == version
    assert (author.wp_id, author.login) == (3, "ann")
    assert (post.wp_id, post.post_type) == (5, "post")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://wordpress.org/export/1.2/", True),
        ("https://wordpress.org/export/1.0/", True),
        ("http://wordpress.org/export/1.13/", True),
        ("http://wordpress.org/export/2.0/", False),
        ("http://wordpress.org/export/1.2/excerpt/", False),
        ("http://wordpress.org/export/1.2", False),
        ("http://evil.example/wordpress.org/export/1.2/", False),
        ("", False),
    ],
)
def test_wordpress_namespace_matches_only_wxr_uris(uri, expected):
    assert wordpress_namespace(uri) is expected


def test_read_wxr_follows_the_uri_not_the_prefix():
    data = wxr(
        '<wp:author xmlns:wp="http://example.com/fake/">'
        "<wp:author_login>fake</wp:author_login></wp:author>"
        "<press:author><press:author_login>real</press:author_login></press:author>"
        + item(
            "<press:post_id>9</press:post_id>"
            '<wp:postmeta xmlns:wp="http://example.com/x/"><wp:meta_key>bad</wp:meta_key>'
            "<wp:meta_value>bad</wp:meta_value></wp:postmeta>"
            "<press:postmeta><press:meta_key>good</press:meta_key>"
            "<press:meta_value>1</press:meta_value></press:postmeta>"
            '<post_type xmlns="http://wordpress.org/export/1.1/">page</post_type>'
        ),
        prefix="press",
    )
    header, author, post = records(data)
    assert header.wxr_version == "1.2"
    assert author.login == "real"
    assert (post.wp_id, post.post_type, post.meta) == (9, "page", (("good", "1"),))


def test_read_wxr_ignores_elements_under_a_hijacked_prefix():
    data = wxr(
        '<item xmlns:wp="http://malicious.example/">'
        "<title>Hijacked</title><wp:post_id>5</wp:post_id>"
        "<wp:post_type>post</wp:post_type></item>"
    )
    post = only_item(data)
    assert (post.title, post.wp_id, post.post_type) == ("Hijacked", None, "")


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("<![CDATA[one]]><![CDATA[two]]>", "onetwo"),
        ("<![CDATA[a ]]]]><![CDATA[> b]]>", "a ]]> b"),
        ("\n<![CDATA[x]]>\n", "\nx\n"),
        ("<![CDATA[ends with ]] >]]>", "ends with ]] >"),
        ("<![CDATA[&amp; &lol; <b>]]>", "&amp; &lol; <b>"),
        ("plain &amp; &#x1F600; text", "plain & \U0001f600 text"),
        ('<![CDATA[C:\\xampp\\htdocs \\"q\\"]]>', 'C:\\xampp\\htdocs \\"q\\"'),
        (
            "<![CDATA[\U0001d4e3\U0001f680 \u202eRTL\u202c\u200b]]>",
            "𝓣🚀 \u202eRTL\u202c\u200b",
        ),
        ("<![CDATA[para one\n\npara two]]>", "para one\n\npara two"),
        ("text<!-- note -->more", "textmore"),
    ],
)
def test_read_wxr_content_text_is_exact(encoded, expected):
    post = only_item(wxr(item(f"<content:encoded>{encoded}</content:encoded>")))
    assert post.content == expected


def test_read_wxr_item_fields():
    post = only_item(
        wxr(
            item(
                "<link>https://old.example/?p=4</link>"
                '<guid isPermaLink="false">https://old.example/?p=4</guid>'
                "<dc:creator><![CDATA[ann]]></dc:creator>"
                "<excerpt:encoded><![CDATA[Short.]]></excerpt:encoded>"
                "<wp:post_id>4</wp:post_id>"
                "<wp:post_date>2024-06-05 18:04:48</wp:post_date>"
                "<wp:post_date_gmt>2024-06-05 16:04:48</wp:post_date_gmt>"
                "<wp:comment_status>closed</wp:comment_status>"
                "<wp:post_name><![CDATA[%ce%b5%cf%80%ce%af-2]]></wp:post_name>"
                "<wp:status>draft</wp:status><wp:post_parent>0</wp:post_parent>"
                "<wp:menu_order>-3</wp:menu_order><wp:post_type>page</wp:post_type>"
                "<wp:post_password><![CDATA[ secret ]]></wp:post_password>"
                "<wp:is_sticky>1</wp:is_sticky>"
                "<wp:attachment_url> https://old.example/a.jpg </wp:attachment_url>"
                '<category domain="category" nicename="news"><![CDATA[News &amp; Views]]></category>'
                '<category domain="post_tag" nicename="%c3%a9t%c3%a9">été</category>'
                "<category><![CDATA[Legacy]]></category>"
                "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                "<wp:meta_value><![CDATA[12]]></wp:meta_value></wp:postmeta>"
                "<wp:postmeta><wp:meta_key>data</wp:meta_key>"
                '<wp:meta_value><![CDATA[a:1:{s:3:"foo";s:3:"bar";}]]></wp:meta_value></wp:postmeta>'
            )
        )
    )
    assert (post.wp_id, post.post_type, post.status, post.title) == (
        4,
        "page",
        "draft",
        "Hello",
    )
    assert (post.link, post.guid) == (
        "https://old.example/?p=4",
        "https://old.example/?p=4",
    )
    assert (post.author_login, post.excerpt, post.comment_status) == (
        "ann",
        "Short.",
        "closed",
    )
    assert post.slug == "επί-2"
    assert post.date == datetime(2024, 6, 5, 18, 4, 48)
    assert post.date_gmt == datetime(2024, 6, 5, 16, 4, 48, tzinfo=UTC)
    assert (post.parent_wp_id, post.menu_order, post.sticky) == (None, -3, True)
    assert post.password == " secret "
    assert post.attachment_url == "https://old.example/a.jpg"
    assert post.terms == (
        ItemTerm("category", "news", "News & Views"),
        ItemTerm("post_tag", "été", "été"),
    )
    assert post.meta == (
        ("_thumbnail_id", "12"),
        ("data", 'a:1:{s:3:"foo";s:3:"bar";}'),
    )
    assert post.comments == ()


def test_read_wxr_missing_fields_have_defaults():
    post = only_item(wxr("<item></item>"))
    assert post == ItemRecord(
        wp_id=None,
        post_type="",
        status="",
        title="",
        link="",
        guid="",
        slug="",
        content="",
        excerpt="",
        date_gmt=None,
        date=None,
        author_login="",
        parent_wp_id=None,
        menu_order=0,
        sticky=False,
        password="",
        comment_status="",
        attachment_url="",
        terms=(),
        meta=(),
        comments=(),
    )


@pytest.mark.parametrize(
    "parent",
    ["<wp:post_parent>12</wp:post_parent>", "<wp:post_parent> 12\n</wp:post_parent>"],
)
def test_read_wxr_keeps_a_parent_id(parent):
    assert only_item(wxr(item(parent))).parent_wp_id == 12


@pytest.mark.parametrize(
    ("text", "gmt", "local"),
    [
        ("0000-00-00 00:00:00", None, None),
        ("", None, None),
        ("yesterday", None, None),
        ("2012-13-45 99:00:00", None, None),
        (
            "<![CDATA[2012-01-05 14:30:46]]>",
            datetime(2012, 1, 5, 14, 30, 46, tzinfo=UTC),
            datetime(2012, 1, 5, 14, 30, 46),
        ),
    ],
)
def test_read_wxr_dates(text, gmt, local):
    post = only_item(
        wxr(
            item(
                f"<wp:post_date>{text}</wp:post_date><wp:post_date_gmt>{text}</wp:post_date_gmt>"
            )
        )
    )
    assert (post.date_gmt, post.date) == (gmt, local)


@pytest.mark.parametrize("approved", ["1", "0", "spam", "trash", "", "post-trashed"])
def test_read_wxr_comment_status_is_kept_raw(approved):
    post = only_item(
        wxr(item(comment(f"<wp:comment_approved>{approved}</wp:comment_approved>")))
    )
    assert post.comments[0].approved == approved


def test_read_wxr_comment_fields():
    post = only_item(
        wxr(
            item(
                comment(
                    "<wp:comment_author><![CDATA[Bo \\o/]]></wp:comment_author>"
                    "<wp:comment_author_email>bo@example.com</wp:comment_author_email>"
                    "<wp:comment_author_url>https://bo.example/</wp:comment_author_url>"
                    "<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>"
                    "<wp:comment_date>2020-02-22 16:12:00</wp:comment_date>"
                    "<wp:comment_date_gmt>2020-02-22 15:12:00</wp:comment_date_gmt>"
                    '<wp:comment_content><![CDATA[Hi\n\n<a href="x">there</a>]]></wp:comment_content>'
                    "<wp:comment_approved><![CDATA[1]]></wp:comment_approved>"
                    "<wp:comment_type>pingback</wp:comment_type>"
                    "<wp:comment_parent>0</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id>"
                    "<wp:commentmeta><wp:meta_key>akismet</wp:meta_key>"
                    "<wp:meta_value><![CDATA[¯\\_(ツ)_/¯]]></wp:meta_value></wp:commentmeta>"
                )
                + "<wp:comment><wp:comment_id>8</wp:comment_id>"
                "<wp:comment_parent>7</wp:comment_parent>"
                "<wp:comment_user_id>2</wp:comment_user_id></wp:comment>"
            )
        )
    )
    first, reply = post.comments
    assert (first.wp_id, first.parent_wp_id, first.user_id) == (7, None, None)
    assert (first.author, first.author_email) == ("Bo \\o/", "bo@example.com")
    assert (first.author_url, first.author_ip) == ("https://bo.example/", "192.0.2.1")
    assert first.date == datetime(2020, 2, 22, 16, 12)
    assert first.date_gmt == datetime(2020, 2, 22, 15, 12, tzinfo=UTC)
    assert first.content == 'Hi\n\n<a href="x">there</a>'
    assert (first.approved, first.comment_type) == ("1", "pingback")
    assert first.meta == (("akismet", "¯\\_(ツ)_/¯"),)
    assert (reply.wp_id, reply.parent_wp_id, reply.user_id) == (8, 7, 2)
    assert (reply.approved, reply.comment_type, reply.date) == ("", "", None)


def test_read_wxr_terms_of_every_kind():
    data = wxr(
        "<wp:category><wp:term_id>3</wp:term_id>"
        "<wp:category_nicename>child</wp:category_nicename>"
        "<wp:category_parent>parent</wp:category_parent>"
        "<wp:cat_name><![CDATA[Child &amp; Co]]></wp:cat_name>"
        "<wp:category_description><![CDATA[About <b>it</b>]]></wp:category_description>"
        "</wp:category>"
        "<wp:tag><wp:term_id>4</wp:term_id><wp:tag_slug>%e6%97%a5</wp:tag_slug>"
        "<wp:tag_name><![CDATA[foo\\'bar]]></wp:tag_name></wp:tag>"
        "<wp:term><wp:term_id><![CDATA[5]]></wp:term_id>"
        "<wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>main</wp:term_slug>"
        "<wp:term_parent></wp:term_parent><wp:term_name>Main &amp;amp; more</wp:term_name>"
        "<wp:termmeta><wp:meta_key>legacy_id</wp:meta_key>"
        "<wp:meta_value>42</wp:meta_value></wp:termmeta></wp:term>"
    )
    _, category, tag, term = records(data)
    assert category == Term(
        "category", "child", "Child & Co", "parent", "About <b>it</b>", 3
    )
    assert tag == Term("post_tag", "日", "foo\\'bar", "", "", 4)
    # "&amp;amp;" outside CDATA parses to "&amp;": WordPress's stored, escaped
    # form of "&", which is unescaped once.
    assert term == Term(
        "nav_menu", "main", "Main & more", "", "", 5, (("legacy_id", "42"),)
    )


def test_read_wxr_header_comes_first_then_document_order():
    data = wxr(
        item("<wp:post_id>1</wp:post_id>")
        + "<wp:author><wp:author_login>ann</wp:author_login></wp:author>"
        + "<wp:tag><wp:tag_slug>t</wp:tag_slug></wp:tag>"
        + "<generator>https://wordpress.org/?v=6.5</generator>"
        + item("<wp:post_id>2</wp:post_id>")
    )
    kinds = [type(r).__name__ for r in records(data)]
    assert kinds == ["Header", "ItemRecord", "Author", "Term", "ItemRecord"]
    assert records(data)[0] == Header(
        "1.2",
        "Folio test",
        "https://old.example/",
        "https://old.example/",
        "https://old.example/blog/",
    )


def test_read_wxr_header_fields_after_the_first_record_are_not_known():
    data = wxr("").replace(b"<channel>", b"<channel><wp:author/>")
    header, author = records(data)
    assert header == Header(None, "", "", "", "")
    assert author == Author(None, "", "", "", "", "")


def test_read_wxr_trims_scalars_but_not_content():
    data = wxr(
        "<wp:author><wp:author_id>1\n</wp:author_id>"
        "<wp:author_login>alice\n</wp:author_login>"
        "<wp:author_display_name><![CDATA[Al \u200b]]></wp:author_display_name></wp:author>"
        + item(
            "<wp:post_type> post\n</wp:post_type>"
            "<content:encoded>\n  indented\n</content:encoded>"
            "<wp:postmeta><wp:meta_key> k </wp:meta_key>"
            "<wp:meta_value> v\n</wp:meta_value></wp:postmeta>"
        )
    )
    _, author, post = records(data)
    # PHP's trim() set: a zero-width space is data, not whitespace.
    assert (author.wp_id, author.login, author.display_name) == (
        1,
        "alice",
        "Al \u200b",
    )
    assert post.post_type == "post"
    assert post.content == "\n  indented\n"
    assert post.meta == (("k", " v\n"),)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" a="&lol9;" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>&lol9;</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol9;</title></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!-- an export -->
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>
"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<rss><channel><item/></channel></rss>
"""


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (BILLION_LAUGHS.encode(), 2),
        (EXTERNAL_ENTITY.encode(), 3),
        (PARAMETER_ENTITY.encode(), 2),
        (BILLION_LAUGHS.encode("utf-16"), 2),
        (EXTERNAL_ENTITY.encode("utf-16-le"), 3),
        ("\ufeff<!DOCTYPE rss>\n<rss><channel/></rss>".encode(), 1),
    ],
    ids=["billion-laughs", "external", "parameter", "utf-16", "utf-16-le", "bom"],
)
def test_entity_declarations_are_refused_before_anything_is_read(data, line):
    seen = []
    with pytest.raises(WxrError) as raised:
        seen.extend(read_wxr(io.BytesIO(data)))
    assert seen == []
    assert "entity declarations are refused" in str(raised.value)
    assert raised.value.line == line
    with pytest.raises(WxrError, match="entity declarations are refused"):
        scan_wxr(io.BytesIO(data))


LONG_PROLOG = (
    '<?xml version="1.0"?>\n<!--'
    + "x" * 2_000_000
    + "-->\n"
    + BILLION_LAUGHS.split("\n", 1)[1]
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS.encode("utf-32"), "does not start with XML markup"),
        (LONG_PROLOG.encode(), "no root element in its first megabyte"),
    ],
    ids=["utf-32", "long-prolog"],
)
def test_a_prolog_the_guard_cannot_read_is_refused(data, message):
    with pytest.raises(WxrError, match=message):
        records(data)


def test_an_undeclared_entity_is_a_syntax_error_at_its_position():
    data = wxr(item("<title>a &nbsp; b</title>"))
    lines = data.decode().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "&nbsp;" in text)
    with pytest.raises(WxrError) as raised:
        records(data)
    assert raised.value.line == line
    assert raised.value.column is not None
    assert "nbsp" in raised.value.message


@pytest.mark.parametrize(
    ("data", "line", "text"),
    [
        (
            b"<rss><channel>\n<item>\n<title>x</b>\n</item></channel></rss>",
            3,
            "mismatch",
        ),
        (b"<rss><channel>\n<item><![CDATA[a]]>]]></item></channel></rss>", 2, "]]>"),
        (b"<rss><channel>\n<item>", 2, "end of data"),
        (b"<rss><channel/></rss>\n<rss/>", 2, "Extra content"),
        (b"<rss><channel><title>\xff\xfe</title></channel></rss>", 1, "encoding"),
        (b"", 1, ""),
        (b"just text", 1, ""),
    ],
)
def test_malformed_xml_is_a_wxr_error_with_line_and_column(data, line, text):
    for read in (records, lambda d: scan_wxr(io.BytesIO(d))):
        with pytest.raises(WxrError) as raised:
            read(data)
        error = raised.value
        assert (error.line, text.lower() in error.message.lower()) == (line, True)
        assert error.column is not None
        assert (
            str(error) == f"line {error.line}, column {error.column}: {error.message}"
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<feed><entry/></feed>", "the root element is <feed>"),
        (b'<rss xmlns="http://example.com/"><channel/></rss>', "not <rss>"),
        (b"<rss><item/></rss>", "no <channel>"),
    ],
)
def test_a_file_that_is_not_wxr_is_refused(data, message):
    with pytest.raises(WxrError, match=message):
        records(data)
    with pytest.raises(WxrError, match=message):
        scan_wxr(io.BytesIO(data))


def test_namespace_uri_problems_do_not_stop_the_import():
    data = wxr(
        '<item xmlns:odd="http://ëxämplë.com/ünï/">'
        "<odd:x>1</odd:x><wp:post_id>4</wp:post_id></item>"
        + item("<wp:post_id>5</wp:post_id>")
    )
    assert [r.wp_id for r in records(data) if isinstance(r, ItemRecord)] == [4, 5]
    assert scan_wxr(io.BytesIO(data)).items == 2


def test_a_namespace_problem_does_not_hide_a_truncated_file():
    data = wxr('<item xmlns:odd="http://ëx.com/"><odd:x/></item>').split(b"</channel>")[
        0
    ]
    with pytest.raises(WxrError) as raised:
        records(data)
    assert raised.value.line is not None


def test_wxr_error_str_without_a_position():
    assert str(WxrError("cannot read x")) == "cannot read x"
    assert str(WxrError("bad", line=3)) == "line 3: bad"
    assert str(WxrError("bad", 3, 9)) == "line 3, column 9: bad"


def test_read_wxr_takes_a_path_a_str_or_a_binary_file(tmp_path):
    data = wxr(item("<wp:post_id>1</wp:post_id>"))
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    expected = records(data)
    assert list(read_wxr(path)) == expected
    assert list(read_wxr(str(path))) == expected
    with path.open("rb") as handle:
        assert list(read_wxr(handle)) == expected


@pytest.mark.parametrize(
    "data",
    [
        wxr(item("<content:encoded>Été 🚀</content:encoded>"))
        .replace(b"UTF-8", b"UTF-16")
        .decode()
        .encode("utf-16"),
        b"\xef\xbb\xbf" + wxr(item("<content:encoded>Été 🚀</content:encoded>")),
    ],
    ids=["utf-16", "utf-8-bom"],
)
def test_read_wxr_decodes_the_declared_encoding(data):
    assert only_item(data).content == "Été 🚀"


def test_read_wxr_missing_file_is_a_wxr_error(tmp_path):
    with pytest.raises(WxrError, match="cannot read .*missing.xml"):
        list(read_wxr(tmp_path / "missing.xml"))


def test_read_wxr_reads_a_huge_post():
    content = "<p>" + "word " * 2_200_000 + "</p>"  # over libxml2's 10 MB text limit
    post = only_item(
        wxr(item(f"<content:encoded><![CDATA[{content}]]></content:encoded>"))
    )
    assert post.content == content


def test_channel_children_clears_each_finished_element():
    data = wxr("".join(item(f"<wp:post_id>{n}</wp:post_id>" * 3) for n in range(50)))
    previous = None
    for element in channel_children(GuardedStream(io.BytesIO(data))):
        if previous is not None:
            assert len(previous) == 0 and previous.text is None
            assert previous.getprevious() is None
            # Only the one just read is left before it, emptied.
            assert element.getprevious() is previous
        previous = element
    assert previous is not None and len(previous) == 0


def test_scan_wxr_counts_a_file():
    data = wxr(
        "<wp:author/><wp:author/><wp:category/><wp:tag/><wp:tag/><wp:term/>"
        + item(
            "<wp:post_type>post</wp:post_type>"
            + comment("<wp:comment_approved>1</wp:comment_approved>")
            + comment("<wp:comment_approved>spam</wp:comment_approved>")
            + "<wp:postmeta/><wp:postmeta/>"
        )
        + item("<wp:post_type>page</wp:post_type>" + comment(""))
        + item("<wp:post_type>post</wp:post_type>")
    )
    summary = scan_wxr(io.BytesIO(data))
    assert summary.wxr_version == "1.2"
    assert (summary.items, summary.items_by_type) == (3, {"post": 2, "page": 1})
    assert (summary.comments, summary.comments_by_status) == (
        3,
        {"1": 1, "spam": 1, "": 1},
    )
    assert (summary.authors, summary.categories, summary.tags, summary.terms) == (
        2,
        1,
        2,
        1,
    )
    assert (summary.postmeta, summary.total_bytes) == (2, len(data))


# WordPress's own test files, counted against INDEX.md.


def _comment_shape(items: list[ItemRecord]) -> tuple[int, int, int]:
    """(replies, replies whose parent is not in the same item, deepest thread)."""
    replies = orphans = deepest = 0
    for post in items:
        parents = {c.wp_id: c.parent_wp_id for c in post.comments}
        for c in post.comments:
            depth, parent = 1, c.parent_wp_id
            replies += parent is not None
            orphans += parent is not None and parent not in parents
            while parent in parents and depth <= len(parents):
                depth, parent = depth + 1, parents[parent]
            deepest = max(deepest, depth)
    return replies, orphans, deepest


@pytest.mark.parametrize("name", sample_names())
def test_sample_matches_index(name):
    expected = index_counts()[name]
    path = sample(name)
    if not expected.well_formed:
        for read in (lambda p: list(read_wxr(p)), scan_wxr):
            with pytest.raises(WxrError) as raised:
                read(path)
            assert raised.value.line is not None and raised.value.column is not None
            assert re.match(r"line \d+, column \d+: \S", str(raised.value))
        return
    found = list(read_wxr(path))
    assert isinstance(found[0], Header)
    assert found[0].wxr_version == expected.wxr_version
    assert sum(isinstance(r, Header) for r in found) == 1
    items = [r for r in found if isinstance(r, ItemRecord)]
    terms = [r for r in found if isinstance(r, Term)]
    types = Counter(i.post_type for i in items)
    statuses = Counter(c.approved for i in items for c in i.comments)
    by_status = [statuses.pop(s, 0) for s in ("1", "0", "spam", "trash")]
    assert (len(items), types["post"], types["page"], types["attachment"]) == (
        expected.items,
        expected.posts,
        expected.pages,
        expected.attachments,
    )
    assert (*by_status, sum(statuses.values())) == expected.comments_by_status
    assert _comment_shape(items) == (
        expected.replies,
        expected.orphans,
        expected.max_depth,
    )
    assert sum(isinstance(r, Author) for r in found) == expected.authors
    assert len(terms) == expected.categories + expected.tags + expected.terms
    with_parent = sum(t.parent_slug != "" for t in terms)
    assert with_parent == expected.categories_with_parent + expected.terms_with_parent
    assert sum(len(i.meta) for i in items) == expected.postmeta
    summary = scan_wxr(path)
    assert summary.wxr_version == expected.wxr_version
    assert (summary.items, summary.items_by_type) == (len(items), dict(types))
    assert summary.comments == expected.comments
    assert (summary.authors, summary.categories, summary.tags, summary.terms) == (
        expected.authors,
        expected.categories,
        expected.tags,
        expected.terms,
    )
    assert summary.postmeta == expected.postmeta
    assert summary.total_bytes == path.stat().st_size


def _sample_records(name: str) -> list:
    """Every record of one sample file."""
    return list(read_wxr(sample(name)))


def _sample_items(name: str) -> list[ItemRecord]:
    """The items of one sample file."""
    return [r for r in _sample_records(name) if isinstance(r, ItemRecord)]


def test_sample_backslashes_survive():
    (post,) = _sample_items("phpunit-data/backslashes.xml")
    assert post.content == "C:\\xampp\\htdocs\\wp-content"
    found = _sample_records("phpunit-data/slashes.xml")
    (post,) = [r for r in found if isinstance(r, ItemRecord)]
    assert post.content == 'Slashes aren\\\'t \\"cool\\"'
    assert post.comments[0].content == "\\o/ ¯\\_(ツ)_/¯"
    assert [t.name for t in found if isinstance(t, Term)] == [
        'a \\"great\\" category',
        "foo\\'bar",
    ]
    assert post.terms == (ItemTerm("category", "alpha", 'a \\"great\\" category'),)


def test_sample_cdata_edge_cases():
    (escaped,) = _sample_items("phpunit-data/crazy-cdata-escaped.xml")
    assert escaped.content == "Content with nested <![CDATA[ tags ]]> :)"
    assert dict(escaped.meta) == {
        "Plain string": "Foo",
        "Closing CDATA": "]]>",
        "Alot of CDATA": "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>",
    }
    (multiple,) = _sample_items("phpunit-data/multiple-cdata.xml")
    assert multiple.content == "\nline oneline twoline three\n"
    (edge,) = _sample_items("phpunit-data/cdata-edge.xml")
    assert edge.content == "ends with sequence ]] >"
    (blank,) = _sample_items("phpunit-data/blank-lines.xml")
    assert "\n\n" in blank.content
    (post,) = _sample_items("phpunit-data/post-content-blank-lines.xml")
    assert post.content.count("\n") == 3


def test_sample_crazy_cdata_is_refused_where_it_breaks():
    with pytest.raises(WxrError) as raised:
        list(read_wxr(sample("phpunit-data/crazy-cdata.xml")))
    assert raised.value.line == 18
    assert "]]>" in raised.value.message


def _cdata(text: str, element: str) -> str:
    """The CDATA content of the first such element in a sample's text."""
    return re.search(
        rf"<{element}[^>]*><!\[CDATA\[(.*?)\]\]></{element}>", text, re.S
    ).group(1)


def test_sample_utf8_challenges_come_out_exact():
    path = sample("phpunit-data/wxr-utf-8-challenges.xml")
    text = path.read_text(encoding="utf-8")
    _, author, post = _sample_records("phpunit-data/wxr-utf-8-challenges.xml")
    assert author.login == _cdata(text, "wp:author_login")
    assert author.email == "ădmĩn@ℓocalhost.com"
    assert author.display_name == _cdata(text, "wp:author_display_name")
    assert author.last_name == "&#x1F1FA;&#x1F1F8;𝕌𝕟𝕚𝕔𝕠𝕕𝕖"
    assert post.title == _cdata(text, "title")
    assert post.slug == _cdata(text, "wp:post_name")
    assert post.content == _cdata(text, "content:encoded")
    assert post.excerpt == _cdata(text, "excerpt:encoded")
    assert "𝓣𝓮𝓼𝓽 𝓜𝓾𝓵𝓽𝓲-𝓑𝔂𝓽𝓮: 🚀🌟💫⭐️🔥💯🎉🎊🌈🦄" in post.content
    assert post.guid.startswith(
        "https://playground.internal/path/🚀/\u202etsop\u202c/?p=1&test=💫"
    )
    meta = dict(post.meta)
    assert (
        meta["_special_chars"]
        == "&#x202E;&#x202D;&#x200B;&#x200C;&#x200D;&#x2060;&#xFEFF;&#xFFFD;"
    )
    assert meta["_utf8_test"].endswith("! ")
    assert len(meta) == 5 and "_pingme\u200c\u200b\u200d\u200e" in meta


def test_sample_namespace_edge_cases():
    found = _sample_records("phpunit-data/namespace-edge-cases.xml")
    assert [a.login for a in found if isinstance(a, Author)] == [
        "real_user",
        "version_conflict",
    ]
    items = [r for r in found if isinstance(r, ItemRecord)]
    assert [i.wp_id for i in items] == [1, 2, 3, 4, None, 6]
    hijacked = items[4]
    assert (hijacked.title, hijacked.post_type, hijacked.meta) == (
        "Hijacked Namespace",
        "",
        (),
    )
    assert items[0].meta == (("normal_key", "normal_value"),)
    assert items[5].content == "&lol1;" * 10
    assert [(t.wp_id, t.slug) for t in found if isinstance(t, Term)] == [
        (100, "old-version"),
        (102, "new-version"),
    ]


def test_sample_versions_and_headers():
    assert (
        _sample_records("phpunit-data/invalid-version-tag.xml")[0].wxr_version == "abc"
    )
    assert (
        _sample_records("phpunit-data/missing-version-tag.xml")[0].wxr_version is None
    )
    header = _sample_records("phpunit-data/wxr-simple.xml")[0]
    assert (
        header.base_site_url
        == header.base_blog_url
        == "https://playground.internal/path"
    )


def test_sample_theme_unit_test_data():
    found = _sample_records("phpunit-data/theme-unit-test-data.xml")
    items = [r for r in found if isinstance(r, ItemRecord)]
    assert sum(i.sticky for i in items) == 1
    assert sum(i.password != "" for i in items) == 1
    assert {"επίπεδο-2", "επίπεδο-3"} <= {i.slug for i in items}
    assert {i.author_login for i in items} >= {">themereviewteam", "themereviewteam>"}
    assert all(i.attachment_url for i in items if i.post_type == "attachment")
    assert all(i.date_gmt is None or i.date_gmt.tzinfo is UTC for i in items)


def test_sample_a11y_repeated_item_and_no_declared_author():
    found = _sample_records("phpunit-data/a11y-unit-test-data.xml")
    assert not any(isinstance(r, Author) for r in found)
    repeats = [r for r in found if isinstance(r, ItemRecord) and r.wp_id == 156]
    assert [r.post_type for r in repeats] == ["", "page"]
    assert len(repeats[0].comments) == 3


def test_sample_sub_data_and_meta():
    _, term, post = _sample_records("phpunit-data/wxr-with-sub-data.xml")
    assert term == Term(
        "custom_tax",
        "custom-term",
        "Custom Term",
        "",
        "",
        40,
        (("term_meta_key", "term_meta_value"),),
    )
    (only,) = post.comments
    assert (only.wp_id, only.author, only.approved, only.date_gmt) == (
        201,
        "Commenter",
        "",
        None,
    )
    assert only.meta == (("_comment_meta_key", "comment_meta_value"),)
    (chunked,) = _sample_items("phpunit-data/chunked-meta.xml")
    assert chunked.meta == (("_my_meta", 'a:1:{s:3:"foo";s:3:"bar";}'),)
    authors = [
        r
        for r in _sample_records("phpunit-data/authors-multiline.xml")
        if isinstance(r, Author)
    ]
    assert [(a.wp_id, a.login) for a in authors] == [
        (1, "alice"),
        (2, "bob"),
        (3, "carol"),
    ]


def test_sample_wxr_1_0_terms():
    found = _sample_records("phpunit-data/valid-wxr-1.0.xml")
    items = [r for r in found if isinstance(r, ItemRecord)]
    assert items[0].terms == (ItemTerm("category", "uncategorized", "Uncategorized"),)
    assert items[2].terms == (
        ItemTerm("category", "alpha", "alpha"),
        ItemTerm("tag", "news", "news"),
        ItemTerm("tag", "roar", "roar"),
    )
    child = next(t for t in found if isinstance(t, Term) and t.slug == "child")
    assert (child.parent_slug, child.wp_id) == ("parent", None)


def test_read_wxr_can_leave_comments_out():
    """A first pass needs items, not their comments: none are built."""
    data = wxr(item(comment("<wp:comment_content>Hi</wp:comment_content>")))
    (with_comments,) = [r for r in records(data) if isinstance(r, ItemRecord)]
    (without,) = [
        r
        for r in read_wxr(io.BytesIO(data), comments=False)
        if isinstance(r, ItemRecord)
    ]
    assert len(with_comments.comments) == 1
    assert without.comments == ()
    assert without.title == with_comments.title
