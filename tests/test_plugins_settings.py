"""api.setting(): app.config, else FOLIO_<KEY> in the default's type, else the default."""

from __future__ import annotations

import pytest

from plugins.api import setting


def test_config_wins_over_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("FOLIO_DOUBLES_GREETING", "from the environment")
    app = make_app(DOUBLES_GREETING="from the config")
    assert setting(app, "DOUBLES_GREETING", "default") == "from the config"


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("hello", "default", "hello"),
        ("7", 3, 7),
        ("yes", False, True),
        ("off", True, False),
        ("a, b,,c", [], ["a", "b", "c"]),
    ],
)
def test_environment_in_the_defaults_type(
    make_app, monkeypatch, raw, default, expected
):
    app = make_app()
    monkeypatch.setenv("FOLIO_DOUBLES_VALUE", raw)
    value = setting(app, "DOUBLES_VALUE", default)
    assert value == expected and type(value) is type(expected)
    assert app.config["DOUBLES_VALUE"] == expected  # read once, then kept


def test_default_when_neither_is_set(make_app, monkeypatch):
    monkeypatch.delenv("FOLIO_DOUBLES_LIMIT", raising=False)
    app = make_app()
    assert setting(app, "DOUBLES_LIMIT", 25) == 25


def test_invalid_bool_exits_naming_the_variable(make_app, monkeypatch):
    app = make_app()
    monkeypatch.setenv("FOLIO_DOUBLES_ENABLED", "perhaps")
    with pytest.raises(SystemExit) as exited:
        setting(app, "DOUBLES_ENABLED", False)
    assert str(exited.value) == (
        "folio: FOLIO_DOUBLES_ENABLED is invalid: expected true or false, got 'perhaps'"
    )
