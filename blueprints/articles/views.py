"""Reader-facing pages: list, article, tags, search, feeds, sitemap, and pages
(About, Privacy) at /<slug>, which Werkzeug tries after every fixed route."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import request
from flask import send_from_directory
from flask import url_for
from markupsafe import escape
from sqlalchemy import select

from blueprints.articles import listing
from blueprints.articles import versions
from blueprints.articles.authors import articles_by
from blueprints.articles.authors import author_or_404
from blueprints.articles.authors import sitemap_authors
from blueprints.articles.feeds import FEED_OPTIONS
from blueprints.articles.feeds import FEED_SIZE
from blueprints.articles.feeds import feed_response
from blueprints.articles.markdown import excerpt_from_html
from blueprints.articles.menus import site_menus
from blueprints.articles.page import article_for_page
from blueprints.articles.page import reader_context
from blueprints.articles.page import reader_endpoint
from blueprints.articles.page import reader_url
from blueprints.articles.search import clean_query
from blueprints.articles.search import search as run_search
from blueprints.articles.search import terms
from blueprints.articles.seo import absolute_image
from blueprints.articles.seo import default_page_meta
from blueprints.articles.seo import list_canonical
from blueprints.articles.seo import page_meta
from blueprints.articles.seo import profile_page
from blueprints.comments.section import COMMENT_FORM_VALUES
from blueprints.comments.section import section_context
from blueprints.comments.section import shows_own_held_comments
from models import Article
from models import ArticleKind
from models import SlugRedirect
from models import Tag
from models import article_tags
from models import db
from web.htmx import render
from web.http_caching import fingerprint
from web.http_caching import not_modified
from web.http_caching import not_modified_response
from web.http_caching import private_page
from web.http_caching import public_resource
from web.page_cache import cached
from web.redirects import follows_wordpress_links
from web.redirects import redirect_for_missing_page
from web.urls import absolute_url

bp = Blueprint("articles", __name__)
bp.add_app_template_global(excerpt_from_html, "excerpt")
bp.add_app_template_global(default_page_meta)
bp.add_app_template_global(reader_url)
bp.add_app_template_global(site_menus)


@bp.get("/")
@follows_wordpress_links
@cached(version=versions.home_version, query=("page",))
def index():
    """Published articles, newest first, a page at a time."""
    number = listing.page_number()
    page = listing.home_page(number)
    title = "Latest articles" if number == 1 else f"Latest articles, page {number}"
    meta = page_meta(
        title if number > 1 else "",
        current_site_description(),
        list_canonical("articles.index", number),
    )
    return render(
        "articles/index.html",
        "articles/_page.html",
        page=page,
        tags=listing.tag_cloud(versions.site_version()),
        meta=meta,
        heading=title,
        endpoint="articles.index",
        endpoint_args={},
        feed_url=url_for("articles.feed"),
    )


@bp.get("/tags/<slug>")
@cached(version=versions.tag_version, query=("page",))
def tag(slug: str):
    """Published articles with one tag, newest first, a page at a time."""
    number = listing.page_number()
    found = db.first_or_404(select(Tag).where(Tag.slug == slug))
    ids = listing.published_ids().where(
        Article.id.in_(
            select(article_tags.c.article_id).where(article_tags.c.tag_id == found.id)
        )
    )
    page = listing.article_page(ids, number)
    if number == 1 and not page.items:
        abort(404)
    heading = f"Articles tagged “{found.name}”"
    meta = page_meta(
        heading if number == 1 else f"{heading}, page {number}",
        f"Articles about {found.name} on {current_site_title()}.",
        list_canonical("articles.tag", number, slug=found.slug),
    )
    return render(
        "articles/tag.html",
        "articles/_page.html",
        page=page,
        tag=found,
        meta=meta,
        heading=heading,
        endpoint="articles.tag",
        endpoint_args={"slug": found.slug},
        feed_url=url_for("articles.tag_feed", slug=found.slug),
    )


@bp.get("/authors/<slug>")
@cached(version=versions.author_version, query=("page",))
def author(slug: str):
    """An author's profile and published articles, newest first, a page at a time."""
    number = listing.page_number()
    found = author_or_404(slug)
    page = listing.article_page(articles_by(found), number)
    if number == 1 and not page.items:
        abort(404)
    canonical = list_canonical("articles.author", number, slug=found.slug)
    about = excerpt_from_html(found.bio_html, 160)
    meta = page_meta(
        found.display_name if number == 1 else f"{found.display_name}, page {number}",
        about or f"Articles by {found.display_name} on {current_site_title()}.",
        canonical,
        kind="profile",
        image=absolute_image(found.avatar),
    )
    return render(
        "articles/author.html",
        "articles/_page.html",
        page=page,
        author=found,
        meta=meta,
        json_ld=profile_page(found, canonical),
        endpoint="articles.author",
        endpoint_args={"slug": found.slug},
        feed_url=url_for("articles.author_feed", slug=found.slug),
    )


