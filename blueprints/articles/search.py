"""Full-text search over published articles: SQLite FTS5 or PostgreSQL.

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
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from models import Article
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


def highlight(snippet: str) -> Markup:
    """Escape a snippet entirely, then turn the private marks into <mark>."""
    cleaned = _MARKDOWN_NOISE.sub(" ", snippet or "")
    safe = str(escape(" ".join(cleaned.split())))
    return Markup(safe.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


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
    hits = [Hit(article, highlight(snippet)) for article, snippet in rows]
    return hits[:RESULTS_PER_PAGE], len(hits) > RESULTS_PER_PAGE


def _options():
    return (joinedload(Article.author), selectinload(Article.tags))


def _window(page: int) -> tuple[int, int]:
    return RESULTS_PER_PAGE + 1, (page - 1) * RESULTS_PER_PAGE


def _search_sqlite(query: str, page: int):
    limit, offset = _window(page)
    fts = text(
        "SELECT rowid AS id, bm25(articles_fts, 10.0, 4.0, 1.0) AS rank, "
        "snippet(articles_fts, 2, :open, :close, ' … ', 24) AS body_snippet, "
        "snippet(articles_fts, 1, :open, :close, ' … ', 24) AS summary_snippet "
        "FROM articles_fts WHERE articles_fts MATCH :match"
    ).bindparams(
        bindparam("open", OPEN),
        bindparam("close", CLOSE),
        bindparam("match", fts5_match(query)),
    )
    matches = fts.columns(
        literal_column("id"),
        literal_column("rank"),
        literal_column("body_snippet"),
        literal_column("summary_snippet"),
    ).subquery("matches")
    # The body's snippet when the words are in the body, else the summary's.
    snippet = case(
        (matches.c.body_snippet.contains(OPEN), matches.c.body_snippet),
        else_=matches.c.summary_snippet,
    )
    statement = (
        select(Article, snippet)
        .join(matches, matches.c.id == Article.id)
        .where(Article.visible())
        .options(*_options())
        .order_by(matches.c.rank, Article.published_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.session.execute(statement).unique().all()


def _search_postgresql(query: str, page: int):
    limit, offset = _window(page)
    document = literal_column(f"({PG_SEARCH_DOCUMENT})")
    tsquery = pg_tsquery(query)
    headline = func.ts_headline(
        _ENGLISH,
        Article.summary + " " + Article.body,
        tsquery,
        f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "',
    )
    statement = (
        select(Article, headline)
        .where(Article.visible(), document.op("@@")(tsquery))
        .options(*_options())
        .order_by(func.ts_rank(document, tsquery).desc(), Article.published_at.desc())
        .limit(limit)
        .offset(offset)
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
    condition = True
    for word in terms(query):
        pattern = f"%{word}%"
        condition = condition & (
            Article.title.ilike(pattern)
            | Article.summary.ilike(pattern)
            | Article.body.ilike(pattern)
        )
    statement = (
        select(Article, Article.summary)
        .where(Article.visible(), condition)
        .options(*_options())
        .order_by(Article.published_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.session.execute(statement).unique().all()
