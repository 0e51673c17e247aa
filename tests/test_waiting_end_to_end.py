"""Issue 25, item 2: a session waiting for a slow device does not poll. netmiko's loops
read the channel every 10-25 ms while an answer is on its way; netjob's reads wait on
paramiko's channel instead. Counted (the channel's recv_ready() calls while one slow
show is answered), never timed."""

from __future__ import annotations

from typing import Any

import pytest
from lab_fixture import start_lab

from runner.base.models import ConnectionOptions, Credentials, Host
from runner.device import login
from runner.device.connection import NetmikoConnection
from runner.device.lease import Lease

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

LATENCY_MS = 1500  # netmiko's 25 ms loop would look ~60 times in that while


def _counted_polls(connection: NetmikoConnection) -> list[int]:
    """Count the channel's recv_ready() calls: every netmiko read asks it first."""
    channel: Any = connection._session.driver.remote_conn
    calls = [0]
    ready = channel.recv_ready

    def counted() -> bool:
        calls[0] += 1
        return bool(ready())

    channel.recv_ready = counted
    return calls


@pytest.mark.parametrize("platform", ["cisco_ios", "juniper_junos"])
def test_a_slow_answer_is_waited_for_without_polling(platform: str) -> None:
    with start_lab(devices=1, platforms=(platform,), latency_ms=LATENCY_MS) as lab:
        endpoint = lab.endpoints[0]
        host = Host(name="r001", address=endpoint.host, port=endpoint.port, platform=platform)
        config = lab.config
        credentials = Credentials(config.username, config.password)
        connection = NetmikoConnection.open(host, credentials, Lease())
        try:
            polls = _counted_polls(connection)
            output = connection.send_show("show version", 30.0, None)
        finally:
            connection.close()
    assert "r001" in output or "Hostname" in output
    # The wait wakes when data comes, or at its next check (a quiet second): a handful.
    assert polls[0] <= 15, polls[0]


QUIET_LATENCY_MS = 4500  # four of the quiet-second checks' wakes, were they taken


def test_a_wait_with_no_check_due_sleeps_until_data_comes() -> None:
    """A wait wakes for the quiet-second checks (a pager's prompt, a question, enable's
    stuck prompt) only when what the device said last calls for one: an answer 4.5 s late
    after a plain echo is one wait, not one a second. Counted: the channel's blocking
    waits (in_buffer.read) while it comes."""
    with start_lab(devices=1, latency_ms=QUIET_LATENCY_MS) as lab:
        endpoint = lab.endpoints[0]
        slow_login = ConnectionOptions(auth_timeout=30.0)  # each set-up answer comes late too
        host = Host(name="r001", address=endpoint.host, port=endpoint.port, connection=slow_login)
        config = lab.config
        connection = NetmikoConnection.open(
            host, Credentials(config.username, config.password), Lease()
        )
        try:
            buffer: Any = connection._session.driver.remote_conn.in_buffer
            waits = [0]
            read = buffer.read

            def counted(*args: Any) -> Any:
                waits[0] += 1
                return read(*args)

            buffer.read = counted
            output = connection.send_show("show version", 30.0, None)
        finally:
            connection.close()
    assert "r001" in output
    assert waits[0] <= 4, waits[0]  # (one a second before: 7 and more)


def _paramiko_session(lab: Any, options: ConnectionOptions) -> NetmikoConnection:
    endpoint = lab.endpoints[0]
    host = Host(name="r001", address=endpoint.host, port=endpoint.port, connection=options)
    config = lab.config
    return NetmikoConnection.open(host, Credentials(config.username, config.password), Lease())


def test_paramiko_s_transport_thread_does_not_wake_ten_times_a_second_while_it_waits() -> None:
    """paramiko's transport thread reads with a 0.1 s timeout, to see between reads whether
    its session was closed: ten wake-ups a second per session waiting for a device. Once
    logged in, netjob's wake once a second (login.IDLE_TICK_S). Counted: the thread's
    timeouts (each one calls the packetizer's keepalive check) while a 1.5 s answer
    comes."""
    with start_lab(devices=1, latency_ms=LATENCY_MS) as lab:
        options = ConnectionOptions(auth_timeout=30.0, transport="paramiko")
        connection = _paramiko_session(lab, options)
        try:
            transport = connection._session.driver.remote_conn.get_transport()
            packetizer = transport.packetizer
            ticks = [0]
            check = packetizer._check_keepalive

            def counted() -> None:
                ticks[0] += 1
                check()

            packetizer._check_keepalive = counted
            output = connection.send_show("show version", 30.0, None)
        finally:
            connection.close()
    assert "r001" in output
    assert transport.sock.gettimeout() == login.IDLE_TICK_S
    assert ticks[0] <= 5, ticks[0]  # (paramiko's 0.1 s: 15 and more)
