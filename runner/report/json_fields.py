"""The one mapping from a frozen record (runner.report.records', runner.report.change's) to
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
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

__all__ = [
    "columns",
    "from_json",
    "headings",
    "json_key",
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


def json_key(record: type[Any], name: str) -> str:
    """A field's key in the documents."""
    return next(_key(f) for f in dataclasses.fields(record) if f.name == name)


def json_keys(record: type[Any], host_file: bool = False) -> dict[str, bool]:
    """A record's keys in report.json (or with `host_file`, in a host file), each with
    whether it is always written: what the schema's properties and `required` say."""
    return {_key(f): not f.metadata.get("optional") for f in _fields(record, host_file)}


# --- to JSON --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Slot:
    """A field as the documents see it, worked out once per record (a run writes and reads
    a record per host and step)."""

    name: str
    key: str
    optional: bool
    empty: bool
    host_file: bool
    init: bool  # False: worked out from the others (never read)
    default: Any  # dataclasses.MISSING: none
    load: Callable[[Any], Any]  # a JSON value to the field's


_SLOTS: dict[type[Any], tuple[_Slot, ...]] = {}


def _slots(record: type[Any]) -> tuple[_Slot, ...]:
    if record not in _SLOTS:
        hints = _hints(record)
        _SLOTS[record] = tuple(
            _Slot(
                name=f.name,
                key=_key(f),
                optional=bool(f.metadata.get("optional")),
                empty=bool(f.metadata.get("empty")),
                host_file=bool(f.metadata.get("host_file")),
                init=f.init,
                default=_default(f),
                load=_loader(hints[f.name], _fallback(f)),
            )
            for f in dataclasses.fields(record)
        )
    return _SLOTS[record]


def to_json(record: Any, host_file: bool = False) -> dict[str, Any]:
    """A record as JSON data, its fields in order; with `host_file`, those of a host file too."""
    data: dict[str, Any] = {}
    for slot in _slots(type(record)):
        if slot.host_file and not host_file:
            continue
        value = getattr(record, slot.name)
        if slot.optional and value == slot.default:
            continue
        if value is None and slot.empty:
            data[slot.key] = {}
            continue
        data[slot.key] = _dump(value, host_file)
    return data


_PLAIN_VALUES = (str, int, float, bool, type(None))


def _dump(value: Any, host_file: bool) -> Any:
    if type(value) in _PLAIN_VALUES:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_dump(v, host_file) for v in value]
    if isinstance(value, Mapping):
        return {_dump(k, host_file): _dump(v, host_file) for k, v in value.items()}
    if hasattr(type(value), "__dataclass_fields__"):
        return to_json(value, host_file)
    return value


def unmasked(record: type[Any]) -> tuple[str, ...]:
    """The keys a document's redaction leaves as they are (`meta(unmasked=True)`)."""
    return tuple(_key(f) for f in dataclasses.fields(record) if f.metadata.get("unmasked"))


# --- from JSON ------------------------------------------------------------------------------


class ShapeError(TypeError):
    """A document's value is not of its field's JSON type (a list where an object goes):
    refused, as the readers' TypeError, naming the key, never read as an empty one."""


def from_json(record: type[Any], data: Mapping[str, Any]) -> Any:
    """The record `data` (to_json's, or an older netjob's) was written from."""
    _expect(data, Mapping, "an object")
    given: dict[str, Any] = {}
    for slot in _slots(record):
        if not slot.init:
            continue
        if slot.key not in data:
            if slot.default is dataclasses.MISSING:
                raise KeyError(slot.key)
            continue
        value = data[slot.key]
        try:
            given[slot.name] = None if slot.empty and value == {} else slot.load(value)
        except ShapeError as exc:
            raise ShapeError(f"{slot.key}: {exc}") from None
    return record(**given)


def _expect(value: Any, kind: type[Any] | tuple[type[Any], ...], named: str) -> None:
    if not isinstance(value, kind):
        raise ShapeError(f"expected {named}, not {_JSON_NAMES.get(type(value), 'a value')}")


_JSON_NAMES = {
    type(None): "null",
    bool: "true or false",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def _identity(value: Any) -> Any:
    return value


def _fallback(item: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    """A field's default, made anew each time it is taken (None: it has none)."""
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory
    if item.default is not dataclasses.MISSING:
        return lambda: item.default
    return None


def _loader(kind: Any, fallback: Callable[[], Any] | None = None) -> Callable[[Any], Any]:
    """What turns a JSON value into one of `kind`, worked out once per field."""
    arm = _arms(kind)
    if arm is not None:  # X | None
        inner = _loader(arm)
        blank = isinstance(arm, type) and issubclass(arm, Enum)  # a failure of "": none
        return lambda v: None if v is None or (blank and v == "") else inner(v)
    inner = _plain_loader(kind)
    if fallback is None:
        return inner
    # null where the record has no None: what it holds when not given
    return lambda v: fallback() if v is None else inner(v)


def _plain_loader(kind: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(kind)
    if origin is tuple:
        item = _loader(typing.get_args(kind)[0])

        def load_array(v: Any) -> tuple[Any, ...]:
            _expect(v or (), (list, tuple), "an array")
            return tuple(v or ()) if item is _identity else tuple(item(x) for x in v or ())

        return load_array
    if origin is Mapping:
        key, value = (_loader(arg) for arg in typing.get_args(kind))

        def load_object(v: Any) -> dict[Any, Any]:
            _expect(v if v is not None else {}, Mapping, "an object")
            return {key(k): value(x) for k, x in (v or {}).items()}

        return load_object
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return lambda v: from_json(kind, v)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    return _identity


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
