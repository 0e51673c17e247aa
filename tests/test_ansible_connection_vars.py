"""An Ansible inventory's connection variables: each is read into netjob's keys (jump,
key_file, timeouts, host_key_checking, enable), or refused before anything connects,
naming file, key and value; never dropped. The README lists every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.base.errors import LoadError
from runner.base.models import Host, JumpHost
from runner.cli import main
from runner.load.inventories import load_any

ROOT = Path(__file__).resolve().parent.parent


def _host(tmp_path: Path, variables: str) -> Host:
    path = tmp_path / "inventory.yml"
    body = "".join(f"      {line}\n" for line in variables.splitlines())
    path.write_text(f"all:\n  hosts:\n    h:\n      ansible_host: 192.0.2.7\n{body}")
    return load_any(path).hosts["h"]


@pytest.mark.parametrize(
    ("args", "jump"),
    [
        (
            "-o ProxyJump=netops@192.0.2.1:2222",
            (JumpHost(address="192.0.2.1", port=2222, username="netops", use_agent=True),),
        ),
        (
            "-J 192.0.2.1,192.0.2.2",
            (
                JumpHost(address="192.0.2.1", use_agent=True),
                JumpHost(address="192.0.2.2", use_agent=True),
            ),
        ),
        ('-o "ProxyJump 192.0.2.1"', (JumpHost(address="192.0.2.1", use_agent=True),)),
        (
            '-o ProxyCommand="ssh -W %h:%p -q -i ~/.ssh/bastion -p 2200 ops@192.0.2.1"',
            (
                JumpHost(
                    address="192.0.2.1",
                    port=2200,
                    username="ops",
                    key_file="~/.ssh/bastion",
                    use_agent=True,
                ),
            ),
        ),
    ],
)
def test_a_bastion_in_ssh_common_args_is_the_hosts_jump(
    tmp_path: Path, args: str, jump: tuple[JumpHost, ...]
) -> None:
    host = _host(tmp_path, f"ansible_ssh_common_args: '{args}'")
    assert host.connection.jump == jump


def test_ssh_extra_args_and_the_connection_variables_map_to_netjobs_keys(tmp_path: Path) -> None:
    host = _host(
        tmp_path,
        "ansible_ssh_extra_args: -F ssh.cfg -o UserKnownHostsFile=known -o ControlPersist=60s\n"
        "ansible_ssh_private_key_file: ~/.ssh/netops\n"
        "ansible_ssh_private_key_passphrase: \"{{ lookup('env', 'KEY_PASS') }}\"\n"
        "ansible_connect_timeout: 20\n"
        "ansible_command_timeout: '90'\n"
        "ansible_host_key_checking: false\n"
        "ansible_become: true\n"
        "ansible_become_method: enable\n"
        "ansible_become_password: en\n",
    )
    options = host.connection
    assert (options.ssh_config, options.known_hosts, options.key_file) == (
        "ssh.cfg",
        "known",
        "~/.ssh/netops",
    )
    assert options.passphrase_env == "KEY_PASS"
    assert (options.conn_timeout, options.auth_timeout, options.read_timeout) == (20, 20, 90)
    assert options.host_key_checking == "off"
    assert host.secret == "en"


@pytest.mark.parametrize(
    ("variables", "checking"),
    [
        ("ansible_host_key_checking: true", "strict"),
        ("ansible_ssh_common_args: -o StrictHostKeyChecking=accept-new", "accept-new"),
        ("ansible_host_key_checking: yes\nansible_host_key_auto_add: true", "accept-new"),
        ("ansible_host_key_checking: 'False'\nansible_host_key_auto_add: true", "off"),
    ],
)
def test_host_key_checking_as_ansible_says_it(
    tmp_path: Path, variables: str, checking: str
) -> None:
    assert _host(tmp_path, variables).connection.host_key_checking == checking


def test_become_false_means_no_enable_mode(tmp_path: Path) -> None:
    host = _host(tmp_path, "ansible_become: false\nansible_become_password: en")
    assert host.secret is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            "ansible_ssh_common_args: -o ProxyJmup=192.0.2.1",
            "inventory.yml:5: all.hosts.h.ansible_ssh_common_args: netjob cannot honour the "
            "ssh option '-o ProxyJmup=192.0.2.1'; did you mean ProxyJump?",
        ),
        (
            "ansible_ssh_common_args: -o ServerAliveInterval=30",
            "'-o ServerAliveInterval=30'; netjob sends no SSH keepalives",
        ),
        (
            "ansible_ssh_extra_args: -o KexAlgorithms=+diffie-hellman-group1-sha1",
            "netjob cannot honour the ssh option '-o KexAlgorithms=+diffie-hellman-group1-sha1'",
        ),
        ("ansible_ssh_common_args: -4", "netjob cannot honour the ssh option '-4'"),
        ("ansible_ssh_common_args: -p2222", "'-p2222'; set ansible_port instead"),
        (
            "ansible_ssh_common_args: -F ssh.cfg -J bastion",
            "netjob does not look bastions up in an ssh_config",
        ),
        (
            "ansible_ssh_common_args: -o ProxyCommand='ssh -W %h:%p %r@192.0.2.1'",
            "netjob does not expand ssh's % tokens for the bastion",
        ),
        (
            "ansible_ssh_common_args: -o ProxyCommand='nc -X 5 -x proxy:1080 %h %p'",
            "netjob reads ProxyCommand 'ssh -W %h:%p",
        ),
        (
            "ansible_ssh_common_args: -o StrictHostKeyChecking=ask",
            "'-o StrictHostKeyChecking=ask': netjob never prompts",
        ),
        (
            "ansible_ssh_commom_args: -J 192.0.2.1",
            "inventory.yml:5: all.hosts.h.ansible_ssh_commom_args: netjob does not read this "
            "Ansible variable and cannot honour it; did you mean ansible_ssh_common_args?",
        ),
        ("ansible_ssh_retries: 3", "ansible_ssh_retries: netjob cannot honour it; use --retries"),
        ("ansible_ssh_retires: 3", "did you mean ansible_ssh_retries?"),
        ("ansible_become_method: sudo", "ansible_become_method 'sudo': netjob enters enable"),
        ("ansible_connection: netconf", "ansible_connection 'netconf': netjob connects over"),
        ("ansible_ssh_private_key_passphrase: pw", "passphrase from the environment only"),
        (
            "ansible_host_key_checking: false\n"
            "ansible_ssh_common_args: -o StrictHostKeyChecking=yes",
            "set host_key_checking to different values; keep one",
        ),
        ("ansible_command_timeout: soon", "expected a number of seconds from 1 to 86400"),
    ],
)
def test_what_netjob_cannot_honour_is_refused_naming_it(
    tmp_path: Path, variables: str, message: str
) -> None:
    with pytest.raises(LoadError) as caught:
        _host(tmp_path, variables)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unhonoured_option_is_exit_2_in_one_line_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        "all:\n  vars:\n    ansible_ssh_common_args: -o ForwardAgent=yes\n"
        "  hosts:\n    h: {ansible_host: 192.0.2.7}\n"
    )
    job = tmp_path / "job.yaml"
    job.write_text("tasks:\n  - show: show clock\n")
    assert main(["run", str(job), "-i", str(inventory), "--reports", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "inventory.yml:3: all.vars.ansible_ssh_common_args: netjob cannot honour" in err
    assert "'-o ForwardAgent=yes'" in err
    assert not (tmp_path / "r").exists()


def test_env_lookup_by_its_full_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGS", "-J 192.0.2.9")
    found = _host(
        tmp_path,
        "ansible_password: \"{{ lookup('ansible.builtin.env', 'DEVICE_PW') }}\"\n"
        "ansible_ssh_common_args: \"{{ lookup('ansible.builtin.env', 'ARGS') }}\"",
    )
    assert found.password_env == "DEVICE_PW" and found.password is None
    assert found.connection.jump == (JumpHost(address="192.0.2.9", use_agent=True),)


def test_readme_says_what_netjob_does_with_each_ansible_variable() -> None:
    from runner.load import ansible_connection

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Ansible's variables") :]
    section = section[: section.index("\n## ")]
    listed = set(re.findall(r"`(ansible_\w+)`", section))
    missing = set(ansible_connection.KNOWN) - listed
    assert not missing, f"README's Ansible section does not list {sorted(missing)}"
