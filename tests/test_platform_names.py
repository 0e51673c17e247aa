"""Platform names (issue 20, items 1 and 2): a job's per-platform keys and an inventory's
platforms are netmiko device_types, or other tools' names mapped to one for certain
(NAPALM's `junos`, Ansible's `cisco.ios.ios`, scrapli's `cisco_iosxe`), or refused at
load with the nearest name: never dropped, never left for netmiko to refuse host by host."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli, start_lab
from netmiko.ssh_dispatcher import CLASS_MAPPER
from typer.testing import CliRunner, Result

from netjob_lab.inventory import inventory_yaml
from runner.base import platforms
from runner.cli import app
from runner.report.run_folder import load_host

INVENTORY = """\
defaults: {username: u, password: p}
hosts:
  r1: {address: 192.0.2.1, platform: ios}
  j1: {address: 192.0.2.2, platform: juniper_junos}
  x1: {address: 192.0.2.3, platform: cisco_xe}
"""
PER_PLATFORM = """\
tasks:
  - name: ntp
    config:
      junos: ["set system ntp server 192.0.2.9"]
      default: ["ntp server 192.0.2.9"]
  - name: version
    show:
      cisco_ios: show version
      default: show version | no-more
"""


def _cli(tmp_path: Path, *args: str, job: str = PER_PLATFORM, inventory: str = INVENTORY) -> Result:
    (tmp_path / "job.yaml").write_text(job)
    (tmp_path / "inv.yaml").write_text(inventory)
    runner = CliRunner()
    return runner.invoke(app, [*args, "-i", str(tmp_path / "inv.yaml")])


# --- item 1: per-platform maps ----------------------------------------------------------


def test_a_junos_key_beside_default_gives_the_junos_host_its_own_lines(tmp_path: Path) -> None:
    result = _cli(tmp_path, "plan", str(tmp_path / "job.yaml"))
    assert result.exit_code == 0, result.output
    plan = result.output
    junos = plan[plan.index("# j1") : plan.index("# x1")]
    assert "set system ntp server 192.0.2.9" in junos
    assert "\n    ntp server" not in junos  # not the IOS lines of `default:`
    assert "[config] ntp (platform key: junos)" in junos
    assert "[show] version (platform key: default)" in junos
    ios = plan[plan.index("# r1") : plan.index("# j1")]
    assert "[config] ntp (platform key: default)" in ios
    # cisco_xe is netmiko's cisco_ios driver, which the table files it under.
    xe = plan[plan.index("# x1") :]
    assert "[show] version (platform key: cisco_ios)" in xe


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("cisco_iso", "unknown platform 'cisco_iso'; did you mean 'cisco_ios'?"),
        ("junso", "unknown platform 'junso'; did you mean 'junos'?"),
        ("defualt", "unknown platform 'defualt'; did you mean 'default'?"),
        ("ce", "platform 'ce' is ambiguous: Huawei CloudEngine runs VRP V8"),
    ],
)
def test_an_unknown_platform_key_is_refused_at_load_with_the_nearest_name(
    tmp_path: Path, key: str, said: str
) -> None:
    job = PER_PLATFORM.replace("junos:", f"{key}:")
    result = _cli(tmp_path, "plan", str(tmp_path / "job.yaml"), job=job)
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"job.yaml:4: tasks[0].config.{key}: {said}" in message


def test_two_keys_for_one_platform_are_refused(tmp_path: Path) -> None:
    job = PER_PLATFORM.replace("      default: [", "      juniper_junos: [")
    result = _cli(tmp_path, "plan", str(tmp_path / "job.yaml"), job=job)
    assert result.exit_code == 2, result.output
    assert "'junos' and 'juniper_junos' both mean juniper_junos; keep one" in result.output


def test_a_checks_field_per_platform_takes_the_same_names(tmp_path: Path) -> None:
    from runner.load.job import load_job

    (tmp_path / "job.yaml").write_text(
        "tasks:\n  - show: show version\n    parse: textfsm\n    checks:\n"
        "      - field: {eos: image, default: version}\n        equals: x\n"
    )
    check = load_job(tmp_path / "job.yaml").tasks[0].checks[0]
    assert check.field_for("arista_eos") == "image"
    assert check.field_for("cisco_ios") == "version"
    job = (tmp_path / "job.yaml").read_text().replace("eos:", "aristaeos:")
    result = _cli(tmp_path, "plan", str(tmp_path / "job.yaml"), job=job)
    assert result.exit_code == 2
    assert "checks[0].field.aristaeos: unknown platform 'aristaeos'" in result.output


# --- item 2: inventory platforms --------------------------------------------------------


def test_napalm_and_scrapli_names_in_netjobs_inventory_are_the_device_types_they_mean(
    tmp_path: Path,
) -> None:
    inventory = INVENTORY.replace("platform: cisco_xe", "platform: cisco_iosxe").replace(
        "platform: juniper_junos", "platform: junos"
    )
    result = _cli(tmp_path, "hosts", "-o", "json", inventory=inventory)
    assert result.exit_code == 0, result.output
    for name, platform in (("r1", "cisco_ios"), ("j1", "juniper_junos"), ("x1", "cisco_xe")):
        assert f'"{platform}"' in result.output.split(f'"{name}"', 1)[1].split("}", 1)[0]


@pytest.mark.parametrize("command", ["hosts", "plan"])
def test_a_platform_netmiko_has_no_driver_for_is_refused_at_load(
    tmp_path: Path, command: str
) -> None:
    inventory = INVENTORY.replace("platform: cisco_xe", "platform: cisco_iso")
    args = (command, str(tmp_path / "job.yaml")) if command == "plan" else (command,)
    result = _cli(tmp_path, *args, inventory=inventory)
    assert result.exit_code == 2, result.output
    assert result.output.strip().endswith(
        "inv.yaml:5: hosts.x1.platform: unknown platform 'cisco_iso'; did you mean "
        "'cisco_ios'? expected a netmiko device_type or a NAPALM, Ansible or scrapli name "
        "netjob maps (README: Platform names)"
    )


def test_nornir_inventories_map_and_refuse_platforms_as_netjobs_do(tmp_path: Path) -> None:
    folder = tmp_path / "nornir"
    folder.mkdir()
    (folder / "hosts.yaml").write_text(
        "r1: {hostname: 192.0.2.1, platform: cisco_iosxe}\n"
        "r2: {hostname: 192.0.2.2, platform: junos}\n"
        "r3:\n  hostname: 192.0.2.3\n  connection_options:\n"
        "    netmiko: {extras: {device_type: nxos}}\n"
    )
    from runner.load.nornir_inventory import load_nornir

    hosts = load_nornir(folder).hosts
    assert [hosts[n].platform for n in ("r1", "r2", "r3")] == [
        "cisco_xe",
        "juniper_junos",
        "cisco_nxos",
    ]
    (folder / "hosts.yaml").write_text("r1: {hostname: 192.0.2.1, platform: ios-xe}\n")
    result = CliRunner().invoke(app, ["hosts", "-i", str(folder)])
    assert result.exit_code == 2
    assert "hosts.yaml:1: r1.platform: unknown platform 'ios-xe'" in result.output


def test_ansible_inventories_take_netmiko_names_too_and_refuse_the_rest(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  hosts:\n"
        "    r1: {ansible_host: 192.0.2.1, ansible_network_os: cisco.ios.ios}\n"
        "    r2: {ansible_host: 192.0.2.2, ansible_network_os: cisco_xr}\n"
        "    r3: {ansible_host: 192.0.2.3, ansible_network_os: cisco.asa.asa}\n"
    )
    result = CliRunner().invoke(app, ["hosts", "-o", "json", "-i", str(inventory)])
    assert result.exit_code == 0, result.output
    for platform in ("cisco_ios", "cisco_xr", "cisco_asa"):
        assert f'"{platform}"' in result.output
    inventory.write_text(inventory.read_text().replace("cisco_xr}", "cisco_iosxe_ssh}"))
    result = CliRunner().invoke(app, ["hosts", "-i", str(inventory)])
    assert result.exit_code == 2
    assert "r2.ansible_network_os: unknown platform 'cisco_iosxe_ssh'" in result.output


def test_telnet_to_a_platform_netmiko_has_no_telnet_driver_for_is_refused(
    tmp_path: Path,
) -> None:
    inventory = "hosts:\n  s1: {address: 192.0.2.1, platform: linux, transport: telnet}\n"
    result = _cli(tmp_path, "hosts", inventory=inventory)
    assert result.exit_code == 2
    assert "netmiko has no telnet driver for platform linux" in result.output
    ios = inventory.replace("linux", "ios")
    assert _cli(tmp_path, "hosts", inventory=ios).exit_code == 0


@pytest.mark.sessions
@pytest.mark.lab
def test_mapped_names_run_end_to_end_on_the_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NAPALM's names in the inventory and in the job, driven by real netmiko: the Junos
    device gets (and commits) its `junos:` lines, the IOS one its `default:` lines."""
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job = tmp_path / "names.yaml"
    job.write_text(PER_PLATFORM.split("  - name: version")[0])
    reports = tmp_path / "reports"
    with start_lab(devices=2, platforms=("cisco_ios", "juniper_junos")) as lab:
        inventory = tmp_path / "inv.yaml"
        text = inventory_yaml(lab.endpoints, lab.config)
        text = text.replace("platform: juniper_junos", "platform: junos")
        inventory.write_text(text.replace("platform: cisco_ios", "platform: ios"))
        assert run_cli(job, inventory, reports) == 0
        report = load_report(reports, "names")
        ios, junos = (e.hostname for e in lab.endpoints)
        assert {h: report["hosts"][h]["status"] for h in (ios, junos)} == {
            ios: "changed",
            junos: "changed",
        }
        assert "ntp server 192.0.2.9" in lab.device(ios).running_config()
        assert "set system ntp server 192.0.2.9" in str(
            load_host(reports / "names" / "latest", junos)["steps"][0]["commands"]
        )
        assert "192.0.2.9" in lab.device(junos).running_config()


# --- the table itself -------------------------------------------------------------------


def test_the_captured_list_is_the_installed_netmikos() -> None:
    """runner/base/netmiko_device_types.txt is netmiko's list, which load may not import;
    after a netmiko upgrade, write the new one (its first lines say how it was made)."""
    from runner.base import platform_names

    assert platform_names.device_types() == set(CLASS_MAPPER) - {"autodetect"}


def test_every_mapped_name_means_one_netmiko_driver_and_shadows_none() -> None:
    from runner.base import platform_names

    for alias, device_type in platforms.foreign_names().items():
        assert device_type in CLASS_MAPPER, (alias, device_type)
        # A netmiko name is honoured as written: an alias must not be one.
        assert (
            alias not in CLASS_MAPPER
            or alias == device_type
            or (CLASS_MAPPER[alias] is CLASS_MAPPER[device_type])
        ), alias
    for name in platforms.AMBIGUOUS:
        assert platform_names.resolve(name) is None, name


def test_the_readme_lists_every_name_netjob_maps_or_refuses() -> None:
    from runner.base import platform_names

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert platform_names.names_table() in readme
