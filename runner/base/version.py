"""netjob's version, in the bottom room so that any stage may name it (report.json, the
inventory cache's key) without importing the package root, which leads to core.
pyproject.toml's `version` must match (tests/test_cli.py checks `netjob --version`)."""

__version__ = "0.1.0"
