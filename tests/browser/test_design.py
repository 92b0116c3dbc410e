"""The public design in Chromium: computed styles and geometry of what once broke.

Each test reads what the browser actually computed (getComputedStyle, boxes),
in light and dark and at 1280 and 390 px, rather than the CSS text.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _csp_errors(page) -> list[str]:
    return [m for m in page.console_log if "Content Security Policy" in m]


@pytest.fixture
def threads(live_server):
    """An article with a thread two levels deep."""
    with live_server.app.app_context():
        article = make_article(title="Threads", slug="threads")
        root = make_comment(article, author_name="Ada", body="The first comment.")
        reply = make_comment(article, parent=root, author_name="Bea", body="A reply.")
        make_comment(article, parent=reply, author_name="Cy", body="A reply to it.")
    return live_server


@pytest.fixture
def cards(live_server):
    """Four articles with one tag, so the tag page is a plain grid of cards."""
    with live_server.app.app_context():
        author = make_user(display_name="Grid Author")
        for i in range(4):
            make_article(
                title=f"Card {i}",
                slug=f"card-{i}",
                summary=f"Summary {i}.",
                tags=["Grid"],
                author=author,
                published_ago=timedelta(days=i + 1),
            )
    return live_server


@pytest.fixture
def covered(live_server):
    """Six articles with one tag: four with covers of different shapes, two without."""
    app = live_server.app
    shapes = [(1600, 900), (900, 1400), (1000, 1000), (2000, 800)]
    covers = [
        add_media(app, image_bytes(size=size, colour=(40 * i, 90, 160)), f"c{i}.jpg")
        for i, size in enumerate(shapes)
    ]
    with app.app_context():
        for i in range(6):
            make_article(
                title=f"Covered {i}",
                slug=f"covered-{i}",
                tags=["Covers"],
                cover_id=covers[i].id if i < len(covers) else None,
                published_ago=timedelta(days=i + 1),
            )
    return live_server


def _load_every_image(page) -> None:
    """Load the lazy images too, and wait until each is decoded."""
    page.evaluate(
        """Promise.all([...document.images].map(img => {
            img.loading = "eager";
            return img.decode().catch(() => true);
        }))"""
    )


COVER_BOXES = """[...document.querySelectorAll(SELECTOR)].map(cover => {
    const r = cover.getBoundingClientRect();
    const img = cover.querySelector('img');
    const s = img && getComputedStyle(img);
    return {top: Math.round(r.top), width: Math.round(r.width),
            height: Math.round(r.height),
            img: img && {width: img.getAttribute('width'),
                         height: img.getAttribute('height'),
                         ratio: s.aspectRatio, fit: s.objectFit,
                         box: [Math.round(img.getBoundingClientRect().width),
                               Math.round(img.getBoundingClientRect().height)],
                         natural: img.naturalWidth, edge: s.outlineColor}};
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_covers_are_even_whatever_the_image_and_sized_before_loading(
    covered, make_context, scheme
):
    page = make_context(viewport=WIDE, color_scheme=scheme).new_page()
    page.goto(covered("/tags/covers"))
    _load_every_image(page)
    covers = page.evaluate(
        COVER_BOXES.replace("SELECTOR", "'#article-list .card-cover'")
    )
    assert len(covers) == 6
    # Two rows of three, every cover the same size: images cropped to it.
    assert len({c["top"] for c in covers}) == 2
    assert len({(c["width"], c["height"]) for c in covers}) == 1
    photos = [(c, c["img"]) for c in covers if c["img"]]
    assert len(photos) == 4
    for cover, img in photos:
        # The width and height attributes give the box its shape before the
        # file arrives (no layout shift).
        assert img["width"].isdigit() and img["height"].isdigit()
        assert img["ratio"] == f"auto {img['width']} / {img['height']}"
        assert img["fit"] == "cover" and img["natural"] > 0
        assert img["box"] == [cover["width"], cover["height"]]
        # A hairline edge in the text's tone: dark on light, light on dark.
        red = int(img["edge"].split("(")[1].split(",")[0])
        assert (red > 128) if scheme == "dark" else (red < 128)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [WIDE, PHONE])
def test_article_cover_is_wide_eager_and_keeps_its_shape(
    covered, make_context, viewport
):
    page = make_context(viewport=viewport).new_page()
    page.goto(covered("/articles/covered-0"))
    [cover] = page.evaluate(COVER_BOXES.replace("SELECTOR", "'.article-cover'"))
    img = cover["img"]
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["ratio"] == "auto 1600 / 900"
    assert page.get_attribute(".article-cover img", "loading") is None
    assert page.get_attribute(".article-cover img", "fetchpriority") == "high"
    # As wide as the text's wide column, never wider than the screen.
    prose = page.evaluate(
        "document.querySelector('.prose p').getBoundingClientRect().width"
    )
    assert cover["width"] >= prose
    assert cover["width"] <= viewport["width"]
    assert abs(img["box"][1] - img["box"][0] * 900 / 1600) <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_no_axe_violations(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_comment_threads_have_no_markers_and_draw_a_line(threads, page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(threads("/articles/threads"))
    lists = page.evaluate(
        """[...document.querySelectorAll('#comments ol')].map(
            l => getComputedStyle(l).listStyleType)"""
    )
    assert lists and set(lists) == {"none"}
    nested = page.evaluate(
        """[...document.querySelectorAll('#comments .children')]
            .filter(l => l.querySelector(':scope > li'))
            .map(l => {
              const s = getComputedStyle(l);
              const parent = l.closest('li').getBoundingClientRect();
              return [s.borderLeftStyle, parseFloat(s.borderLeftWidth),
                      l.getBoundingClientRect().left - parent.left];
            })"""
    )
    # Two levels of replies, each a thread line indented under its parent.
    assert len(nested) == 2
    for style, width, indent in nested:
        assert style == "solid" and width >= 1 and indent >= 8
    # An empty list of replies draws nothing.
    empty = page.evaluate(
        """[...document.querySelectorAll('#comments .children')]
            .filter(l => !l.querySelector('li'))
            .map(l => parseFloat(getComputedStyle(l).borderLeftWidth))"""
    )
    assert empty and set(empty) == {0}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_avatars_are_round_and_quiet_in_dark_mode(threads, page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(threads("/articles/threads"))
    avatar = page.locator("#comments .avatar").first
    avatar.scroll_into_view_if_needed()
    expect(avatar).to_have_js_property("complete", True)
    radii = page.evaluate(
        """[...document.querySelectorAll('.avatar')].map(
            a => getComputedStyle(a).borderTopLeftRadius)"""
    )
    assert radii and set(radii) == {"50%"}
    # The identicon's own background is see-through: behind it is the page's
    # surface, dark in dark mode (the old one was a bright square).
    corner_alpha = page.evaluate(
        """(() => {
            const img = document.querySelector('#comments .avatar');
            const c = document.createElement('canvas');
            c.width = c.height = 40;
            const ctx = c.getContext('2d');
            ctx.drawImage(img, 0, 0, 40, 40);
            return ctx.getImageData(1, 1, 1, 1).data[3];
        })()"""
    )
    assert corner_alpha < 128
    background = page.evaluate(
        "getComputedStyle(document.querySelector('#comments .avatar')).backgroundColor"
    )
    red, green, blue = (int(v) for v in background[4:-1].split(",")[:3])
    luminance = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
    assert (luminance < 0.3) if scheme == "dark" else (luminance > 0.7)


@pytest.mark.parametrize("viewport", [WIDE, PHONE])
def test_footer_sits_at_the_bottom_of_a_short_page(live_server, browser, viewport):
    tall = {**viewport, "height": 1800}
    context = browser.new_context(viewport=tall)
    page = context.new_page()
    page.goto(live_server("/no/such/page"))
    box = page.evaluate(
        """(() => {
            const f = document.querySelector('.site-footer').getBoundingClientRect();
            const m = document.querySelector('main').getBoundingClientRect();
            return {bottom: f.bottom, top: f.top, mainBottom: m.bottom,
                    scroll: document.documentElement.scrollHeight};
        })()"""
    )
    context.close()
    assert abs(box["bottom"] - tall["height"]) <= 1
    assert box["scroll"] <= tall["height"]
    assert box["top"] >= box["mainBottom"] - 1


def _card_boxes(page) -> list[dict]:
    return page.evaluate(
        """[...document.querySelectorAll('#article-list article.card')].map(c => {
            const r = c.getBoundingClientRect();
            return {left: Math.round(r.left), top: Math.round(r.top),
                    width: Math.round(r.width)};
        })"""
    )


def test_cards_are_a_grid_at_1280_and_one_column_at_390(cards, browser):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.goto(cards("/tags/grid"))
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('#article-list'))"
        ".gridTemplateColumns.split(' ').length"
    )
    boxes = _card_boxes(page)
    assert columns == 3
    first_row = [b for b in boxes if b["top"] == boxes[0]["top"]]
    assert len(first_row) == 3
    assert len({b["left"] for b in first_row}) == 3
    page.set_viewport_size(PHONE)
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('#article-list'))"
        ".gridTemplateColumns.split(' ').length"
    )
    boxes = _card_boxes(page)
    assert columns == 1
    assert len({b["left"] for b in boxes}) == 1
    assert len({b["top"] for b in boxes}) == 4
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_home_features_the_newest_article_across_the_grid(cards, browser):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.goto(cards("/"))
    boxes = _card_boxes(page)
    grid = page.evaluate(
        "document.querySelector('#article-list').getBoundingClientRect().width"
    )
    assert abs(boxes[0]["width"] - grid) <= 1
    assert len({b["top"] for b in boxes[1:]}) == 1
    context.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE])
