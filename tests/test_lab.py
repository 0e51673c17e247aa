"""The lab: simulated IOS devices that real netmiko drives over real SSH on 127.0.0.1."""

from __future__ import annotations

import logging
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from lab_fixture import RawShell, as_rows, as_text, connect, start_lab
from netmiko import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout
from paramiko import ChannelException

from netjob_lab import (
    DeviceFaults,
    Lab,
    LabConfig,
    LabError,
    inventory_yaml,
    parse_fault,
    parse_faults,
)
from netjob_lab.device import Device
from netjob_lab.shell import Shell
from netjob_lab.terminal import MORE, Terminal

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """Six devices shared by the tests of this module; each test changes its own device."""
    with start_lab(devices=6) as running:
        yield running


# --- over SSH, with netmiko ------------------------------------------------------------


def test_show_version_names_the_device(lab: Lab) -> None:
    with connect(lab, "r002") as conn:
        conn.enable()
        assert conn.find_prompt() == "r002#"
        assert "r002 uptime is" in conn.send_command("show version")
        parsed = as_rows(conn.send_command("show version", use_textfsm=True))
        assert parsed[0]["hostname"] == "r002"
        assert parsed[0]["version"] == "15.9(3)M4"


def test_show_ip_interface_brief_parses_with_textfsm(lab: Lab) -> None:
    with connect(lab, "r001") as conn:
        rows = as_rows(conn.send_command("show ip interface brief", use_textfsm=True))
    by_name = {row["interface"]: row for row in rows}
    assert by_name["GigabitEthernet0/0"]["ip_address"] == "192.0.2.1"
    assert by_name["GigabitEthernet0/3"]["status"] == "administratively down"
    assert by_name["Loopback0"]["proto"] == "up"


def test_config_set_changes_the_running_config(lab: Lab) -> None:
    commands = ["ntp server 192.0.2.10", "interface GigabitEthernet0/1", "description uplink"]
    with connect(lab, "r003") as conn:
        conn.enable()
        conn.send_config_set(commands)
        running = conn.send_command("show running-config")
        saved = conn.save_config()
    assert "ntp server 192.0.2.10" in running
    assert "interface GigabitEthernet0/1\n description uplink\n" in running
    assert "[OK]" in saved
    assert "ntp server 192.0.2.10" in lab.device("r003").startup_config


def test_hostname_change_changes_the_prompt(lab: Lab) -> None:
    with connect(lab, "r004") as conn:
        conn.enable()
        conn.send_config_set(["hostname edge-4"])
        conn.set_base_prompt()
        assert conn.find_prompt() == "edge-4#"
    assert lab.device("r004").hostname == "edge-4"


def test_unknown_command_answers_invalid_input(lab: Lab) -> None:
    with connect(lab, "r001") as conn:
        output = conn.send_command("show versoin")
        conn.enable()
        config_output = conn.send_config_set(["frobnicate now"])
    caret = " " * len("r001>show vers") + "^"  # under the first letter no command has
    assert output == f"{caret}\n% Invalid input detected at '^' marker.\n"
    caret = " " * len("r001(config)#") + "^"
    assert f"r001(config)#frobnicate now\n{caret}\n% Invalid input" in config_output


def test_wrong_enable_secret_fails(lab: Lab) -> None:
    with connect(lab, "r001", secret="not-it") as conn:
        with pytest.raises(ValueError, match="Failed to enter enable mode"):
            conn.enable()
        assert conn.find_prompt() == "r001>"


def test_wrong_password_raises_authentication_error(lab: Lab) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(lab, "r001", password="not-it")


def test_pager_pauses_a_raw_client_and_space_continues(lab: Lab) -> None:
    with RawShell(lab, "r005") as shell:
        shell.read_until("r005>")
        shell.enable()
        shell.send("show running-config\r")
        first_page = shell.read_until(MORE)
        shell.send(" ")
        second_page = shell.read_until(MORE)
        shell.send("q")
        after_quit = shell.read_until("r005#")
        shell.send("terminal length 0\r")
        shell.read_until("r005#")
        shell.send("show running-config\r")
        unpaged = shell.read_until("\nend\r\nr005#")
    assert first_page.startswith("show running-config\r\nBuilding configuration...")
    assert first_page.count("\r\n") == 24  # the echoed line end, then 23 lines
    assert second_page.count("\r\n") == 23
    assert "end" not in after_quit
    assert MORE not in unpaged


