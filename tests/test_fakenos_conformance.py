"""Conformance against FakeNOS, an SSH device simulator this project did not write: for
every platform it has, plain netmiko sets the bar (login, enable, two show commands), and
netjob must clear it on the same device: the same outputs, byte for byte but for the
secrets, parsed rows where ntc-templates has a template, and a command the device does not
know reported as `command_rejected`.

Every device logs in with the password `admin`, a word that also opens ordinary output
(`administratively down`): only a secret standing as the secret may be masked, never part
of another word.

One FakeNOS process serves every platform (tests/fakenos_fixture.py), the netmiko baseline
runs on all platforms at once, and netjob runs once over an inventory of all of them.
Platforms that netmiko itself cannot drive on FakeNOS are listed in NETMIKO_FAILS: the
test checks that netmiko still fails there (so a change is noticed), and that netjob fails
there too, in the class NETJOB_FAILS names (never `internal_error`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakenos_fixture import (
    FAKENOS_VERSION,
    FakeNOSLab,
    FakeNOSUnavailable,
    fakenos_python,
    start_fakenos,
)
from lab_fixture import load_report, run_cli
from netmiko import BaseConnection, ConnectHandler
from ntc_templates.parse import ParsingException
from ntc_templates.parse import parse_output as ntc_parse_output

from runner.base.redact import MASK
from runner.report.run_folder import load_host

pytestmark = pytest.mark.lab

# FakeNOS's platforms (fakenos 1.2.1) and, for each, show commands it has canned outputs
# for: two, picked where ntc-templates has a template that reads FakeNOS's output, short
# outputs first. alcatel_aos, avaya_vsp, dlink_ds, ipinfusion_ocnos and juniper_screenos
# know only one show command.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "alcatel_aos": ("show vlan",),
    "alcatel_sros": ("show router pim interface", "show router ldp interface"),
    "allied_telesis_awplus": ("show arp", "show mac address-table"),
    "arista_eos": ("show pim ipv4 interface", "show interfaces transceiver"),
    "aruba_os": ("show ip interface brief", "show ipv6 interface brief"),
    "avaya_ers": ("show vlan", "show logging config"),
    "avaya_vsp": ("show software",),
    "broadcom_icos": ("show version", "show vlan brief"),
    "brocade_fastiron": ("show monitor", "show arp"),
    "brocade_netiron": ("show monitor actual", "show lag brief"),
    "checkpoint_gaia": ("show version all", "show route"),
    "ciena_saos": ("traffic-profiling standard-profile show", "chassis show temperature"),
    "cisco_asa": ("show arp", "show failover"),
    "cisco_ftd": ("show arp", "show vpn-sessiondb anyconnect"),
    "cisco_ios": ("show ip prefix-list", "show module"),
    "cisco_nxos": ("show switching-mode", "show cts interface brief"),
    "cisco_s300": ("show vlan", "show system id"),
    "cisco_xr": ("show rsvp neighbors", "show interfaces summary"),
    "dell_force10": ("show arp", "show vlan brief"),
    "dell_powerconnect": ("show interfaces description", "show interfaces status"),
    "dlink_ds": ("show arpentry",),
    "eltex": ("show ip interface", "show system id"),
    "ericsson_ipos": ("show isis adjacency", "show version"),
    "extreme_exos": ("show sharing", "show ipconfig"),
    "fortinet": ("get system arp", "get system interface physical"),
    "hp_comware": ("display arp", "display clock"),
    "hp_procurve": ("show arp", "show vlans"),
    "huawei_smartax": ("display cpu", "display board"),
    "huawei_vrp": ("display arp brief", "display version"),
    "ipinfusion_ocnos": ("show lldp table",),
    "juniper_junos": ("show ospf neighbor", "show system uptime"),
    "juniper_screenos": ("get route",),
    "linux": ("ip vrf show", "ip route show"),
    "mikrotik_routeros": ("system clock print", "user active print"),
    "paloalto_panos": ("show system info", "show mac all"),
    "ruckus_fastiron": ("show arp", "show media validation"),
    "ubiquiti_edgerouter": ("show arp", "show interfaces"),
    "ubiquiti_edgeswitch": ("show arp", "show vlan"),
    "vyatta_vyos": ("show arp", "show ip bgp summary"),
    "yamaha": ("show ip route", "show environment"),
    "zyxel_os": ("cfg snmp get", "cfg static dhcp get"),
}
# ntc-templates has a template for these, but it stops on FakeNOS's canned output
# (TextFSM "State Error" / "Line not found"): they are sent without `parse:` expectations.
TEMPLATE_REJECTS_OUTPUT = {
    ("ciena_saos", "chassis show temperature"),
    ("juniper_screenos", "get route"),
}
MASK_PATTERN = re.escape(MASK)
PROBE = "show netjob-conformance-probe"  # known on no platform

# Where plain netmiko (the project's version) cannot drive FakeNOS, and a fragment of the
# error it fails with. The baseline test asserts each of these still fails.
NETMIKO_FAILS: dict[str, str] = {
    # The driver logs in with keyboard-interactive auth; FakeNOS offers only "password".
    "dell_powerconnect": "Bad authentication type",
    "paloalto_panos": "Bad authentication type",
    # The driver appends "+ct511w4098h" to the username (RouterOS login options).
    "mikrotik_routeros": "Authentication to device failed",
    # The driver restricts key exchange to FortiOS' (DH group 14/1, group exchange), which
    # FakeNOS' paramiko server does not offer: the server closes the connection.
    "fortinet": "EOFError|TCP connection to device failed",
    # The driver's session preparation leaves a prompt unread (aruba_os: `no paging`, which
    # FakeNOS does not know; alcatel_sros: `enable-admin`, three times, unknown too), so
    # every later send_command() returns the previous command's output, the first one ''.
    "aruba_os": "not FakeNOS's output|Pattern not detected",
    "alcatel_sros": "not FakeNOS's output|Pattern not detected",
    # The driver waits for ScreenOS' `->` prompt; FakeNOS prints `juniper-screenos>`.
    "juniper_screenos": "Pattern not detected",
    # The driver's paging command, `console lines infinity`, is canned in FakeNOS with
    # output `true`, which its shell takes as "exit": the session closes at login.
    "yamaha": "Socket is closed",
}

# What netjob reports where netmiko fails (the host's class, and a fragment of its
# message): the same cause, in a class that names it, never internal_error; or the run
# to its end (the probe's command_rejected), where netjob logs in as netmiko's driver does
# not (password authentication).
NETJOB_FAILS: dict[str, tuple[str, str]] = {
    "dell_powerconnect": ("command_rejected", PROBE),
    "paloalto_panos": ("command_rejected", PROBE),
    "mikrotik_routeros": ("auth_failed", "authentication failed"),
    "fortinet": ("no_common_algorithms", "during the SSH key exchange"),
    "aruba_os": ("session_desync", "cannot be trusted"),
    "alcatel_sros": ("session_desync", "cannot be trusted"),
    "juniper_screenos": ("login_timeout", "no prompt after logging in"),
    "yamaha": ("connection_lost", "closed the session"),
}
PASSWORD = "admin"  # also the start of `administratively`: masked only where it is the secret

NETMIKO_TIMEOUTS = {"conn_timeout": 5, "auth_timeout": 5, "banner_timeout": 5}
# netmiko on FakeNOS is timing-dependent on some platforms (hp_comware: an echo read in two
# parts puts send_command() one output behind, now and then; the answer comes back empty or
# the next command times out waiting for its echo): the baseline counts as done when one of
# this many tries is.
BASELINE_TRIES = 5
READ_TIMEOUT_S = 10


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:400]


def normalized(text: str) -> list[str]:
    """An output's lines for comparison: line endings, trailing blanks and empty lines at
    either end do not count; every other character does."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def has_template(platform: str, command: str) -> bool:
    try:
        ntc_parse_output(platform=platform, command=command, data="")
    except ParsingException as exc:
        if "No template found" in str(exc):
            return False
        raise
    return True