@pytest.mark.parametrize("path", ["/contact", "/articles/threads"])
def test_required_mark_stays_on_the_labels_line(threads, browser, viewport, path):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(threads(path))
    pairs = page.evaluate(
        """[...document.querySelectorAll('.field > .required')].map(star => {
            const label = star.parentElement.querySelector('label');
            const l = label.getBoundingClientRect();
            const s = star.getBoundingClientRect();
            return {label: [l.top, l.bottom, l.right], star: [s.top, s.bottom, s.left]};
        })"""
    )
    context.close()
    assert len(pairs) >= 3
    for pair in pairs:
        top, bottom, right = pair["label"]
        star_top, star_bottom, star_left = pair["star"]
        middle = (star_top + star_bottom) / 2
        assert top <= middle <= bottom, pair
        assert star_left >= right - 1, pair


def test_demo_table_is_aligned_by_classes_without_csp_violations(live_server, page):
    live_server.app.test_cli_runner().invoke(args=["seed-demo"])
    page.goto(live_server("/articles/writing-in-markdown"))
    wait_for_htmx(page)
    aligned = page.evaluate(
        """[...document.querySelectorAll('.prose th')].map(
            th => [th.className, getComputedStyle(th).textAlign])"""
    )
    assert aligned == [
        ["align-left", "left"],
        ["align-center", "center"],
        ["align-right", "right"],
    ]
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0
    assert _csp_errors(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fonts_load_from_the_site(cards, page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(cards("/articles/card-0"))
    wait_for_htmx(page)
    loaded = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts]"
        ".filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', '')))"
    )
    assert {"Source Serif 4", "Inter"} <= set(loaded)
    family = page.evaluate(
        "getComputedStyle(document.querySelector('.prose')).fontFamily"
    )
    assert family.startswith('"Source Serif 4"')
    assert_no_axe_violations(page)
    assert _csp_errors(page) == []
