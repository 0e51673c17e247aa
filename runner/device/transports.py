"""Which SSH library carries a host's session under netmiko: libssh2 (`ssh2`, the
`netjob[fast]` extra) or paramiko, and the client class netmiko is given for it.

The inventory's `transport:` says: `ssh` (the default) lets netjob choose; `paramiko`
forces paramiko; `ssh2` forces libssh2, and a host that cannot have it is refused before
anything connects (`refuse_impossible`); `telnet` is neither.

netjob's choice for `ssh` is libssh2 when the extra is installed and the host needs
nothing libssh2 lacks (a bastion: the channel through it is paramiko's; an algorithm),
else paramiko, with the reason in the host's log. NETJOB_TRANSPORT=paramiko (or ssh2)
sets what `ssh` means for a whole run. report.json's `transport` names the library.

    transport, reason = transport_for(host)      # ("ssh2", None) or ("paramiko", "why")
    driver._get_ssh_client_instance = client_factory(host, address, port, transport)

or both in one call, what the session's open does: `install_client`.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import select
from collections.abc import Callable, Iterable
from typing import Any

from runner.base.errors import InputError
from runner.base.models import Host
from runner.device import jump

log = logging.getLogger(__name__)

SSH2 = "ssh2"
PARAMIKO = "paramiko"
INSTALL = "pip install 'netjob[fast]'"


@functools.cache
def ssh2_installed() -> bool:
    """Whether libssh2 can be loaded (the extra installed, and its libraries there)."""
    try:
        import ssh2.session  # noqa: F401
    except ImportError:
        return False
    return True


def _obstacle(host: Host) -> str | None:
    """Why this host cannot have libssh2 (None: it can)."""
    if not ssh2_installed():
        return f"the libssh2 transport is not installed ({INSTALL})"
    if not hasattr(select, "POLLRDHUP"):
        return "the libssh2 transport needs Linux (runner.device.ssh2_tail reads POLLRDHUP)"
    if jump.route(host).jumps:
        return (
            "reached through a bastion: the channel through it is paramiko's, and libssh2 "
            "needs a socket of its own"
        )
    from runner.device import ssh2_algs

    missing = ssh2_algs.lacks(host.connection)
    if missing:
        return f"libssh2 lacks {', '.join(missing)}"
    return None


def default_transport() -> str:
    """What `transport: ssh` gets: NETJOB_TRANSPORT (paramiko or ssh2); unset, libssh2
    when the extra is installed, else paramiko."""
    usable = ssh2_installed() and hasattr(select, "POLLRDHUP")  # (Linux: ssh2_tail)
    chosen = os.environ.get("NETJOB_TRANSPORT") or (SSH2 if usable else PARAMIKO)
    if chosen not in (PARAMIKO, SSH2):
        raise InputError(f"NETJOB_TRANSPORT={chosen}: use paramiko or ssh2, or unset it")
    return chosen


def transport_for(host: Host) -> tuple[str, str | None]:
    """("ssh2", None), or ("paramiko", the reason, for the host's log) for an SSH host."""
    asked = host.connection.transport
    if asked == PARAMIKO:
        return PARAMIKO, "transport: paramiko in the inventory"
    if asked != SSH2 and default_transport() == PARAMIKO:
        return PARAMIKO, None  # as installed, or NETJOB_TRANSPORT: nothing to explain
    why = _obstacle(host)
    if why is None:
        return SSH2, None
    if asked == SSH2:  # refuse_impossible refused it before the run: never guessed here
        raise InputError(f"host {host.name}: transport: ssh2, but {why}")
    return PARAMIKO, why


def chosen(host: Host) -> str:
    """The library that carries (or carried) the host's session, for report.json and the
    host's log: ssh2, paramiko, or telnet (no SSH)."""
    if host.connection.transport == "telnet":
        return "telnet"
    try:
        return transport_for(host)[0]
    except InputError:  # refused before the run (refuse_impossible): the inventory's word
        return host.connection.transport


def refuse_impossible(hosts: Iterable[Host]) -> None:
    """InputError for the first host whose inventory asks `transport: ssh2` that libssh2
    cannot carry (the extra missing, a bastion, an algorithm), before anything connects;
    and a NETJOB_TRANSPORT that names neither transport."""
    default_transport()
    for host in hosts:
        if host.connection.transport == SSH2:
            why = _obstacle(host)
            if why is not None:
                raise InputError(
                    f"host {host.name}: transport: ssh2, but {why}; "
                    "use transport: ssh to let netjob choose"
                )


def client_factory(host: Host, address: str, port: int, transport: str) -> Callable[[], Any]:
    """What to assign to netmiko's `driver._get_ssh_client_instance`. With "ssh2", the
    session's client is libssh2's; any later client netmiko builds from the driver (its
    SCP connection, which needs paramiko's Transport) is paramiko's."""
    from runner.device.netmiko_patches import _Client

    paramiko_client = functools.partial(_Client, host.connection, address, port)
    if transport != SSH2:
        return paramiko_client
    from runner.device.ssh2_client import Ssh2Client

    made = itertools.count()

    def instance() -> Any:
        if next(made):
            return paramiko_client()
        return Ssh2Client(host.connection, address, port)

    return instance


def install_client(driver: Any, host: Host, address: str, port: int) -> tuple[str, str | None]:
    """Choose the host's transport and hand netmiko its client (in place of netmiko's own
    `_get_ssh_client_instance`), before netmiko connects. Returns the transport's name
    (for report.json's `transport`) and, when the extra is installed but this host needs
    what libssh2 lacks (a bastion, an algorithm), the line that says so (for the host's
    notes; it is logged here too)."""
    transport, why = transport_for(host)
    driver._get_ssh_client_instance = client_factory(host, address, port, transport)
    log.debug("%s: SSH over %s%s", host.name, transport, f" ({why})" if why else "")
    # What the user asked (transport: paramiko) or installed (no extra) needs no note
    # per host; a host that could not have libssh2 as asked for gets one.
    if why is None or host.connection.transport == PARAMIKO or not ssh2_installed():
        return transport, None
    note = f"SSH over paramiko: {why}"
    log.info("%s: %s", host.name, note)
    return transport, note
