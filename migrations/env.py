"""Alembic environment for Folio, run through Flask-Migrate (`flask db ...`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata

# Tables and indexes that exist in the database but are not models: the SQLite
# full-text index (and its shadow tables) and the PostgreSQL full-text GIN
# index are created by a migration (the SQLite one kept in sync by triggers),
# so autogenerate must not offer to drop them.
IGNORED_TABLE_PREFIXES = ("articles_fts",)


def include_object(obj, name, type_, reflected, compare_to):
    if type_ in {"table", "index"} and name and name.startswith(IGNORED_TABLE_PREFIXES):
        return False
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # Flask-Migrate passes compare_type and render_as_batch (needed for SQLite).
    conf_args.setdefault("render_as_batch", True)

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
