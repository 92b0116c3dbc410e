"""Full-text search over published articles (not pages): SQLite FTS5 or PostgreSQL.

Readers type anything; nothing they type reaches the search engine as syntax.
On SQLite every word becomes a quoted FTS5 string (the last one a prefix, for
as-you-type results); on PostgreSQL websearch_to_tsquery() accepts any text.
Snippets are marked with private-use characters, escaped as a whole, and only
then do the marks become <mark> elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import case
from sqlalchemy import column
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy.orm import defer
from sqlalchemy.orm import joinedload

from blueprints.articles.html_body import html_to_text
from blueprints.articles.listing import BYLINE
from blueprints.articles.markdown import markdown_to_text
from models import Article
from models import BodyFormat
from models import db

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_PAGE = 20
OPEN, CLOSE = "\ue000", "\ue001"

# Must match the expression of the GIN index made in the initial migration.
PG_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', summary), 'B') || "
    "setweight(to_tsvector('english', body), 'C')"
)

_WORD = re.compile(r"\w+", re.UNICODE)
# Markdown punctuation and link targets, which read as noise in a snippet.
_MARKDOWN_NOISE = re.compile(r"[#*`|~]+|:?-{3,}:?|\[|\]\([^)\s]*\)?|\b_+|_+\b")


@dataclass
class Hit:
    article: Article
    snippet: Markup


def clean_query(raw: str | None) -> str:
    """The query as typed, trimmed to a sane length and single spaces."""
    printable = "".join(ch for ch in (raw or "") if ch.isprintable() or ch == " ")
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def terms(query: str) -> list[str]:
    """The words of a query; punctuation and operators are dropped."""
    return _WORD.findall(query)[:MAX_TERMS]


def fts5_match(query: str) -> str | None:
    """An FTS5 MATCH expression that can never be a syntax error, or None."""
    words = terms(query)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def highlight(snippet: str, body_format: BodyFormat = BodyFormat.MARKDOWN) -> Markup:
    """The snippet as plain text, escaped entirely; then the private marks become <mark>.

    A snippet is a cut of the body's source: its markup goes (markdown_to_text,
    or for an HTML body its tags, halves of tags at the cut too), and what a
    cut left of Markdown (half a link, a lone `**`) is dropped as noise.
    """
    if body_format == BodyFormat.HTML:
        cleaned = html_to_text(_CUT_TAG.sub(" ", snippet or ""))
    else:
        cleaned = _MARKDOWN_NOISE.sub(" ", markdown_to_text(snippet or ""))
    # Noise dropped before a comma or stop leaves a space there: close it up.
    text = _balanced_marks(_SPACE_BEFORE_STOP.sub(r"\1", " ".join(cleaned.split())))
    safe = str(escape(text))
    return Markup(safe.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


# The end of a tag a snippet starts inside, or the start of one it ends inside.
_CUT_TAG = re.compile(r"^[^<]*?>|<[^>]*$")
_SPACE_BEFORE_STOP = re.compile(r" ([,.;:!?])")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def _balanced_marks(text: str) -> str:
    """Text with every mark paired: a mark whose partner the markup took is dropped."""
    pieces, end = [], 0
    for found in _MARKED.finditer(text):
        pieces.append(text[end : found.start()].replace(OPEN, "").replace(CLOSE, ""))
        pieces.append(found.group())
        end = found.end()
    pieces.append(text[end:].replace(OPEN, "").replace(CLOSE, ""))
    return "".join(pieces)


def search(query: str, page: int = 1) -> tuple[list[Hit], bool]:
    """One page of ranked hits for query, and whether there are more."""
    if not terms(query):
        return [], False
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        rows = _search_sqlite(query, page)
    elif dialect == "postgresql":
        rows = _search_postgresql(query, page)
    else:
        rows = _search_like(query, page)
    hits = [
        Hit(article, highlight(snippet, article.body_format))
        for article, snippet in rows
    ]
    return hits[:RESULTS_PER_PAGE], len(hits) > RESULTS_PER_PAGE


def _options():
    # A hit shows title, byline, snippet and cover: no body, no rendered HTML,
    # no tags.
    return (
        BYLINE,
        joinedload(Article.cover),
        defer(Article.body),
        defer(Article.body_html),
    )


def _window(page: int) -> tuple[int, int]:
    return RESULTS_PER_PAGE + 1, (page - 1) * RESULTS_PER_PAGE


_FTS = table("articles_fts", column("rowid"))
# FTS5 takes the table itself as MATCH's left side and auxiliary functions'
# first argument.
_FTS_SELF = literal_column("articles_fts")
# The unary + keeps SQLite from handing a test on the rowid to FTS5 as a lookup
# constraint, so the MATCH runs once, as the outer loop, and its rowids are
# filtered or joined; with a constraint FTS5 re-runs the MATCH (a prefix query
# merges its whole doclist) for every rowid tried, e.g. per visible article.
_FTS_ROWID = literal_column("+articles_fts.rowid")


def _search_sqlite(query: str, page: int):
    """Rank and cut the page first, then make snippets for the page's rows only.

    One statement: `ranked` orders the visible matches by bm25 (which needs the
    FTS index, not the text) and keeps the page; `snippets` re-runs the MATCH
    restricted to those rowids, because snippet() works only in a query with
    the MATCH on the FTS table. Both are MATERIALIZED (SQLite 3.35+) so SQLite
    neither re-runs them nor merges them into the outer query. Ties of rank and
    published_at come in rowid order, as FTS5 returns its matches (and always
    did). The body is read for the page's snippets only, and never loaded.
    """
    limit, offset = _window(page)
    match = _FTS_SELF.op("MATCH")(fts5_match(query))
    score = func.bm25(_FTS_SELF, 10.0, 4.0, 1.0).label("score")
    ranked = (
        select(_FTS.c.rowid.label("id"), score, Article.published_at)
        .join(Article, Article.id == _FTS_ROWID)
        .where(match, Article.listed())
        .order_by(score, Article.published_at.desc(), _FTS.c.rowid)
        .limit(limit)
        .offset(offset)
        .cte("ranked")
        .prefix_with("MATERIALIZED")
    )

    def snippet(column_index: int):
        return func.snippet(_FTS_SELF, column_index, OPEN, CLOSE, " … ", 24)

    snippets = (
        select(
            _FTS.c.rowid.label("id"),
            snippet(2).label("body_snippet"),
            snippet(1).label("summary_snippet"),
        )
        .where(match, _FTS_ROWID.in_(select(ranked.c.id)))
        .cte("snippets")
        .prefix_with("MATERIALIZED")
    )
    # The body's snippet when the words are in the body, else the summary's.
    chosen = case(
        (snippets.c.body_snippet.contains(OPEN), snippets.c.body_snippet),
        else_=snippets.c.summary_snippet,
    )
    statement = (
        select(Article, chosen)
        .join(ranked, ranked.c.id == Article.id)
        .join(snippets, snippets.c.id == Article.id)
        .options(*_options())
        .order_by(ranked.c.score, ranked.c.published_at.desc(), ranked.c.id)
    )
    return db.session.execute(statement).unique().all()


def _search_postgresql(query: str, page: int):
    """Rank and cut the page first; ts_headline() runs for the page's rows only.

    Ties of rank and published_at come in id order, as on SQLite.
    """
    limit, offset = _window(page)
    document = literal_column(f"({PG_SEARCH_DOCUMENT})")
    tsquery = pg_tsquery(query)
    rank = func.ts_rank(document, tsquery).label("rank")
    ranked = (
        select(Article.id, rank, Article.published_at)
        .where(Article.listed(), document.op("@@")(tsquery))
        .order_by(rank.desc(), Article.published_at.desc(), Article.id)
        .limit(limit)
        .offset(offset)
        .subquery("ranked")
    )
    headline = func.ts_headline(
        _ENGLISH,
        Article.summary + " " + Article.body,
        tsquery,
        f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "',
    )
    statement = (
        select(Article, headline)
        .join(ranked, ranked.c.id == Article.id)
        .options(*_options())
        .order_by(ranked.c.rank.desc(), ranked.c.published_at.desc(), ranked.c.id)
    )
    return db.session.execute(statement).unique().all()


_ENGLISH = literal_column("'english'::regconfig")


def pg_tsquery(query: str):
    """websearch_to_tsquery() for the query, with the word being typed as a prefix.

    websearch_to_tsquery() accepts any text but never matches prefixes, so a
    last word still being typed (nothing after it) is matched with to_tsquery()
    as 'word':* instead; the word holds only letters, digits and underscores.
    """
    words = list(_WORD.finditer(query))
    last = words[-1]
    if last.end() != len(query):
        return func.websearch_to_tsquery(_ENGLISH, query)
    prefix = func.to_tsquery(_ENGLISH, f"'{last.group()}':*")
    head = query[: last.start()]
    if not terms(head):
        return prefix
    return func.websearch_to_tsquery(_ENGLISH, head).op("&&")(prefix)


def _search_like(query: str, page: int):
    """A plain LIKE fallback for other databases (unranked)."""
    limit, offset = _window(page)
    # Every word somewhere; autoescape, since \w+ words may hold LIKE's "_".
    every_word = [
        Article.title.icontains(word, autoescape=True)
        | Article.summary.icontains(word, autoescape=True)
        | Article.body.icontains(word, autoescape=True)
        for word in terms(query)
    ]
    statement = (
        select(Article, Article.summary)
        .where(Article.listed(), *every_word)
        .options(*_options())
        .order_by(Article.published_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.session.execute(statement).unique().all()
