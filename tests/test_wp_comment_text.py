"""WordPress comment HTML to Folio's plain comment text."""

import pytest
from lxml import etree

from blueprints.comments.formatting import format_body
from porting.wp_comment_text import MAX_QUOTE_DEPTH
from porting.wp_comment_text import comment_text
from tests.support.wxr_samples import sample


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("Just text.", "Just text."),
        # Raw newlines typed by the commenter keep their meaning.
        ("line one\nline two\n\nnew paragraph", "line one\nline two\n\nnew paragraph"),
        ("one\r\ntwo\r\n\r\n\r\n\r\nthree", "one\ntwo\n\nthree"),
        ("<p>First</p><p>Second</p>", "First\n\nSecond"),
        ("<p>First</p>\n\n\n<p>Second</p>\n", "First\n\nSecond"),
        ("Hi<br>there<br/>you<br />all", "Hi\nthere\nyou\nall"),
        ("<p>A<br>\nB</p>", "A\nB"),
        # Links: the label and the URL, or the URL once.
        ('<a href="https://e.org/x">my site</a>', "my site (https://e.org/x)"),
        ('See <a href="http://e.org">http://e.org</a>.', "See http://e.org."),
        ('<a href="http://e.org/a"></a>', "http://e.org/a"),
        ('<a href="http://e.org/a"> <img src="x.png"> </a>', "http://e.org/a"),
        ('<a href=" https://e.org/pad ">pad</a>', "pad (https://e.org/pad)"),
        ('<A HREF="HTTPS://E.ORG/">Up</A>', "Up (HTTPS://E.ORG/)"),
        ('<a href="http://e.org/?a=1&amp;b=2">q</a>', "q (http://e.org/?a=1&b=2)"),
        # Characters that would end the URL in plain text are percent-encoded.
        ('<a href="https://e.org/a b\'c">x</a>', "x (https://e.org/a%20b%27c)"),
        (
            '<a href="https://e.org/x"><em>nested</em>\n<b>label</b></a>',
            "nested label (https://e.org/x)",
        ),
        ('<a name="anchor">no href</a>', "no href"),
        ('<a href="http://e.org">unclosed', "unclosed (http://e.org)"),
        # Anything but an absolute http(s) URL is dropped, the label kept.
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "click"),
        ('<a href="java&#115;cript:alert(1)">click</a>', "click"),
        ('<a href="java\tscript:alert(1)">click</a>', "click"),
        ('<a href="data:text/html,x">d</a>', "d"),
        ('<a href="mailto:a@e.org">mail me</a>', "mail me"),
        ('<a href="/relative/path">rel</a>', "rel"),
        ('<a href="http:///nohost">h</a>', "h"),
        # Other tags go, their text stays.
        (
            "<b>bold</b> <strong>strong</strong> <em>em</em> <i>i</i>",
            "bold strong em i",
        ),
        ("<code>x = 1</code> and <del>gone</del>", "x = 1 and gone"),
        (
            '<q cite="x">quoted</q> by <cite>Ann</cite>, <abbr title="t">ABBR</abbr>',
            "quoted by Ann, ABBR",
        ),
        ('<span class="x"><b><i>deep</i></b></span>', "deep"),
        ("<ul><li>one</li><li>two</li></ul>after", "one\ntwo\n\nafter"),
        # Entities are decoded exactly once.
        ("Fish &amp; chips", "Fish & chips"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),
        (
            "&#8220;quoted&#8221; &hellip; caf&eacute;",
            "\u201cquoted\u201d \u2026 caf\u00e9",
        ),
        ("3 < 5 and 5 > 3", "3 < 5 and 5 > 3"),
        # Script and style content never comes through.
        ("<script>alert(1)</script>ok", "ok"),
        ("a<SCRIPT type='text/javascript'>var x = '<b>';</SCRIPT>b", "ab"),
        ("<style>p { color: red }</style>styled", "styled"),
        ("before<script>never closed", "before"),
        ("<template><p>t</p><a href='http://e.org'>x</a></template>after", "after"),
        ("<p>keep <!-- a comment --> this</p>", "keep this"),
        # Blockquotes as "> " lines, nested ones doubled.
        ("<blockquote>Quoted</blockquote>My reply", "> Quoted\n\nMy reply"),
        (
            "<blockquote><p>One</p><p>Two<br>lines</p></blockquote>\n<p>Reply</p>",
            "> One\n>\n> Two\n> lines\n\nReply",
        ),
        (
            "<blockquote>Outer <blockquote>inner</blockquote> after</blockquote>",
            "> Outer\n>\n> > inner\n>\n> after",
        ),
        (
            '<blockquote>See <a href="http://e.org">this</a></blockquote>',
            "> See this (http://e.org)",
        ),
        ("<blockquote> </blockquote>Only reply", "Only reply"),
        ("</blockquote>stray close</a>", "stray close"),
        # Whitespace runs tidied.
        ("  lots   of\t\tspace \u00a0 here  ", "lots of space here"),
        ("trailing   \n   leading", "trailing\nleading"),
    ],
)
def test_comment_text(raw, expected):
    assert comment_text(raw) == expected


def test_comment_text_flattens_deep_quotes():
    raw = "<blockquote>" * 2000 + "deep" + "</blockquote>" * 2000 + "reply"
    assert comment_text(raw) == "> " * MAX_QUOTE_DEPTH + "deep\n\nreply"


def test_comment_text_renders_through_folio_comment_formatting():
    raw = (
        '<p>Thanks! See <a href="https://e.org/post?a=1&amp;b=2">my post</a></p>'
        "<blockquote>You said</blockquote><script>alert(1)</script>"
    )
    html = str(format_body(comment_text(raw)))
    assert "my post (" in html
    assert (
        '<a href="https://e.org/post?a=1&amp;b=2" rel="nofollow ugc noopener">' in html
    )
    assert "<p>&gt; You said</p>" in html
    assert "alert" not in html


@pytest.mark.parametrize(
    "name",
    ["phpunit-data/theme-unit-test-data.xml", "phpunit-data/a11y-unit-test-data.xml"],
)
def test_comment_text_of_every_comment_of_wordpress_test_data(name):
    contents = [
        comment.findtext("{*}comment_content") or ""
        for comment in etree.parse(str(sample(name))).getroot().iter("{*}comment")
    ]
    assert contents
    for raw in contents:
        text = comment_text(raw)
        if raw.strip():
            assert text, raw
        assert "<a " not in text and "<p>" not in text, raw
