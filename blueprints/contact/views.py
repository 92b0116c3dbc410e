"""The "Contact us" page: the form, its per-field checks, and the thank-you page."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import url_for

from blueprints.contact import delivery
from blueprints.contact.delivery import receive
from blueprints.contact.forms import FIELDS
from blueprints.contact.forms import ContactForm
from extensions import limiter
from models import db
from signals import contact_received
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

bp = Blueprint("contact", __name__)
bp.record_once(delivery.connect)


def _rate_limit() -> str:
    """The contact form's per-address limit, read per request from the settings."""
    return current_app.config["CONTACT_RATE_LIMIT"]


@bp.get("/")
def new():
    """Show the contact page (for htmx: a fresh form, after "Send another message")."""
    return render("contact/new.html", "contact/_form.html", form=ContactForm())


@bp.post("/")
@limiter.limit(_rate_limit)
def create():
    """Store a message and queue its mail; 422 with every error when invalid."""
    form = ContactForm()
    if not form.validate():
        return render("contact/new.html", "contact/_form.html", 422, form=form)
    message = receive(form)
    with write_transaction():
        db.session.add(message)
    contact_received.send(current_app._get_current_object(), message=message)
    if wants_fragment():
        return render("contact/thanks.html", "contact/_thanks.html")
    return see_other(url_for("contact.thanks"))


@bp.post("/validate/<name>")
def validate_field(name: str):
    """Check one field with the form's own rules; htmx gets just that field back."""
    if name not in FIELDS:
        abort(404)
    form = ContactForm()
    form.validate_one(name)
    return render("contact/new.html", "contact/_field.html", form=form, f=form[name])


@bp.get("/thanks")
def thanks():
    """The page a reader lands on after sending a message without JavaScript."""
    return render("contact/thanks.html", "contact/_thanks.html")
