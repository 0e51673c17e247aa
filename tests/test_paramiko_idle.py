"""paramiko's transport thread, once a session is logged in (runner.device.login's
_quiet_transport): it waits IDLE_TICK_S between its checks, and the session's close shuts
the socket down, so the device hears the end at once rather than at the thread's next
timeout. A real socket pair; the driver is an in-memory stand-in (the sessions themselves
are in test_waiting_end_to_end.py)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import paramiko

from runner.device import login


class _Channel:
    """paramiko's channel as the close sees it: its close sends a message on the socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sock.sendall(b"channel close")  # raises if the socket was shut down first


def _driver(closed: list[bool], channel: _Channel | None = None) -> SimpleNamespace:
    driver = SimpleNamespace(remote_conn_pre=paramiko.SSHClient(), remote_conn=channel)

    def paramiko_cleanup() -> None:  # netmiko's: the channel, then the client
        if driver.remote_conn is not None:
            driver.remote_conn.close()
        closed.append(True)

    driver.paramiko_cleanup = paramiko_cleanup
    return driver


def test_the_close_shuts_the_socket_down_so_the_device_hears_it_at_once() -> None:
    ours, device = socket.socketpair()
    with ours, device:
        device.settimeout(30)  # a bound, never reached when the close shuts down
        closed: list[bool] = []
        driver = _driver(closed, _Channel(ours))
        login._quiet_transport(driver, ours)
        assert ours.gettimeout() == login.IDLE_TICK_S
        driver.paramiko_cleanup()  # what netmiko's disconnect() calls after its `exit`
        assert closed == [True]  # paramiko's own close still runs, after
        # The channel's close message went out before the shutdown, then end of file,
        # with `ours` still open.
        assert device.recv(64) == b"channel close"
        assert device.recv(1) == b""


def test_a_socket_the_device_already_closed_is_left_to_the_close() -> None:
    ours, device = socket.socketpair()
    device.close()
    ours.close()  # paramiko's thread closes it when the device hangs up first
    closed: list[bool] = []
    driver = _driver(closed)
    login._quiet_transport(driver, ours)  # no OSError: the close reports what happened
    driver.paramiko_cleanup()
    assert closed == [True]


def test_libssh2_s_client_is_left_as_it_is() -> None:
    ours, device = socket.socketpair()
    with ours, device:
        ours.settimeout(0.1)
        driver = SimpleNamespace(remote_conn_pre=object(), remote_conn=None, paramiko_cleanup=None)
        login._quiet_transport(driver, ours)
        assert ours.gettimeout() == 0.1 and driver.paramiko_cleanup is None