def test_500_devices_in_one_process_answer() -> None:
    with start_lab(devices=500) as lab:
        sample = random.Random(500).sample(lab.endpoints, 20)

        def hostname_shown(hostname: str) -> bool:
            with connect(lab, hostname) as conn:
                return f"{hostname} uptime is" in conn.send_command("show version")

        with ThreadPoolExecutor(max_workers=len(sample)) as pool:
            answers = list(pool.map(hostname_shown, [e.hostname for e in sample]))
    assert len(lab.endpoints) == 500
    assert all(answers)


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LabError, match=f"port {port} is in use; pick another --port"):
            Lab(LabConfig(devices=1, port=port)).start()


def test_endpoints_are_consecutive_from_the_base_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
    with Lab(LabConfig(devices=3, port=base)) as lab:
        assert [(e.hostname, e.port) for e in lab.endpoints] == [
            ("r001", base),
            ("r002", base + 1),
            ("r003", base + 2),
        ]


# --- the inventory written for a lab ----------------------------------------------------


def test_inventory_lists_every_device_with_its_port(lab: Lab) -> None:
    inventory = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))
    assert inventory["defaults"]["username"] == "netjob"
    assert list(inventory["hosts"]) == [f"r00{i}" for i in range(1, 7)]
    assert inventory["hosts"]["r001"]["groups"] == ["lab", "core"]
    assert inventory["hosts"]["r003"]["groups"] == ["lab", "edge"]
    assert inventory["hosts"]["r006"]["port"] == lab.endpoints[5].port
    assert inventory["groups"]["lab"]["vars"]["ntp_servers"] == ["192.0.2.123"]


# --- the IOS command line, without SSH ----------------------------------------------------


def enabled_shell(index: int = 1) -> Shell:
    shell = Shell(Device(index, f"r{index:03d}", "lab-enable"))
    shell.execute("enable")
    shell.execute("lab-enable")
    return shell


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sh ver", "Version 15.9(3)M4"),
        ("sh ip int br", "GigabitEthernet0/3"),
        ("sh run | i ^hostname", "hostname r001\n"),
        ("show running-config | include ntp", "ntp server 192.0.2.123\n"),
        ("sh run | sec Loopback0", "interface Loopback0\n description router id\n"),
        ("sh run | begin ^line", "line con 0\n"),
        ("sh run | count ^interface", "regexp = 5\n"),
        ("sh run int gi0/3", " shutdown\n"),
        ("show clock", " UTC "),
        ("c", '% Ambiguous command:  "c"\n'),
        ("show", "% Incomplete command.\n"),
        ("show bogus", "     ^\n% Invalid input detected at '^' marker.\n"),
        ("show versoin", "         ^\n% Invalid input"),
        ("show version extra", "             ^\n% Invalid input"),
        ("terminal length 600", "                   ^\n% Invalid input"),
    ],
)
def test_exec_commands_answer_like_ios(line: str, expected: str) -> None:
    assert expected in enabled_shell().execute(line).output


def test_enable_needs_the_secret() -> None:
    shell = Shell(Device(1, "r001", "lab-enable"))
    assert shell.prompt == "r001>"
    assert "Invalid input" in shell.execute("show running-config").output
    shell.execute("enable")
    assert shell.prompt == "Password: "
    assert shell.execute("wrong").output == "% Access denied\n\n"
    assert shell.prompt == "r001>"
    shell.execute("en")
    shell.execute("lab-enable")
    assert shell.prompt == "r001#"
    shell.execute("disable")
    assert shell.prompt == "r001>"


def test_config_commands_change_the_running_config() -> None:
    shell = enabled_shell(4)
    lines = [
        "conf t",
        "int lo7",
        "ip add 192.0.2.77 255.255.255.255",
        "desc made by a test",
        "int gi0/3",
        "no shut",
        "no ip http server",
        "ntp server 198.51.100.9",
        "no logging host 192.0.2.50",
        "logging 192.0.2.51",
        "vlan 30",
        "name voice",
        "snmp-server community ops RW",
        "username alice privilege 15 secret s3cret",
        "end",
    ]
    prompts = []
    for line in lines:
        assert "%" not in shell.execute(line).output, line
        prompts.append(shell.prompt)
    assert prompts[:3] == ["r004(config)#", "r004(config-if)#", "r004(config-if)#"]
    assert prompts[-3:] == ["r004(config)#", "r004(config)#", "r004#"]
    running = shell.device.running_config()
    expected = "interface Loopback7\n description made by a test\n ip address 192.0.2.77"
    assert expected in running
    assert "interface GigabitEthernet0/3\n description spare\n no ip address\n duplex" in running
    for text in ["ntp server 198.51.100.9", "logging host 192.0.2.51", "vlan 30\n name voice"]:
        assert text in running
    assert "snmp-server community ops RW" in running
    assert "username alice privilege 15 secret 5 $1$" in running
    assert "logging host 192.0.2.50" not in running


