"""Plugins load in FOLIO_PLUGINS order; the broken ones are logged and skipped."""

from __future__ import annotations

import logging

import pytest

from plugins.loading import loaded_plugins
from plugins.loading import plugin_states
from tests.support.factories import make_article
from tests.support.plugin_doubles import inits

DOUBLES = "tests.support.plugin_doubles"
GREETER = f"{DOUBLES}.greeter:plugin"


def test_enabled_plugin_is_set_up_and_its_route_answers(make_app, install_plugins):
    install_plugins(greeter=GREETER)
    app = make_app(PLUGINS=["greeter"])
    assert inits(app) == ["greeter"]
    response = app.test_client().get("/greeter/hello")
    assert response.status_code == 200
    assert "Hello from the greeter plugin" in response.get_data(as_text=True)
    state = plugin_states(app)["greeter"]
    assert (state.status, state.version, state.error) == ("loaded", "0.1", "")


def test_installed_plugin_not_enabled_is_not_loaded(make_app, install_plugins):
    install_plugins(greeter=GREETER)
    app = make_app(PLUGINS=[])
    assert inits(app) == []
    assert app.test_client().get("/greeter/hello").status_code == 404
    assert plugin_states(app)["greeter"].status == "disabled"


def test_plugins_load_in_the_allowlist_order(make_app, install_plugins):
    install_plugins(
        alpha=f"{DOUBLES}.recorders:alpha",
        beta=f"{DOUBLES}.recorders:beta",
        gamma=f"{DOUBLES}.recorders:gamma",
    )
    app = make_app(PLUGINS=["gamma", "alpha", "beta"])
    assert inits(app) == ["gamma", "alpha", "beta"]
    assert [state.name for state in loaded_plugins(app)] == ["gamma", "alpha", "beta"]


@pytest.mark.parametrize(
    ("entry_point", "error"),
    [
        (
            f"{DOUBLES}.broken_import:plugin",
            "import failed: ImportError: no module named folio_missing_dependency",
        ),
        (f"{DOUBLES}.broken:no_init", "import failed: TypeError: "),
        (
            f"{DOUBLES}.broken:failing_init",
            "set-up failed: RuntimeError: init exploded",
        ),
    ],
)
def test_broken_plugin_is_logged_and_skipped(
    make_app, install_plugins, caplog, entry_point, error
):
    install_plugins(wobbly=entry_point, greeter=GREETER)
    with caplog.at_level(logging.INFO):
        app = make_app(PLUGINS=["wobbly", "greeter"])
    [logged] = [r for r in caplog.records if "wobbly" in r.getMessage()]
    assert logged.levelno == logging.ERROR
    assert "skipped" in logged.getMessage() and error in logged.getMessage()
    state = plugin_states(app)["wobbly"]
    assert state.status == "failed" and state.error.startswith(error)
    assert inits(app) == ["greeter"]  # the next plugin loads all the same
    with app.app_context():
        make_article(slug="hello", title="Still here")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    page = client.get("/articles/hello")
    assert page.status_code == 200 and "Still here" in page.get_data(as_text=True)
    assert client.get("/greeter/hello").status_code == 200


def test_enabled_but_not_installed_is_failed(make_app, caplog):
    with caplog.at_level(logging.INFO):
        app = make_app(PLUGINS=["nowhere"])
    state = plugin_states(app)["nowhere"]
    assert (state.installed, state.status) == (False, "failed")
    assert state.error == "enabled but not installed"
    assert "plugin nowhere: enabled but not installed" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200


def test_safe_mode_loads_no_plugin(make_app, install_plugins, caplog):
    install_plugins(greeter=GREETER, alpha=f"{DOUBLES}.recorders:alpha")
    with caplog.at_level(logging.INFO):
        app = make_app(PLUGINS=["greeter", "alpha"], PLUGINS_SAFE_MODE=True)
    assert "safe mode: plugins not loaded: greeter, alpha" in caplog.text
    assert inits(app) == []
    assert loaded_plugins(app) == []
    assert plugin_states(app)["greeter"].status == "skipped"
    assert app.test_client().get("/greeter/hello").status_code == 404


def test_a_name_whose_tables_would_mix_with_folios_is_refused(
    make_app, install_plugins, caplog
):
    from plugins.loading import unloaded_table_prefixes

    install_plugins(comment=f"{DOUBLES}.recorders:alpha")
    app = make_app(PLUGINS=["comment"])
    assert inits(app) == []
    state = plugin_states(app)["comment"]
    assert state.status == "failed" and "comment_revisions" in state.error
    assert "skipped" in caplog.text
    # Nor does `flask db check` ignore comment_revisions for it.
    assert "comment_" not in unloaded_table_prefixes(app)


def test_a_failed_set_up_is_taken_back(make_app, install_plugins):
    """Its blueprint answers 404, its links, slots and receivers are gone."""
    from plugins.hooks import manager
    from plugins.registry import registry
    from signals import comment_created

    install_plugins(half=f"{DOUBLES}.half:plugin")
    app = make_app(PLUGINS=["half"])
    assert plugin_states(app)["half"].status == "failed"
    assert app.test_client().get("/half/page").status_code == 404
    entries = registry(app)
    assert entries.staff_links == [] and entries.slots.get("head", []) == []
    assert manager(app).get_plugin("half") is None
    from tests.support.plugin_doubles.half import on_comment

    assert on_comment not in list(comment_created.receivers_for(app))
