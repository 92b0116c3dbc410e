"""pytest set-up shared by tests/ and bench/: the fixtures live in tests/support/."""

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.plugin_install",
    "tests.support.s3_server",
    "tests.support.second_database",
]
