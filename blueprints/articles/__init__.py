"""The articles blueprint: reader-facing lists, article pages, search and feeds.

Other blueprints may import its public modules, and no other module:
page (the article page's context, the staff preview), publishing (saving an
article's body, slugs and tags) and markdown (the Markdown pipeline).

Public modules: page, publishing, markdown.
"""

from blueprints.articles.views import bp

__all__ = ["bp"]
