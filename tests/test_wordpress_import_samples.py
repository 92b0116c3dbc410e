"""WordPress's own importer test files (../shared/wxr), imported whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from models import Article
from models import Comment
from models import db
from porting.wp_authors import AuthorOptions
from porting.wp_authors import ImportProblem
from porting.wxr_import import ImportOptions
from porting.wxr_import import import_wordpress
from porting.wxr_reader import WxrError
from tests.support.wxr_samples import index_counts
from tests.support.wxr_samples import sample
from tests.support.wxr_samples import sample_names

NAMES = [n for n in sample_names() if n.endswith(".xml")] or ["phpunit-data/absent.xml"]


def _import(app, path):
    options = ImportOptions(authors=AuthorOptions(create_authors=True))
    with app.app_context():
        return import_wordpress(path, options)


def _total(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_imports_or_is_refused_clearly(app, name):
    path = sample(name)
    expected = index_counts()[name]
    if not expected.well_formed:
        with pytest.raises(WxrError) as raised:
            _import(app, path)
        assert raised.value.line and raised.value.column
        assert _total(app, Article) == 0
        return
    if expected.wxr_version not in ("1.0", "1.1", "1.2"):
        with pytest.raises(ImportProblem, match="WXR version"):
            _import(app, path)
        return
    report = _import(app, path)
    posts = sum(report.counts["article"].values())
    pages = sum(report.counts["page"].values())
    assert posts == expected.posts
    assert pages == expected.pages
    assert _total(app, Comment) == expected.comments
    articles = _total(app, Article)
    again = _import(app, path)
    assert again.counts["article"]["imported"] == 0
    assert again.counts["comment"]["imported"] == 0
    assert _total(app, Article) == articles
    assert _total(app, Comment) == expected.comments