def parses(platform: str, command: str) -> bool:
    """Whether netjob is asked to parse this show (and must then return rows)."""
    return (platform, command) not in TEMPLATE_REJECTS_OUTPUT and has_template(platform, command)


# ---------------------------------------------------------------- session: FakeNOS, netmiko


@pytest.fixture(scope="session")
def fakenos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeNOSLab]:
    """FakeNOS serving one host per platform; a missing FakeNOS venv fails, never skips."""
    try:
        with start_fakenos(list(PLATFORMS), tmp_path_factory.mktemp("fakenos"), PASSWORD) as lab:
            yield lab
    except FakeNOSUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@dataclass
class Baseline:
    """What plain netmiko did on one FakeNOS device."""

    platform: str
    error: str | None = None  # why netmiko could not do the baseline
    login_prompt: str = ""
    enable: str = "not tried"  # "entered", "no change", or "failed: <error>"
    prompt: str = ""  # after enable
    outputs: dict[str, str] = field(default_factory=dict)
    probe: str | None = None  # what netmiko returned for the unknown command
    tries: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def enable_works(self) -> bool:
        """netmiko's enable() did not fail, so netjob gets the secret too."""
        return not self.enable.startswith("failed")


def netmiko_baseline(lab: FakeNOSLab, platform: str) -> Baseline:
    """The baseline's first success, or its last failure after BASELINE_TRIES."""
    for tries in range(1, BASELINE_TRIES + 1):
        result = netmiko_try(lab, platform)
        result.tries = tries
        if result.ok or not _timing(platform, result.error or ""):
            break
    return result