@bp.get("/search")
def search():
    """Full-text search; htmx gets just the results as the reader types."""
    query = clean_query(request.args.get("q"))
    number = listing.page_number()
    hits, has_next = run_search(query, number) if query else ([], False)
    if number > 1 and not hits:
        abort(404)
    meta = page_meta(
        f"Search: {query}" if query else "Search",
        f"Search the articles of {current_site_title()}.",
        absolute_url("articles.search"),
        noindex=True,
    )
    response = render(
        "articles/search.html",
        "articles/_results.html",
        query=query,
        searched=bool(terms(query)),
        hits=hits,
        number=number,
        has_next=has_next,
        meta=meta,
    )
    return private_page(response, None)


@bp.get("/articles/<slug>")
@cached(
    version=versions.article_version,
    per_response=COMMENT_FORM_VALUES,
    bypass=shows_own_held_comments,
)
def detail(slug: str):
    """One published article with its comments; an old slug redirects."""
    return _reader_page(slug, ArticleKind.ARTICLE)


@bp.get("/<slug>")
@cached(
    version=versions.page_version,
    per_response=COMMENT_FORM_VALUES,
    bypass=shows_own_held_comments,
)
def page(slug: str):
    """One published page (About, Privacy), with comments if it allows them."""
    return _reader_page(slug, ArticleKind.PAGE)


@bp.get("/pages/<slug>")
@bp.get("/<slug>/")
def page_elsewhere(slug: str):
    """A page asked for at /pages/<slug> or with a trailing slash: its address.

    An old address in the redirects table (WordPress's /<post-name>/ links,
    /feed/) goes straight to its new one instead: one hop, not two.
    """
    return redirect_for_missing_page() or redirect(
        url_for("articles.page", slug=slug), code=308
    )


def _reader_page(slug: str, kind: ArticleKind) -> Response:
    """The article or page at slug with its comment section, or a redirect or 404."""
    article = article_for_page(
        Article.slug == slug, Article.kind == kind, Article.visible()
    )
    if article is None:
        return _redirect_old_slug(slug, kind)
    context = {**reader_context(article), **section_context(article)}
    return render("articles/detail.html", "articles/_article.html", **context)


def _redirect_old_slug(slug: str, kind: ArticleKind) -> Response:
    """A permanent redirect from a slug the article used to have, or 404."""
    current = db.session.scalar(
        select(Article)
        .join(SlugRedirect, SlugRedirect.article_id == Article.id)
        .where(SlugRedirect.slug == slug, Article.kind == kind, Article.visible())
    )
    if current is None:
        abort(404)
    return redirect(reader_url(current), code=301)


@bp.get("/feed.xml")
def feed():
    """Atom feed of the latest articles."""
    articles = listing.cards(listing.published_ids().limit(FEED_SIZE), *FEED_OPTIONS)
    return feed_response(articles)


