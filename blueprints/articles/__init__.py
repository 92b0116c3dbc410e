"""The articles blueprint: reader-facing lists, article pages, search and feeds.

Other blueprints may import its public modules, and no other module:
page (the article page's context, the staff preview, reader_url), publishing
(saving an article's body, slugs and tags), markdown (the Markdown pipeline),
privacy (the privacy page made from its template), seo (what search engines
and link previews are told, which the editor previews) and site_text (the
settings' Markdown texts, for templates).

Public modules: page, publishing, markdown, privacy, seo, site_text.
"""

from blueprints.articles.views import bp

__all__ = ["bp"]
