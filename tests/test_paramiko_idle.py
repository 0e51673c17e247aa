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


def _driver(closed: list[bool]) -> SimpleNamespace:
    return SimpleNamespace(
        remote_conn_pre=paramiko.SSHClient(), paramiko_cleanup=lambda: closed.append(True)
    )


def test_the_close_shuts_the_socket_down_so_the_device_hears_it_at_once() -> None:
    ours, device = socket.socketpair()
    with ours, device:
        device.settimeout(30)  # a bound, never reached when the close shuts down
        closed: list[bool] = []
        driver = _driver(closed)
        login._quiet_transport(driver, ours)
        assert ours.gettimeout() == login.IDLE_TICK_S
        driver.paramiko_cleanup()  # what netmiko's disconnect() calls after its `exit`
        assert closed == [True]  # paramiko's own close still runs, after
        assert device.recv(1) == b""  # end of file, with `ours` still open


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
        driver = SimpleNamespace(remote_conn_pre=object(), paramiko_cleanup=None)
        login._quiet_transport(driver, ours)
        assert ours.gettimeout() == 0.1 and driver.paramiko_cleanup is None
