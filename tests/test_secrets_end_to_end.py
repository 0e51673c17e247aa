"""Secrets never reach a file, the console or a log; hostile names never leave reports/."""

from __future__ import annotations

import gzip
import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lab_fixture import start_lab

from netjob_lab.device import Device
from netjob_lab.inventory import inventory_yaml
from netjob_lab.junos_config import JunosDevice
from runner.base.redact import MASK, Redactor

pytestmark = pytest.mark.lab

PASSWORD = "Sup3r-Secret-pw"
SECRET = "En4ble-Secret"
JOB_SECRET = "S3cond-Secret"  # a secret the job itself pushes, through -e


def _run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from runner.cli import entry; entry()", *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.sessions
def test_no_secret_in_any_file_or_console_output(tmp_path: Path) -> None:
    job = tmp_path / "users.yaml"
    job.write_text(
        "tasks:\n"
        "  - config: ['username ops privilege 15 secret {{ ops_secret }}']\n"
        "  - show: [show running-config, show running-config | include username]\n"
        "  - show: show version | include {{ ops_secret }}\n"
    )
    reports = tmp_path / "reports"
    with start_lab(devices=3, password=PASSWORD, secret=SECRET) as lab:
        inventory = tmp_path / "inv.yaml"
        text = inventory_yaml(lab.endpoints, lab.config)
        # One host with a wrong password: failures and their messages are scanned too.
        inventory.write_text(text.replace("  r003:\n", "  r003:\n    password: wrong-pw-r003\n"))
        done = _run(
            [
                "run",
                str(job),
                "-i",
                str(inventory),
                "--reports",
                str(reports),
                "-vv",
                "-e",
                f"ops_secret={JOB_SECRET}",
            ],
            {"NETJOB_LAB_PASSWORD": PASSWORD, "NETJOB_LAB_SECRET": SECRET},
        )
        assert done.returncode == 1, done.stderr[-2000:]
        assert "username ops privilege 15 secret" in lab.device("r001").running_config()
    assert "DEBUG" not in done.stdout and "netmiko" in done.stderr  # -v logged netmiko's chatter
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len(files) >= 7  # report.json and a log and JSON per host
    # The content-addressed output store is gzip: read what it holds, not its bytes.
    texts = {
        str(p): gzip.decompress(p.read_bytes()).decode() if p.suffix == ".gz" else p.read_text()
        for p in files
    }
    assert any(p.suffix == ".gz" for p in files)
    texts["stdout"], texts["stderr"] = done.stdout, done.stderr
    for secret in (PASSWORD, SECRET, JOB_SECRET, "wrong-pw-r003"):
        leaks = [where for where, text in texts.items() if secret in text]
        assert not leaks, f"{secret} leaked into {leaks}"
    assert "secret ********" in texts[str(next(p for p in files if p.name == "r001.log"))]


def _texts(*folders: Path) -> dict[str, str]:
    """Every file under the folders, as text; the output store's .gz files decompressed.
    Not a run's pre-change/ configs: the copies `netjob rollback` restores from hold the
    device's secrets on purpose (a masked copy would put the mask on the device), owner-only
    and never printed; test_rollback_end_to_end holds them to that."""
    return {
        str(p): gzip.decompress(p.read_bytes()).decode() if p.suffix == ".gz" else p.read_text()
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file() and "pre-change" not in p.parts
    }


# The lab's platforms, in the order they take device numbers, and the corpus families
# each one's devices are given: r001..r006 push their platform's lines, r007..r012 hold
# them in their running configs. Comware's lines go to Huawei, whose VRP they resemble.
CORPUS_PLATFORMS: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("ios", "iosxe"),
    "arista_eos": ("eos",),
    "juniper_junos": ("junos",),
    "cisco_xr": ("iosxr",),
    "cisco_nxos": ("nxos",),
    "huawei": ("vrp", "comware"),
}
# How each platform's backup is taken.
BACKUP_COMMANDS = {
    "juniper_junos": ["show configuration"],
    "huawei": ["display current-configuration"],
    "default": ["show running-config"],
}


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _strings(data: object) -> str:
    """Every string in JSON data, one a line: as a reader sees them, unescaped."""
    if isinstance(data, dict):
        return "\n".join(_strings(v) for v in data.values())
    if isinstance(data, list):
        return "\n".join(_strings(v) for v in data)
    return data if isinstance(data, str) else ""


