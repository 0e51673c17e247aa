"""Per-host SSH algorithms on libssh2, the way runner.device.sshalgs sets them on paramiko:
the names a host's `ssh:` gives are preferred first, then paramiko's own defaults (so both
transports offer the same algorithms, learn the same host key type and refuse the same
legacy devices unless the inventory names what they speak). A name libssh2 lacks makes
the host use paramiko (runner.device.transports.transport_for).

libssh2 says only "the key exchange failed"; the device's offer (its KEXINIT, read on a
connection of its own, no login) says which negotiation had nothing in common, in the
words and shape runner.device.sshalgs gives paramiko's failures.
"""

from __future__ import annotations

import functools
import socket
import struct
from typing import Any

import paramiko
import ssh2.session as ssh2_session

# ConnectionOptions field → (libssh2's method types, paramiko's preference attribute,
# netmiko's disabled_algorithms key, paramiko's word for the negotiation, its KEXINIT list)
_KINDS: dict[str, tuple[tuple[str, ...], str, str, str, str]] = {
    "ssh_kex": (("KEX",), "_preferred_kex", "kex", "kex", "kex_algo_list"),
    "ssh_host_key_types": (
        ("HOSTKEY",),
        "_preferred_keys",
        "keys",
        "host key",
        "server_key_algo_list",
    ),
    "ssh_ciphers": (
        ("CRYPT_CS", "CRYPT_SC"),
        "_preferred_ciphers",
        "ciphers",
        "cipher",
        "server_encrypt_algo_list",
    ),
    "ssh_macs": (("MAC_CS", "MAC_SC"), "_preferred_macs", "macs", "mac", "server_mac_algo_list"),
}
# Not algorithms: extension negotiation and the Terrapin countermeasure, offered as libssh2 does.
_KEX_MARKERS = ("ext-info-c", "kex-strict-c-v00@openssh.com")


@functools.cache
def supported(field: str) -> tuple[str, ...]:
    methods = _KINDS[field][0]
    kind = getattr(ssh2_session, f"LIBSSH2_METHOD_{methods[0]}")
    return tuple(ssh2_session.Session().supported_algs(kind))


def lacks(options: Any) -> list[str]:
    """`ssh.kind: name` entries libssh2 cannot speak (the host then uses paramiko)."""
    return [
        f"ssh.{field.removeprefix('ssh_')}: {name}"
        for field in _KINDS
        for name in getattr(options, field)
        if name not in supported(field)
    ]


def preferences(options: Any, disabled: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Per ConnectionOptions field, what this session offers, in order: the host's names,
    then paramiko's defaults, less what libssh2 lacks and what the netmiko driver disables
    (its disabled_algorithms, as paramiko takes them)."""
    offer: dict[str, list[str]] = {}
    for field, (_, attribute, disabled_key, _, _) in _KINDS.items():
        wanted = [*getattr(options, field), *getattr(paramiko.Transport, attribute)]
        off = set((disabled or {}).get(disabled_key, ()))
        names = [n for n in dict.fromkeys(wanted) if n in supported(field) and n not in off]
        if field == "ssh_kex":
            names += [m for m in _KEX_MARKERS if m in supported(field)]
        offer[field] = names
    return offer


def apply(session: Any, offer: dict[str, list[str]]) -> None:
    for field, names in offer.items():
        for method in _KINDS[field][0]:
            kind = getattr(ssh2_session, f"LIBSSH2_METHOD_{method}")
            session.method_pref(kind, ",".join(names))


def nothing_in_common(offered: dict[str, Any] | None, offer: dict[str, list[str]]) -> str | None:
    """paramiko's words for the first negotiation the device's offer and ours cannot agree
    on (runner.device.sshalgs.no_common reads them); None if each can, or no offer."""
    if not offered:
        return None
    for field, (_, _, _, words, listed) in _KINDS.items():
        if not set(offer[field]) & set(offered.get(listed, [])):
            return f"Incompatible ssh peer (no acceptable {words} algorithm)"
    return None


def ours(offer: dict[str, list[str]]) -> dict[str, list[str]]:
    """What this session offered, by paramiko's word for each negotiation."""
    return {
        _KINDS[field][3]: [n for n in names if n not in _KEX_MARKERS]
        for field, names in offer.items()
    }


# A KEXINIT's name-lists in order, by the keys paramiko's parser gives them.
_LISTS = (
    "kex_algo_list",
    "server_key_algo_list",
    "client_encrypt_algo_list",
    "server_encrypt_algo_list",
    "client_mac_algo_list",
    "server_mac_algo_list",
    "client_compress_algo_list",
    "server_compress_algo_list",
    "client_lang_list",
    "server_lang_list",
)
_MAX_PACKET = 35000  # RFC 4253's limit on a packet a client must accept


def probe_offer(address: str, port: int, bound: float) -> dict[str, list[str]] | None:
    """The device's KEXINIT, read on a new connection that sends only a version line and
    closes (no key exchange, no login); None when it cannot be read."""
    try:
        with socket.create_connection((address, port), timeout=bound) as sock:
            sock.sendall(b"SSH-2.0-netjob_probe\r\n")
            data = b""
            while True:  # lines before the version line are allowed (RFC 4253 4.2)
                while b"\n" not in data:
                    data += _more(sock, data)
                line, _, data = data.partition(b"\n")
                if line.startswith(b"SSH-"):
                    break
            while len(data) < 5:
                data += _more(sock, data)
            (length,) = struct.unpack(">I", data[:4])
            if length > _MAX_PACKET:
                return None
            while len(data) < 4 + length:
                data += _more(sock, data)
            return _kexinit(data[5 : 4 + length - data[4]])
    except (OSError, _NoOffer, struct.error, UnicodeDecodeError):
        return None


class _NoOffer(Exception):
    """The connection ended, or ran long, before the device's KEXINIT was whole."""


def _more(sock: socket.socket, data: bytes) -> bytes:
    chunk = sock.recv(4096)
    if not chunk or len(data) > _MAX_PACKET:
        raise _NoOffer
    return chunk


def _kexinit(payload: bytes) -> dict[str, list[str]] | None:
    if not payload or payload[0] != 20:  # SSH_MSG_KEXINIT
        return None
    at, found = 17, {}  # the message number, then a 16-byte cookie
    for name in _LISTS:
        (size,) = struct.unpack(">I", payload[at : at + 4])
        found[name] = [n for n in payload[at + 4 : at + 4 + size].decode("ascii").split(",") if n]
        at += 4 + size
    return found
