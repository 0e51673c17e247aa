"""Per-host SSH algorithms (`ssh: {kex, ciphers, macs, host_key_types}`) on paramiko.

The algorithms a host names are preferred first and the rest keep paramiko's modern
defaults. paramiko 5 dropped the SHA-1 Diffie-Hellman key exchanges old switches still
speak; netjob brings them back, enabled only on the hosts that name them. When a device
and netjob share no algorithm, the error names what the device offered.
"""

from __future__ import annotations

from hashlib import sha1
from typing import Any, Protocol

import paramiko
from paramiko.kex_group14 import KexGroup14SHA256


class KexGroup1SHA1(KexGroup14SHA256):
    """RFC 2409's 1024-bit Oakley group 2 with SHA-1 (RFC 4253's group1)."""

    name = "diffie-hellman-group1-sha1"
    P = int(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
        "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
        "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
        16,
    )
    G = 2
    hash_algo = sha1


class KexGroup14SHA1(KexGroup14SHA256):
    name = "diffie-hellman-group14-sha1"
    hash_algo = sha1


LEGACY_KEX: dict[str, type[KexGroup14SHA256]] = {
    KexGroup1SHA1.name: KexGroup1SHA1,
    KexGroup14SHA1.name: KexGroup14SHA1,
}


class Algorithms(Protocol):
    """Whose algorithms: a device's ConnectionOptions, or a bastion's JumpHost."""

    @property
    def ssh_kex(self) -> tuple[str, ...]: ...
    @property
    def ssh_ciphers(self) -> tuple[str, ...]: ...
    @property
    def ssh_macs(self) -> tuple[str, ...]: ...
    @property
    def ssh_host_key_types(self) -> tuple[str, ...]: ...


# Algorithms field → (paramiko's preference attribute, its table of known names)
_KINDS = {
    "ssh_kex": ("_preferred_kex", "_kex_info"),
    "ssh_ciphers": ("_preferred_ciphers", "_cipher_info"),
    "ssh_macs": ("_preferred_macs", "_mac_info"),
    "ssh_host_key_types": ("_preferred_keys", "_key_info"),
}
# Algorithms field → the inventory's `ssh:` key
KEY_NAMES = {f: f.removeprefix("ssh_") for f in _KINDS}


def known(field: str) -> list[str]:
    """The names paramiko (with netjob's legacy additions) can use for `field`."""
    _, table = _KINDS[field]
    names = list(getattr(paramiko.Transport, table))
    return names + list(LEGACY_KEX) if field == "ssh_kex" else names


def unknown(options: Algorithms) -> list[str]:
    """`ssh.kind: name` entries paramiko cannot speak, for an error before connecting."""
    return [
        f"ssh.{KEY_NAMES[field]}: {name} (known: {', '.join(known(field))})"
        for field in _KINDS
        for name in getattr(options, field)
        if name not in known(field)
    ]


class NetjobTransport(paramiko.Transport):
    """paramiko's Transport that keeps what the server offered (its KEXINIT), so a failed
    negotiation can say what the device speaks."""

    offered: dict[str, Any] | None = None

    def _really_parse_kex_init(self, m: Any, ignore_first_byte: bool = False) -> Any:
        parsed = super()._really_parse_kex_init(m, ignore_first_byte)  # type: ignore[misc]
        if self.offered is None:  # the first one is the server's
            self.offered = parsed
        return parsed


def make_transport(sock: Any, options: Algorithms, **kwargs: Any) -> NetjobTransport:
    """A transport over `sock` that prefers (and enables) the named algorithms (a device's,
    or a bastion's own)."""
    transport = NetjobTransport(sock, **kwargs)
    if options.ssh_kex:
        transport._kex_info = {**transport._kex_info, **LEGACY_KEX}  # type: ignore[attr-defined]
    for field, (preferred, _) in _KINDS.items():
        named = tuple(getattr(options, field))
        if named:
            rest = tuple(n for n in getattr(transport, preferred) if n not in named)
            setattr(transport, preferred, named + rest)
    return transport


# paramiko's words for each negotiation that can fail → the KEXINIT list it compared
_FAILED = {
    "kex": ("kex_algo_list", "ssh_kex"),
    "host key": ("server_key_algo_list", "ssh_host_key_types"),
    "cipher": ("server_encrypt_algo_list", "ssh_ciphers"),
    "mac": ("server_mac_algo_list", "ssh_macs"),
}


def no_common(message: str, offered: dict[str, Any] | None) -> tuple[str, str, list[str]]:
    """(what failed, its `ssh:` key, what the device offered) from paramiko's
    "Incompatible ssh peer (no acceptable kex algorithm)" and the server's KEXINIT."""
    for words, (listed, field) in _FAILED.items():
        if words in message:
            names = [str(n) for n in (offered or {}).get(listed, [])]
            return words, KEY_NAMES[field], names
    return "algorithm", "kex", [str(n) for n in (offered or {}).get("kex_algo_list", [])]


# paramiko's words for each negotiation → (the KEXINIT list, the transport's own offer)
_OURS = {
    "kex": ("kex_algo_list", "preferred_kex"),
    "host key": ("server_key_algo_list", "preferred_keys"),
    "cipher": ("server_encrypt_algo_list", "preferred_ciphers"),
    "mac": ("server_mac_algo_list", "preferred_macs"),
}


def nothing_in_common(transport: Any) -> str | None:
    """paramiko's words for a negotiation the device's offer (read before it closed) and
    this transport's (after a driver's disabled_algorithms) cannot agree on; None if
    every one can, or the device sent no offer."""
    offered = getattr(transport, "offered", None)
    if not offered:
        return None
    for what, (listed, ours) in _OURS.items():
        try:
            mine = set(getattr(transport, ours))
        except Exception:
            continue
        if not mine & {str(n) for n in offered.get(listed, [])}:
            return f"Incompatible ssh peer (no acceptable {what} algorithm)"
    return None


def ours(transport: Any) -> dict[str, list[str]]:
    """What this transport offered, by `ssh:` key (a driver's disabled_algorithms out)."""
    offer: dict[str, list[str]] = {}
    for what, (_, attribute) in _OURS.items():
        try:
            offer[what] = [str(n) for n in getattr(transport, attribute)]
        except Exception:
            continue
    return offer
