"""A value never becomes a command (issue 21, item 1): a rendered value that brings a line
break or another control character is refused for its host before anything is sent, naming
the task, the variable and where it came from; multi-line text goes only where the job says
(`| multiline` in a config task). Through the real CLI against the lab, and the renderer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from lab_fixture import device_of, load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.base.errors import TemplateError
from runner.base.models import Host, Job, Task, TaskKind
from runner.cli import main
from runner.render.templating import compile_job, finish_step, render_steps

INJECTED = "Gi0/1\nconfigure terminal\nusername evil secret x\nend"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=2) as lab:
        yield lab


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


def _inventory(tmp_path: Path, lab: Lab, **host_vars: Any) -> Path:
    data = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))
    for name, value in host_vars.items():
        data["hosts"]["r001"].setdefault("vars", {})[name] = value
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _job(tmp_path: Path, body: str) -> Path:
    job = tmp_path / "probe.yaml"
    job.write_text(f"name: probe\ntasks:\n{body}")
    return job


SHOW = "  - name: interface\n    show: 'show interfaces {{ intf }}'\n"


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.lab
@pytest.mark.parametrize("check", [(), ("--check",)], ids=["run", "check"])
def test_a_line_break_from_extra_vars_is_refused_before_anything_is_sent(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str], check: tuple[str, ...]
) -> None:
    users = set(device_of(lab, "r001").config.users)
    code = run_cli(
        _job(tmp_path, SHOW),
        _inventory(tmp_path, lab),
        tmp_path / "reports",
        "-e",
        json.dumps({"intf": INJECTED}),
        *check,
    )
    assert code == 2
    line = _error_line(capsys)
    for part in ("task 'interface'", "host r001", "intf (from -e)", "a line break (\\n)"):
        assert part in line, line
    assert "evil" not in line  # the value itself is not echoed
    assert set(device_of(lab, "r001").config.users) == users
    assert "evil" not in device_of(lab, "r001").config.users
    assert not (tmp_path / "reports" / "probe").exists()  # nothing ran


@pytest.mark.lab
def test_plan_refuses_the_same_value_naming_an_inventory_variable(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = _inventory(tmp_path, lab, intf="Gi0/1\rreload")
    code = main(["plan", str(_job(tmp_path, SHOW)), "-i", str(inventory)])
    assert code == 2
    line = _error_line(capsys)
    for part in ("host r001", "intf (from the inventory)", "a carriage return (\\r)"):
        assert part in line, line


@pytest.mark.sessions
@pytest.mark.lab
def test_a_device_output_registered_by_one_task_cannot_add_commands_to_the_next(
    tmp_path: Path, lab: Lab
) -> None:
    """The value comes from the device, at run time: the host fails that step, unsent."""
    job = _job(
        tmp_path,
        "  - name: version\n    show: show version\n    register: ver\n"
        "  - name: echo\n    show: 'show interfaces {{ registered.ver }}'\n",
    )
    code = run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", "--limit", "r001")
    assert code == 1
    host = load_report(tmp_path / "reports", "probe")["hosts"]["r001"]
    echo = next(step for step in host["steps"] if step["task"] == "echo")
    assert echo["status"] == "failed" and echo["failure"] == "template_error", echo
    assert "registered.ver (from a device's output)" in echo["error"], echo["error"]
    assert echo["commands"] == [], echo  # nothing was sent


@pytest.mark.lab
def test_cmd_refuses_a_value_and_a_command_that_would_be_two_lines(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = str(_inventory(tmp_path, lab))
    reports = str(tmp_path / "reports")
    args = ["cmd", "show interfaces {{ intf }}", "-i", inventory, "--reports", reports]
    assert main([*args, "-e", json.dumps({"intf": INJECTED})]) == 2
    assert "intf (from -e)" in _error_line(capsys)
    assert main(["cmd", "show clock\nreload", "-i", inventory, "--reports", reports]) == 2
    assert "a line break" in _error_line(capsys)


# The renderer itself, over every character the issue names and a few more.
HOST = Host(name="r1", address="192.0.2.1", platform="cisco_ios")


def _render(kind: TaskKind, line: str, **values: Any) -> tuple[str, ...]:
    job = Job(name="j", path=Path("j.yaml"), tasks=(Task(name="t", kind=kind, lines=(line,)),))
    steps = render_steps(job, compile_job(job), HOST, values)
    return steps[0].commands


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\n", "a line break"),
        ("\r", "a carriage return"),
        ("\x00", "a NUL character"),
        ("\x1b", "an ESC character"),
        ("\x03", "a Ctrl-C character"),
        ("\x1a", "a Ctrl-Z character"),
        ("\u2028", "a Unicode line separator"),
        ("\u2029", "a Unicode paragraph separator"),
        ("\x0b", "a control character (U+000B)"),
        ("\x85", "a control character (U+0085)"),
        ("\t", "a tab"),
    ],
)
@pytest.mark.parametrize("kind", [TaskKind.SHOW, TaskKind.CONFIG, TaskKind.COMMAND])
def test_every_control_character_in_a_value_is_refused(
    char: str, named: str, kind: TaskKind
) -> None:
    with pytest.raises(TemplateError) as caught:
        _render(kind, "description {{ data.name }}", data={"name": f"x{char}y"})
    assert named in str(caught.value) and "data.name (from -e)" in str(caught.value)


def test_values_on_one_line_render_as_before_and_literal_lines_stay_the_authors() -> None:
    assert _render(TaskKind.SHOW, "show interfaces {{ intf }}", intf="Gi0/1") == (
        "show interfaces Gi0/1",
    )
    assert _render(TaskKind.CONFIG, "interface Lo1\n description {{ d }}", d="core") == (
        "interface Lo1",
        " description core",
    )
    # A loop in the template may make many lines: only values are checked.
    looped = "{% for v in vlans %}vlan {{ v }}\n{% endfor %}"
    assert _render(TaskKind.CONFIG, looped, vlans=[10, 20]) == ("vlan 10", "vlan 20")


def test_multiline_text_goes_only_into_config_tasks() -> None:
    banner = "banner motd ^C\n{{ text | multiline }}\n^C"
    lines = _render(TaskKind.CONFIG, banner, text="Authorised use only\r\nLogged")
    assert lines == ("banner motd ^C", "Authorised use only", "Logged", "^C")
    with pytest.raises(TemplateError, match=r"`\| multiline` is for config tasks"):
        _render(TaskKind.SHOW, "show {{ text | multiline }}", text="a\nb")
    with pytest.raises(TemplateError, match="an ESC character"):
        _render(TaskKind.CONFIG, banner, text="ok\n\x1b[2J")


def test_a_deferred_step_checks_registered_values_when_it_renders_on_the_device() -> None:
    job = Job(
        name="j",
        path=Path("j.yaml"),
        tasks=(Task(name="t", kind=TaskKind.SHOW, lines=("show interfaces {{ registered.x }}",)),),
    )
    (step,) = render_steps(job, compile_job(job), HOST, {})
    assert finish_step(step, {"x": "Gi0/1"}, HOST.platform) is not None
    with pytest.raises(TemplateError, match=r"registered\.x \(from a device's output\)"):
        finish_step(step, {"x": "Gi0/1\nreload"}, HOST.platform)


def test_a_line_break_made_by_a_filter_block_is_refused() -> None:
    """A `{% filter %}` block's output never passes the finalize hook: a filter that makes
    a line break out of a one-line value (wordwrap; striptags decoding `&#10;`) was two
    commands (a review found both)."""
    for template, value in [
        ("{% filter wordwrap(6) %}show {{ w }}{% endfilter %}", "Gi0/1 reload"),
        ("{% filter striptags %}show int {{ w }}{% endfilter %}", "Gi0/1&#10;conf t"),
    ]:
        with pytest.raises(TemplateError, match="a line break"):
            _render(TaskKind.SHOW, template, w=value)
    # A filter block over the author's own lines keeps them.
    own = "{% filter lower %}SHOW VERSION\nSHOW CLOCK {{ w }}{% endfilter %}"
    assert _render(TaskKind.SHOW, own, w="X") == ("show version", "show clock x")


def test_multiline_outside_a_config_line_is_refused() -> None:
    """`| multiline` in a show task's `loop:` made a MultiLine item that then passed the
    check in the command (a review found it)."""
    job = Job(
        name="j",
        path=Path("j.yaml"),
        tasks=(
            Task(
                name="t",
                kind=TaskKind.SHOW,
                lines=("show int {{ item }}",),
                loop="[intf | multiline]",
            ),
        ),
    )
    with pytest.raises(TemplateError, match="multiline"):
        render_steps(job, compile_job(job), HOST, {"intf": "Gi0/1\nconf t"})
