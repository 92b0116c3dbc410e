"""`flask import ...`: moving a site in."""

from __future__ import annotations

from flask.cli import AppGroup

from cli.json_import import json_command
from cli.wordpress_import import wordpress_command

import_cli = AppGroup("import", help="Move a site in (WordPress, a Folio export).")
import_cli.add_command(wordpress_command)
import_cli.add_command(json_command)
