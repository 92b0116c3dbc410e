"""The Markdown pipeline: raw HTML off, sanitizing, anchors, headings, excerpts."""

import re

import pytest

from blueprints.articles.markdown import excerpt_from_html
from blueprints.articles.markdown import headings_from_html
from blueprints.articles.markdown import render_markdown
from blueprints.articles.markdown import sanitize


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ("[x](JaVaScRiPt:alert(1))", 'href="javascript'),
        ("[x](vbscript:msgbox(1))", 'href="vbscript'),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", 'href="data'),
        ("![x](javascript:alert(1))", 'src="javascript'),
        ('<img src=x onerror="alert(1)">', "<img src=x"),
        ('<a href="#" onclick="alert(1)">x</a>', "<a href"),
        ("<iframe src=//evil></iframe>", "<iframe"),
        ("<style>body{}</style>", "<style"),
        ('[x](https://e.org "t" onmouseover=alert(1))', "<a "),
    ],
)
def test_dangerous_markdown_never_reaches_html(source, forbidden):
    html = render_markdown(source).html
    assert forbidden.lower() not in html.lower()
    # No element carries an event-handler attribute.
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.I)


def test_gfm_tables_and_strikethrough():
    html = render_markdown("| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~gone~~").html
    assert "<table>" in html
    assert '<td class="align-center">2</td>' in html
    assert "<s>gone</s>" in html


def test_table_alignment_is_a_class_never_a_style():
    """The CSP (style-src 'self') would refuse a style attribute."""
    html = render_markdown(
        "| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |"
    ).html
    assert '<th class="align-left">l</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "<td>4</td>" in html
    assert "style" not in html


@pytest.mark.parametrize(
    "html",
    [
        '<td style="text-align:center">x</td>',
        '<td style="color:red">x</td>',
        '<td class="evil">x</td>',
        '<p class="align-left">x</p>',
        '<code class="align-left">x</code>',
    ],
)
def test_sanitizer_keeps_only_alignment_classes_on_cells(html):
    cleaned = sanitize(f"<table><tbody><tr>{html}</tr></tbody></table>")
    assert "style" not in cleaned
    assert "evil" not in cleaned and "align-left" not in cleaned


def test_external_links_get_nofollow_noopener_internal_do_not():
    html = render_markdown("[a](https://other.example/x) [b](/articles/y)").html
    assert '<a rel="nofollow noopener" href="https://other.example/x">a</a>' in html
    assert '<a href="/articles/y">b</a>' in html


def test_headings_get_unique_anchors_and_h1_is_demoted():
    rendered = render_markdown("# Intro\n\n## Intro\n\n### Details & more\n")
    assert (
        '<h2 id="intro"><a class="heading-anchor" href="#intro">Intro</a></h2>'
        in rendered.html
    )
    assert (
        'id="intro-2"><a class="heading-anchor" href="#intro-2">Intro</a>'
        in rendered.html
    )
    assert "<h1" not in rendered.html
    assert [h.anchor for h in rendered.headings] == ["intro", "intro-2", "details-more"]


def test_heading_anchors_avoid_page_ids():
    html = render_markdown("## Comments\n\n## Main\n").html
    assert 'id="comments"' not in html
    assert 'id="main"' not in html


def test_headings_from_stored_html_match_render():
    rendered = render_markdown("## One *two*\n\n### Three &amp; four\n\n#### Five\n")
    found = headings_from_html(rendered.html)
    assert [(h.level, h.text, h.anchor) for h in found] == [
        (2, "One two", "one-two"),
        (3, "Three & four", "three-four"),
    ]


def test_excerpt_is_plain_text_cut_at_a_word():
    html = render_markdown("Some **bold** text &amp; more " + "word " * 100).html
    excerpt = excerpt_from_html(html, 40)
    assert excerpt.startswith("Some bold text & more")
    assert excerpt.endswith("…")
    assert len(excerpt) <= 41
    assert "<" not in excerpt


def test_reading_time_grows_with_length():
    assert render_markdown("word " * 10).reading_minutes == 1
    assert render_markdown("word " * 1000).reading_minutes == 5


def test_heading_with_a_link_keeps_its_own_link():
    html = render_markdown("## See [docs](https://e.org)\n").html
    assert html.count("<a ") == 1
    assert 'class="heading-anchor"' not in html


def test_demo_article_table_is_aligned_by_classes(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    html = client.get("/articles/writing-in-markdown").get_data(as_text=True)
    assert '<th class="align-left">Setting</th>' in html
    assert '<th class="align-center">Default</th>' in html
    assert '<td class="align-right">cards per list page</td>' in html
    assert not re.search(r"<[^>]+\sstyle=", html)
