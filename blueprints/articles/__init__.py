"""The articles blueprint: reader-facing lists, article pages, search and feeds.

Other blueprints may import its public modules, and no other module:
page (the article page's context, the staff preview), publishing (saving an
article's body, slugs and tags), markdown (the Markdown pipeline) and seo
(what search engines and link previews are told, which the editor previews).

Public modules: page, publishing, markdown, seo.
"""

from blueprints.articles.views import bp

__all__ = ["bp"]
