"""TextForm: a FlaskForm that reads only the text fields a browser's form posts."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm


class TextForm(FlaskForm):
    """A FlaskForm fed by the request's form fields alone.

    Flask-WTF also hands a form the request's file parts (multipart) and a
    JSON body. A text field given a file or a JSON object would reach
    validators that expect a string, and fail with a 500. Folio's forms post
    text, so files and JSON are left out: a field sent only as a file is
    missing, and the form says so (422).
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """The request's form fields when the form reads the request itself."""
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is None or wrapped is formdata:
                return wrapped  # given formdata (or none) explicitly
            return request.form
