"""Hand-written schema checks for YAML data: every error names file:line, the key path,
what was wrong and what to do. Unknown keys are errors, with the nearest known key.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base import platform_names
from runner.base.errors import LoadError
from runner.load.yamlio import Vaulted, line_of


@dataclass(frozen=True)
class At:
    """Where a value sits: the file, its key path, and the mapping that holds it."""

    file: Path
    path: str
    parent: Any = None
    key: str | None = None

    def child(self, key: str, holder: Any) -> At:
        label = key if key.isprintable() and key.strip() == key and key else repr(key)
        return At(self.file, f"{self.path}.{label}" if self.path else label, holder, key)

    def fail(self, message: str, line: int | None = None) -> LoadError:
        if line is None:
            line = line_of(self.parent, self.key)
        where = f"{self.file}:{line}" if line else str(self.file)
        key = f" {self.path}:" if self.path else ""
        return LoadError(
            f"{where}:{key} {message}", path=self.file, line=line or None, key=self.path or None
        )


def mapping(value: Any, at: At) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise at.fail(f"expected a mapping (key: value), got {_kind(value)}")
    return value


def check_keys(
    data: dict[str, Any], at: At, allowed: Iterable[str], required: Iterable[str] = ()
) -> None:
    allowed = tuple(allowed)
    for key in data:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(allowed)}"
            raise at.child(key, data).fail(f"unknown key; {hint}")
    for key in required:
        if key not in data:
            raise at.fail(f"missing required key '{key}'", line_of(data) or None)


def string(data: dict[str, Any], key: str, at: At, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise at.child(key, data).fail(f"expected a string, got {_kind(value)}")


def platform(data: dict[str, Any], key: str, at: At) -> str | None:
    """A platform name, as the netmiko device_type it means (runner.base.platform_names):
    one netjob cannot drive is refused here, before anything connects."""
    value = string(data, key, at)
    return None if value is None else device_type(value, at.child(key, data))


def device_type(name: str, at: At, keys: tuple[str, ...] = ()) -> str:
    found = platform_names.resolve(name)
    if found is None:
        raise at.fail(platform_names.refusal(name, keys))
    return found


def platform_keys(mapping: dict[str, Any], at: At) -> dict[str, str]:
    """A per-platform mapping's keys → the netmiko device_type each means (`default` is
    itself): a key netjob cannot map is refused, and so are two keys for one platform."""
    found: dict[str, str] = {}
    for name in mapping:
        where = at.child(str(name), mapping)
        text = str(name)
        platform = (
            text
            if text == platform_names.DEFAULT_KEY
            else device_type(text, where, (platform_names.DEFAULT_KEY,))
        )
        twin = next((k for k, v in found.items() if v == platform), None)
        if twin is not None:
            raise where.fail(f"'{twin}' and '{text}' both mean {platform}; keep one")
        found[text] = platform
    return found


def integer(data: dict[str, Any], key: str, at: At, low: int, high: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise at.child(key, data).fail(
            f"expected a whole number from {low} to {high}, got {value!r}"
        )
    return value


def number(data: dict[str, Any], key: str, at: At, low: float, high: float) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise at.child(key, data).fail(f"expected a number from {low} to {high}, got {value!r}")
    return float(value)


def boolean(data: dict[str, Any], key: str, at: At, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise at.child(key, data).fail(f"expected true or false, got {value!r}")
    return value


def strings(data: dict[str, Any], key: str, at: At) -> tuple[str, ...]:
    """A string or a list of strings (YAML users write both)."""
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    raise at.child(key, data).fail(f"expected a string or a list of strings, got {_kind(value)}")


def no_vault(data: dict[str, Any], at: At) -> dict[str, Any]:
    """`data` (vars), refused if a value is an Ansible Vault one: netjob decrypts those in
    Ansible inventories only, and must never send the ciphertext as if it were the value."""
    for key, value in data.items():
        if isinstance(value, Vaulted):
            raise at.child(key, data).fail(f"got {_kind(value)}")
    return data


def _kind(value: Any) -> str:
    if isinstance(value, Vaulted):
        return (
            "an Ansible Vault value; netjob decrypts those in Ansible inventories only "
            "(with --vault-password-file): use an environment variable here"
        )
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:80]