def _timing(platform: str, error: str) -> bool:
    """A failure of netmiko's that another try may not have: an answer one command behind,
    read as nothing or as a timeout waiting for the echo (hp_comware on a loaded machine).
    The platforms where netmiko always fails are not tried again."""
    if platform in NETMIKO_FAILS:
        return False
    return error.startswith("not FakeNOS's output") or "Pattern not detected" in error


def netmiko_try(lab: FakeNOSLab, platform: str) -> Baseline:
    host = lab.hosts[platform]
    params: dict[str, Any] = {
        "device_type": platform,
        "host": lab.address,
        "port": host.port,
        "username": lab.username,
        "password": lab.password,
        "secret": lab.secret,
        **NETMIKO_TIMEOUTS,
    }
    result = Baseline(platform)
    conn: BaseConnection | None = None
    try:
        conn = ConnectHandler(**params)
        result.login_prompt = conn.find_prompt()
        if "enable" in lab.known_commands(platform):
            try:
                conn.enable()
                result.prompt = conn.find_prompt()
                changed = result.prompt != result.login_prompt
                result.enable = "entered" if changed else "no change"
            except Exception as exc:
                # netmiko's own enable() does not work here: go on unprivileged.
                result.enable = f"failed: {_describe(exc)}"
                conn.disconnect()
                conn = ConnectHandler(**params)
                result.prompt = conn.find_prompt()
        for command in PLATFORMS[platform]:
            result.outputs[command] = str(conn.send_command(command, read_timeout=READ_TIMEOUT_S))
        result.probe = str(conn.send_command(PROBE, read_timeout=READ_TIMEOUT_S))
        result.error = _not_canned(lab, platform, result.outputs)
    except Exception as exc:
        result.error = _describe(exc)
    finally:
        if conn is not None:
            try:
                conn.disconnect()
            except Exception as exc:
                result.error = result.error or f"disconnect: {_describe(exc)}"
    return result


def _not_canned(lab: FakeNOSLab, platform: str, outputs: dict[str, str]) -> str | None:
    """Why netmiko's outputs are not what FakeNOS has canned for those commands, if so."""
    for command, output in outputs.items():
        if not [x for x in normalized(output) if x]:
            # netmiko's Comware driver reads no echo: on a loaded machine it falls one
            # command behind and an answer comes back empty. Try again.
            return f"not FakeNOS's output for '{command}': netmiko returned nothing"
        canned = lab.known_commands(platform)[command]
        if canned is None:  # computed by FakeNOS per session: compared by netjob only
            continue
        expected = [
            x for x in normalized(canned.replace("{base_prompt}", lab.hosts[platform].name)) if x
        ]
        got = [x for x in normalized(output) if x]
        # A driver may drop a line of its own (Junos' `{master:0}`); nothing else.
        if not set(got) <= set(expected) or len(got) < len(expected) - 1:
            return f"not FakeNOS's output for '{command}': netmiko returned {output[:120]!r}"
    return None


