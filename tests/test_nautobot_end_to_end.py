"""netjob against a real Nautobot (tests/nautobot_fixture.py: the nautobot package, Debian's
PostgreSQL and Redis on 127.0.0.1), seeded with sites, roles, platforms with network
drivers, tags, config contexts, a custom field, lab devices and 10,000 more: what netjob
lists is what Nautobot has, and a job runs on lab devices whose addresses come from it."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_types import Write
from lab_fixture import load_report, run_cli, start_lab
from nautobot_fixture import BULK, Nautobot, start_nautobot

from runner import core
from runner.cli import main
from runner.load.inventories import load_inventories

LAB = ["lab-core-ams-1", "lab-core-ams-2", "lab-edge-ams-1", "lab-core-fra-1"]
# The first run on a machine migrates and seeds Nautobot's database in the fixture's setup
# (about 5 minutes here, more on a loaded machine): past pytest's default 300 s.
pytestmark = [pytest.mark.lab, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def nautobot() -> Iterator[Nautobot]:
    with start_nautobot() as server:
        yield server


@pytest.fixture(autouse=True)
def _env(nautobot: Nautobot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("NAUTOBOT_TOKEN", nautobot.token)
    monkeypatch.setenv("LAB_PASSWORD", "lab-password")


def source(write: Write, nautobot: Nautobot, **more: object) -> Path:
    text = {"kind": "nautobot", "url": nautobot.url, "token_env": "NAUTOBOT_TOKEN", **more}
    return write("nautobot.yaml", yaml.safe_dump(text))


def nautobot_names(nautobot: Nautobot, **query: str) -> set[str]:
    """Device names as Nautobot's own REST API lists them, every page."""
    names: set[str] = set()
    url: str | None = (
        f"{nautobot.url}/api/dcim/devices/?{urllib.parse.urlencode({**query, 'limit': 1000})}"
    )
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Token {nautobot.token}"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            page = json.load(answer)
        names |= {d["name"] for d in page["results"]}
        url = page["next"]
    return names


def test_hosts_lists_exactly_what_nautobot_has_for_role_and_location(
    write: Write, nautobot: Nautobot, capsys: pytest.CaptureFixture[str]
) -> None:
    path = source(write, nautobot)
    limit = "role_core:&location_ams"
    assert main(["hosts", "-i", str(path), "--limit", limit, "--output", "json"]) == 0
    listed = {h["name"] for h in json.loads(capsys.readouterr().out)}
    # Nautobot's answer, less the two devices netjob must leave out (and says so)
    expected = nautobot_names(nautobot, location="AMS", role="core")
    assert listed == expected - {"lab-noip-ams-1", "lab-acme-ams-1"}
    assert {"lab-core-ams-1", "lab-core-ams-2"} <= listed


def test_ten_thousand_devices_load_and_the_cache_gives_the_same(
    write: Write, nautobot: Nautobot, caplog: pytest.LogCaptureFixture
) -> None:
    path = source(write, nautobot)
    first = load_inventories(path)
    assert len(first.hosts) == BULK + len(LAB)
    host = first.hosts["lab-core-ams-1"]
    assert host.address == "127.0.0.1" and host.platform == "cisco_ios"
    assert {
        "location_ams",
        "role_core",
        "tenant_blue",
        "tag_lab",
        "platform_ios",
        "manufacturer_cisco",
        "device_type_isr4331",
    } <= set(host.groups)
    # config contexts (the AMS one beats the global one by weight), then custom fields
    assert host.vars == {
        "domain": "ams.example.net",
        "syslog": "192.0.2.50",
        "ntp_server": "192.0.2.123",
    }
    assert first.hosts["bulk-00001"].address == "2001:db8::2"  # v6 only
    assert first.hosts["bulk-00001"].platform == "arista_eos"
    assert "have no primary IP and are left out: lab-noip-ams-1" in caplog.text
    assert "lab-acme-ams-1 (platform 'AcmeOS', network driver 'acme_os')" in caplog.text
    again = load_inventories(path)
    assert again.snapshots == first.snapshots and again.hosts == first.hosts
    assert first.snapshots[0]["devices"] == BULK + len(LAB) + 2


def test_each_device_gets_the_config_context_nautobot_computes_for_it(
    write: Write, nautobot: Nautobot
) -> None:
    # netjob asks once per set of alike devices (runner/load/sot_contexts.py); the truth is
    # each device's own context from Nautobot's REST API, for the lab devices, every 97th
    # bulk one (every location, role, tenant, platform and tag set) and those with local data.
    hosts = load_inventories(source(write, nautobot)).hosts
    sample = [*LAB, *(f"bulk-{i:05d}" for i in range(0, BULK, 97))]
    sample += [f"bulk-{i:05d}" for i in range(999, BULK, 1000)]
    truth = nautobot_devices(nautobot, sample, include="config_context")
    assert sorted(truth) == sorted(sample)
    for name in sample:
        custom = {k: v for k, v in truth[name]["custom_fields"].items() if v is not None}
        assert hosts[name].vars == {**truth[name]["config_context"], **custom}, name
    contexts = {json.dumps(truth[n]["config_context"], sort_keys=True) for n in sample}
    assert len(contexts) >= 6 + 10  # it bites: 7 alike sets in the sample, 10 local data
    assert hosts["lab-core-ams-2"].vars["pci"] is True
    assert hosts["bulk-00999"].vars["domain"] == "bulk-999.example.net"


