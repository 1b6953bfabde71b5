"""The project's own tests. `pytester` drives the plugin in its own tests."""

pytest_plugins = ["pytester"]