@pytest.fixture(scope="session")
def baselines(fakenos: FakeNOSLab) -> dict[str, Baseline]:
    """netmiko on every platform at once (its per-platform delays are seconds long)."""
    with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
        done = pool.map(lambda p: netmiko_baseline(fakenos, p), PLATFORMS)
        return {b.platform: b for b in done}


# ---------------------------------------------------------------- session: one netjob run

JOB = textwrap.dedent(
    f"""\
    name: FakeNOS conformance
    hosts: all
    tasks:
      - name: first show
        show: "{{{{ show1 }}}}"
        parse: textfsm
      - name: second show
        when: "show2 != ''"
        show: "{{{{ show2 }}}}"
        parse: textfsm
      - name: unknown command
        show: "{PROBE}"
    """
)
PASSWORD_ENV = "NETJOB_FAKENOS_PASSWORD"
SECRET_ENV = "NETJOB_FAKENOS_SECRET"


@dataclass
class NetjobRun:
    exit_code: int
    report: dict[str, Any]  # report.json
    run_dir: Path

    def host(self, platform: str) -> dict[str, Any]:
        """The host's JSON (with outputs and parsed rows)."""
        return load_host(self.run_dir, platform)


def netjob_inventory(lab: FakeNOSLab, baselines: dict[str, Baseline]) -> dict[str, Any]:
    hosts: dict[str, Any] = {}
    for platform, baseline in baselines.items():
        commands = PLATFORMS[platform]
        host: dict[str, Any] = {
            "port": lab.hosts[platform].port,
            "platform": platform,
            "vars": {"show1": commands[0], "show2": commands[1] if len(commands) > 1 else ""},
        }
        # As netmiko was given it; not where its enable() fails. Where netmiko fails before
        # its enable(), netjob has it, as a user would give it.
        if baseline.enable_works:
            host["secret_env"] = SECRET_ENV
        hosts[platform] = host
    return {
        "defaults": {
            "address": lab.address,
            "username": lab.username,
            "password_env": PASSWORD_ENV,
            "connection": {"conn_timeout": 5, "auth_timeout": 5, "read_timeout": READ_TIMEOUT_S},
            "known_hosts": lab.known_hosts,
        },
        "hosts": hosts,
    }


@pytest.fixture(scope="session")
def netjob_run(
    fakenos: FakeNOSLab, baselines: dict[str, Baseline], tmp_path_factory: pytest.TempPathFactory
) -> NetjobRun:
    """netjob over every platform netmiko handles, in one run through the real CLI."""
    work = tmp_path_factory.mktemp("netjob")
    inventory = work / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(netjob_inventory(fakenos, baselines), sort_keys=False))
    job = work / "fakenos_conformance.yaml"
    job.write_text(JOB)
    reports = work / "reports"
    hosts = str(len(PLATFORMS))
    options = ("-w", hosts, "--max-logins", hosts, "--retries", "0", "--no-html", "-q")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PASSWORD_ENV, fakenos.password)
        env.setenv(SECRET_ENV, fakenos.secret)
        code = run_cli(job, inventory, reports, *options, "--host-timeout", "90")
    report = load_report(reports, job.stem)
    return NetjobRun(code, report, reports / job.stem / "latest")


# ---------------------------------------------------------------- tests


@pytest.mark.sessions
def test_fakenos_venv_is_found() -> None:
    """The FakeNOS venv is there (`.ci/run` makes it); a missing one fails, never skips."""
    try:
        python = fakenos_python()
    except FakeNOSUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    assert python.exists(), f"fakenos=={FAKENOS_VERSION} venv python missing: {python}"