@pytest.mark.sessions
def test_no_corpus_secret_in_any_file_log_or_console_output(tmp_path: Path) -> None:
    """One run on a lab of every platform: each platform's lines of
    tests/data/secret_lines.yaml are pushed to a device of that platform (the session echoes
    them after the config prompt, the remediation diffs them as `+line`, -vv logs netmiko's chatter
    about them, the device refuses most) and are in the running config of another, which a
    backup takes. None of their secrets is written anywhere, nor printed; every path shows
    each platform's lines, masked."""
    corpus = yaml.safe_load((Path(__file__).parent / "data" / "secret_lines.yaml").read_text())
    lines = {
        # An entry with `after:` is the device's answer to that config line: push the line.
        platform: [
            entry.get("after", entry["line"]) for family in families for entry in corpus[family]
        ]
        for platform, families in CORPUS_PLATFORMS.items()
    }
    secrets = [
        secret
        for families in CORPUS_PLATFORMS.values()
        for family in families
        for entry in corpus[family]
        for secret in entry["secrets"]
    ]
    assert len(secrets) >= 40
    platforms = list(CORPUS_PLATFORMS)
    pushers = {platform: f"r{n:03d}" for n, platform in enumerate(platforms, 1)}
    backups = {platform: f"r{n + len(platforms):03d}" for n, platform in enumerate(platforms, 1)}
    job = tmp_path / "push.yaml"
    job.write_text(
        yaml.safe_dump(
            {
                # Not a secret-looking name: the literal masking of such variables' values
                # would hide every secret here without the device patterns doing anything.
                "vars": {"corpus": lines, "pushers": sorted(pushers.values())},
                "tasks": [
                    # The lab refuses most of these lines: one step per line, so each is
                    # sent, echoed and diffed whatever happened to the one before. The loop
                    # is over numbers because a step's name shows its item, unmasked.
                    {
                        "name": "corpus lines",
                        "config": {
                            platform: [f"{{{{ corpus.{platform}[item] }}}}"]
                            for platform in platforms
                        },
                        "loop": "{{ range(corpus[host.platform] | length)"
                        " if host.name in pushers else [] }}",
                        "ignore_errors": True,
                    },
                    {
                        "name": "backup",
                        "show": BACKUP_COMMANDS,
                        "save_to": "backups/{{ host.name }}.cfg",
                    },
                ],
            }
        )
    )
    reports = tmp_path / "reports"
    with start_lab(
        devices=2 * len(platforms), platforms=platforms, password=PASSWORD, secret=SECRET
    ) as lab:
        for platform, hostname in backups.items():
            device = lab.device(hostname)
            assert device.platform == platform
            # What a real device would show back.
            if isinstance(device, JunosDevice):
                device.verbatim.extend(lines[platform])
            else:
                assert isinstance(device, Device)
                device.config.verbatim.extend(lines[platform])
            assert all(line in device.running_config() for line in lines[platform])
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        done = _run(
            ["run", str(job), "-i", str(inventory), "--reports", str(reports), "-vv", "--diff"],
            {"NETJOB_LAB_PASSWORD": PASSWORD, "NETJOB_LAB_SECRET": SECRET, "NO_COLOR": "1"},
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    texts = _texts(reports, tmp_path / "backups")
    names = {Path(name).name for name in texts}
    assert {"report.json", "report.html"} <= names
    assert {f"{host}.log" for host in pushers.values()} <= names
    assert {f"{host}.cfg" for host in backups.values()} <= names
    assert any(name.endswith(".gz") for name in names)
    texts["stdout"], texts["stderr"] = done.stdout, done.stderr
    leaks = {
        secret: [Path(where).name for where, text in texts.items() if secret in text]
        for secret in (*secrets, PASSWORD, SECRET)
    }
    assert not {secret: where for secret, where in leaks.items() if where}
    # Each path carried each platform's lines, masked: its backup (whole lines, as the
    # device shows them) and its pusher's host log; report.json and report.html (refusals,
    # commands, diffs) as a reader sees them, unescaped; the console's diff and refusals;
    # -vv's netmiko chatter. Outside backups, a line's indent may go and its spaces be
    # squeezed (NX-OS's `...  role`) on the way.
    masked = {platform: [Redactor().text(line) for line in lines[platform]] for platform in lines}
    assert all(MASK in line for platform in masked for line in masked[platform])
    run = (reports / "push" / "latest").resolve()
    report = _squeeze(_strings(json.loads((run / "report.json").read_text())))
    page = _squeeze(html.unescape((run / "report.html").read_text()))
    console, debug = _squeeze(done.stdout), _squeeze(done.stderr)
    missing: dict[str, list[str]] = {}
    for platform in platforms:
        backup = texts[str(tmp_path / "backups" / f"{backups[platform]}.cfg")].splitlines()
        absent = [line for line in masked[platform] if line not in backup]
        if absent:
            missing[f"{platform} backup"] = absent
        log = _squeeze(texts[str(run / "hosts" / f"{pushers[platform]}.log")])
        for where, text in (
            ("host log", log),
            ("report.json", report),
            ("report.html", page),
            ("stdout", console),
            ("stderr", debug),
        ):
            absent = [line for line in masked[platform] if _squeeze(line) not in text]
            if absent:
                missing[f"{platform} {where}"] = absent
    assert not missing, missing
    assert "write_channel" in done.stderr and "read_channel" in done.stderr  # -vv


@pytest.mark.sessions
def test_a_hostile_host_name_writes_nothing_outside_the_reports_folder(tmp_path: Path) -> None:
    job = tmp_path / "v.yaml"
    job.write_text("tasks:\n  - show: show version\n")
    work = tmp_path / "work"
    reports = work / "reports"
    with start_lab(devices=1) as lab:
        endpoint = lab.endpoints[0]
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(
            "defaults: {username: netjob, password_env: PW}\nhosts:\n"
            f"  '../../etc/x': {{address: 127.0.0.1, port: {endpoint.port}}}\n"
            f"  '/tmp/../../abs': {{address: 127.0.0.1, port: {endpoint.port}}}\n"
        )
        done = _run(
            ["run", str(job), "-i", str(inventory), "--reports", str(reports)],
            {"PW": "lab-password"},
        )
    assert done.returncode == 0, done.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path]
    assert written and all(reports in p.parents for p in written), written
    assert not (tmp_path / "etc").exists() and not (work / "etc").exists()
    report = (reports / "v" / "latest" / "report.json").read_text()
    assert "../../etc/x" in report and "/tmp/../../abs" in report


