"""Plugins that only note that their init_app ran, to check the loading order."""

from __future__ import annotations

from flask import Flask

from tests.support.plugin_doubles import inits


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name

    def init_app(self, app: Flask) -> None:
        inits(app).append(self.name)


alpha = Recorder("alpha")
beta = Recorder("beta")
gamma = Recorder("gamma")
