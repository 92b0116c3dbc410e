"""Finding installed plugins and loading the enabled ones, in order.

Installed: a package's entry point in the ``folio.plugins`` group, whose name
is the plugin's name. Enabled: named in FOLIO_PLUGINS, the allowlist, so that
installing a package changes nothing until an admin names it. Loaded: its
object's init_app(app) returned. A plugin that fails to import or to set
itself up is logged and skipped; the site starts without it. Safe mode
(FOLIO_PLUGINS_SAFE_MODE) loads none, for when a plugin keeps the site down.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points
from pathlib import Path

from flask import Flask

from models import db
from plugins.hooks import new_manager
from plugins.registry import registry
from plugins.undo import Snapshot

GROUP = "folio.plugins"


@dataclass
class PluginState:
    """One plugin as `flask plugins list` shows it."""

    name: str
    installed: bool = False
    enabled: bool = False
    loaded: bool = False
    version: str = ""
    error: str = ""
    migrations: Path | None = None

    @property
    def status(self) -> str:
        """One word: loaded, failed, skipped (safe mode), disabled or missing."""
        if self.loaded:
            return "loaded"
        if self.error:
            return "failed"
        if self.enabled and self.installed:
            return "skipped"
        return "disabled" if self.installed else "missing"


def installed_entry_points() -> dict[str, EntryPoint]:
    """The installed plugins' entry points by name (the first of a repeated name)."""
    found: dict[str, EntryPoint] = {}
    for entry_point in entry_points(group=GROUP):
        found.setdefault(entry_point.name, entry_point)
    return found


def plugin_states(app: Flask) -> dict[str, PluginState]:
    """Every plugin the app knows of: installed or enabled, in allowlist order first."""
    return app.extensions["folio_plugin_states"]


def loaded_plugins(app: Flask) -> list[PluginState]:
    """The plugins that loaded, in the allowlist's order."""
    return [state for state in plugin_states(app).values() if state.loaded]


def migration_locations(app: Flask, applied: set[str]) -> list[Path]:
    """The migrations of each loaded plugin, and of each installed plugin whose
    revisions the database holds (applied: its alembic_version rows).

    A database keeps the revisions of a plugin that is installed but no longer
    enabled (or not loaded in safe mode); Alembic must know them to read its
    history, or every `flask db` command stops at "Can't locate revision".
    Revision ids start with the plugin's name (docs/plugins.md), which is how
    they are told apart. Such a plugin is imported for its ``migrations``
    only: its init_app() does not run.
    """
    installed = installed_entry_points()
    locations = []
    for state in plugin_states(app).values():
        migrations = state.migrations
        held = any(revision.startswith(f"{state.name}_") for revision in applied)
        if not state.loaded and held and state.name in installed:
            migrations = _migrations_of(app, state.name, installed[state.name])
        if migrations:
            locations.append(Path(migrations))
    return locations


def _migrations_of(app: Flask, name: str, entry_point: EntryPoint) -> Path | None:
    """A plugin's migrations directory, imported without setting the plugin up."""
    try:
        migrations = getattr(entry_point.load(), "migrations", None)
    except Exception as exc:
        app.logger.warning(
            "plugin %s: not imported, its migrations unknown: %s", name, exc
        )
        return None
    return Path(migrations) if migrations else None


def core_tables() -> set[str]:
    """The names of Folio's own tables (its models, in models.py)."""
    return {
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if mapper.class_.__module__ == "models"
    }


def clashing_table(name: str) -> str | None:
    """One of Folio's tables a plugin called name could not tell from its own
    (tables "<plugin>_..."), if any: such a name is refused."""
    prefix = f"{name}_"
    return next((t for t in sorted(core_tables()) if t.startswith(prefix)), None)


def unloaded_table_prefixes(app: Flask) -> tuple[str, ...]:
    """The table prefixes of plugins installed or enabled but not loaded, whose
    tables `flask db check` must ignore (never one of Folio's own)."""
    return tuple(
        f"{state.name}_"
        for state in plugin_states(app).values()
        if not state.loaded and clashing_table(state.name) is None
    )


def init_app(app: Flask) -> None:
    """Load the enabled plugins, after Folio's own blueprints are registered."""
    pm = new_manager(app)
    registry(app)
    installed = installed_entry_points()
    enabled = list(dict.fromkeys(app.config["PLUGINS"]))
    states = {name: PluginState(name, enabled=True) for name in enabled}
    for name in installed:
        states.setdefault(name, PluginState(name))
    app.extensions["folio_plugin_states"] = states
    for state in states.values():
        entry_point = installed.get(state.name)
        state.installed = entry_point is not None
        if entry_point is not None and entry_point.dist is not None:
            state.version = entry_point.dist.version
    if app.config["PLUGINS_SAFE_MODE"]:
        if enabled:
            app.logger.warning("safe mode: plugins not loaded: %s", ", ".join(enabled))
        return
    for name in enabled:
        _load(app, pm, states[name], installed.get(name))


def _load(app: Flask, pm, state: PluginState, entry_point: EntryPoint | None) -> None:
    """Import one plugin and run its init_app(); on failure log it and go on."""
    if entry_point is None:
        state.error = "enabled but not installed"
        app.logger.error("plugin %s: %s", state.name, state.error)
        return
    clash = clashing_table(state.name)
    if clash:
        state.error = f"its tables could not be told from Folio's table {clash}"
        app.logger.error("plugin %s: %s; skipped", state.name, state.error)
        return
    try:
        plugin = entry_point.load()
        if not callable(getattr(plugin, "init_app", None)):
            raise TypeError(f"{entry_point.value} has no init_app(app)")
    except Exception as exc:
        state.error = f"import failed: {exc.__class__.__name__}: {exc}"
        app.logger.exception("plugin %s: %s; skipped", state.name, state.error)
        return
    registered = registry(app)
    registered.current_plugin = state.name
    snapshot = Snapshot(app)
    try:
        # Registering first checks its hooks (pluggy refuses a wrong signature).
        pm.register(plugin, name=state.name)
        plugin.init_app(app)
    except (Exception, SystemExit) as exc:
        # SystemExit: a setting the plugin reads is invalid (api.setting).
        snapshot.undo(state.name)
        state.error = f"set-up failed: {exc.__class__.__name__}: {exc}"
        app.logger.exception("plugin %s: %s; skipped", state.name, state.error)
        return
    finally:
        registered.current_plugin = ""
    migrations = getattr(plugin, "migrations", None)
    state.migrations = Path(migrations) if migrations else None
    state.loaded = True
    app.logger.info("plugin %s %s loaded", state.name, state.version)
