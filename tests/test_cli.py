from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NoReturn

import pytest
from fixture_types import Write
from typer.testing import CliRunner, Result

from runner import __version__
from runner.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), env=env or {}, catch_exceptions=False)


def test_version() -> None:
    result = _invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"netjob {__version__}"


def test_the_package_version_is_the_distributions() -> None:
    import tomllib

    pyproject = tomllib.loads(
        (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    )
    assert pyproject["project"]["version"] == __version__


def test_every_command_is_documented_in_the_readme_with_an_example_in_its_help() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    assert {"run", "plan", "hosts", "lab"} <= set(commands)
    for name in commands:
        assert f"netjob {name}" in readme, f"`netjob {name}` is not in the README"
        help_text = " ".join(_invoke(name, "--help").output.split())
        assert "Example: netjob" in help_text, f"`netjob {name} --help` has no example"


def test_readme_options_exist_in_the_cli() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [["run"], ["cmd"], ["plan"], ["hosts"], ["lab"], ["diff"], ["history"]]
    commands += [["platforms"], ["inventory", "convert"]]
    help_text = "".join(_invoke(*c, "--help").output for c in commands)
    for option in set(re.findall(r"`(--[a-z-]+)", readme)) - {"--version", "--help", "--json"}:
        assert option in help_text, f"README mentions {option}, the CLI has no such option"


def test_plan_prints_every_hosts_commands(inventory_file: Path, write: Write) -> None:
    job = write(
        "j.yaml",
        "tasks:\n  - config: ['ntp server {{ ntp }}', 'logging host {{ host.address }}']\n",
    )
    result = _invoke("plan", str(job), "-i", str(inventory_file), "-e", "ntp=192.0.2.5")
    assert result.exit_code == 0
    for address in ("192.0.2.11", "192.0.2.12", "192.0.2.13"):
        assert f"logging host {address}" in result.output
    assert result.output.count("ntp server 192.0.2.5") == 3


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({"j.yaml": "tasks: [\n"}, ["plan", "{j.yaml}"], r"j.yaml:2: invalid YAML"),
        (
            {"j.yaml": "tasks:\n  - shwo: x\n"},
            ["plan", "{j.yaml}"],
            r"j.yaml:2: tasks\[0\].shwo: unknown key",
        ),
        (
            {"j.yaml": "tasks:\n  - show: '{{ nope }}'\n"},
            ["plan", "{j.yaml}"],
            r"undefined variable 'nope'",
        ),
        (
            {"j.yaml": "tasks:\n  - show: x\n"},
            ["plan", "{j.yaml}", "--limit", "nosuch"],
            r"unknown host or group 'nosuch'",
        ),
        (
            {"j.yaml": "tasks:\n  - show: x\n"},
            ["run", "{j.yaml}"],
            r"TEST_PASSWORD, which is not set",
        ),
        (
            {"j.yaml": "tasks:\n  - show: x\n"},
            ["plan", "{j.yaml}", "-e", "oops"],
            r"expected key=value or @file",
        ),
        ({}, ["plan", "missing.yaml"], r"missing.yaml: cannot read"),
        ({}, ["hosts", "--limit", "r9"], r"unknown host or group 'r9'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(
    write: Write, inventory_file: Path, files: dict[str, str], args: list[str], message: str
) -> None:
    paths = {name: str(write(name, text)) for name, text in files.items()}
    argv = [paths["j.yaml"] if a == "{j.yaml}" else a for a in args]
    result = runner.invoke(app, [*argv, "-i", str(inventory_file)], env={})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("netjob: error: ")
    assert re.search(message, lines[0]), lines[0]


def test_hosts_shows_merged_variables_as_json(inventory_file: Path) -> None:
    result = _invoke("hosts", "-i", str(inventory_file), "--limit", "core", "--json")
    data = json.loads(result.output)
    assert [h["name"] for h in data] == ["r1", "r2"]
    assert data[1]["vars"]["role"] == "edge" and data[1]["password"] == "$TEST_PASSWORD"


def test_the_readme_job_examples_load_and_plan(tmp_path: Path, inventory_file: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    jobs = [b for b in blocks if b.startswith(("tasks:", "name:"))]
    assert len(jobs) >= 2
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "uplink_description.j2").write_text("interface {{ uplink }}\n")
    for n, text in enumerate(jobs):
        job = tmp_path / f"readme{n}.yaml"
        job.write_text(text)
        result = _invoke("plan", str(job), "-i", str(inventory_file), "-e", "ntp_server=192.0.2.1")
        assert result.exit_code == 0, (text, result.output)


def test_run_uses_one_process_per_cpu_unless_told(
    inventory_file: Path,
    write: Write,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import runner.run
    from runner import core
    from runner.base.errors import NetjobError

    chosen: list[int] = []

    def fake_run(selection: object, options: core.RunOptions, **kwargs: object) -> NoReturn:
        chosen.append(options.processes)
        raise NetjobError("stop here")

    monkeypatch.setattr(core, "run", fake_run)
    monkeypatch.setattr(runner.run, "processes_for_this_machine", lambda: 6)
    job = write("j.yaml", "tasks:\n  - show: show version\n")
    for flags, expected in (((), 6), (("--processes", "3"), 3), (("-P", "1"), 1)):
        _invoke("run", str(job), "-i", str(inventory_file), *flags)
        assert chosen[-1] == expected


def test_the_default_process_count_follows_the_cpus_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CPUs this process may use (a container's share), not the machine's count, at
    most 8: a cpuset of 1, 4 and 16 CPUs gives 1, 4 and 8 worker processes."""
    import os

    from runner.run import runners

    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # the host's count: never the answer
    for allowed, expected in ((1, 1), (4, 4), (16, 8)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, n=allowed: set(range(n)))
        assert runners.processes_for_this_machine() == expected


def test_netjob_lab_help_names_every_fault_the_lab_knows() -> None:
    from netjob_lab.faults import FAULT_NAMES

    result = _invoke("lab", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    missing = [name for name in FAULT_NAMES if name not in text]
    assert not missing, f"netjob lab --help does not name: {missing}"


@pytest.mark.parametrize("command", ["run", "cmd", "lab", "cluster local"])
def test_number_options_read_n_and_seconds_in_help(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = result.output
    assert "range>" not in text  # typer's own `<int range>`, `<float range>`
    assert re.search(r"--(workers|devices)\b.* <N>", text)
    if command in ("run", "cmd"):
        assert "--host-timeout <SECONDS>" in text
        assert "--retries <N>" in text
        assert "--timeout <SECONDS>" in text
