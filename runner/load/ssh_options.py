"""The inventory's SSH keys (`key_file`, `jump:`, `ssh:`, `host_key_checking`, ...) checked
and turned into ConnectionOptions fields. No I/O and no paramiko: what can only be checked
by reading a key or asking paramiko is checked by runner.device.sshkeys before anything connects.

    jump: bastion.example.net                  # one bastion: [user@]address[:port]
    jump: [netops@b1.example.net, b2:2222]     # a chain, nearest first
    jump: {address: b1, port: 22, username: netops, key_file: ~/.ssh/bastion,
           password_env: BASTION_PASSWORD, max_sessions: 64,
           ssh: {kex: [diffie-hellman-group14-sha1]}}   # a legacy bastion's algorithms
    jump: []                                   # (on a host) straight to the device
    ssh: {kex: [diffie-hellman-group1-sha1], ciphers: [aes128-cbc]}
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from runner.base.errors import InputError
from runner.base.models import Host, JumpHost
from runner.load import schema
from runner.load.schema import At

HOST_KEY_CHECKING = ("strict", "accept-new", "off")
TRANSPORTS = ("ssh", "paramiko", "ssh2", "telnet")  # runner.device.transports
# `ssh:` key → ConnectionOptions field
ALGORITHM_KEYS = {
    "kex": "ssh_kex",
    "ciphers": "ssh_ciphers",
    "macs": "ssh_macs",
    "host_key_types": "ssh_host_key_types",
}
JUMP_KEYS = (
    "address",
    "port",
    "username",
    "password_env",
    "key_file",
    "passphrase_env",
    "use_agent",
    "max_sessions",
    "ssh",
)
_SPEC = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?P<address>\[[^\]]+\]|[^:@\s]+)(?::(?P<port>\d+))?$")


def ssh_options(data: dict[str, Any], at: At) -> dict[str, Any]:
    """The ConnectionOptions fields that one inventory level (defaults, a group, a host)
    sets; only the keys present, so the merge keeps the others' values."""
    found: dict[str, Any] = {}
    for key in ("key_file", "passphrase_env", "known_hosts", "ssh_config"):
        if data.get(key) is not None:
            found[key] = schema.string(data, key, at)
    if data.get("use_agent") is not None:
        found["use_agent"] = schema.boolean(data, "use_agent", at)
    for key, allowed in (("host_key_checking", HOST_KEY_CHECKING), ("transport", TRANSPORTS)):
        if data.get(key) is not None:
            value = str(schema.string(data, key, at))
            if value not in allowed:
                raise at.child(key, data).fail(
                    f"expected one of {', '.join(allowed)}, got {value!r}"
                )
            found[key] = value
    found.update(algorithms(data, at))
    if "jump" in data:
        found["jump"] = jump_chain(data["jump"], at.child("jump", data))
    return found


def algorithms(data: dict[str, Any], at: At) -> dict[str, tuple[str, ...]]:
    """`ssh: {kex, ciphers, macs, host_key_types}` (a device's or a bastion's) as the
    fields of the same names with `ssh_` before them; only those given."""
    if data.get("ssh") is None:
        return {}
    ssh_at = at.child("ssh", data)
    ssh = schema.mapping(data["ssh"], ssh_at)
    schema.check_keys(ssh, ssh_at, tuple(ALGORITHM_KEYS))
    return {
        field_name: schema.strings(ssh, key, ssh_at)
        for key, field_name in ALGORITHM_KEYS.items()
        if key in ssh
    }


def jump_chain(value: Any, at: At) -> tuple[JumpHost, ...]:
    """`jump:` as bastions, nearest first: a spec string, a mapping, or a list of them."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(_jump(item, at) for item in items)


def parse_spec(spec: str) -> tuple[str | None, str, int | None]:
    """`user@address:port` (OpenSSH's ProxyJump form) → (user, address, port);
    InputError (no file or key: the caller names them) when it is not one."""
    found = _SPEC.match(spec.strip())
    if found is None:
        raise InputError(f"{spec!r} is not [user@]address[:port]")
    port = int(found.group("port")) if found.group("port") else None
    if port is not None and not 1 <= port <= 65535:
        raise InputError(f"{spec!r}: port {port} is not from 1 to 65535")
    return found.group("user"), found.group("address").strip("[]"), port


def _jump(item: Any, at: At) -> JumpHost:
    if isinstance(item, str):
        try:
            user, address, port = parse_spec(item)
        except InputError as exc:
            raise at.fail(f"{exc}; e.g. netops@bastion.example.net:22") from None
        return JumpHost(address=address, port=port or 22, username=user)
    data = schema.mapping(item, at)
    schema.check_keys(data, at, JUMP_KEYS, required=("address",))
    return JumpHost(
        address=str(schema.string(data, "address", at)),  # required above
        port=schema.integer(data, "port", at, 1, 65535) or 22,
        username=schema.string(data, "username", at),
        password_env=schema.string(data, "password_env", at),
        key_file=schema.string(data, "key_file", at),
        passphrase_env=schema.string(data, "passphrase_env", at),
        use_agent=schema.boolean(data, "use_agent", at),
        max_sessions=schema.integer(data, "max_sessions", at, 1, 10000) or 64,
        **algorithms(data, at),
    )


def with_cli(
    hosts: tuple[Host, ...], private_key: str | None, ssh_config: str | None
) -> tuple[Host, ...]:
    """`--private-key` and `--ssh-config`: for the hosts whose inventory sets none."""
    if not private_key and not ssh_config:
        return hosts
    changed = []
    for host in hosts:
        options = host.connection
        if private_key and not options.key_file:
            options = dataclasses.replace(options, key_file=private_key)
        if ssh_config and not options.ssh_config:
            options = dataclasses.replace(options, ssh_config=ssh_config)
        changed.append(dataclasses.replace(host, connection=options))
    return tuple(changed)