@bp.get("/tags/<slug>/feed.xml")
def tag_feed(slug: str):
    """Atom feed of the latest articles with one tag."""
    found = db.first_or_404(select(Tag).where(Tag.slug == slug))
    ids = listing.published_ids().where(
        Article.id.in_(
            select(article_tags.c.article_id).where(article_tags.c.tag_id == found.id)
        )
    )
    articles = listing.cards(ids.limit(FEED_SIZE), *FEED_OPTIONS)
    return feed_response(articles, found)


@bp.get("/authors/<slug>/feed.xml")
def author_feed(slug: str):
    """Atom feed of the latest articles by one author (404: no published article)."""
    found = author_or_404(slug)
    articles = listing.cards(articles_by(found).limit(FEED_SIZE), *FEED_OPTIONS)
    if not articles:
        abort(404)
    return feed_response(articles, author=found)


@bp.get("/sitemap.xml")
def sitemap():
    """Every published article and page that may be indexed, tags and authors,
    with lastmod."""
    entries = db.session.execute(
        select(Article.kind, Article.slug, Article.updated_at, Article.canonical_url)
        .where(Article.visible(), Article.noindex.is_(False))
        .order_by(Article.published_at.desc(), Article.id.desc())
    ).all()
    tags = _sitemap_tags()
    authors = sitemap_authors()
    newest = max((row[2] for row in entries), default=None)
    etag = fingerprint([len(entries), newest, tags, authors])
    if not_modified(etag, newest):
        return not_modified_response(etag, private=False, last_modified=newest)
    # Ten thousand url_for() calls and template loops are slow; the slugs
    # only need quoting and the document is simple enough to write directly.
    bases = {
        kind: absolute_url(reader_endpoint(kind), slug="-")[:-1] for kind in ArticleKind
    }
    tag_base = absolute_url("articles.tag", slug="-")[:-1]
    author_base = absolute_url("articles.author", slug="-")[:-1]
    urls = [(absolute_url("articles.index"), newest)]
    for kind, slug, when, canonical in entries:
        url = bases[kind] + _quote(slug)
        # An article or page whose canonical address is elsewhere is not listed.
        if not canonical or canonical == url:
            urls.append((url, when))
    urls += [(tag_base + _quote(slug), when) for slug, when in tags]
    urls += [(author_base + _quote(slug), when) for slug, when in authors]
    body = "".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
            *(_sitemap_url(loc, when) for loc, when in urls),
            "</urlset>\n",
        ]
    )
    response = Response(body, mimetype="application/xml")
    return public_resource(response, etag, newest)


def _sitemap_tags() -> list[tuple[str, datetime]]:
    """Each tag with a published article: slug, and its newest article's updated_at."""
    rows = db.session.execute(
        select(Tag.slug, db.func.max(Article.updated_at))
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(Article.listed())
        .group_by(Tag.id, Tag.slug)
        .order_by(Tag.slug)
    )
    return [tuple(row) for row in rows]


def _sitemap_url(loc: str, when: datetime | None) -> str:
    """One <url> element of the sitemap."""
    lastmod = f"<lastmod>{when.isoformat(timespec='seconds')}</lastmod>" if when else ""
    return f"  <url><loc>{escape(loc)}</loc>{lastmod}</url>\n"


_PLAIN_SLUG = re.compile(r"[a-z0-9-]+")


def _quote(slug: str) -> str:
    """Percent-encode a slug for a URL; the usual plain slug is returned as is."""
    return slug if _PLAIN_SLUG.fullmatch(slug) else quote(slug)


@bp.get("/robots.txt")
def robots():
    """Crawl everything public; the staff area and search are left out."""
    lines = [
        "User-agent: *",
        f"Disallow: {request.script_root}/staff/",
        f"Disallow: {url_for('articles.search')}",
        f"Sitemap: {absolute_url('articles.sitemap')}",
    ]
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    return public_resource(response, fingerprint(lines))


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where browsers and feed readers look for it first."""
    return send_from_directory(
        current_app.static_folder,
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=7 * 24 * 3600,
    )


def current_site_title() -> str:
    """The configured site name."""
    return current_app.config["SITE_TITLE"]


def current_site_description() -> str:
    """The configured site description."""
    return current_app.config["SITE_DESCRIPTION"]
