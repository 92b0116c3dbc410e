"""Plugins implementing the hooks: markdown-it additions and a spam check."""

from __future__ import annotations

from flask import Flask
from markdown_it.common.utils import escapeHtml

from plugins.api import SpamVote
from plugins.api import Verdict
from plugins.api import hookimpl


def _kbd(renderer, tokens, idx, options, env) -> str:
    return f"<kbd>{escapeHtml(tokens[idx].content)}</kbd>"


def _script_after_paragraph(renderer, tokens, idx, options, env) -> str:
    return "</p><script>alert('plugin')</script>\n"


class HookOnly:
    def init_app(self, app: Flask) -> None:
        """Hook-only plugins have nothing to set up."""


class Keys(HookOnly):
    """Inline code renders as <kbd>."""

    @hookimpl
    def folio_markdown(self, md) -> None:
        md.add_render_rule("code_inline", _kbd)


class Scripted(HookOnly):
    """Emits a script after every paragraph, which the sanitizer must strip."""

    @hookimpl
    def folio_markdown(self, md) -> None:
        md.add_render_rule("paragraph_close", _script_after_paragraph)


class Voter(HookOnly):
    """Votes spam on a comment selling something."""

    @hookimpl
    def folio_spam_check(self, comment) -> SpamVote | None:
        if "cheap watches" in comment.body:
            return SpamVote(Verdict.SPAM, "sells watches")
        return None


keys = Keys()
scripted = Scripted()
voter = Voter()