def test_config_mode_errors_point_at_the_bad_word() -> None:
    shell = enabled_shell()
    shell.execute("configure terminal")
    assert shell.execute("interface GigabitEthernet0/9").output.startswith(" " * 23 + "^\n")
    assert shell.execute("ntp server 300.1.1.1").output.startswith(" " * 24 + "^\n")
    assert shell.execute("ntp").output == "% Incomplete command.\n\n"


def test_default_configs_differ_by_index_and_use_documentation_addresses() -> None:
    texts = {i: Device(i, f"r{i:03d}", "x").running_config() for i in range(1, 13)}
    assert "\nip http server" in texts[3] and "no ip http server" in texts[1]
    assert "ntp server" not in texts[4] and "ntp server 192.0.2.123" in texts[5]
    assert "snmp-server community public RO" in texts[10]
    assert "enable secret 5 $1$" in texts[1] and "x" not in texts[1].split("secret 5 ")[1][:3]
    for text in texts.values():
        for address in [w for w in text.split() if w.count(".") == 3 and w[0].isdigit()]:
            assert address.startswith(("192.0.2.", "198.51.100.", "203.0.113.", "255."))


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n"])
def test_terminal_takes_any_line_end_and_echoes(line_end: str) -> None:
    terminal = Terminal(Shell(Device(1, "r001", "x")))
    typed = f"terminal length 0{line_end}show clock{line_end}"
    output = "".join(chunk.text for chunk in terminal.feed(typed))
    assert output.startswith("terminal length 0\r\nr001>show clock\r\n*")
    assert output.endswith(" UTC " + output.split(" UTC ")[1].split("\r\n")[0] + "\r\nr001>")
    assert output.count("r001>") == 2


def test_terminal_hides_the_enable_secret() -> None:
    terminal = Terminal(Shell(Device(1, "r001", "lab-enable")))
    output = "".join(chunk.text for chunk in terminal.feed("enable\nlab-enable\n"))
    assert output == "enable\r\nPassword: \r\nr001#"


# --- faults -------------------------------------------------------------------------------

FAULTS = [
    "r001=auth_fail",
    "r002=refuse",
    "r003=silent",
    "r004=hang",
    "r005=drop",
    "r006=latency:300",
    "r007=login_latency:300",
    "r008=big_config:2",
    "r009=session_limit:1",
    "r010=reject:sh run",
    "r010=reject:ntp server",
]


@pytest.fixture(scope="module")
def faulty_lab() -> Iterator[Lab]:
    with start_lab(devices=11, faults=parse_faults(FAULTS)) as running:
        yield running


def test_auth_fail_raises_authentication_error(faulty_lab: Lab) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(faulty_lab, "r001")


def test_refuse_raises_timeout_at_tcp_connect(faulty_lab: Lab) -> None:
    with pytest.raises(NetmikoTimeoutException, match="TCP connection to device failed"):
        connect(faulty_lab, "r002")


def test_silent_raises_timeout_waiting_for_the_banner(faulty_lab: Lab) -> None:
    with pytest.raises(NetmikoTimeoutException):
        connect(faulty_lab, "r003", banner_timeout=1)


def test_hang_raises_read_timeout_in_session_preparation(faulty_lab: Lab) -> None:
    with pytest.raises(ReadTimeout, match="terminal width 511"):
        connect(faulty_lab, "r004", read_timeout_override=1)


def test_drop_raises_read_timeout_in_show_running_config(faulty_lab: Lab) -> None:
    with connect(faulty_lab, "r005") as conn:
        conn.enable()
        assert "r005 uptime" in conn.send_command("show version")
        with pytest.raises(ReadTimeout):
            conn.send_command("show running-config", read_timeout=1)
    with RawShell(faulty_lab, "r005") as shell:  # what netmiko does not show
        shell.read_until("r005>")
        shell.enable()
        shell.send("show running-config\r")
        assert "Current configuration" in shell.read_until("version 15.9")
        with pytest.raises(EOFError):
            shell.read_until("\nend\r\n")


def test_clients_leaving_mid_output_log_no_error(
    faulty_lab: Lab, caplog: pytest.LogCaptureFixture
) -> None:
    """netmiko's disconnect, a killed run or a dropped socket mid-output is normal."""
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        with connect(faulty_lab, "r008") as conn:  # disconnects while the config streams
            conn.enable()
            with pytest.raises(ReadTimeout):
                conn.send_command("show running-config", read_timeout=0.05)
        with RawShell(faulty_lab, "r008") as shell:  # closes the socket, no SSH goodbye
            shell.enable()
            shell.send("terminal length 0\r")
            shell.read_until("#")
            shell.send("show running-config\r")
            shell.read_until("access-list")
    with connect(faulty_lab, "r008") as conn:  # the device still answers
        assert "r008 uptime" in conn.send_command("show version")
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "paramiko"]
    assert loud == []


