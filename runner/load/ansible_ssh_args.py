"""OpenSSH's command-line options, as Ansible inventories hold them (`ansible_ssh_common_args`,
`ansible_ssh_extra_args`, `ansible_ssh_args`, `ansible_paramiko_proxy_command`) → netjob's
ConnectionOptions fields. Split with shlex, as a shell would; `-o Key=Value`, `-o Key Value`
and `-oKey=Value` are one option, keys case-insensitive, as ssh reads them.

    -J / ProxyJump SPEC[,SPEC]        jump: each [user@]host[:port], nearest first; the
                                      bastion logs in as OpenSSH's ProxyJump does, with
                                      the agent (the device's -i is not the bastion's)
    ProxyCommand 'ssh -W %h:%p ...'   jump: one bastion, with that ssh's -i, -p, -l
    ProxyJump/ProxyCommand none       jump: [] (straight to the device)
    -i / IdentityFile FILE            key_file
    -F FILE                           ssh_config
    StrictHostKeyChecking             host_key_checking: yes strict, no/off off, accept-new
    UserKnownHostsFile FILE           known_hosts
    ConnectTimeout N                  conn_timeout
    -q, -v, -C, LogLevel, Compression, BatchMode, ControlMaster, ControlPersist, ControlPath
                                      no effect: ssh's own logging, compression and
                                      connection sharing; netjob never prompts

Anything else is refused by name (with a did-you-mean): netjob cannot honour it, and a
dropped option (a bastion, a host key rule) would change where or how netjob connects.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from runner.base.errors import InputError
from runner.base.models import JumpHost
from runner.load.schema import At
from runner.load.ssh_options import parse_spec

NO_EFFECT = (
    "loglevel",
    "compression",
    "batchmode",
    "controlmaster",
    "controlpersist",
    "controlpath",
)
NO_EFFECT_FLAGS = ("-q", "-C")
OPTIONS = (
    "ProxyJump",
    "ProxyCommand",
    "IdentityFile",
    "StrictHostKeyChecking",
    "UserKnownHostsFile",
    "ConnectTimeout",
    "LogLevel",
    "Compression",
    "BatchMode",
    "ControlMaster",
    "ControlPersist",
    "ControlPath",
)
_CHECKING = {"yes": "strict", "no": "off", "off": "off", "accept-new": "accept-new"}
_WITH_VALUE = ("-o", "-J", "-i", "-F")
_WHY = {
    "port": "set ansible_port instead",
    "user": "set ansible_user instead",
    "hostname": "set ansible_host instead",
    "kexalgorithms": "netjob cannot offer only these algorithms, or add them after its own",
    "ciphers": "netjob cannot offer only these algorithms, or add them after its own",
    "macs": "netjob cannot offer only these algorithms, or add them after its own",
    "hostkeyalgorithms": "netjob cannot offer only these algorithms, or add them after its own",
    "serveraliveinterval": "netjob sends no SSH keepalives",
    "serveralivecountmax": "netjob sends no SSH keepalives",
    "-p": "set ansible_port instead",
    "-l": "set ansible_user instead",
    "-4": "netjob connects to the address as given",
    "-6": "netjob connects to the address as given",
}


@dataclass(frozen=True)
class Option:
    """One option that sets a ConnectionOptions field: which, to what, written how."""

    field: str
    value: Any
    written: str  # as the user wrote it, for messages


def ssh_args(text: Any, at: At) -> list[Option]:
    """The ConnectionOptions fields these ssh arguments set; a LoadError at `at` naming the
    option when one cannot be honoured."""
    if not isinstance(text, str):
        raise at.fail(f"expected ssh arguments as one string, got {text!r}")
    found: list[Option] = []
    for flag, value in _pairs(_split(text, at), at):
        key, _, rest = value.replace("=", " ", 1).partition(" ")
        if flag == "-o" and key.lower() not in NO_EFFECT:
            found.append(_option(key.lower(), rest.strip(), at, f"-o {value}"))
        elif flag in ("-J", "-i", "-F"):
            found.append(_flag(flag, value, at))
        elif flag != "-o" and flag not in NO_EFFECT_FLAGS and set(flag[1:]) != {"v"}:
            raise _refused(at, flag, _WHY.get(flag[:2]))
    return found


def proxy_command(text: Any, at: At) -> Option:
    """`ansible_paramiko_proxy_command`: ProxyCommand's value on its own."""
    if not isinstance(text, str):
        raise at.fail(f"expected a command as one string, got {text!r}")
    return _option("proxycommand", text, at, text)


def _split(text: str, at: At) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise at.fail(f"cannot split {text!r} as a shell would: {exc}") from None


def _pairs(tokens: list[str], at: At) -> Iterator[tuple[str, str]]:
    """(flag, its value or ''), with `-oX=Y` and `-iFILE` taken apart as ssh does."""
    tokens = list(tokens)
    while tokens:
        token = tokens.pop(0)
        if not token.startswith("-") or token == "-":
            raise at.fail(f"{token!r} is not an ssh option; netjob reads options only")
        flag, glued = token[:2], token[2:]
        if flag not in _WITH_VALUE:
            yield token, ""
        elif glued:
            yield flag, glued
        elif tokens:
            yield flag, tokens.pop(0)
        else:
            raise at.fail(f"{flag} needs a value")


