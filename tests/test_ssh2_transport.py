"""The libssh2 transport (issue 25, item 3) end to end: real netmiko over real SSH to the
lab, with netmiko's SSH client replaced by runner.device.ssh2_client.Ssh2Client at the
seam runner.device.connection uses (`_Client`, which its `_open` hands to netmiko as
`driver._get_ssh_client_instance`). Every failure is compared with paramiko's on the same
fault: the same DeviceError class and failure.

Nothing here is skipped: without the `fast` extra the module fails, saying how to install it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

try:
    import ssh2  # noqa: F401
except ImportError as exc:  # a failure, never a skip: CI installs the extra with [dev]
    raise ImportError(
        "the libssh2 transport's tests need ssh2-python: pip install -e '.[dev]' "
        "(the dev extra includes `fast`), or pip install 'netjob[fast]'"
    ) from exc

from fakenos_fixture import start_fakenos
from lab_fixture import connection_params, flash_of, start_lab
from netmiko import ConnectHandler
from ssh_fixture import key_pair
from test_linux_host_end_to_end import LinuxHost
from test_telnet_and_agent_end_to_end import hand_over, ssh_agent

from netjob_lab import Lab, parse_faults
from runner.base.errors import DeviceError, HostKeyChangedError, HostKeyUnknownError, InputError
from runner.base.models import ConnectionOptions, Credentials, Host, JumpHost
from runner.device import ssh2_algs, transports
from runner.device.connection import NetmikoConnection
from runner.device.lease import Lease
from runner.device.netmiko_patches import _Client
from runner.device.ssh2_client import Ssh2Channel, Ssh2Client
from runner.device.transports import (
    install_client,
    refuse_impossible,
    transport_for,
)

CREDENTIALS = Credentials("netjob", "lab-password", "lab-enable")
CLIENTS = {"ssh2": Ssh2Client, "paramiko": _Client}


pytestmark = pytest.mark.lab


def _driver(connection: NetmikoConnection) -> Any:
    """The session's netmiko driver."""
    return connection._session.driver


