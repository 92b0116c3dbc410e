"""`flask plugins list`: what is installed, enabled, loaded, failed or skipped."""

from __future__ import annotations

DOUBLES = "tests.support.plugin_doubles"


def _table(output: str) -> dict[str, list[str]]:
    """The table's rows by plugin name (other installed plugins may be listed)."""
    return {line.split()[0]: line.split() for line in output.splitlines() if line}


def test_list_shows_each_plugin_state(make_app, install_plugins):
    install_plugins(
        greeter=f"{DOUBLES}.greeter:plugin",
        wobbly=f"{DOUBLES}.broken_import:plugin",
        alpha=f"{DOUBLES}.recorders:alpha",
    )
    app = make_app(PLUGINS=["greeter", "wobbly", "nowhere"])
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["plugin", "version", "installed", "enabled", "status"]
    # Aligned columns: each cell starts under its heading.
    for heading in ("version", "installed", "enabled", "status"):
        column = lines[0].index(heading)
        assert all(line[column - 2 : column] == "  " for line in lines[1:4])
        assert all(line[column] != " " for line in lines[1:4])
    # The enabled plugins first, in the allowlist's order.
    assert [line.split()[0] for line in lines[1:4]] == ["greeter", "wobbly", "nowhere"]
    rows = _table(result.output)
    assert rows["greeter"] == ["greeter", "0.1", "yes", "yes", "loaded"]
    assert rows["wobbly"] == ["wobbly", "0.1", "yes", "yes", "failed"]
    assert rows["nowhere"] == ["nowhere", "-", "no", "yes", "failed"]
    assert rows["alpha"] == ["alpha", "0.1", "yes", "no", "disabled"]
    assert (
        "wobbly: import failed: ImportError: no module named"
        " folio_missing_dependency" in lines
    )
    assert "nowhere: enabled but not installed" in lines
    assert not any(line.startswith(("greeter:", "alpha:")) for line in lines)
    assert "Safe mode" not in result.output


def test_list_in_safe_mode_says_so(make_app, install_plugins):
    install_plugins(greeter=f"{DOUBLES}.greeter:plugin")
    app = make_app(PLUGINS=["greeter"], PLUGINS_SAFE_MODE=True)
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Safe mode: FOLIO_PLUGINS_SAFE_MODE is on, no plugin is loaded."
    assert lines[1].split()[0] == "plugin"
    assert _table(result.output)["greeter"] == [
        "greeter",
        "0.1",
        "yes",
        "yes",
        "skipped",
    ]