@pytest.mark.sessions
def test_the_table_covers_every_fakenos_platform_and_its_commands(fakenos: FakeNOSLab) -> None:
    """PLATFORMS names every platform FakeNOS has, with commands FakeNOS knows there; the
    probe is known nowhere; the templates PLATFORMS relies on exist in ntc-templates."""
    assert sorted(PLATFORMS) == sorted(fakenos.catalogue["platforms"])
    for platform, commands in PLATFORMS.items():
        known = fakenos.known_commands(platform)
        assert 1 <= len(commands) <= 2
        assert all(c in known for c in commands), (platform, commands)
        assert PROBE not in known, platform
    for platform, command in TEMPLATE_REJECTS_OUTPUT:
        assert has_template(platform, command), (platform, command)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_netmiko_baseline(
    platform: str, fakenos: FakeNOSLab, baselines: dict[str, Baseline]
) -> None:
    """Plain netmiko logs in and runs the shows everywhere except NETMIKO_FAILS, where it is
    asserted to fail as recorded."""
    baseline = baselines[platform]
    if platform in NETMIKO_FAILS:
        assert not baseline.ok, f"netmiko now handles {platform}: drop it from NETMIKO_FAILS"
        assert baseline.error is not None
        assert re.search(NETMIKO_FAILS[platform], baseline.error), baseline.error
        return
    assert baseline.ok, f"netmiko failed on {platform}: {baseline.error}"
    unknown = fakenos.unknown_command_answer(platform)
    for command, output in baseline.outputs.items():
        assert normalized(output), (command, "empty output")
        assert normalized(output) != [unknown], (command, "FakeNOS did not know it")


def _in_step(fakenos: FakeNOSLab, platform: str, netjob_run: NetjobRun, said: str) -> None:
    """netjob's run on a platform whose set-up netmiko leaves one answer behind, where
    netjob saw no desync: each show ok with FakeNOS's canned output, the probe refused."""
    data = netjob_run.host(platform)
    shows = PLATFORMS[platform]
    steps = data["steps"]
    assert [s["status"] for s in steps[: len(shows)]] == ["ok"] * len(shows), said
    outputs = {command: steps[i]["outputs"][0] for i, command in enumerate(shows)}
    assert _not_canned(fakenos, platform, outputs) is None, (said, outputs)
    assert steps[-1]["commands"] == [PROBE], said
    assert steps[-1]["failure"] == "command_rejected", said


@pytest.mark.sessions
@pytest.mark.parametrize("platform", PLATFORMS)
def test_netjob_matches_netmiko(
    platform: str,
    fakenos: FakeNOSLab,
    baselines: dict[str, Baseline],
    netjob_run: NetjobRun,
) -> None:
    """On every platform netmiko handles: netjob logs in (and enables where netmiko could),
    gets the same outputs byte for byte but for the secrets, parses them where a template
    reads them, and reports the unknown command as `command_rejected`. Where netmiko fails,
    netjob fails in the class that names the same cause."""
    baseline = baselines[platform]
    summary = netjob_run.report["hosts"][platform]
    if not baseline.ok:
        assert platform in NETMIKO_FAILS, baseline.error
        failure, words = NETJOB_FAILS[platform]
        said = f"{platform}: netmiko: {baseline.error}; netjob: {summary['failure']}: "
        said += str(summary["error"])
        if failure == "session_desync" and summary["failure"] != failure:
            # The set-up's stray answers came while netjob still read the set-up (a
            # loaded machine's timing): its session stayed in step. Then every show must
            # be ok with FakeNOS's own output, and the probe refused: never a success
            # with another command's answer.
            _in_step(fakenos, platform, netjob_run, said)
            return
        assert summary["failure"] == failure, said
        assert words in summary["error"], said
        if words == PROBE:  # it ran to its end: every show answered
            assert [s["status"] for s in summary["steps"][:-1]] == ["ok"] * len(
                PLATFORMS[platform]
            ), said
        return
    where = f"{platform} (FakeNOS prompt {baseline.prompt!r}, netmiko enable: {baseline.enable})"
    steps = summary["steps"]
    if all(s["status"] == "skipped" for s in steps):  # failed before any step: login, enable
        pytest.fail(f"{where}: netjob failed to log in: {summary['failure']}: {summary['error']}")
    data = netjob_run.host(platform)
    commands = PLATFORMS[platform]
    for index, command in enumerate(commands):
        step = data["steps"][index]
        assert step["status"] == "ok", f"{where}: '{command}': {step['failure']}: {step['error']}"
        stored, read = step["outputs"][0], baseline.outputs[command]
        assert same_but_secrets(stored, read, fakenos.password, fakenos.secret), (
            f"{where}: '{command}': netjob stored {stored!r}, netmiko read {read!r}"
        )
        if parses(platform, command):
            assert step.get("parsed"), f"{where}: '{command}': no rows parsed"
    probe = data["steps"][-1]
    assert probe["commands"] == [PROBE]
    answer = fakenos.unknown_command_answer(platform)
    assert probe["status"] == "failed", (
        f"{where}: '{PROBE}' was not rejected; FakeNOS answered {answer!r}, "
        f"netjob got {probe['outputs']!r}"
    )
    assert probe["failure"] == "command_rejected", f"{where}: {probe['error']}"
    assert summary["failure"] == "command_rejected"