@pytest.mark.sessions
def test_keep_device_secrets_unmasks_device_output_only_and_no_html_writes_no_page(
    tmp_path: Path,
) -> None:
    job = tmp_path / "cfg.yaml"
    job.write_text("tasks:\n  - show: show running-config | include secret\n")
    reports = tmp_path / "reports"
    with start_lab(devices=1, password=PASSWORD, secret=SECRET) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        env = {"NETJOB_LAB_PASSWORD": PASSWORD, "NETJOB_LAB_SECRET": SECRET}
        args = ["run", str(job), "-i", str(inventory), "--reports", str(reports), "--no-html"]
        assert _run([*args, "--keep-device-secrets"], env).returncode == 0
    run = reports / "cfg" / "latest"
    log = (run / "hosts" / "r001.log").read_text()
    assert "enable secret 5 $1$" in log  # the device's hash, kept on request
    assert PASSWORD not in log and SECRET not in log  # credentials never
    assert not (run / "report.html").exists()


def _secret_vars_fixture(tmp_path: Path) -> tuple[Path, Path]:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "defaults: {username: netjob, password_env: PW}\n"
        "hosts:\n"
        "  r1:\n"
        "    address: 127.0.0.1\n"
        "    vars:\n"
        "      site: ams\n"
        "      snmp_community: Comm-Var-31\n"
        "      bgp: {neighbors: [{ip: 192.0.2.1, password: Bgp-Var-32}]}\n"
    )
    job = tmp_path / "j.yaml"
    job.write_text(
        "vars: {tacacs_key: Tac-Var-33}\n"
        "tasks:\n"
        "  - config:\n"
        "      - 'snmp-server community {{ snmp_community }} RO'\n"
        "      - 'neighbor {{ bgp.neighbors[0].ip }} remote-as 65000'\n"
        "      - 'neighbor {{ bgp.neighbors[0].ip }} password {{ bgp.neighbors[0].password }}'\n"
        "      - 'tacacs-server key {{ tacacs_key }}'\n"
        "      - 'username ops secret {{ ops_secret }}'\n"
        "      - 'ntp server 192.0.2.123'\n"
    )
    return inventory, job


