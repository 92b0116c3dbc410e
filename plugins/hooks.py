"""The hooks that return a value, answered by every loaded plugin (pluggy).

A plugin object implements a hook by defining a method of the hook's name
marked ``@hookimpl``; the loader registers the object with the app's plugin
manager. Hooks that only add something (a link, a card, a slot's partial) are
registries instead (registry.py), and events are blinker signals (signals.py).
The hook names and arguments below are version 1 of the interface:
docs/plugins.md says what that promises.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import pluggy
from flask import Flask
from flask import current_app
from flask import has_app_context
from pluggy import HookCaller
from pluggy import HookImpl

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

PROJECT = "folio"
HOOKS_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Verdict(enum.Enum):
    """What a spam check says about a comment: spam beats hold."""

    SPAM = "spam"
    HOLD = "held"


@dataclass(frozen=True)
class SpamVote:
    """A spam check's vote; the moderation rules record ``check`` and ``reason``."""

    verdict: Verdict
    reason: str
    check: str = ""


@dataclass(frozen=True)
class CommentCandidate:
    """A comment not yet stored, as spam checks see it (ip: the raw address)."""

    name: str
    email: str
    url: str
    body: str
    ip: str
    user_agent: str
    referrer: str
    article_url: str
    parent_id: int | None


class Specs:
    """Hook specifications: the names and arguments plugins implement."""

    @hookspec
    def folio_spam_check(self, comment: CommentCandidate) -> SpamVote | None:
        """Vote spam or hold on a reader's comment about to be stored, or None.

        Called before the write transaction, so a check may ask a service
        (with a short timeout of its own); an exception counts as no vote.
        """

    @hookspec
    def folio_markdown(self, md: MarkdownIt) -> None:
        """Add markdown-it plugins or rules to the parser of article bodies.

        Called once per app; what the parser renders still goes through the
        sanitizer, so a plugin can add markup only from its allowlist.
        """

    @hookspec
    def folio_export_records(self) -> Iterable[dict[str, Any]] | None:
        """The plugin's rows for `flask export json` (JSON values), or None."""

    @hookspec
    def folio_import_records(self, name: str, records: list[dict[str, Any]]) -> bool:
        """Store the rows an export held for plugin ``name``; True if it took them.

        Runs in the import's transaction, after Folio's own rows.
        """


def manager(app: Flask) -> pluggy.PluginManager:
    """The app's plugin manager (made by the loader when the app is created)."""
    return app.extensions["folio_plugin_manager"]


def new_manager(app: Flask) -> pluggy.PluginManager:
    """A plugin manager for this app, knowing the specs and no plugin yet."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(Specs)
    app.extensions["folio_plugin_manager"] = pm
    return pm


def in_plugin_order(hook: HookCaller) -> list[HookImpl]:
    """A hook's answers in the allowlist's order, tryfirst ones first and
    trylast ones last. pluggy itself calls them last-registered first; and
    its wrappers, which run around the others, are no answers: left out."""
    answers = [i for i in hook.get_hookimpls() if not (i.wrapper or i.hookwrapper)]
    return sorted(answers, key=lambda impl: (not impl.tryfirst, impl.trylast))


def spam_votes(comment: CommentCandidate) -> list[SpamVote]:
    """Every loaded spam check's vote, in plugin order, named after its plugin.

    One call per check, so a check that raises or answers something else
    than a SpamVote is logged and counts as no vote, and the others still vote.
    """
    votes: list[SpamVote] = []
    for impl in in_plugin_order(manager(current_app).hook.folio_spam_check):
        try:
            vote = impl.function(comment=comment)
            if vote is None:
                continue
            if not isinstance(vote, SpamVote):
                raise TypeError(f"answered {vote!r}, not a SpamVote or None")
            votes.append(
                SpamVote(
                    Verdict(vote.verdict), vote.reason, vote.check or impl.plugin_name
                )
            )
        except Exception:
            current_app.logger.exception(
                "plugin %s: spam check failed; counted as no vote", impl.plugin_name
            )
    return votes


def has_spam_checks(app: Flask) -> bool:
    """True when a loaded plugin implements folio_spam_check."""
    return bool(manager(app).hook.folio_spam_check.get_hookimpls())


def export_records() -> dict[str, Iterator[dict[str, Any]]]:
    """Each loaded plugin's export records, by plugin name (sorted); a plugin
    answering None or nothing is left out. The records are read as they go."""
    found: dict[str, Iterator[dict[str, Any]]] = {}
    for impl in in_plugin_order(manager(current_app).hook.folio_export_records):
        records = impl.function()
        if records is None:
            continue
        records = iter(records)
        first = next(records, None)
        if first is not None:
            found[impl.plugin_name] = itertools.chain([first], records)
    return dict(sorted(found.items()))


def import_records(name: str, records: list[dict[str, Any]]) -> bool:
    """Hand an export's records for plugin ``name`` to the loaded plugins;
    True if one took them."""
    hook = manager(current_app).hook.folio_import_records
    return any(
        impl.function(name=name, records=records) for impl in in_plugin_order(hook)
    )


def markdown_parser(factory: Callable[[], MarkdownIt]) -> MarkdownIt | None:
    """The article parser with the plugins' additions; None when no plugin adds any.

    Made once per app from factory() and kept: folio_markdown runs once.
    """
    if not has_app_context():
        return None
    app = current_app._get_current_object()
    parser = app.extensions.get("folio_markdown")
    if parser is None:
        additions = in_plugin_order(manager(app).hook.folio_markdown)
        if not additions:
            return None
        parser = factory()
        for impl in additions:
            impl.function(md=parser)
        app.extensions["folio_markdown"] = parser
    return parser
