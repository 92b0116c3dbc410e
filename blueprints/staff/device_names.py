"""A short readable name for a browser from its User-Agent ("Firefox on Linux").

Only the common browsers and systems are told apart; anything else is
"Unknown browser". Order matters: Edge and Opera also say Chrome, Chrome also
says Safari, Android also says Linux, iOS also says Mac OS X.
"""

from __future__ import annotations

import re

BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
)
SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)


def _first(table: tuple[tuple[str, str], ...], agent: str) -> str | None:
    return next((name for name, pattern in table if re.search(pattern, agent)), None)


def device_name(agent: str | None) -> str:
    """The browser and system a User-Agent names, as people say them."""
    agent = agent or ""
    browser = _first(BROWSERS, agent)
    system = _first(SYSTEMS, agent)
    if browser is None:
        return f"Unknown browser on {system}" if system else "Unknown browser"
    return f"{browser} on {system}" if system else browser
