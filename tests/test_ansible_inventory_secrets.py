"""Ansible inventories as they are, through the CLI against the lab: passwords from
`{{ lookup('env', ...) }}`, `!vault |` values decrypted by ansible-core's own VaultLib
(--vault-password-file, --ask-vault-pass), and messages that name Ansible's keys."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from runner.cli import main

pytestmark = pytest.mark.lab

JOB = "tasks:\n  - show: show clock\n"
ENV_PASSWORD = "\"{{ lookup('env', 'ANSIBLE_LAB_PW') }}\""


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=1) as lab:
        yield lab


def _inventory(tmp_path: Path, lab: Lab, password: str) -> Path:
    endpoint = lab.endpoints[0]
    path = tmp_path / "hosts.yml"
    path.write_text(
        "all:\n"
        "  vars:\n"
        "    ansible_user: netjob\n"
        "    ansible_network_os: cisco.ios.ios\n"
        f"    ansible_password: {password}\n"
        "  hosts:\n"
        f"    r001: {{ansible_host: 127.0.0.1, ansible_port: {endpoint.port}}}\n"
    )
    return path


def _run(tmp_path: Path, inventory: Path, *extra: str) -> int:
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    reports = str(tmp_path / "reports")
    return main(["run", str(job), "-i", str(inventory), "--reports", reports, "-q", *extra])


def _vaulted(text: str, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret

    cipher = VaultLib([("default", VaultSecret(password.encode()))]).encrypt(text).decode()
    return "!vault |\n" + textwrap.indent(cipher, " " * 6)


@pytest.mark.sessions
def test_env_lookup_password_is_read_from_the_environment_when_connecting(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = _inventory(tmp_path, lab, ENV_PASSWORD)
    monkeypatch.setenv("ANSIBLE_LAB_PW", "lab-password")
    assert _run(tmp_path, inventory) == 0
    assert main(["hosts", "-i", str(inventory), "--output", "json"]) == 0
    assert "lab-password" not in capsys.readouterr().out  # never held in the inventory


def test_env_lookup_of_an_unset_variable_names_ansible_password(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANSIBLE_LAB_PW", raising=False)
    assert _run(tmp_path, _inventory(tmp_path, lab, ENV_PASSWORD)) == 2
    err = capsys.readouterr().err
    assert "ansible_password is lookup('env', 'ANSIBLE_LAB_PW'), and $ANSIBLE_LAB_PW" in err


def test_a_host_without_a_password_names_ansible_password_not_password_env(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = _inventory(tmp_path, lab, "null")
    assert _run(tmp_path, inventory) == 2
    err = capsys.readouterr().err
    assert "no password; set ansible_password" in err and "password_env" not in err


@pytest.mark.sessions
def test_vaulted_password_is_decrypted_with_the_vault_password_file(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    import ansible.parsing.vault  # noqa: F401  (the netjob[ansible] extra: .ci/run installs it)

    inventory = _inventory(tmp_path, lab, _vaulted("lab-password", "vault-pw"))
    password_file = tmp_path / "vault_pass"
    password_file.write_text("vault-pw\n")
    assert _run(tmp_path, inventory, "--vault-password-file", str(password_file)) == 0

    assert _run(tmp_path, inventory) == 2  # no vault password given
    assert "run with --vault-password-file FILE or --ask-vault-pass" in capsys.readouterr().err
    password_file.write_text("wrong\n")
    assert _run(tmp_path, inventory, "--vault-password-file", str(password_file)) == 2
    err = capsys.readouterr().err
    assert "hosts.yml:5: all.vars.ansible_password: cannot decrypt this !vault value" in err


@pytest.mark.sessions
def test_ask_vault_pass_prompts_as_ansible_does(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ansible.parsing.vault  # noqa: F401  (the netjob[ansible] extra: .ci/run installs it)

    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "vault-pw"

    monkeypatch.setattr("getpass.getpass", getpass)
    inventory = _inventory(tmp_path, lab, _vaulted("lab-password", "vault-pw"))
    assert _run(tmp_path, inventory, "--ask-vault-pass") == 0
    assert prompts[-1] == "Vault password: "


def test_without_ansible_core_a_vault_value_says_what_to_install(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cipher = "!vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      3031\n"
    monkeypatch.setitem(sys.modules, "ansible.parsing.vault", None)  # import fails
    assert _run(tmp_path, _inventory(tmp_path, lab, cipher)) == 2
    err = capsys.readouterr().err
    assert "decrypting it needs ansible-core: pip install 'netjob[ansible]'" in err
    assert err.count("\n") == 1


def test_a_vaulted_password_is_said_to_come_from_ansible_vault(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    import ansible.parsing.vault  # noqa: F401  (the netjob[ansible] extra: .ci/run installs it)

    inventory = _inventory(tmp_path, lab, _vaulted("not-the-password", "vault-pw"))
    password_file = tmp_path / "vault_pass"
    password_file.write_text("vault-pw\n")
    vault = ("--vault-password-file", str(password_file))
    capsys.readouterr()
    assert main(["hosts", "-i", str(inventory), "--output", "json", *vault]) == 0
    (host,) = json.loads(capsys.readouterr().out)
    assert host["password"] == "(from Ansible Vault)"
    assert _run(tmp_path, inventory, *vault, "--retries", "0") == 1
    out = capsys.readouterr().out
    assert "check the username (netjob) and the password (from Ansible Vault)" in out


def test_a_refused_login_names_where_the_password_came_from(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANSIBLE_LAB_PW", "not-the-password")
    assert _run(tmp_path, _inventory(tmp_path, lab, ENV_PASSWORD), "--retries", "0") == 1
    out = capsys.readouterr().out
    assert "check the username (netjob) and the password (from $ANSIBLE_LAB_PW)" in out
