"""Alembic environment for Folio, run through Flask-Migrate (`flask db ...`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from plugins.loading import unloaded_table_prefixes

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
# A plugin's tables are named "<plugin>_..." (docs/plugins.md). Those of a
# plugin that is installed or enabled but not loaded here are neither models
# nor drift: its models are not imported (or were, by another app in the same
# process), and its tables stay until its branch is downgraded.
IGNORED_TABLE_PREFIXES += unloaded_table_prefixes(current_app)


def include_object(obj, name, type_, reflected, compare_to):
    table = (
        name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    )
    for named in (name, table):
        if named and named.startswith(IGNORED_TABLE_PREFIXES):
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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one; with
            # foreign keys on, that DROP deletes every row that references
            # it through ON DELETE CASCADE (comments, tag links, old slugs).
            # The pragma works only outside a transaction: sent on the
            # driver's connection before the migration's BEGIN.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            **conf_args,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection) -> None:
    """Fail (and roll back) a migration that left a row pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left broken foreign keys: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
