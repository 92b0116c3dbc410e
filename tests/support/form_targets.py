"""The public forms the bad-input tests attack, found by reading the rendered page.

Field names come from the HTML (as a browser would see them), so the tests
follow the forms as their blueprints change. A target whose endpoint is not
registered on the app is skipped: the blueprint is not there yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import Article
from models import Comment
from models import ContactMessage
from models import User
from models import db
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.html_forms import Form
from tests.support.html_forms import fill
from tests.support.html_forms import parse

# name: (endpoint, the action the form posts to, model the post stores, or None)
TARGETS = {
    "comments": ("comments.create", r"/articles/[^/]+/comments/?$", Comment),
    "contact": ("contact.create", r"/contact/?$", ContactMessage),
    "login": ("staff.login", r"/staff/login/?", None),
}
TEXT_TYPES = {"text", "email", "url", "textarea", "password", "search", "tel"}
# Fields whose values can end up in an email header (Subject, Reply-To, From).
LOGIN_EMAIL = "staff-login@example.com"
HEADER_FIELD = re.compile(r"name|email|subject")


def endpoints(app: Flask) -> set[str]:
    """Every endpoint the app has a URL rule for."""
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def rule_for(app: Flask, path: str) -> str | None:
    """The endpoint serving path (GET), or None."""
    for rule in app.url_map.iter_rules():
        if rule.rule == path and "GET" in (rule.methods or ()):
            return rule.endpoint
    return None


@dataclass
class FormTarget:
    """One public form on a test app: where it is, its fields, its table."""

    name: str
    app: Flask
    page: str
    form: Form
    model: type | None

    @property
    def action(self) -> str:
        return self.form.action or self.page

    def text_fields(self) -> list[dict]:
        """Fields a person types into (not hidden, not the honeypot)."""
        return [
            f for f in self.form.fields if f["type"] in TEXT_TYPES and not f["honeypot"]
        ]

    def valid_data(self, form: Form | None = None, marker: str = "bad-input") -> dict:
        """A submission that should be accepted (from form, default the first render)."""
        data = dict(fill(form or self.form, marker, 1))
        if self.name == "login":
            for f in self.text_fields():
                if f["type"] == "password":
                    data[f["name"]] = PASSWORD
                elif "email" in f["name"].lower() or f["type"] == "email":
                    data[f["name"]] = LOGIN_EMAIL
        return data

    def fresh_data(self, client) -> dict:
        """Valid data from a form rendered for this client (its own CSRF token)."""
        html = client.get(self.page).get_data(as_text=True)
        form = find_form(html, TARGETS[self.name][1])
        assert form is not None
        return self.valid_data(form)

    def rows(self) -> int:
        """Rows the target has stored (for login: 0)."""
        if self.model is None:
            return 0
        with self.app.app_context():
            return db.session.scalar(select(func.count(self.model.id)))

    def latest(self):
        """The newest stored row, or None."""
        if self.model is None:
            return None
        with self.app.app_context():
            row = db.session.scalar(
                select(self.model).order_by(self.model.id.desc()).limit(1)
            )
            if row is not None:
                db.session.expunge(row)
            return row


def find_form(html: str, action_pattern: str) -> Form | None:
    """The POST form whose action matches, or None."""
    for form in parse(html).forms:
        if re.search(action_pattern, form.action):
            return form
    return None


def build_target(make_app, name: str, **config) -> FormTarget:
    """An app with an article and a staff account, and its form `name`; else skip."""
    endpoint, action_pattern, model = TARGETS[name]
    app = make_app(SPAM_MIN_SECONDS=0, **config)
    if endpoint not in endpoints(app):
        pytest.skip(f"{endpoint} is not on this branch yet")
    with app.app_context():
        # A second app on the same database (another secret key) reuses the rows.
        article = db.session.scalar(select(Article).order_by(Article.id).limit(1))
        if article is None:
            article = make_article(title="Bad input article")
        slug = article.slug
        exists = select(User.id).where(User.email == LOGIN_EMAIL)
        if name == "login" and db.session.scalar(exists) is None:
            make_user(email=LOGIN_EMAIL)
    page = {
        "comments": f"/articles/{slug}",
        "contact": "/contact/",
        "login": "/staff/login",
    }[name]
    response = app.test_client().get(page)
    assert response.status_code == 200, f"{page}: {response.status_code}"
    form = find_form(response.get_data(as_text=True), action_pattern)
    assert form is not None, f"no form posting to {action_pattern} on {page}"
    return FormTarget(name, app, page, form, model)