def nautobot_devices(nautobot: Nautobot, names: list[str], **query: str) -> dict[str, Any]:
    """Devices by name as Nautobot's own REST API gives them."""
    url = f"{nautobot.url}/api/dcim/devices/?" + urllib.parse.urlencode(
        {"name": names, "limit": 1000, **query}, doseq=True
    )
    request = urllib.request.Request(url, headers={"Authorization": f"Token {nautobot.token}"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return {d["name"]: d for d in json.load(answer)["results"]}


@pytest.mark.sessions
def test_a_job_runs_on_lab_devices_whose_addresses_come_from_nautobot(
    write: Write, nautobot: Nautobot, tmp_path: Path
) -> None:
    job = write("job.yaml", "name: version\nhosts: all\ntasks:\n  - show: show version\n")
    with start_lab(devices=len(LAB)) as lab:
        ports = {name: {"port": e.port} for name, e in zip(LAB, lab.endpoints, strict=True)}
        path = source(
            write,
            nautobot,
            filters={"tag": ["lab"]},
            defaults={"username": lab.config.username, "password_env": "LAB_PASSWORD"},
            hosts=ports,
        )
        reports = tmp_path / "reports"
        assert run_cli(job, path, reports, "--limit", "role_core:&location_ams") == 0
        adhoc = ["cmd", "show clock", "-i", str(path), "--limit", "location_fra"]
        assert main([*adhoc, "--reports", str(tmp_path / "adhoc")]) == 0
    report = load_report(reports, "job")
    assert sorted(report["hosts"]) == ["lab-core-ams-1", "lab-core-ams-2"]
    assert all(h["status"] == "ok" for h in report["hosts"].values())
    snapshot = report["inventory_snapshots"][0]
    assert snapshot["source"] == f"nautobot {nautobot.url}" and snapshot["hosts"] == 4
    assert len(snapshot["sha256"]) == 64
    written = "".join(p.read_text(errors="replace") for p in reports.rglob("*") if p.is_file())
    assert nautobot.token not in written  # token_env only, never the token


@pytest.mark.sessions
def test_a_cluster_run_reads_nautobot_once_and_ships_the_snapshot_to_the_pollers(
    write: Write, nautobot: Nautobot, tmp_path: Path
) -> None:
    from cluster_fixture import lab_env, tls_cluster

    from runner.run.cluster import ClusterOptions

    job = write("job.yaml", "name: version\nhosts: all\ntasks:\n  - show: show version\n")
    # The pollers hold a wrong token and a cache folder of their own: one that read
    # Nautobot itself would fail (401), so every host ok shows the hosts came from here.
    poller_env = {
        "NAUTOBOT_TOKEN": "0" * 40,
        "XDG_CACHE_HOME": str(tmp_path / "poller-cache"),
    }
    with (
        start_lab(devices=len(LAB)) as lab,
        tls_cluster({"pollers": "127.0.0.1"}, env=poller_env) as cluster,
    ):
        ports = {name: {"port": e.port} for name, e in zip(LAB, lab.endpoints, strict=True)}
        path = source(
            write,
            nautobot,
            filters={"tag": ["lab"]},
            defaults={"username": lab.config.username, "password_env": "LAB_PASSWORD"},
            hosts=ports,
        )
        options = core.RunOptions(
            workers=4,
            reports_dir=tmp_path / "reports",
            cluster=ClusterOptions(cluster.scheduler_address, security=cluster.security),
            html=False,
        )
        selection = core.select(job, path, limit="location_ams")
        core.run(selection, options, environ={**lab_env(), "LAB_PASSWORD": "lab-password"})
    report = load_report(tmp_path / "reports", "job")
    assert sorted(report["hosts"]) == ["lab-core-ams-1", "lab-core-ams-2", "lab-edge-ams-1"]
    for host in report["hosts"].values():
        assert (host["status"], host["poller"]) == ("ok", "pollers"), host
    (snapshot,) = report["inventory_snapshots"]
    assert snapshot["source"] == f"nautobot {nautobot.url}" and snapshot["hosts"] == 4


def test_a_wrong_token_and_an_unknown_location_are_one_line(
    write: Write,
    nautobot: Nautobot,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = source(write, nautobot, filters={"location": ["Atlantis"]})
    assert main(["hosts", "-i", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nautobot's GraphQL refused the query" in err and "Atlantis" in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("NAUTOBOT_TOKEN", "0" * 40)
    assert main(["hosts", "-i", str(source(write, nautobot))]) == 2
    err = capsys.readouterr().err
    assert "refused the token in $NAUTOBOT_TOKEN" in err and "0" * 40 not in err
