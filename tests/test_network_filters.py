"""Network filters in templates (issue 13, item 12), through the CLI: netutils' filters
and an `ipaddr` adapter, inside the sandbox's bounds; an unknown filter names what exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import start_lab
from test_hostile_input import netjob, one_line_error

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = pytest.mark.lab

INVENTORY = """\
defaults: {platform: cisco_ios, username: u, password: p}
hosts:
  r1: {address: 127.0.0.1, port: 9, vars: {loopback: 192.0.2.7/24}}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "inv.yaml").write_text(INVENTORY)
    return tmp_path


def _plan(folder: Path, lines: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    config = "".join(f"      - {line!r}\n" for line in lines)
    (folder / "job.yaml").write_text(f"tasks:\n  - name: net\n    config:\n{config}")
    code = main(["plan", str(folder / "job.yaml"), "-i", str(folder / "inv.yaml")])
    out = capsys.readouterr()
    assert code == 0, out.err
    return [line.strip() for line in out.out.splitlines()]


def test_ipaddr_answers_the_usual_queries(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = {
        "address": "192.0.2.7",
        "netmask": "255.255.255.0",
        "prefix": "24",
        "network": "192.0.2.0",
        "subnet": "192.0.2.0/24",
        "broadcast": "192.0.2.255",
        "host": "192.0.2.7/24",
    }
    lines = [f"description {q} {{{{ loopback | ipaddr('{q}') }}}}" for q in queries]
    lines += [
        "description nth {{ loopback | ipaddr(1) }} {{ '2001:db8::/64' | ipaddr(5) }}",
        "description net-as-host {{ '192.0.2.0/24' | ipaddr('host') }}",
        "description keep {{ ['x', '192.0.2.1', 'y'] | ipaddr | join(',') }}",
    ]
    shown = _plan(folder, lines, capsys)
    for query, answer in queries.items():
        assert f"description {query} {answer}" in shown
    assert "description nth 192.0.2.1/24 2001:db8::5/64" in shown
    assert "description net-as-host False" in shown
    assert "description keep 192.0.2.1" in shown


def test_netutils_filters_are_there_by_their_own_names(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _plan(
        folder,
        [
            "interface {{ 'Gi0/1' | canonical_interface_name }}",
            "ip route 0.0.0.0 0.0.0.0 {{ '10.1.1.0/24' | get_first_usable }}",
            "description {{ 24 | cidr_to_netmask }} {{ '255.255.255.0' | netmask_to_cidr }}",
            "description {{ '0000.0c12.3456' | mac_to_format('MAC_COLON_TWO') }}",
            "switchport trunk allowed vlan {{ [1, 2, 3, 10] | vlanlist_to_config | join(',') }}",
        ],
        capsys,
    )
    assert "interface GigabitEthernet0/1" in shown
    assert "ip route 0.0.0.0 0.0.0.0 10.1.1.1" in shown
    assert "description 255.255.255.0 24" in shown
    assert "description 00:00:0c:12:34:56" in shown
    assert "switchport trunk allowed vlan 1-3,10" in shown


def test_an_unknown_filter_names_job_task_host_and_close_matches(folder: Path) -> None:
    (folder / "job.yaml").write_text(
        "tasks:\n  - name: addressing\n"
        "    config: \"ip address {{ loopback | ipadr('address') }}\"\n"
    )
    for command in ("plan", "run"):
        line = one_line_error(
            netjob(folder, command, "job.yaml", "-i", "inv.yaml"),
            "job job.yaml, task 'addressing', host r1",
            "no filter named 'ipadr'; available: ipaddr, ",
            "more (README: Filters)",
        )
        assert "syntax error" not in line


@pytest.mark.parametrize(
    ("template", "refusal"),
    [
        # 16 million addresses: refused by their count, or by the host's time budget when a
        # loaded machine is slower to count them (either is the sandbox's refusal)
        ("{{ '10.0.0.0/8' | get_all_host | list | length }}", "refused by the template sandbox"),
        (
            "{{ '1.1.1.1' | ipaddress_address('__class__.__init__.__globals__') }}",
            "names a private attribute",
        ),
        ("{{ 'Gi1/0/[1-999999999]' | interface_range_expansion }}", "expand to over"),
        ("{{ 'vlan 1-99999999999' | vlanconfig_to_list }}", "expand to over"),
        ("{{ 'example.com' | tcp_ping(22) }}", "no filter named 'tcp_ping'"),
        ("{{ 'a' | regex_sub('(a+)+$', 'b') }}", "no filter named 'regex_sub'"),
    ],
)
def test_network_filters_stay_inside_the_sandbox(folder: Path, template: str, refusal: str) -> None:
    (folder / "job.yaml").write_text(f'tasks:\n  - name: net\n    show: "show {template}"\n')
    one_line_error(netjob(folder, "plan", "job.yaml", "-i", "inv.yaml"), "host r1", refusal)


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    with start_lab(devices=1) as lab:
        yield lab


@pytest.mark.sessions
def test_a_filtered_address_reaches_the_device(tmp_path: Path, lab: Lab) -> None:
    (tmp_path / "inv.yaml").write_text(inventory_yaml(lab.endpoints, lab.config))
    (tmp_path / "job.yaml").write_text(
        "vars: {lo: 198.51.100.9/30}\ntasks:\n  - name: loopback\n    config:\n"
        "      - interface Loopback9\n"
        "      - \"ip address {{ lo | ipaddr('address') }} {{ lo | ipaddr('netmask') }}\"\n"
    )
    job, inventory = str(tmp_path / "job.yaml"), str(tmp_path / "inv.yaml")
    assert main(["run", job, "-i", inventory, "--reports", str(tmp_path / "reports")]) == 0
    assert "ip address 198.51.100.9 255.255.255.252" in lab.device("r001").running_config()
