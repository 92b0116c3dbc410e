"""Plugins that fail to load: no init_app, and an init_app that raises."""

from __future__ import annotations

from flask import Flask


class NoInit:
    """Has everything but init_app."""


class FailingInit:
    def init_app(self, app: Flask) -> None:
        raise RuntimeError("init exploded")


no_init = NoInit()
failing_init = FailingInit()
