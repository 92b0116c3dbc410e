"""The articles blueprint: reader-facing lists, article pages, search and feeds.

Other blueprints may import its public modules, and no other module:
page (the article page's context, the staff preview, reader_url), publishing
(saving an article's body, slugs and tags), markdown (the Markdown pipeline)
and privacy (the privacy page made from its template).

Public modules: page, publishing, markdown, privacy.
"""

from blueprints.articles.views import bp

__all__ = ["bp"]
