"""Exceptions carry their context as attributes (httpx's rule): an InputError its file,
line and key path; a TemplateError its host and task; a DeviceError its host. The message
people read (`str(exc)`) is the same as before."""

from __future__ import annotations

import pickle
import socket
from pathlib import Path

import pytest
from fixture_types import Write

from runner import core
from runner.base.errors import (
    DeviceError,
    InputError,
    JumpFailedError,
    LoadError,
    SelectionError,
    TemplateError,
    UnreachableError,
)
from runner.base.models import Credentials, Host
from runner.device.connection import NetmikoConnection
from runner.device.exception_map import naming
from runner.device.lease import Lease
from runner.load.inventories import load_any
from runner.load.inventory import load_inventory
from runner.load.job import load_job

BAD_TYPE_JOB = """\
name: x
hosts: all
tasks:
  - name: clock
    show: ["show clock"]
    read_timeout: soon
"""


def test_a_wrong_type_in_a_job_names_file_line_and_key(write: Write) -> None:
    job = write("job.yaml", BAD_TYPE_JOB)
    with pytest.raises(LoadError) as info:
        load_job(job)
    error = info.value
    assert (error.path, error.line, error.key) == (job, 6, "tasks[0].read_timeout")
    assert str(error) == (
        f"{job}:6: tasks[0].read_timeout: expected a number from 0.1 to 86400, got 'soon'"
    )


def test_an_unknown_key_in_a_job_names_its_line_and_key(write: Write) -> None:
    job = write("job.yaml", "tasks:\n  - show: x\n    raed_timeout: 5\n")
    with pytest.raises(LoadError) as info:
        load_job(job)
    assert (info.value.path, info.value.line, info.value.key) == (
        job,
        3,
        "tasks[0].raed_timeout",
    )
    assert "did you mean 'read_timeout'?" in str(info.value)


def test_a_wrong_type_in_an_inventory_names_file_line_and_key(write: Write) -> None:
    inventory = write("inv.yaml", "hosts:\n  r1:\n    address: 192.0.2.1\n    port: many\n")
    for load in (load_inventory, load_any):
        with pytest.raises(LoadError) as info:
            load(inventory)
        error = info.value
        assert (error.path, error.line, error.key) == (inventory, 4, "hosts.r1.port")
        assert str(error).startswith(f"{inventory}:4: hosts.r1.port: expected a whole number")


def test_an_ansible_inventory_error_names_its_file_and_key(write: Write) -> None:
    inventory = write(
        "hosts.yml",
        "all:\n  hosts:\n    r1:\n      ansible_host: 192.0.2.1\n      ansible_port: many\n",
    )
    with pytest.raises(LoadError) as info:
        load_any(inventory)
    error = info.value
    assert error.path == inventory and error.line == 5
    assert error.key is not None and error.key.endswith("ansible_port")


def test_invalid_yaml_names_file_and_line_but_no_key(write: Write) -> None:
    broken = write("inv.yaml", "hosts:\n  r1: {address: [1\n")
    with pytest.raises(LoadError) as info:
        load_any(broken)
    error = info.value
    assert (error.path, error.line, error.key) == (broken, 3, None)
    assert str(error).startswith(f"{broken}:3: invalid YAML:")


def test_an_unreadable_file_names_only_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.yaml"
    with pytest.raises(LoadError) as info:
        load_job(missing)
    assert (info.value.path, info.value.line, info.value.key) == (missing, None, None)


def test_a_host_list_file_that_names_no_host_is_named(write: Write, inventory_file: Path) -> None:
    empty = write("retry.txt", "# nothing\n")
    with pytest.raises(SelectionError) as info:
        load_inventory(inventory_file).select(f"@{empty}")
    assert info.value.path == empty and "names no host" in str(info.value)


def test_input_errors_without_context_have_none() -> None:
    error = InputError("bad")
    assert (error.path, error.line, error.key, str(error)) == (None, None, None, "bad")


def test_an_undefined_variable_names_host_and_task(write: Write, inventory_file: Path) -> None:
    job = write("job.yaml", "hosts: core\ntasks:\n  - name: ntp\n    config: ['ntp {{ nope }}']\n")
    with pytest.raises(TemplateError) as info:
        core.plan(core.select(job, inventory_file))
    error = info.value
    assert (error.host, error.task, error.path, error.line) == ("r1", "ntp", job, 3)
    assert f"job {job}, task 'ntp', host r1: undefined variable 'nope'" in str(error)


