"""Folio's blueprints; each subpackage exports one ``bp``."""
