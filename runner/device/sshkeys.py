"""Private keys and the checks made before anything connects.

Authentication is tried in one order, as OpenSSH does: the host's key_file (or
--private-key, or ssh_config's IdentityFile), then the SSH agent when `use_agent: true`,
then the password. A key that cannot be read, a passphrase variable that is not set, an
algorithm paramiko does not know: each is an input error naming the file or key, raised
by `preflight` before the first connection.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import paramiko

from runner.base.errors import InputError
from runner.base.models import Credentials, Host
from runner.device import hostkeys, jump, sshalgs, transports


@functools.lru_cache(maxsize=64)
def load_key(path: str, passphrase: str | None) -> paramiko.PKey:
    """The key in `path` (OpenSSH or PEM; ed25519, ECDSA, RSA), decrypted; InputError
    naming the file when it cannot be."""
    where = Path(path).expanduser()
    try:
        return paramiko.PKey.from_path(where, passphrase.encode() if passphrase else None)  # type: ignore[arg-type]
    except paramiko.PasswordRequiredException:
        raise InputError(
            f"the private key {where} is encrypted: set passphrase_env to the variable "
            "holding its passphrase"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the private key {where}: {exc.strerror}") from None
    except (paramiko.SSHException, ValueError, TypeError) as exc:
        if passphrase is None and "password" in str(exc).lower():  # OpenSSH's format says so
            raise InputError(
                f"the private key {where} is encrypted: set passphrase_env to the variable "
                "holding its passphrase"
            ) from None
        wrong = "a wrong passphrase, or " if passphrase else ""
        raise InputError(
            f"cannot use the private key {where}: {wrong}not a private key paramiko reads "
            f"({exc or type(exc).__name__})"
        ) from None


def passphrase(name: str | None, owner: str, environ: Mapping[str, str]) -> str | None:
    if not name:
        return None
    value = environ.get(name)
    if not value:
        raise InputError(f"{owner}: passphrase_env names ${name}, which is not set; export it")
    return value


def preflight(
    hosts: Iterable[Host],
    credentials: Mapping[str, Credentials],
    environ: Mapping[str, str] | None = None,
) -> None:
    """Read every key, ssh_config and bastion secret the run will need; InputError naming
    the file or host at the first that fails. Nothing is contacted."""
    env = os.environ if environ is None else environ
    files: set[Path] = set()
    for host in hosts:
        options = host.connection
        if options.host_key_checking != "off":
            files.add(hostkeys.file_of(options))
        bad = sshalgs.unknown(options)
        if bad:
            raise InputError(f"host {host.name}: paramiko cannot speak {bad[0]}")
        transports.refuse_impossible([host])  # `transport: ssh2` where libssh2 cannot go
        route = jump.route(host)
        if route.key_file:
            load_key(route.key_file, credentials[host.name].passphrase)
        for hop in route.jumps:
            owner = f"host {host.name}: bastion {hop.label()}"
            bad = sshalgs.unknown(hop)
            if bad:
                raise InputError(f"{owner}: paramiko cannot speak {bad[0]}")
            if hop.key_file:
                load_key(hop.key_file, passphrase(hop.passphrase_env, owner, env))
            if hop.password_env and not env.get(hop.password_env):
                raise InputError(
                    f"{owner}: password_env names ${hop.password_env}, which is not set"
                )
    for path in sorted(files):  # a FIFO or a device as known_hosts: one line, not a hang
        hostkeys.known_hosts(path)


def private_bytes(pkey: paramiko.PKey) -> bytes:
    """A key `load_key` read (decrypted) in OpenSSH's format, in memory, for libssh2
    (runner.device.ssh2_client): paramiko writes no OpenSSH ed25519 keys, cryptography does."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if isinstance(pkey, paramiko.Ed25519Key):
        seed = pkey._signing_key.encode()[:32]  # type: ignore[attr-defined]
        key: Any = Ed25519PrivateKey.from_private_bytes(seed)
    else:
        key = getattr(pkey, "key", None) or getattr(pkey, "signing_key", None)
    if key is None:
        raise paramiko.AuthenticationException(f"a {pkey.get_name()} key libssh2 cannot use")
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
