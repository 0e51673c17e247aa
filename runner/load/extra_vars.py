"""`-e` / --extra-vars: what Ansible users pass, read as Ansible reads it (documented in
the README): `@vars.yaml`, a JSON/YAML object, or `key=value` typed only where nothing is
lost."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from runner.base.errors import InputError
from runner.load.schema import At, mapping
from runner.load.yamlio import load_yaml, parse_yaml


def parse_extra_vars(values: Iterable[str]) -> dict[str, Any]:
    """-e, later ones win: `@vars.yaml` and a JSON/YAML object (`{"a": [1]}`) are read
    typed, whole; in `key=value` the value is YAML-typed only where nothing is lost: a
    whole number, a decimal or true/false that reads back as written, a flow list or
    mapping (`[1, 2]`, `{a: 1}`); anything else (`15.10`, `010`, `yes`, `a b`) stays text."""
    result: dict[str, Any] = {}
    for value in values:
        if value.startswith("@"):
            path = Path(value[1:])
            result.update(mapping(load_yaml(path), At(path, "")))
        elif value.lstrip().startswith("{"):
            result.update(_extra_object(value))
        elif "=" in value and value.split("=", 1)[0].strip().isidentifier():
            key, _, text = value.partition("=")
            result[key.strip()] = _extra_value(key.strip(), text)
        else:
            raise InputError(
                f"-e {value!r}: expected key=value or @file.yaml, or a JSON object ({{...}})"
            )
    return result


def _extra_object(text: str) -> dict[str, Any]:
    try:
        data = parse_yaml(text, "-e")
    except InputError as exc:
        raise InputError(f"-e {_short(text)}: not a JSON/YAML object: {_problem(exc)}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(f"-e {_short(text)}: expected an object whose keys are names")
    return dict(data)


def _extra_value(key: str, text: str) -> Any:
    stripped = text.strip()
    if stripped.startswith(("[", "{")) and not stripped.startswith("{{"):
        try:
            data = parse_yaml(stripped, "-e")
        except InputError as exc:
            raise InputError(f"-e {key}={_short(text)}: {_problem(exc)}") from None
        if isinstance(data, (list, dict)):
            return data
        return text
    if stripped in ("true", "false"):
        return stripped == "true"
    # A number of more digits than a 64-bit one stays text: nothing a device takes is that
    # long, and Python refuses to read one of over 4,300 digits (a traceback).
    if re.fullmatch(r"-?(0|[1-9][0-9]{0,18})", stripped):
        return int(stripped)
    if (
        re.fullmatch(r"-?(0|[1-9][0-9]{0,18})\.[0-9]{1,18}", stripped)
        and str(float(stripped)) == stripped
    ):
        return float(stripped)
    return text


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _problem(exc: InputError) -> str:
    """The YAML parser's words without the `-e:1:` place: the value is one line."""
    return re.sub(r"^-e(:\d+)?: |; fix the syntax there$", "", str(exc))
