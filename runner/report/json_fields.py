"""The one mapping from a frozen record (runner.report.document's, runner.report.change's) to
its JSON, back, to its JSON Schema and to the per-host columns of report.md and report.html.
A record's fields say it all, in their order and in `field(metadata=meta(...))`:

    key        the JSON name, when it is not the field's (RuleDoc.passed is `pass`)
    optional   written only when it differs from the field's default (else absent)
    host_file  in a host's file only (hosts/<name>.json), never in report.json
    empty      None is written `{}` (report.json's `compliance` of a job without checks)
    unmasked   kept out of the redaction of the document (run.json's process identity)
    about      the schema's description of it
    schema     JSON Schema of its own (merged over the one its type gives)
    column     its heading in the per-host tables of report.md and report.html

Types map as JSON does: an Enum by its value, a tuple as an array, a Mapping as an object,
a record as an object of its fields. Reading back, a missing key is the field's default (a
KeyError if it has none) and a value of no known kind a ValueError, as before.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = [
    "columns",
    "from_json",
    "headings",
    "json_keys",
    "meta",
    "schema_of",
    "to_json",
    "unmasked",
]

Schema = dict[str, Any]
# A type that is given a name in the schema's $defs: its name and the schema it stands for.
Defs = Mapping[Any, tuple[str, Schema]]


def meta(
    *,
    key: str | None = None,
    optional: bool = False,
    host_file: bool = False,
    empty: bool = False,
    unmasked: bool = False,
    about: str | None = None,
    schema: Schema | None = None,
    column: str | None = None,
) -> dict[str, Any]:
    """A field's metadata (the module docstring), for `field(metadata=meta(...))`."""
    found = {
        "key": key,
        "optional": optional,
        "host_file": host_file,
        "empty": empty,
        "unmasked": unmasked,
        "about": about,
        "schema": schema,
        "column": column,
    }
    return {name: value for name, value in found.items() if value}


def _key(item: dataclasses.Field[Any]) -> str:
    return str(item.metadata.get("key", item.name))


def _default(item: dataclasses.Field[Any]) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return dataclasses.MISSING


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(record: type[Any]) -> dict[str, Any]:
    """A record's field types, resolved once (reading a run reads a record per host)."""
    if record not in _HINTS:
        _HINTS[record] = typing.get_type_hints(record)
    return _HINTS[record]


def _fields(record: type[Any], host_file: bool) -> list[dataclasses.Field[Any]]:
    """The fields a document holds: report.json's, or with `host_file`, a host file's."""
    return [f for f in dataclasses.fields(record) if host_file or not f.metadata.get("host_file")]


def json_keys(record: type[Any], host_file: bool = False) -> dict[str, bool]:
    """A record's keys in report.json (or with `host_file`, in a host file), each with
    whether it is always written: what the schema's properties and `required` say."""
    return {_key(f): not f.metadata.get("optional") for f in _fields(record, host_file)}


# --- to JSON --------------------------------------------------------------------------------


def to_json(record: Any, host_file: bool = False) -> dict[str, Any]:
    """A record as JSON data, its fields in order; with `host_file`, those of a host file too."""
    data: dict[str, Any] = {}
    for item in _fields(type(record), host_file):
        value = getattr(record, item.name)
        if item.metadata.get("optional") and value == _default(item):
            continue
        if value is None and item.metadata.get("empty"):
            data[_key(item)] = {}
            continue
        data[_key(item)] = _dump(value, host_file)
    return data


def _dump(value: Any, host_file: bool) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(value, host_file)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_dump(v, host_file) for v in value]
    if isinstance(value, Mapping):
        return {_dump(k, host_file): _dump(v, host_file) for k, v in value.items()}
    return value


def unmasked(record: type[Any]) -> tuple[str, ...]:
    """The keys a document's redaction leaves as they are (`meta(unmasked=True)`)."""
    return tuple(_key(f) for f in dataclasses.fields(record) if f.metadata.get("unmasked"))


# --- from JSON ------------------------------------------------------------------------------


