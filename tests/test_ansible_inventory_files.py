"""What Ansible shops have on disk: INI inventories (read by ansible-core's own INI plugin),
group_vars/host_vars files encrypted whole with `ansible-vault encrypt`, and `netjob
inventory convert` that keeps groups with their vars and takes the vault flags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lab_fixture import start_lab

from netjob_lab import Lab
from runner.base.errors import LoadError
from runner.cli import main
from runner.load.inventories import load_any
from runner.load.inventory import build_inventory
from runner.load.vault import Vault

INI = """\
[core]
r[01:02] ansible_host=192.0.2.1
r3:2200 ansible_host=192.0.2.3 role=spare

[core:vars]
role=core
ntp=["192.0.2.123"]
ansible_ssh_common_args='-o ProxyJump=ops@192.0.2.254'

[dc:children]
core
"""


def _encrypt(text: str, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret

    return str(VaultLib([("default", VaultSecret(password.encode()))]).encrypt(text).decode())


def test_an_ini_inventory_is_read_as_ansible_reads_it(tmp_path: Path) -> None:
    (tmp_path / "hosts.ini").write_text(INI)
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "dc.yml").write_text("site: ams\nrole: dc\n")
    inventory = load_any(tmp_path / "hosts.ini")
    assert list(inventory.hosts) == ["r01", "r02", "r3"]  # the range, expanded
    r01, r3 = inventory.hosts["r01"], inventory.hosts["r3"]
    assert (r01.address, r01.port, r3.address, r3.port) == ("192.0.2.1", 22, "192.0.2.3", 2200)
    # group_vars/ beats the INI's [core:vars], as in Ansible; a host's own vars beat both.
    assert dict(r01.vars) == {"role": "dc", "ntp": ["192.0.2.123"], "site": "ams"}
    assert r3.vars["role"] == "spare"
    assert set(r01.groups) == {"core", "dc"}
    assert r01.connection.jump[0].label() == "ops@192.0.2.254:22"
    assert load_any(tmp_path).hosts == inventory.hosts  # the folder finds the INI file


def test_an_ini_option_netjob_cannot_honour_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text("[core]\nr1 ansible_ssh_extra_args='-o Tunnel=yes'\n")
    with pytest.raises(LoadError) as caught:
        load_any(tmp_path)
    message = str(caught.value)
    assert "hosts: r1.ansible_ssh_extra_args: netjob cannot honour the ssh option" in message
    assert "'-o Tunnel=yes'" in message


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=1) as lab:
        yield lab


@pytest.mark.sessions
@pytest.mark.lab
def test_an_ini_inventory_runs_against_the_lab(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_PW", "lab-password")
    endpoint = lab.endpoints[0]
    (tmp_path / "hosts.ini").write_text(
        "[lab]\n"
        f"r001 ansible_host=127.0.0.1 ansible_port={endpoint.port}\n"
        "[lab:vars]\n"
        "ansible_user=netjob\n"
        "ansible_network_os=cisco.ios.ios\n"
        "ansible_password=\"{{ lookup('ansible.builtin.env', 'LAB_PW') }}\"\n"
    )
    (tmp_path / "job.yaml").write_text("tasks:\n  - show: show clock\n")
    argv = ["run", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "hosts.ini"), "-q"]
    assert main([*argv, "--reports", str(tmp_path / "reports")]) == 0


def _vaulted_folder(tmp_path: Path) -> Path:
    (tmp_path / "inventory.yml").write_text("all:\n  children:\n    core:\n      hosts: r1\n")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text(
        _encrypt("ansible_user: ops\nansible_password: s3cret\nsite: ams\n", "vault-pw")
    )
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "r1.yml").write_text(_encrypt("rack: A1\n", "vault-pw"))
    return tmp_path / "inventory.yml"


def test_group_and_host_vars_files_encrypted_whole_are_decrypted(tmp_path: Path) -> None:
    inventory = _vaulted_folder(tmp_path)
    host = load_any(inventory, Vault("vault-pw")).hosts["r1"]
    assert (host.username, host.password, dict(host.vars)) == (
        "ops",
        "s3cret",
        {"site": "ams", "rack": "A1"},
    )
    with pytest.raises(LoadError) as caught:
        load_any(inventory)
    assert "group_vars/all.yml (a file ansible-vault encrypted): an Ansible Vault value" in str(
        caught.value
    )
    with pytest.raises(LoadError, match="cannot decrypt"):
        load_any(inventory, Vault("wrong"))


def test_an_inventory_file_encrypted_whole_is_decrypted(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yml"
    path.write_text(_encrypt("all:\n  hosts:\n    r1: {ansible_host: 192.0.2.5}\n", "vault-pw"))
    assert load_any(path, Vault("vault-pw")).hosts["r1"].address == "192.0.2.5"


def test_convert_keeps_groups_with_their_vars_the_bastion_and_takes_vault_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = _vaulted_folder(tmp_path)
    (tmp_path / "group_vars" / "core.yml").write_text(
        "role: core\nansible_ssh_common_args: -J ops@192.0.2.254\n"
    )
    password_file = tmp_path / "vault_pass"
    password_file.write_text("vault-pw\n")
    argv = ["inventory", "convert", "-i", str(inventory)]
    assert main([*argv, "--vault-password-file", str(password_file)]) == 0
    text = capsys.readouterr().out
    converted = yaml.safe_load(text)
    assert converted["groups"]["core"] == {"vars": {"role": "core"}}
    assert converted["hosts"]["r1"]["jump"] == [
        {"address": "192.0.2.254", "username": "ops", "use_agent": True}
    ]
    loaded = build_inventory(converted, tmp_path / "converted.yaml")
    assert loaded.hosts == load_any(inventory, Vault("vault-pw")).hosts
