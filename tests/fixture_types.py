"""The types of conftest.py's fixtures, for the tests' annotations (tests do not import
conftest itself: pytest does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# `write("name.yaml", text) -> Path`: writes a file in the test's own folder.
Write = Callable[[str, str], Path]