def same_but_secrets(stored: str, read: str, *secrets: str) -> bool:
    """Whether netjob's stored output is netmiko's, character for character, but where a
    secret stands as a whole token in netmiko's (not inside a word: `administratively`
    holds `admin`), which netjob may have masked."""
    tokens = [rf"(?<![\w-]){re.escape(s)}(?![\w-])" for s in secrets if s]
    if not tokens:
        return stored == read
    pieces = re.split("|".join(tokens), read)
    maybe_masked = rf"(?:{MASK_PATTERN}|{'|'.join(re.escape(s) for s in secrets if s)})"
    return re.fullmatch(maybe_masked.join(re.escape(p) for p in pieces), stored) is not None


@pytest.mark.sessions
def test_the_comparison_forgives_a_masked_secret_only_where_it_stands_whole() -> None:
    read = "Gi0/1 administratively down\nusername admin password admin\n"
    assert same_but_secrets(read, read, "admin")
    assert same_but_secrets(read.replace(" admin\n", f" {MASK}\n"), read, "admin")
    assert not same_but_secrets(read.replace("admin", MASK), read, "admin")
    assert not same_but_secrets(read.replace("down", "up"), read, "admin")


@pytest.mark.sessions
def test_no_host_fails_in_internal_error(netjob_run: NetjobRun) -> None:
    """A failure netmiko reports clearly, netjob reports in a class that names it."""
    internal = {
        name: f"{h['failure']}: {h['error']}"
        for name, h in netjob_run.report["hosts"].items()
        if h["failure"] == "internal_error"
        or any(s["failure"] == "internal_error" for s in h["steps"])
    }
    assert internal == {}


@pytest.mark.sessions
def test_one_netjob_run_covers_every_platform(
    baselines: dict[str, Baseline], netjob_run: NetjobRun
) -> None:
    handled = sorted(p for p, b in baselines.items() if b.ok)
    assert sorted(netjob_run.report["hosts"]) == sorted(PLATFORMS)
    assert sorted(NETMIKO_FAILS) == sorted(set(PLATFORMS) - set(handled))
    assert sorted(NETJOB_FAILS) == sorted(NETMIKO_FAILS)
    assert netjob_run.exit_code == 1  # every host fails: its last task, or its login


@pytest.mark.sessions
def test_the_readme_lists_exactly_the_platforms_this_suite_proves() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    found = re.search(
        r"Proven on FakeNOS [\d.]+, .*?`tests/test_fakenos_conformance.py`\): (.*?)\.", readme, re.S
    )
    assert found, "the README's Platforms section no longer lists the FakeNOS platforms"
    listed = set(re.findall(r"`(\w+)`", found.group(1)))
    assert listed == set(PLATFORMS) - set(NETMIKO_FAILS)
