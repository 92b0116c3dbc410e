"""The pages the benchmark measures, and whether this build of Folio has them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from bench.dataset import BIG_SLUG
from bench.dataset import EMPTY_SLUG
from bench.dataset import FEATURED_SLUG
from bench.dataset import SEARCH_WORD
from bench.dataset import TAG_SLUG

HTMX_HEADERS = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/"}


@dataclass(frozen=True)
class Page:
    """A GET the benchmark loads: a key for the JSON, a label for the table."""

    key: str
    label: str
    path: str
    htmx: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return dict(HTMX_HEADERS) if self.htmx else {}


HEALTHZ = Page("healthz", "/healthz (trivial route: the ceiling)", "/healthz")
ARTICLE = Page("article_50", "article page, 50 comments", f"/articles/{FEATURED_SLUG}")
ARTICLE_0 = Page("article_0", "article page, 0 comments", f"/articles/{EMPTY_SLUG}")
ARTICLE_2000 = Page(
    "article_2000", "article page, 2,000 comments", f"/articles/{BIG_SLUG}"
)


def list_pages(deep_page: int) -> list[Page]:
    """Row 2: home, a deep list page, a tag page and a search."""
    return [
        Page("home", "home /", "/"),
        Page("deep", f"deep list page /?page={deep_page}", f"/?page={deep_page}"),
        Page("tag", f"tag page /tags/{TAG_SLUG}", f"/tags/{TAG_SLUG}"),
        Page("search", f"search /search?q={SEARCH_WORD}", f"/search?q={SEARCH_WORD}"),
    ]


FULL_PAGE_2 = Page("page2_full", "/?page=2 full page", "/?page=2")
FRAGMENT_PAGE_2 = Page(
    "page2_htmx", "/?page=2 htmx load-more fragment", "/?page=2", True
)


def route_exists(app: Flask, path: str, method: str = "GET") -> bool:
    """True when a rule of this app matches path (the page may still 404 on data)."""
    path, _, query = path.partition("?")
    adapter = app.url_map.bind("127.0.0.1", query_args=query)
    try:
        adapter.match(path, method=method)
    except RequestRedirect:
        return True
    except (NotFound, MethodNotAllowed):
        return False
    return True


def endpoint_exists(app: Flask, endpoint: str) -> bool:
    """True when the app has a view for endpoint (e.g. comments.create)."""
    return endpoint in app.view_functions
