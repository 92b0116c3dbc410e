"""TextForm and FileForm: FlaskForms that give each field only the kind of value it reads."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import MultiDict


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


class FileForm(FlaskForm):
    """A form with file fields: they get the request's file parts, the others its text.

    The same guard as TextForm's: a file sent under a text field's name (or
    text under a file field's) is missing, never a value of the wrong kind.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """Files for the file fields, text for the rest."""
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is None or wrapped is formdata:
                return wrapped
            kinds = (FileField, MultipleFileField)
            files = {field.name for field in form if isinstance(field, kinds)}
            pairs = [
                (name, value)
                for name, value in request.form.items(multi=True)
                if name not in files
            ]
            pairs += [
                (name, value)
                for name, value in request.files.items(multi=True)
                if name in files
            ]
            return MultiDict(pairs)
