"""Ansible's connection variables beyond the six of runner.load.ansible_inventory (address,
port, user, password, become password, network_os) → netjob's ConnectionOptions fields.

Every `ansible_*` variable a host ends with is in one of these tables (the README's
Ansible section lists each), or it is refused by name, with a did-you-mean:
    MAPPED     read into a netjob key: jump, key_file, passphrase_env, the timeouts,
               host_key_checking; ansible_become and _method are checked against enable
    NO_EFFECT  nothing to honour in netjob: they steer Ansible's modules on a managed node
               (interpreters, temp folders, pipelining) or only its own ssh program
An option netjob cannot honour inside ansible_ssh_*args is refused the same way
(runner.load.ansible_ssh_args). Two variables that set one netjob key to different values
are refused, naming both: which one Ansible takes depends on its connection plugin.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from runner.load.ansible_ssh_args import Option, proxy_command, ssh_args
from runner.load.schema import At

# The variable's value (vault decrypted, `{{ var }}` followed, the lookup not yet read),
# where it was set; None when the host does not set it.
Resolve = Callable[[str], "tuple[Any, At] | None"]

READ = {  # runner.load.ansible_inventory.CONNECTION_VARS reads these into Host fields
    "ansible_host": "address",
    "ansible_ssh_host": "address",
    "ansible_paramiko_host": "address",
    "ansible_port": "port",
    "ansible_ssh_port": "port",
    "ansible_paramiko_port": "port",
    "ansible_user": "username",
    "ansible_ssh_user": "username",
    "ansible_paramiko_user": "username",
    "ansible_password": "password (password_env from a lookup('env'))",
    "ansible_ssh_pass": "password",
    "ansible_ssh_password": "password",
    "ansible_paramiko_pass": "password",
    "ansible_paramiko_password": "password",
    "ansible_become_password": "secret, the enable secret (secret_env from a lookup('env'))",
    "ansible_become_pass": "secret",
    "ansible_network_os": "platform",
    "ansible_group_priority": "the group's place in the merge, as Ansible's",
}
SSH_ARGS = ("ansible_ssh_common_args", "ansible_ssh_extra_args", "ansible_ssh_args")
KEY_FILE = ("ansible_ssh_private_key_file", "ansible_private_key_file")
PASSPHRASE = ("ansible_ssh_private_key_passphrase", "ansible_private_key_passphrase")
CHECKING = ("ansible_host_key_checking", "ansible_ssh_host_key_checking")
MAPPED = {
    **dict.fromkeys(SSH_ARGS, "the ssh options netjob reads (below); any other is refused"),
    "ansible_paramiko_proxy_command": "jump, as ProxyCommand in the ssh options",
    **dict.fromkeys(KEY_FILE, "key_file"),
    "ansible_paramiko_private_key_file": "key_file",
    **dict.fromkeys(PASSPHRASE, "passphrase_env, from {{ lookup('env', 'NAME') }} only"),
    "ansible_connect_timeout": "conn_timeout and auth_timeout",
    "ansible_ssh_timeout": "conn_timeout, unless ansible_connect_timeout is set",
    "ansible_paramiko_timeout": "conn_timeout, unless ansible_connect_timeout is set",
    "ansible_command_timeout": "read_timeout",
    **dict.fromkeys(CHECKING, "host_key_checking: true strict, false off"),
    "ansible_paramiko_host_key_checking": "host_key_checking: true strict, false off",
    "ansible_host_key_auto_add": "host_key_checking: true accept-new",
    "ansible_become": "false: no enable mode (the become password is not used)",
    "ansible_become_method": "enable only; another method is refused",
    "ansible_connection": "network_cli, ssh or paramiko only; another is refused",
}
NO_EFFECT = {
    "ansible_python_interpreter": "runs modules on a managed node; netjob runs none",
    "ansible_shell_type": "a managed node's shell",
    "ansible_shell_executable": "a managed node's shell",
    "ansible_remote_tmp": "a managed node's temp folder",
    "ansible_async_dir": "a managed node's folder",
    "ansible_pipelining": "how modules are sent to a managed node",
    "ansible_ssh_pipelining": "how modules are sent to a managed node",
    "ansible_control_path": "ssh's connection sharing; netjob keeps one session a host",
    "ansible_control_path_dir": "ssh's connection sharing; netjob keeps one session a host",
    "ansible_ssh_verbosity": "ssh's own logging",
    "ansible_persistent_log_messages": "Ansible's own logging",
    "ansible_network_cli_ssh_type": "the SSH library; netjob's is paramiko",
    "ansible_become_user": "the enable method has no user",
}
REFUSED = {  # connection variables netjob cannot honour, each with what to do instead
    "ansible_ssh_retries": "use --retries",
    "ansible_network_cli_retries": "use --retries",
    "ansible_private_key": "put the key in a file and set ansible_ssh_private_key_file",
    "ansible_ssh_private_key": "put the key in a file and set ansible_ssh_private_key_file",
    "ansible_ssh_executable": "netjob speaks SSH itself (paramiko)",
    "ansible_scp_extra_args": "netjob copies files over its own SSH session",
    "ansible_sftp_extra_args": "netjob copies files over its own SSH session",
    "ansible_ssh_transfer_method": "netjob copies files with SCP",
    "ansible_become_exe": "netjob enters enable mode only",
    "ansible_become_flags": "netjob enters enable mode only",
    "ansible_terminal_initial_prompt": "answer a device's questions with a task's prompts:",
    "ansible_terminal_stdout_re": "netjob reads each platform's prompt from its table",
    "ansible_terminal_stderr_re": "netjob reads each platform's errors from its table",
}
BECOME_METHODS = ("enable", "ansible.netcommon.enable")
CONNECTIONS = (
    "network_cli",
    "ansible.netcommon.network_cli",
    "ssh",
    "ansible.builtin.ssh",
    "paramiko",
    "paramiko_ssh",
    "ansible.builtin.paramiko_ssh",
)
KNOWN = (*READ, *MAPPED, *NO_EFFECT, *REFUSED)
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
# `{{ lookup('env', 'NAME') }}` (or 'ansible.builtin.env'): Ansible's way to keep secrets
# out of the file.
ENV_LOOKUP = re.compile(
    r"\{\{\s*lookup\(\s*(?P<q>['\"])(?:ansible\.builtin\.)?env(?P=q)\s*,"
    r"\s*['\"](?P<name>\w+)['\"]\s*\)\s*\}\}"
)


def check_names(names: Iterable[str], where: Callable[[str], At]) -> None:
    """Every `ansible_*` variable is one netjob knows; another is refused by name."""
    for name in names:
        if name in REFUSED:
            raise where(name).fail(f"netjob cannot honour it; {REFUSED[name]}")
        if not name.startswith("ansible_") or name in KNOWN or _interpreter(name):
            continue
        near = difflib.get_close_matches(name, KNOWN, n=1)
        hint = f"did you mean {near[0]}?" if near else "remove it if Ansible does not know it"
        raise where(name).fail(
            f"netjob does not read this Ansible variable and cannot honour it; {hint} "
            "(the README's Ansible section lists each one netjob reads)"
        )


def _interpreter(name: str) -> bool:
    # ansible_<language>_interpreter: which program runs Ansible's modules on a managed node.
    return name.endswith("_interpreter")


def connection_options(resolve: Resolve) -> tuple[dict[str, Any], bool]:
    """(the ConnectionOptions fields the host's variables set, whether netjob may use the
    enable secret); a LoadError naming the variable when one cannot be honoured."""
    options: list[tuple[Option, str, At]] = []  # (what, which variable, where)
    for name in SSH_ARGS:
        if (found := resolve(name)) is not None:
            options += [(o, name, found[1]) for o in ssh_args(_text(*found), found[1])]
    if (found := resolve("ansible_paramiko_proxy_command")) is not None:
        command = proxy_command(_text(*found), found[1])
        options.append((command, "ansible_paramiko_proxy_command", found[1]))
    options += _variables(resolve)
    fields: dict[str, Any] = {}
    source: dict[str, tuple[str, str]] = {}
    where: dict[str, At] = {}
    for option, name, at in options:
        if option.field in fields and fields[option.field] != option.value:
            first, written = source[option.field]
            raise at.fail(
                f"{option.written!r} and {first}'s {written!r} set {option.field} to "
                "different values; keep one"
            )
        fields[option.field] = option.value
        source.setdefault(option.field, (name, option.written))
        where.setdefault(option.field, at)
    if fields.get("jump") and "ssh_config" in fields:
        # OpenSSH would look the bastion's name up in that file; netjob connects to a
        # `jump:` bastion at the address written.
        raise where["jump"].fail(
            "a bastion and -F together: netjob does not look bastions up in an ssh_config; "
            "write the bastion's address, or keep ProxyJump in the ssh_config alone"
        )
    return fields, _become(resolve)


def _variables(resolve: Resolve) -> list[tuple[Option, str, At]]:
    found: list[tuple[Option, str, At]] = []

    def add(names: Iterable[str], make: Callable[[Any, At], tuple[str, Any]]) -> None:
        for name in names:
            if (value := resolve(name)) is not None:
                field, mapped = make(*value)
                found.append((Option(field, mapped, f"{name}: {value[0]}"), name, value[1]))

    add((*KEY_FILE, "ansible_paramiko_private_key_file"), lambda v, at: ("key_file", _env(v, at)))
    add(PASSPHRASE, lambda v, at: ("passphrase_env", _passphrase(v, at)))
    add(("ansible_connect_timeout",), lambda v, at: ("conn_timeout", _seconds(v, at)))
    add(("ansible_connect_timeout",), lambda v, at: ("auth_timeout", _seconds(v, at)))
    if resolve("ansible_connect_timeout") is None:
        # network_cli hands paramiko its connect timeout, not ssh's own ConnectTimeout.
        timeouts = ("ansible_ssh_timeout", "ansible_paramiko_timeout")
        add(timeouts, lambda v, at: ("conn_timeout", _seconds(v, at)))
    add(("ansible_command_timeout",), lambda v, at: ("read_timeout", _seconds(v, at)))
    checking = (*CHECKING, "ansible_paramiko_host_key_checking")
    add(checking, lambda v, at: ("host_key_checking", "strict" if _bool(v, at) else "off"))
    auto_add = resolve("ansible_host_key_auto_add")
    if auto_add is not None and _bool(*auto_add) and not _off(found):
        # network_cli's host_key_auto_add learns a new host's key and refuses a changed one.
        found = [f for f in found if f[0].field != "host_key_checking"]
        add(("ansible_host_key_auto_add",), lambda v, at: ("host_key_checking", "accept-new"))
    return found


def _off(found: list[tuple[Option, str, At]]) -> bool:
    return any(o.field == "host_key_checking" and o.value == "off" for o, _, _ in found)


def _become(resolve: Resolve) -> bool:
    _one_of(resolve, "ansible_become_method", BECOME_METHODS, "netjob enters enable mode only")
    _one_of(resolve, "ansible_connection", CONNECTIONS, "netjob connects over SSH only")
    become = resolve("ansible_become")
    return become is None or _bool(*become)


def _one_of(resolve: Resolve, name: str, allowed: tuple[str, ...], why: str) -> None:
    if (found := resolve(name)) is not None and found[0] not in allowed:
        raise found[1].fail(f"{name} {found[0]!r}: {why}; use one of {', '.join(allowed)}")


def _text(value: Any, at: At) -> str:
    return str(_env(value, at))


def _env(value: Any, at: At) -> Any:
    """A `{{ lookup('env', 'NAME') }}` read now (it is not a secret); another value as is."""
    found = ENV_LOOKUP.fullmatch(value.strip()) if isinstance(value, str) else None
    return from_env(found.group("name"), at) if found else value


def from_env(name: str, at: At) -> str:
    value = os.environ.get(name)
    if not value:
        raise at.fail(f"lookup('env', '{name}'): ${name} is not set (or empty); export it")
    return value


def _passphrase(value: Any, at: At) -> str:
    found = ENV_LOOKUP.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise at.fail(
            "netjob reads a key's passphrase from the environment only: write "
            "\"{{ lookup('env', 'NAME') }}\""
        )
    return found.group("name")


def _seconds(value: Any, at: At) -> float:
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= 86400:
        raise at.fail(f"expected a number of seconds from 1 to 86400, got {value!r}")
    return float(number)


def _bool(value: Any, at: At) -> bool:
    """Ansible's booleans: true/false, yes/no, on/off, 1/0, any case."""
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise at.fail(f"expected true or false, got {value!r}")
