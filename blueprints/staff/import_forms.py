"""The import form: a WordPress export file, whose posts they become, dry run."""

from __future__ import annotations

from typing import BinaryIO

from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms.validators import ValidationError

from models import User
from models import db
from porting.import_runs import Authors
from porting.import_runs import RunOptions
from web.text_form import FileForm

# Enough to find the first tag after a byte-order mark and blank lines.
HEAD_BYTES = 4096
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
ARCHIVES = (b"PK\x03\x04", b"\x1f\x8b")
NOT_XML = (
    "This is not an XML file. Upload the .xml file WordPress makes in"
    " Tools → Export (All content)."
)
ARCHIVE = "This is a compressed file: extract the .xml file from it and upload that."
WEB_PAGE = (
    "This is a web page, not an export. Upload the .xml file from Tools → Export."
)
EMPTY = "This file is empty."


def xml_problem(stream: BinaryIO) -> str | None:
    """Why the file's first bytes cannot begin a WXR file (None: they can)."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        return EMPTY
    if head.startswith(ARCHIVES):
        return ARCHIVE
    if head.startswith(BOMS[1:]):
        return None  # UTF-16: the XML parser reads it
    text = head.removeprefix(BOMS[0]).lstrip()
    if not text.startswith(b"<"):
        return NOT_XML
    if text[:200].lower().startswith((b"<!doctype html", b"<html")):
        return WEB_PAGE
    return None


class ImportForm(FileForm):
    file = FileField("WordPress export file")
    authors = RadioField(
        "Whose posts they become",
        choices=[
            SelectChoice(Authors.MATCH.value, "Match existing staff by email"),
            SelectChoice(
                Authors.CREATE.value, "Create inactive accounts for the others"
            ),
            SelectChoice(Authors.ASSIGN.value, "Give everything to one account"),
        ],
        default=Authors.MATCH.value,
    )
    assign_to = SelectField("Account", coerce=int, default=0)
    dry_run = BooleanField("Dry run: read the whole file and report, write nothing")

    def validate_file(self, field) -> None:
        """A file was chosen and it starts like XML."""
        upload = field.data
        if upload is None or not upload.filename:
            raise ValidationError("Choose the .xml file WordPress exported.")
        problem = xml_problem(upload.stream)
        if problem:
            raise ValidationError(problem)

    def validate_assign_to(self, field) -> None:
        """An account is chosen when everything goes to one."""
        if self.authors.data == Authors.ASSIGN.value and not field.data:
            raise ValidationError("Choose the account that gets every post.")

    def run_options(self) -> RunOptions:
        """The options the run keeps (the account by its email)."""
        authors = Authors(self.authors.data)
        email = None
        if authors is Authors.ASSIGN:
            email = db.session.get(User, self.assign_to.data).email
        return RunOptions(authors, email, bool(self.dry_run.data))


def import_form(**kwargs) -> ImportForm:
    """The form, with every staff account to choose from."""
    form = ImportForm(**kwargs)
    accounts = db.session.execute(
        select(User.id, User.display_name, User.email).order_by(User.email)
    ).all()
    form.assign_to.choices = [SelectChoice(0, "Choose an account")] + [
        SelectChoice(user_id, f"{name} ({email})") for user_id, name, email in accounts
    ]
    return form