@pytest.fixture(autouse=True)
def on_ssh2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`transport: ssh` (netjob's choice) is libssh2 here, whatever the suite runs on
    (tests/conftest.py's NETJOB_TRANSPORT, for the run on paramiko)."""
    monkeypatch.setenv("NETJOB_TRANSPORT", "ssh2")
    yield


def _host(lab: Lab, name: str, **options: object) -> Host:
    params = connection_params(lab, name)
    settings = {"conn_timeout": 5.0, "auth_timeout": 5.0, "read_timeout": 10.0, **options}
    return Host(
        name=name,
        address=params["host"],
        port=params["port"],
        platform=params["device_type"],
        connection=ConnectionOptions(**settings),  # type: ignore[arg-type]
    )


def _open(
    monkeypatch: pytest.MonkeyPatch, transport: str, host: Host, credentials: Credentials
) -> NetmikoConnection:
    on = replace(host, connection=replace(host.connection, transport=transport))
    return NetmikoConnection.open(on, credentials, Lease())


def _failure(
    monkeypatch: pytest.MonkeyPatch, transport: str, host: Host, credentials: Credentials
) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        _open(monkeypatch, transport, host, credentials).close()
    return caught.value


# platform: (a word of its `show version`, a config push)
PLATFORMS = {
    "cisco_ios": ("Cisco IOS", ["interface Loopback25", " description over libssh2"]),
    "arista_eos": ("Arista", ["interface Loopback25", "description over libssh2"]),
    "juniper_junos": ("Junos", ["set interfaces lo0 description over-libssh2"]),
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_show_and_config_push_over_libssh2(platform: str, on_ssh2: None) -> None:
    with start_lab(devices=1, platforms=[platform]) as lab:
        session = NetmikoConnection.open(_host(lab, "r001"), CREDENTIALS, Lease())
        try:
            assert isinstance(_driver(session).remote_conn, Ssh2Channel)
            word, push = PLATFORMS[platform]
            assert word in session.send_show("show version", 10.0, None)
            session.send_config(push, 10.0)
            running = session.send_show(
                "show configuration" if platform == "juniper_junos" else "show running-config",
                10.0,
                None,
            )
        finally:
            session.close()
        assert "over-libssh2" in running or "over libssh2" in running
        assert lab.auth_attempts("r001") == [("password", "netjob")]


@pytest.mark.parametrize(
    ("fault", "options"),
    [
        ("auth_fail", {}),
        ("close_auth", {}),
        ("close_after_auth", {}),
        ("legacy", {}),
        ("session_limit:0", {}),
        ("login_latency:4000", {"auth_timeout": 1.0}),
        ("hang", {"auth_timeout": 1.0}),
    ],
)
def test_each_failure_is_the_same_on_both_transports(
    fault: str, options: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_lab(devices=1, faults=parse_faults([f"r001={fault}"])) as lab:
        host = _host(lab, "r001", **options)
        errors = {t: _failure(monkeypatch, t, host, CREDENTIALS) for t in ("paramiko", "ssh2")}
    assert type(errors["ssh2"]) is type(errors["paramiko"]), errors
    assert errors["ssh2"].failure == errors["paramiko"].failure


def test_a_closed_session_leaves_no_descriptor_open(on_ssh2: None) -> None:
    """netjob's socket closes with the libssh2 session, as paramiko's Transport closes it:
    sessions kept referenced (a host's results) once held one descriptor each, and a
    1,000-device run in one process ran out of room (tests/test_scale_end_to_end.py)."""
    before = len(os.listdir("/proc/self/fd"))
    kept = []
    with start_lab(devices=20) as lab:  # counted once the lab has stopped: its sockets too
        for i in range(1, 21):
            session = NetmikoConnection.open(_host(lab, f"r{i:03d}"), CREDENTIALS, Lease())
            session.send_show("show clock", 10.0, None)
            session.close()
            kept.append(session)
    grown = len(os.listdir("/proc/self/fd")) - before
    assert grown <= 2, grown  # (one per kept session before the fix: 20)


def test_a_session_cut_mid_output_fails_the_same_on_both(monkeypatch: pytest.MonkeyPatch) -> None:
    """What came before the drop is kept on both (runner.device.ssh2_tail): half of the
    running config, and never the other half. On libssh2 that holds when TCP's end comes
    with the device's disconnect (the lab's, as a device's that closes at once): three
    drops, each a failure like paramiko's, and at least one keeping every byte (none did
    before ssh2_tail; all do on a quiet machine)."""
    errors: dict[str, list[DeviceError]] = {"paramiko": [], "ssh2": []}
    with start_lab(devices=1, faults=parse_faults(["r001=drop"])) as lab:
        host = _host(lab, "r001")
        for transport in ("paramiko", "ssh2", "ssh2", "ssh2"):
            session = _open(monkeypatch, transport, host, CREDENTIALS)
            try:
                with pytest.raises(DeviceError) as caught:
                    session.send_show("show running-config", 10.0, None)
                errors[transport].append(caught.value)
            finally:
                session.close()
    (paramiko,) = errors["paramiko"]
    assert "hostname r001" in str(paramiko.output), paramiko
    for error in errors["ssh2"]:
        assert type(error) is type(paramiko) and error.failure.value == "connection_lost"
        assert str(paramiko.output).startswith(str(error.output)), error
    assert any(error.output == paramiko.output for error in errors["ssh2"]), errors


def test_a_third_party_server_fails_and_answers_alike_on_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FakeNOS (paramiko's server): it offers group exchange it cannot run, which netmiko's
    Fortinet driver narrows its offer to; both transports say no_common_algorithms. A
    Huawei there answers both alike."""
    with start_fakenos(["fortinet", "huawei_vrp"], tmp_path) as fake:
        credentials = Credentials(fake.username, fake.password, fake.secret)
        hosts = {
            platform: Host(
                name=host.name,
                address=fake.address,
                port=host.port,
                platform=platform,
                connection=ConnectionOptions(host_key_checking="off", read_timeout=10.0),
            )
            for platform, host in fake.hosts.items()
        }
        errors = {t: _failure(monkeypatch, t, hosts["fortinet"], credentials) for t in CLIENTS}
        outputs = {}
        for transport in CLIENTS:
            session = _open(monkeypatch, transport, hosts["huawei_vrp"], credentials)
            try:
                outputs[transport] = session.send_show("display version", 10.0, None)
            finally:
                session.close()
    assert errors["ssh2"].failure.value == "no_common_algorithms", errors
    assert type(errors["ssh2"]) is type(errors["paramiko"]), errors
    assert outputs["ssh2"] == outputs["paramiko"] and "Huawei" in outputs["ssh2"]


def test_a_wrong_password_is_an_authentication_failure_on_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = Credentials("netjob", "not-the-password")
    with start_lab(devices=1) as lab:
        host = _host(lab, "r001")
        errors = {t: _failure(monkeypatch, t, host, wrong) for t in ("paramiko", "ssh2")}
    assert errors["ssh2"].failure.value == "auth_failed"
    assert str(errors["ssh2"]) == str(errors["paramiko"])


def test_a_legacy_device_names_its_offer_and_works_once_the_inventory_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """libssh2 offers paramiko's algorithms, not its own legacy ones, unless the host's
    `ssh:` names them; the failure says what the device offers, read from its KEXINIT."""
    with start_lab(devices=1, faults=parse_faults(["r001=legacy"])) as lab:
        error = _failure(monkeypatch, "ssh2", _host(lab, "r001"), CREDENTIALS)
        assert error.failure.value == "no_common_algorithms"
        assert "diffie-hellman-group14-sha1" in str(error), error
        named = _host(
            lab,
            "r001",
            ssh_kex=("diffie-hellman-group14-sha1",),
            ssh_ciphers=("aes128-cbc",),
            ssh_macs=("hmac-sha1",),
        )
        assert transport_for(named) == ("ssh2", None)
        session = _open(monkeypatch, "ssh2", named, CREDENTIALS)
        try:
            assert "r001" in session.send_show("show version", 10.0, None)
        finally:
            session.close()


def test_strict_refuses_an_unknown_key_before_any_password(on_ssh2: None) -> None:
    with start_lab(devices=1) as lab:
        host = _host(lab, "r001", host_key_checking="strict")
        with pytest.raises(HostKeyUnknownError, match="nothing was sent"):
            NetmikoConnection.open(host, CREDENTIALS, Lease())
        assert lab.auth_attempts("r001") == []


def test_a_changed_key_is_refused_and_a_key_learnt_by_paramiko_is_trusted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One known-hosts file for both transports: the key paramiko learnt lets libssh2 in
    (the same key type is negotiated), and a changed key stops libssh2 before the password."""
    with start_lab(devices=1) as lab:
        host = _host(lab, "r001")
        _open(monkeypatch, "paramiko", host, CREDENTIALS).close()
        _open(monkeypatch, "ssh2", host, CREDENTIALS).close()
        assert len(lab.auth_attempts("r001")) == 2
        lab.rotate_host_key("r001")
        with pytest.raises(HostKeyChangedError, match="no password or key was sent"):
            _open(monkeypatch, "ssh2", host, CREDENTIALS)
        assert len(lab.auth_attempts("r001")) == 2


def test_a_private_key_logs_in_over_libssh2(tmp_path: Path, on_ssh2: None) -> None:
    public = key_pair(tmp_path / "id_ed25519")
    with start_lab(devices=1, authorized_keys=[public]) as lab:
        host = _host(lab, "r001", key_file=str(tmp_path / "id_ed25519"))
        NetmikoConnection.open(host, Credentials("netjob"), Lease()).close()
        # libssh2 asks whether the key would do before it signs (as OpenSSH): two attempts
        assert set(lab.auth_attempts("r001")) == {("publickey", "netjob")}


def test_many_sessions_at_once_each_keep_their_own_stream(on_ssh2: None) -> None:
    """libssh2 writes to its descriptor when it frees a channel: freed by the garbage
    collector after the descriptor closed, it wrote into whichever session had reused the
    number (decrypt errors, sessions cut at login: a few in a hundred before the fix)."""
    with start_lab(devices=30) as lab:
        hosts = [_host(lab, e.hostname) for e in lab.endpoints]

        def one(host: Host) -> str:
            session = NetmikoConnection.open(host, CREDENTIALS, Lease())
            try:
                return session.send_show("show ip interface brief", 10.0, None)
            finally:
                session.close()

        for _ in range(3):
            with ThreadPoolExecutor(max_workers=15) as pool:
                outputs = list(pool.map(one, hosts))
            assert all("Interface" in output for output in outputs)


def test_the_agents_key_logs_in_over_libssh2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_ssh2: None
) -> None:
    public = key_pair(tmp_path / "id_agent")
    with ssh_agent(tmp_path) as agent:
        hand_over(tmp_path / "id_agent", agent)
        monkeypatch.setenv("SSH_AUTH_SOCK", agent)
        with start_lab(devices=1, authorized_keys=[public]) as lab:
            host = _host(lab, "r001", use_agent=True)
            NetmikoConnection.open(host, Credentials("netjob"), Lease()).close()
            assert set(lab.auth_attempts("r001")) == {("publickey", "netjob")}


def test_the_shell_gets_netmikos_terminal_size_on_a_real_sshd(
    tmp_path: Path, on_ssh2: None
) -> None:
    """ssh2-python asks for an 80x24 pty; on it bash wrapped the echo of a Linux host's
    long SCP check commands and netmiko never found them. netjob asks libssh2 for
    netmiko's 511x1000 (runner.device.ssh2_pty); OpenSSH's sshd and bash say so."""
    key = tmp_path / "key"
    public = key_pair(key)
    with LinuxHost(tmp_path / "sshd", [public]) as server:
        where = server.jump(key)
        host = Host(
            name="srv",
            address=where["address"],
            port=where["port"],
            platform="linux",
            username=where["username"],
            connection=ConnectionOptions(key_file=where["key_file"], read_timeout=10.0),
        )
        session = NetmikoConnection.open(host, Credentials(where["username"]), Lease())
        try:
            assert isinstance(_driver(session).remote_conn, Ssh2Channel)
            size = session.send_show("stty size", 10.0, None)
        finally:
            session.close()
    assert size.split() == ["1000", "511"], size


class _Calls:
    """The calls a session's client makes into libssh2 (Ssh2Client.call), counted in
    `made` while `counting`."""

    def __init__(self, client: Any, counting: bool = True) -> None:
        self.made = 0
        self.counting = counting
        call = client.call

        def counted(*args: object) -> object:
            self.made += self.counting
            return call(*args)

        client.call = counted


def test_a_read_from_a_slow_device_blocks_instead_of_polling(on_ssh2: None) -> None:
    """Item 2: while the device takes a second to answer, the channel's reads (recv, and
    in_buffer.read, netjob's wait for data) sleep in select() on the socket: a handful of
    calls into libssh2, where a polling loop makes one per poll."""
    with start_lab(devices=1, latency_ms=1000) as lab:
        session = NetmikoConnection.open(_host(lab, "r001"), CREDENTIALS, Lease())
        driver = _driver(session)
        channel, client = driver.remote_conn, driver.remote_conn_pre
        calls = _Calls(client)
        try:
            channel.settimeout(20.0)
            driver.write_channel("show version\n")
            seen = b""
            while b"r001#" not in seen.partition(b"show version")[2]:
                channel.in_buffer.read(0, 20.0)
                seen += channel.recv(65535)
        finally:
            session.close()
    assert b"Cisco IOS" in seen
    assert 1 <= calls.made <= 40, calls.made


def test_keepalives_go_out_while_a_read_waits(on_ssh2: None) -> None:
    """libssh2 sends no keepalive on its own: the channel's wait sends one each interval
    (set as netmiko sets paramiko's: transport.set_keepalive), and the session lives on."""
    with start_lab(devices=1) as lab:
        session = NetmikoConnection.open(_host(lab, "r001"), CREDENTIALS, Lease())
        driver = _driver(session)
        client = driver.remote_conn_pre
        sent = 0
        call = client.call

        def counted(method: Any, *args: object) -> object:
            nonlocal sent
            sent += getattr(method, "__name__", "") == "keepalive_send"
            return call(method, *args)

        client.call = counted
        try:
            driver.remote_conn.get_transport().set_keepalive(1)
            with pytest.raises(TimeoutError):  # nothing comes: the device was asked nothing
                driver.remote_conn.in_buffer.read(0, 2.5)
            assert sent >= 2, sent
            assert "r001" in session.send_show("show version", 10.0, None)
        finally:
            session.close()


def test_a_file_copy_goes_over_paramiko_beside_a_libssh2_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's client is libssh2's; the second client netmiko builds from the driver
    (its SCP connection, which needs paramiko's Transport) is paramiko's
    (transports.client_factory), and the copy arrives whole."""
    with start_lab(devices=1) as lab:
        host = _host(lab, "r001")
        source = tmp_path / "notes.txt"
        source.write_bytes(b"over libssh2, then SCP on paramiko\n" * 50)
        session = NetmikoConnection.open(host, CREDENTIALS, Lease())
        try:
            assert isinstance(_driver(session).remote_conn_pre, Ssh2Client)
            copied = session.put_file(source, "flash:/notes.txt", 30.0)
            assert "r001" in session.send_show("show version", 10.0, None)
        finally:
            session.close()
        assert copied.sent
        assert flash_of(lab, "r001").files["notes.txt"].data == source.read_bytes()


def test_install_client_hands_netmiko_the_hosts_client() -> None:
    """What the session's open calls on its netmiko driver, before netmiko connects."""
    with start_lab(devices=1) as lab:
        params = connection_params(lab, "r001")
        host = _host(lab, "r001")
        for transport, client in (("ssh", Ssh2Client), ("paramiko", _Client)):
            chosen = replace(host, connection=replace(host.connection, transport=transport))
            driver = ConnectHandler(**params, auto_connect=False)
            kind, note = install_client(driver, chosen, host.address, host.port)
            made = driver._get_ssh_client_instance()
            assert isinstance(made, client), (transport, made)
            assert kind == ("ssh2" if client is Ssh2Client else "paramiko")
            assert note is None  # as the inventory asked: nothing to explain
            made.close()
        lacking = replace(
            host, connection=replace(host.connection, ssh_kex=("mlkem768x25519-sha256",))
        )
        driver = ConnectHandler(**params, auto_connect=False)
        kind, note = install_client(driver, lacking, host.address, host.port)
        assert (kind, note) == (
            "paramiko",
            "SSH over paramiko: libssh2 lacks ssh.kex: mlkem768x25519-sha256",
        )
        assert isinstance(driver._get_ssh_client_instance(), _Client)


def test_without_the_extra_every_host_gets_paramiko_and_no_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ssh2.session", None)  # as if ssh2-python were absent
    transports.ssh2_installed.cache_clear()
    try:
        with start_lab(devices=1) as lab:
            host = _host(lab, "r001")
            driver = ConnectHandler(**connection_params(lab, "r001"), auto_connect=False)
            kind, note = install_client(driver, host, host.address, host.port)
            assert (kind, note) == ("paramiko", None)
            assert isinstance(driver._get_ssh_client_instance(), _Client)
            _, why = transport_for(host)
            assert why == "the libssh2 transport is not installed (pip install 'netjob[fast]')"
    finally:
        transports.ssh2_installed.cache_clear()


def test_transport_for_says_why_a_host_gets_paramiko() -> None:
    plain = Host(name="r1", address="192.0.2.1")
    assert transport_for(plain) == ("ssh2", None)
    forced = Host(
        name="r1", address="192.0.2.1", connection=ConnectionOptions(transport="paramiko")
    )
    assert transport_for(forced) == ("paramiko", "transport: paramiko in the inventory")
    hop = ConnectionOptions(jump=(JumpHost(address="192.0.2.9"),))
    kind, why = transport_for(Host(name="r1", address="192.0.2.1", connection=hop))
    assert kind == "paramiko" and why is not None and "bastion" in why
    lacking = ConnectionOptions(ssh_kex=("mlkem768x25519-sha256",))
    assert "mlkem768x25519-sha256" not in ssh2_algs.supported("ssh_kex")
    kind, why = transport_for(Host(name="r1", address="192.0.2.1", connection=lacking))
    assert kind == "paramiko" and why == "libssh2 lacks ssh.kex: mlkem768x25519-sha256"


def test_forcing_ssh2_where_it_cannot_run_is_refused_before_connecting() -> None:
    hop = ConnectionOptions(transport="ssh2", jump=(JumpHost(address="192.0.2.9"),))
    with pytest.raises(Exception, match=r"host r1: transport: ssh2, but reached through a bastion"):
        refuse_impossible([Host(name="r1", address="192.0.2.1", connection=hop)])


def test_netjobs_default_is_libssh2_unless_netjob_transport_says_paramiko(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = Host(name="r1", address="192.0.2.1")
    monkeypatch.delenv("NETJOB_TRANSPORT")
    assert transport_for(plain) == ("ssh2", None)  # the extra installed: libssh2
    assert transports.chosen(plain) == "ssh2"
    monkeypatch.setenv("NETJOB_TRANSPORT", "paramiko")
    assert transport_for(plain) == ("paramiko", None)
    assert transports.chosen(plain) == "paramiko"
    asked = Host(name="r1", address="192.0.2.1", connection=ConnectionOptions(transport="ssh2"))
    assert transport_for(asked) == ("ssh2", None)
    telnet = Host(name="r1", address="192.0.2.1", connection=ConnectionOptions(transport="telnet"))
    assert transports.chosen(telnet) == "telnet"
    monkeypatch.setenv("NETJOB_TRANSPORT", "libssh")
    with pytest.raises(InputError, match=r"NETJOB_TRANSPORT=libssh: use paramiko or ssh2"):
        refuse_impossible([plain])


def test_an_inventory_may_ask_for_either_ssh_library(tmp_path: Path) -> None:
    from runner.load.inventory import load_inventory

    path = tmp_path / "inventory.yaml"
    path.write_text(
        "hosts:\n  a: {address: 192.0.2.1, transport: ssh2}\n"
        "  b: {address: 192.0.2.2, transport: paramiko}\n"
    )
    hosts = load_inventory(path).hosts
    assert (hosts["a"].connection.transport, hosts["b"].connection.transport) == (
        "ssh2",
        "paramiko",
    )


def test_the_tail_keepers_check_sees_a_shut_side_with_data_still_unread() -> None:
    """ssh2_tail's check without waiting (poll(2) through ctypes, holding the GIL): an
    open socket with data waiting is not shut; once the peer shuts its side it is, while
    that data is still unread, and after the peer closes too."""
    import select
    import socket

    from runner.device import ssh2_tail

    ours, device = socket.socketpair()
    with ours, device:
        watch = ssh2_tail._PollFd(ours.fileno(), select.POLLRDHUP, 0)
        assert not ssh2_tail._shut(watch)
        device.sendall(b"the last words")
        assert not ssh2_tail._shut(watch)
        device.shutdown(socket.SHUT_WR)
        assert ssh2_tail._shut(watch)
        assert ours.recv(100) == b"the last words"  # nothing was taken by the check
        device.close()
        assert ssh2_tail._shut(watch)


def test_netmiko_takes_what_the_wait_read_with_no_more_call_into_libssh2(on_ssh2: None) -> None:
    """netjob's wait for data reads what came into the channel's buffer; netmiko then
    takes it and asks recv_ready() again: that read was short, so it took all libssh2 had,
    and the ask is answered without a call (one could only say EAGAIN). The ask after
    that, with the buffer still empty, reads."""
    with start_lab(devices=1) as lab:
        session = NetmikoConnection.open(_host(lab, "r001"), CREDENTIALS, Lease())
        driver = _driver(session)
        channel, client = driver.remote_conn, driver.remote_conn_pre
        calls = _Calls(client, counting=False)
        try:
            driver.write_channel("show version\n")
            seen = ""
            while "r001#" not in seen.partition("show version")[2]:
                channel.in_buffer.read(0, 20.0)  # data is there: netmiko's read takes it
                calls.made, calls.counting = 0, True
                seen += driver.read_channel()
                assert calls.made == 0, calls.made
                calls.counting = False
            calls.counting = True
            assert driver.read_channel() == ""  # nothing more came: this ask reads
            assert calls.made == 1
        finally:
            session.close()
    assert "Cisco IOS" in seen