SECRET_VARS = ("Comm-Var-31", "Bgp-Var-32", "Tac-Var-33", "Ops-Var-34")


def test_plan_masks_secret_looking_variables_unless_asked(tmp_path: Path) -> None:
    inventory, job = _secret_vars_fixture(tmp_path)
    args = ["plan", str(job), "-i", str(inventory), "-e", "ops_secret=Ops-Var-34"]
    masked = _run(args, {})
    assert masked.returncode == 0, masked.stderr
    assert "snmp-server community ******** RO" in masked.stdout
    assert "ntp server 192.0.2.123" in masked.stdout  # the rest as rendered
    assert not [s for s in SECRET_VARS if s in masked.stdout + masked.stderr]
    shown = _run([*args, "--show-secrets"], {})
    assert shown.returncode == 0, shown.stderr
    assert all(s in shown.stdout for s in SECRET_VARS)


def test_hosts_masks_secret_looking_variables_in_every_output_unless_asked(
    tmp_path: Path,
) -> None:
    inventory, _ = _secret_vars_fixture(tmp_path)
    for output in (["--json"], ["--output", "yaml"], ["--output", "table"]):
        masked = _run(["hosts", "-i", str(inventory), *output], {"COLUMNS": "300"})
        assert masked.returncode == 0, masked.stderr
        assert not [s for s in SECRET_VARS if s in masked.stdout], output
        assert "ams" in masked.stdout and "********" in masked.stdout, output
    listed = json.loads(_run(["hosts", "-i", str(inventory), "--json"], {}).stdout)
    assert listed[0]["vars"] == {
        "site": "ams",
        "snmp_community": "********",
        "bgp": {"neighbors": [{"ip": "192.0.2.1", "password": "********"}]},
    }
    shown = _run(["hosts", "-i", str(inventory), "--json", "--show-secrets"], {})
    assert json.loads(shown.stdout)[0]["vars"]["snmp_community"] == "Comm-Var-31"


def test_hosts_masks_variables_used_as_credentials_and_secrets_in_their_lines(
    tmp_path: Path,
) -> None:
    """Names that do not say `secret` but hold one (`pw`, `*_psk`, `*_auth`, `*_hash`), and
    a value that is itself a secret-bearing config line, are masked; the rest is shown."""
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "hosts:\n"
        "  r1:\n"
        "    address: 192.0.2.1\n"
        "    vars:\n"
        "      pw: Pw-Var-41\n"
        "      wifi_psk: Psk-Var-42\n"
        "      ospf_auth: Auth-Var-43\n"
        "      ops_hash: $6$Hash-Var-44\n"
        "      apikey: Key-Var-45\n"
        "      extra_lines: ['enable secret 0 Line-Var-46', 'ntp server 192.0.2.9']\n"
        "      passive_interfaces: [Gi0/1]\n"
        "      author: ops-team\n"
    )
    secrets = ("Pw-Var-41", "Psk-Var-42", "Auth-Var-43", "Hash-Var-44", "Key-Var-45", "Line-Var-46")
    for output in (["--json"], ["--output", "yaml"], ["--output", "table"]):
        listed = _run(["hosts", "-i", str(inventory), *output], {"COLUMNS": "400"})
        assert listed.returncode == 0, listed.stderr
        assert not [s for s in secrets if s in listed.stdout], (output, listed.stdout)
    shown = json.loads(_run(["hosts", "-i", str(inventory), "--json"], {}).stdout)[0]["vars"]
    assert shown["extra_lines"] == ["enable secret 0 ********", "ntp server 192.0.2.9"]
    assert shown["passive_interfaces"] == ["Gi0/1"] and shown["author"] == "ops-team"
    assert shown["pw"] == shown["wifi_psk"] == shown["ops_hash"] == "********"
