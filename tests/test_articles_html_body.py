"""HTML article bodies (imported from WordPress): rendered like Markdown, stored, searched."""

import pytest

from blueprints.articles.html_body import html_media_ids
from blueprints.articles.html_body import html_to_text
from blueprints.articles.html_body import render_html
from blueprints.articles.markdown import render_markdown
from blueprints.articles.publishing import render_body
from blueprints.articles.search import CLOSE
from blueprints.articles.search import OPEN
from blueprints.articles.search import highlight
from models import Article
from models import BodyFormat
from models import db
from tests.support.factories import make_article
from tests.support.images import add_media


@pytest.mark.parametrize(
    ("source", "gone"),
    [
        ("<p>Hi</p><script>alert(1)</script>", "<script"),
        ('<p onclick="steal()">Hi</p>', "onclick"),
        ('<p><a href="javascript:alert(1)">Hi</a></p>', "javascript:"),
        ('<p><a href="JaVaScRiPt:alert(1)">Hi</a></p>', "alert"),
        ('<p>Hi <img src="x" onerror="alert(1)"></p>', "onerror"),
        ('<p style="color:red">Hi</p>', "style="),
        ("<iframe src='https://evil.example'></iframe><p>Hi</p>", "iframe"),
        ("<style>p{}</style><p>Hi</p>", "<style"),
        ('<p class="wp-block-paragraph">Hi</p>', "class="),
    ],
)
def test_render_html_sanitizes(source, gone):
    html = render_html(source).html
    assert gone.lower() not in html.lower()
    assert "Hi" in html


def test_render_html_demotes_h1_and_anchors_headings_like_markdown():
    html_body = render_html(
        '<h1 id="main">Big <em>title</em></h1>\n<p>x</p>\n<h2 class="x">Comments</h2>\n'
        "<H3>Big title</H3>\n"
    )
    markdown = render_markdown("# Big *title*\n\nx\n\n## Comments\n\n### Big title\n")
    assert html_body.html == markdown.html
    assert [(h.level, h.text, h.anchor) for h in html_body.headings] == [
        (2, "Big title", "big-title"),
        # "comments" is an id of the article page itself.
        (2, "Comments", "comments-2"),
        (3, "Big title", "big-title-2"),
    ]
    assert "<h1" not in html_body.html
    assert 'href="#big-title"' in html_body.html


@pytest.mark.parametrize(
    "taken", ["comments", "respond", "comment-form", "comment-42", "reply-slot-7"]
)
def test_render_html_drops_link_ids_and_marks_external_links(taken):
    """An imported link's id could take one the page's htmx swaps target."""
    html = render_html(
        f'<p><a id="{taken}" href="https://example.com/x">out</a> '
        '<a title="t" href="/in">in</a> <a id="note-1">note</a></p>'
    ).html
    assert " id=" not in html
    assert '<a rel="nofollow noopener" href="https://example.com/x">out</a>' in html
    assert '<a title="t" href="/in">in</a>' in html
    assert "<a>note</a>" in html


def test_render_html_keeps_figures_and_counts_words_not_tags():
    rendered = render_html(
        '<figure class="wp-block-image"><img src="https://elsewhere.example/a.jpg" '
        'alt="A dog"><figcaption>A <strong>good</strong> dog</figcaption></figure>'
        '<p>One &amp; two <a href="https://example.com/long/path">three</a></p>'
    )
    assert "<figure><a " in rendered.html
    assert (
        "<figcaption>A <strong>good</strong> dog</figcaption></figure>" in rendered.html
    )
    # A, good, dog, One, two, three: no tag names, attributes or URLs.
    assert rendered.words == 6


def test_render_html_library_images_become_pictures(app):
    media = add_media(app, alt="Library words")
    with app.app_context():
        rendered = render_body(
            f'<figure><img src="/media/{media.id}" alt="A harbour" width="9">'
            f"<figcaption>At dawn</figcaption></figure>"
            f'<p><img src="/media/{media.id}"></p><p><img src="/media/999"></p>',
            body_format=BodyFormat.HTML,
        )
    assert rendered.html.startswith("<figure><picture>")
    assert 'alt="A harbour"' in rendered.html
    # Without alt text of its own, the library's is used.
    assert 'alt="Library words"' in rendered.html
    assert "<figcaption>At dawn</figcaption>" in rendered.html
    assert "/media/999" not in rendered.html
    assert rendered.media_ids == {media.id}


def test_render_html_other_hosts_images_like_markdown():
    source = '<p><img src="https://photos.example/a.jpg" alt="A cat"></p>'
    shown = render_html(source, image_hosts=["photos.example"]).html
    linked = render_html(source).html
    noted = render_html(source, preview=True).html
    assert 'loading="lazy"' in shown and "<img " in shown
    assert '<a class="external-image"' in linked and "<img" not in linked
    assert 'class="image-blocked"' in noted


def test_html_media_ids_finds_library_images_only():
    source = (
        '<p><img src="/media/4" alt=""><img alt="x" src="/media/17">'
        '<img src="/media/5x"><img src="https://a.example/media/6"></p>'
        "<p>/media/8</p>"
    )
    assert html_media_ids(source) == {4, 17}


def test_html_to_text():
    assert html_to_text("<p>One&nbsp;&amp;<br>two</p>\n<p> three</p>") == (
        "One & two three"
    )


def test_html_article_is_stored_rendered(app):
    with app.app_context():
        article = make_article(
            title="Imported",
            body="<h1>Hello</h1><p>Some <strong>words</strong>.</p><script>x</script>",
            body_format=BodyFormat.HTML,
        )
        stored = db.session.get(Article, article.id)
        assert stored.body_format == BodyFormat.HTML
        assert stored.body.startswith("<h1>Hello</h1>")
        assert stored.body_html.startswith('<h2 id="hello">')
        assert "<script" not in stored.body_html
    page = app.test_client().get("/articles/" + article.slug).get_data(as_text=True)
    assert "<p>Some <strong>words</strong>.</p>" in page
    assert 'href="#hello"' in page


def test_search_finds_html_article_with_a_text_snippet(app, client):
    with app.app_context():
        make_article(
            title="Imported",
            summary="",
            body='<p class="intro">The <strong>lighthouse</strong> keeper</p>',
            body_format=BodyFormat.HTML,
        )
    html = client.get("/search?q=lighthouse").get_data(as_text=True)
    assert "<mark>lighthouse</mark> keeper" in html
    assert "&lt;strong" not in html and "intro" not in html


def test_highlight_of_an_html_snippet_drops_tags_and_cut_tags():
    snippet = f'ss="a">The <b>{OPEN}lamp{CLOSE}</b> &amp; wick</p><p cla'
    assert (
        str(highlight(snippet, BodyFormat.HTML)) == "The <mark>lamp</mark> &amp; wick"
    )


def test_a_linked_external_image_does_not_become_a_nested_link():
    """WordPress links images to their full size: the blocked image inside
    the link is a label, not a second link (links do not nest)."""
    html = render_html(
        '<p><a href="https://old.example/big.jpg">'
        '<img src="https://old.example/small.jpg" alt="A dog"></a></p>'
    ).html
    assert html.count("<a ") == 1
    assert '<span class="external-image">A dog</span></a>' in html
