"""The editor's "Search & social" fields: a mixin of ArticleForm, and its preview."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from slugify import slugify
from wtforms import BooleanField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import Length
from wtforms.validators import Optional

from blueprints.articles.seo import canonical_of
from blueprints.articles.seo import search_description
from blueprints.articles.seo import title_of
from models import Article
from models import ArticleKind
from web.form_filters import strip
from web.form_validators import WebAddress

# What search results show before they cut the text (a guide, not a limit).
TITLE_GUIDE = 60
DESCRIPTION_GUIDE = 160


def _one_line(value: str | None) -> str | None:
    """Line breaks and runs of spaces as one space: a description is one line."""
    return " ".join(value.split()) if isinstance(value, str) else value


class SeoFields:
    """Fields of ArticleForm: empty, each is derived from the article as before."""

    meta_title = StringField(
        "Heading in search results",
        filters=[strip],
        validators=[Length(max=200, message="Use at most 200 characters.")],
    )
    meta_description = TextAreaField(
        "Description",
        filters=[_one_line],
        validators=[Length(max=300, message="Use at most 300 characters.")],
    )
    canonical_url = URLField(
        "Canonical address",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=500, message="Use at most 500 characters."),
            WebAddress(
                "Enter a whole address starting with https:// or http://, "
                "like https://example.com/original."
            ),
        ],
    )
    noindex = BooleanField("Hide from search engines")


def seo_values(article: Article) -> dict:
    """The fields' values from a saved article (ArticleForm's keyword arguments)."""
    return {
        "meta_title": article.meta_title,
        "meta_description": article.meta_description,
        "canonical_url": article.canonical_url,
        "noindex": article.noindex,
    }


def apply_seo(form: SeoFields, article: Article) -> None:
    """Copy the fields into the article (its updated_at moves with any change)."""
    article.meta_title = form.meta_title.data or ""
    article.meta_description = form.meta_description.data or ""
    article.canonical_url = form.canonical_url.data or ""
    article.noindex = bool(form.noindex.data)


@dataclass(frozen=True)
class SearchPreview:
    """How the article (or page) would show in a search result, as the editor
    previews it."""

    title: str
    url: str
    description: str
    noindex: bool
    is_page: bool = False

    @property
    def title_long(self) -> bool:
        return len(self.title) > TITLE_GUIDE

    @property
    def description_long(self) -> bool:
        return len(self.description) > DESCRIPTION_GUIDE


def search_preview(
    form, body_html: str, kind: ArticleKind = ArticleKind.ARTICLE
) -> SearchPreview:
    """The editor form's search result, with the defaults readers' pages use (seo.py).

    A page's form has no summary, and a page's address is /<slug>.
    """
    title = (form.title.data or "").strip()
    summary = getattr(form, "summary", None)
    draft = Article(
        kind=kind,
        title=title,
        slug=form.slug.data or slugify(title, max_length=180) or kind.value,
        summary=(summary.data if summary is not None else None) or "",
        body_html=body_html,
        meta_title=form.meta_title.data or "",
        meta_description=form.meta_description.data or "",
        canonical_url=form.canonical_url.data or "",
    )
    shown = title_of(draft)
    return SearchPreview(
        title=f"{shown} · {current_app.config['SITE_TITLE']}" if shown else "",
        url=canonical_of(draft),
        description=search_description(draft),
        noindex=bool(form.noindex.data),
        is_page=kind == ArticleKind.PAGE,
    )