def from_json(record: type[Any], data: Mapping[str, Any]) -> Any:
    """The record `data` (to_json's, or an older netjob's) was written from."""
    hints = _hints(record)
    given: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        if not item.init:
            continue  # worked out from the others
        key = _key(item)
        if key not in data:
            if _default(item) is dataclasses.MISSING:
                raise KeyError(key)
            continue
        value = data[key]
        if item.metadata.get("empty") and value == {}:
            value = None
        given[item.name] = _load(value, hints[item.name], _default(item))
    return record(**given)


def _load(value: Any, kind: Any, default: Any = dataclasses.MISSING) -> Any:
    arms = _arms(kind)
    if arms is not None:  # X | None
        if value is None or (value == "" and isinstance(arms, type) and issubclass(arms, Enum)):
            return None
        kind = arms
    elif value is None and default is not dataclasses.MISSING:
        return default  # null where the record has no None: what it holds when not given
    origin = typing.get_origin(kind)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_load(v, item) for v in value or ())
    if origin is Mapping:
        key, item = typing.get_args(kind)
        return {_load(k, key): _load(v, item) for k, v in (value or {}).items()}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_json(kind, value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


def _arms(kind: Any) -> Any:
    """X of `X | None`; None for any other type."""
    if not isinstance(kind, types.UnionType):
        return None
    rest = [arm for arm in typing.get_args(kind) if arm is not type(None)]
    return rest[0] if len(rest) == 1 else None


# --- the schema -----------------------------------------------------------------------------

_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
_PLAIN: Mapping[str, Any] = types.MappingProxyType({})  # a field with no metadata


def schema_of(record: type[Any], defs: Defs, required: bool = True) -> Schema:
    """The JSON Schema of a record's report.json object; a type in `defs` is a $ref."""
    hints = _hints(record)
    properties = {}
    for item in _fields(record, host_file=False):
        found = _schema(hints[item.name], defs, item.metadata)
        if item.metadata.get("about"):
            found["description"] = item.metadata["about"]
        properties[_key(item)] = found
    keys = json_keys(record)
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = [key for key, always in keys.items() if always]
    schema["properties"] = properties
    return schema


def _schema(kind: Any, defs: Defs, metadata: Mapping[str, Any] = _PLAIN) -> Schema:
    own = dict(metadata.get("schema") or {})
    if "enum" in own or "const" in own:
        return own  # the field's own values
    arm = _arms(kind)
    if arm is not None:
        found = _schema(arm, defs, {"empty": metadata.get("empty")})
        never_null = metadata.get("optional") or metadata.get("empty")
        if not never_null and isinstance(found.get("type"), str):
            found["type"] = [found["type"], "null"]  # written, null when not known
        return {**found, **own}  # absent (optional) or `{}` (empty) when None, never null
    return {**_plain(kind, defs, bool(metadata.get("empty"))), **own}


def _plain(kind: Any, defs: Defs, empty: bool) -> Schema:
    if kind in defs:
        return {"$ref": f"#/$defs/{defs[kind][0]}"}
    if kind in _TYPES:
        return {"type": _TYPES[kind]}
    origin = typing.get_origin(kind)
    if origin is tuple:
        return {"type": "array", "items": _schema(typing.get_args(kind)[0], defs)}
    if origin is Mapping:
        item = typing.get_args(kind)[1]
        if item is Any:
            return {"type": "object"}
        return {"type": "object", "additionalProperties": _schema(item, defs)}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"enum": [member.value for member in kind]}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return schema_of(kind, defs, required=not empty)  # `{}`: nothing required
    if kind is Any:
        return {}
    raise TypeError(f"no JSON Schema for {kind!r}")


# --- the per-host columns of report.md and report.html --------------------------------------


def columns(record: Any, host_file: bool = True) -> list[tuple[str, str]]:
    """A record's `column` fields as (heading, text) for a table row, "-" for none; without
    `host_file`, only those report.json holds (report.md reads it alone)."""
    shown = []
    for item in _fields(type(record), host_file):
        if item.metadata.get("column"):
            value = getattr(record, item.name)
            shown.append(
                (item.metadata["column"], "-" if value is None else str(_dump(value, True)))
            )
    return shown


def headings(record: type[Any], host_file: bool = True) -> list[str]:
    """The headings of columns()."""
    return [
        str(f.metadata["column"]) for f in _fields(record, host_file) if f.metadata.get("column")
    ]