def _flag(flag: str, value: str, at: At) -> Option:
    if flag == "-J":
        return _option("proxyjump", value, at, f"-J {value}")
    if flag == "-i":
        return _option("identityfile", value, at, f"-i {value}")
    return Option("ssh_config", value, f"-F {value}")


def _option(key: str, value: str, at: At, written: str) -> Option:
    if key == "proxyjump":
        return Option("jump", _proxy_jump(value, at, written), written)
    if key == "proxycommand":
        jumps = () if value.lower() == "none" else (_proxy_command(value, at, written),)
        return Option("jump", jumps, written)
    if key == "identityfile":
        if "%" in value or "${" in value:
            raise at.fail(f"{written!r}: netjob does not expand ssh's % and ${{}} tokens")
        return Option("key_file", value, written)
    if key == "stricthostkeychecking":
        if value.lower() not in _CHECKING:
            raise at.fail(
                f"{written!r}: netjob never prompts; use yes (strict), accept-new or no (off)"
            )
        return Option("host_key_checking", _CHECKING[value.lower()], written)
    if key == "userknownhostsfile":
        if len(value.split()) != 1:
            raise at.fail(f"{written!r}: netjob reads one known_hosts file")
        return Option("known_hosts", value, written)
    if key == "connecttimeout":
        if not value.isdigit() or int(value) < 1:
            raise at.fail(f"{written!r}: expected a whole number of seconds")
        return Option("conn_timeout", float(value), written)
    raise _refused(at, written, _WHY.get(key), key)


def _refused(at: At, written: str, why: str | None, key: str | None = None) -> Exception:
    near = difflib.get_close_matches(key or "", [o.lower() for o in OPTIONS], n=1)
    hint = why or (
        f"did you mean {OPTIONS[[o.lower() for o in OPTIONS].index(near[0])]}?"
        if near
        else "the README's Ansible section lists the ssh options netjob reads"
    )
    return at.fail(f"netjob cannot honour the ssh option {written!r}; {hint}")


def _proxy_jump(value: str, at: At, written: str) -> tuple[JumpHost, ...]:
    if value.lower() == "none":
        return ()
    hops = []
    for spec in value.split(","):
        if spec.startswith("ssh://"):
            spec = spec[len("ssh://") :]
        try:
            user, address, port = parse_spec(spec)
        except InputError as exc:
            raise at.fail(f"{written!r}: {exc}") from None
        # OpenSSH logs in to a ProxyJump bastion with its agent and its own config, never
        # with the device's -i: so does netjob (the agent; no key of the device's).
        hops.append(JumpHost(address=address, port=port or 22, username=user, use_agent=True))
    return tuple(hops)


def _proxy_command(command: str, at: At, written: str) -> JumpHost:
    """`ssh [-q] [-i KEY] [-p PORT] [-l USER] -W %h:%p [user@]bastion`: a bastion. Any other
    command (nc, a script) is refused: netjob cannot tell where it goes."""
    usage = "netjob reads ProxyCommand 'ssh -W %h:%p [-i KEY] [-p PORT] [user@]bastion'"
    tokens = _split(command, at)
    if not tokens or tokens[0].rsplit("/", 1)[-1] != "ssh":
        raise at.fail(f"{written!r}: {usage}")
    given: dict[str, str] = {}
    destination: list[str] = []
    rest = tokens[1:]
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            destination.append(token)
        elif token in ("-q",) or (set(token[1:]) == {"v"}):
            continue
        elif token[:2] in ("-W", "-i", "-p", "-l") and (token[2:] or rest):
            given[token[:2]] = token[2:] or rest.pop(0)
        else:
            raise at.fail(f"{written!r}: {token!r} inside it; {usage}")
    if given.get("-W") not in ("%h:%p", "[%h]:%p") or len(destination) != 1:
        raise at.fail(f"{written!r}: {usage}")
    if any("%" in v for k, v in given.items() if k != "-W") or "%" in destination[0]:
        raise at.fail(f"{written!r}: netjob does not expand ssh's % tokens for the bastion")
    try:
        user, address, port = parse_spec(destination[0])
        if "-p" in given:
            port = int(given["-p"])
            if not 1 <= port <= 65535:
                raise InputError(f"port {port} is not from 1 to 65535")
    except ValueError as exc:  # int() of -p's value
        raise at.fail(f"{written!r}: {exc}") from None
    except InputError as exc:
        raise at.fail(f"{written!r}: {exc}") from None
    if user and "-l" in given:
        raise at.fail(f"{written!r}: a user both in -l and before @; keep one")
    return JumpHost(
        address=address,
        port=port or 22,
        username=given.get("-l", user),
        key_file=given.get("-i"),
        use_agent=True,
    )
