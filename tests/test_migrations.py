"""Models and migrations never drift: upgrade an empty file database, then check."""

from app import create_app
from models import db
from tests.conftest import base_config


def test_upgrade_then_check_on_empty_database(database, tmp_path):
    if database["kind"] == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = database["url"]
    app = create_app(base_config(url))
    runner = app.test_cli_runner()
    if database["kind"] == "sqlite":
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "check"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output
