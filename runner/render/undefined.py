"""Undefined names in templates, said as a person reads them: StrictUndefined whose
message names the key meant (`host.nmae`: did you mean 'name'?), and Jinja2's words for a
missing key or item (`'LineList object' has no element 5`) as a list or a mapping."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import jinja2


class Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose message names the key meant: `host.nmae` (did you mean 'name'?)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        message: str = super()._undefined_message
        keys = self._undefined_obj
        name = self._undefined_name
        if isinstance(keys, Mapping) and isinstance(name, str):
            near = difflib.get_close_matches(name, [str(k) for k in keys], n=1)
            if near:
                message += f" (did you mean '{near[0]}'?)"
        return message


# Jinja2's words for a missing key or index name the Python class (`'runner.load.yamlio.LineList
# object' has no element 5`): a person reads a list or a mapping, and what to do.
_NO_MEMBER = re.compile(r"^'?([\w.]+) object'? has no (element|attribute) (.+)$")
_KINDS = {
    "list": "list",
    "tuple": "list",
    "LineList": "list",
    "dict": "mapping",
    "LineDict": "mapping",
}


_MEANT = re.compile(r" \(did you mean '(.+)'\?\)$")


def missing_member(message: str) -> str | None:
    found = _NO_MEMBER.match(message.strip())
    if found is None:
        return None
    kind = _KINDS.get(found.group(1).rsplit(".", 1)[-1], "value")
    what, hint = found.group(3), ""
    if (meant := _MEANT.search(what)) is not None:  # Undefined's did-you-mean
        what, hint = what[: meant.start()], meant.group(1)
    if kind == "list":
        if found.group(2) == "element":
            return (
                f"a list has no item [{what}]: items count from 0, and `| length` is how "
                "many there are; check the variable's data with `netjob hosts`"
            )
        return f"a list has no attribute {what}; index it ([0]) or loop over it"
    if kind == "mapping" and hint:
        return f"a mapping has no key {what}; did you mean '{hint}'?"
    if kind == "mapping":
        return (
            f"a mapping has no key {what}; check the variable's data with `netjob hosts`, "
            f"or give a default: `| default(...)`"
        )
    return f"a {found.group(1).rsplit('.', 1)[-1]} value has no {found.group(2)} {what}"