def test_latency_delays_every_command(faulty_lab: Lab) -> None:
    with connect(faulty_lab, "r006") as conn:
        started = time.monotonic()
        conn.send_command("show clock")
        assert time.monotonic() - started >= 0.3


def test_login_latency_delays_the_login(faulty_lab: Lab) -> None:
    started = time.monotonic()
    with connect(faulty_lab, "r007") as conn:
        assert time.monotonic() - started >= 0.3
        assert conn.find_prompt() == "r007>"


def test_big_config_makes_a_long_running_config(faulty_lab: Lab) -> None:
    with connect(faulty_lab, "r008") as conn:
        conn.enable()
        running = as_text(conn.send_command("show running-config", read_timeout=30))
    assert len(running) >= 2_000_000
    assert running.rstrip().endswith("end")


def test_session_limit_refuses_the_extra_session(
    faulty_lab: Lab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="paramiko.transport")  # whatever others set
    with connect(faulty_lab, "r009") as first:
        with pytest.raises(ChannelException):
            connect(faulty_lab, "r009")
        assert first.find_prompt() == "r009>"
    assert "session limit of 1 reached on r009" in caplog.text  # paramiko logs the reason


def test_reject_answers_invalid_input_for_that_command_only(faulty_lab: Lab) -> None:
    with connect(faulty_lab, "r010") as conn:
        conn.enable()
        assert "% Invalid input" in conn.send_command("show running-config")
        assert "% Invalid input" in conn.send_config_set(["ntp server 192.0.2.99"])
        assert "% Invalid input" not in conn.send_command("show startup-config")
    assert "192.0.2.99" not in faulty_lab.device("r010").running_config()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("r003=auth_fail", DeviceFaults(auth_fail=True)),
        ("r003 = hang", DeviceFaults(hang=True)),
        ("r004=latency:50", DeviceFaults(latency_ms=50)),
        ("r004=login_latency:2000", DeviceFaults(login_latency_ms=2000)),
        ("r004=big_config:1.5", DeviceFaults(big_config_mb=1.5)),
        ("r004=session_limit:0", DeviceFaults(session_limit=0)),
        ("r004=reject:show ip int br", DeviceFaults(reject=("show ip int br",))),
    ],
)
def test_parse_fault_reads_the_cli_syntax(spec: str, expected: DeviceFaults) -> None:
    assert parse_fault(spec)[1] == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("r003", "is not HOST=FAULT"),
        ("=auth_fail", "is not HOST=FAULT"),
        ("r003=explode", "unknown fault 'explode'; known: auth_fail, refuse"),
        ("r003=latency", "latency needs a value; try r003=latency:50"),
        ("r003=latency:fast", "'fast' is not a whole number"),
        ("r003=auth_fail:1", "auth_fail takes no value"),
        ("r003=big_config:0", "not between 0 and 64"),
        ("r003=reject: ", "the command is empty"),
    ],
)
def test_parse_fault_rejects_bad_specs_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        parse_fault(spec)
    assert "\n" not in str(raised.value)


def test_faults_for_one_host_merge() -> None:
    merged = parse_faults(["r001=latency:10", "r001=reject:show clock", "r001=reject:sh ver"])
    assert merged == {"r001": DeviceFaults(latency_ms=10, reject=("show clock", "sh ver"))}
    config = LabConfig(latency_ms=5, login_latency_ms=7, faults=merged)
    assert config.faults_for("r001").latency_ms == 10
    assert config.faults_for("r002") == DeviceFaults(latency_ms=5, login_latency_ms=7)


def test_faults_for_unknown_devices_are_refused() -> None:
    with pytest.raises(LabError, match=r"unknown devices \['r099'\]; the lab has r001..r006"):
        Lab(LabConfig(faults=parse_faults(["r099=hang"])))


def test_serve_forever_returns_when_told_to_stop() -> None:
    stop = threading.Event()
    stop.set()
    lab = Lab(LabConfig(devices=1, port=0))
    lab.serve_forever(stop)
    assert len(lab.endpoints) == 1
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", lab.endpoints[0].port), timeout=1)


def test_echo_and_answer_go_out_in_one_write_but_nothing_after_a_close() -> None:
    from netjob_lab.sshd import _merged
    from netjob_lab.terminal import Chunk

    chunks = [Chunk("show clock"), Chunk("\r\n12:00\r\nr1#", ("show", "clock")), Chunk("x")]
    assert _merged(chunks) == [Chunk("show clock\r\n12:00\r\nr1#x", ("show", "clock"))]
    closing = [Chunk("exit"), Chunk("\r\n", ("exit",), close=True), Chunk("late")]
    assert _merged(closing) == [Chunk("exit\r\n", ("exit",), close=True), Chunk("late")]