def test_an_error_in_a_template_file_names_that_file(write: Write, inventory_file: Path) -> None:
    template = write("desc.j2", "interface Gi0/1\n description {{ missing }}\n")
    job = write("job.yaml", "hosts: r2\ntasks:\n  - name: desc\n    template: desc.j2\n")
    with pytest.raises(TemplateError) as info:
        core.plan(core.select(job, inventory_file))
    error = info.value
    assert (error.host, error.task, error.path, error.line) == ("r2", "desc", template, None)


def test_a_syntax_error_names_the_task_and_its_line_before_any_host(
    write: Write, inventory_file: Path
) -> None:
    job = write("j.yaml", "tasks:\n  - name: broken\n    show: 'show {{ x '\n")
    with pytest.raises(TemplateError) as info:
        core.plan(core.select(job, inventory_file))
    error = info.value
    assert (error.task, error.host, error.path, error.line) == ("broken", None, job, 2)


def test_a_syntax_error_in_a_template_file_names_its_line(
    write: Write, inventory_file: Path
) -> None:
    template = write("desc.j2", "interface Gi0/1\n description {{ x \n")
    job = write("job.yaml", "tasks:\n  - name: desc\n    template: desc.j2\n")
    with pytest.raises(TemplateError) as info:
        core.plan(core.select(job, inventory_file))
    error = info.value
    assert (error.task, error.path, error.line) == ("desc", template, 2)


def test_context_survives_pickling() -> None:
    """Errors cross process and cluster boundaries."""
    load = pickle.loads(pickle.dumps(LoadError("m", path=Path("j.yaml"), line=3, key="k")))
    assert (str(load), load.path, load.line, load.key) == ("m", Path("j.yaml"), 3, "k")
    template = pickle.loads(pickle.dumps(TemplateError("m", host="r1", task="t")))
    assert (template.host, template.task) == ("r1", "t")
    device = pickle.loads(pickle.dumps(UnreachableError("m", host="r1", task="t")))
    assert (type(device), device.host, device.task) == (UnreachableError, "r1", "t")


def test_about_copies_and_never_changes_the_error_in_place() -> None:
    shared = JumpFailedError("bastion b1 cannot be reached", sent=())
    named = shared.about(host="r1")
    assert named is not shared and shared.host is None
    assert (type(named), str(named), named.hint, named.sent) == (
        JumpFailedError,
        str(shared),
        shared.hint,
        (),
    )
    assert (named.host, named.task) == ("r1", None)
    assert named.about(host="r1") is named
    assert named.about(task="t").host == "r1"


def test_one_error_failing_many_hosts_names_each_of_them() -> None:
    """A bastion that is down fails every host behind it with one exception object."""
    shared = JumpFailedError("bastion b1 cannot be reached")
    seen: list[DeviceError] = []
    for name in ("r1", "r2"):
        with pytest.raises(DeviceError) as info, naming(Host(name=name, address="192.0.2.1")):
            raise shared
        seen.append(info.value)
    assert [e.host for e in seen] == ["r1", "r2"] and shared.host is None
    assert all(str(e) == str(shared) for e in seen)


def test_naming_leaves_other_exceptions_alone() -> None:
    with pytest.raises(ValueError), naming(Host(name="r1", address="192.0.2.1")):
        raise ValueError("not a device's")


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port: int = listener.getsockname()[1]
    return port


@pytest.mark.lab
def test_a_failed_login_names_its_host() -> None:
    host = Host(name="r9", address="127.0.0.1", port=_closed_port())
    with pytest.raises(DeviceError) as info:
        NetmikoConnection.open(host, Credentials("netjob", "x"), Lease())
    error = info.value
    assert error.failure.value == "unreachable" and error.host == "r9"
    assert "connection refused" in str(error)


def test_about_copies_even_where_tblib_reduces_exceptions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's workers install tblib's pickling support, after which copy.copy of an
    exception shares its __dict__ with the original: naming one host then renamed them all
    (the two tests above failed in the full suite, after the cluster tests)."""
    import copyreg

    from tblib import pickling_support

    monkeypatch.setitem(copyreg.dispatch_table, JumpFailedError, pickling_support.pickle_exception)
    shared = JumpFailedError("bastion b1 cannot be reached")
    named = [shared.about(host=name) for name in ("r1", "r2")]
    assert [n.host for n in named] == ["r1", "r2"] and shared.host is None
