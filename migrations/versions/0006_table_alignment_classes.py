"""Stored article HTML: table cell alignment as classes, not style attributes.

markdown.py now writes ``class="align-left|center|right"`` on table cells,
because the site's CSP (``style-src 'self'``) refuses ``style`` attributes.
Bodies rendered before keep ``style="text-align:..."``; the sanitizer only
ever let those three exact values through, so a plain text replacement turns
them into the classes. The rows' ``updated_at`` moves, so cached pages and
browsers' ETags see new HTML.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ALIGNMENTS = ('left', 'center', 'right')


def _replace(column, old: str, new: str):
    for side in ALIGNMENTS:
        column = sa.func.replace(column, old.format(side), new.format(side))
    return column


def _rewrite(old: str, new: str, marker: str) -> None:
    articles = sa.table(
        'articles',
        sa.column('body_html', sa.Text),
        sa.column('updated_at', sa.DateTime(timezone=True)),
    )
    op.execute(
        articles.update()
        .where(articles.c.body_html.contains(marker))
        .values(
            body_html=_replace(articles.c.body_html, old, new),
            updated_at=sa.func.current_timestamp(),
        )
    )


def upgrade():
    _rewrite(' style="text-align:{}"', ' class="align-{}"', 'style="text-align:')


def downgrade():
    _rewrite(' class="align-{}"', ' style="text-align:{}"', 'class="align-')
