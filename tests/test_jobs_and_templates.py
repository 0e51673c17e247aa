from __future__ import annotations

from pathlib import Path

import pytest
from fixture_types import Write

from runner import core
from runner.base.errors import LoadError, TemplateError
from runner.base.models import TaskKind
from runner.load.job import load_job

JOB = """\
name: ntp
hosts: core
vars: {prefix: uplink}
tasks:
  - name: ntp
    config: ["ntp server {{ ntp_server }}"]
    save_config: true
  - name: desc
    template: desc.j2
  - name: verify
    show: ["show run | include ntp", "show int {{ uplink }}"]
"""


@pytest.fixture
def job_file(write: Write) -> Path:
    write("desc.j2", "interface {{ uplink }}\n description {{ prefix }} {{ host.name }}\n!\n")
    return write("job.yaml", JOB)


def test_job_file_loads_tasks_in_order(job_file: Path) -> None:
    job = load_job(job_file)
    assert [t.kind for t in job.tasks] == [TaskKind.CONFIG, TaskKind.TEMPLATE, TaskKind.SHOW]
    assert job.tasks[0].save_config and job.hosts == "core"


def test_every_step_of_every_host_renders_with_precedence(
    job_file: Path, inventory_file: Path
) -> None:
    selection = core.select(job_file, inventory_file, None, ["ntp_server=192.0.2.10"])
    items = core.plan(selection)
    assert [i.host.name for i in items] == ["r1", "r2"]
    r2 = {s.task: s.commands for s in items[1].steps}
    assert r2["ntp"] == ("ntp server 192.0.2.10",)
    assert r2["desc"] == ("interface Gi0/1", " description uplink r2")  # `!` line dropped
    assert r2["verify"] == ("show run | include ntp", "show int Gi0/1")


def test_extra_vars_beat_job_vars_which_beat_inventory(
    job_file: Path, inventory_file: Path, write: Write
) -> None:
    vars_file = write("v.yaml", "uplink: Gi9/9\n")
    items = core.plan(
        core.select(job_file, inventory_file, "r1", ["ntp_server=x", "prefix=P", f"@{vars_file}"])
    )
    assert items[0].steps[1].commands == ("interface Gi9/9", " description P r1")


def test_undefined_variable_names_job_task_host_and_variable(
    job_file: Path, inventory_file: Path
) -> None:
    with pytest.raises(TemplateError) as info:
        core.plan(core.select(job_file, inventory_file))
    message = str(info.value)
    for part in ("job.yaml", "task 'ntp'", "host r1", "undefined variable 'ntp_server'", "-e"):
        assert part in message


def test_template_sandbox_blocks_python_internals(write: Write, inventory_file: Path) -> None:
    job = write("j.yaml", "tasks:\n  - show: \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"\n")
    with pytest.raises(TemplateError, match=r"r1: .*(sandbox|unsafe|undefined)"):
        core.plan(core.select(job, inventory_file))


def test_template_syntax_error_names_the_task(write: Write, inventory_file: Path) -> None:
    job = write("j.yaml", "tasks:\n  - name: broken\n    show: 'show {{ x '\n")
    with pytest.raises(TemplateError, match=r"task 'broken': template syntax error"):
        core.plan(core.select(job, inventory_file))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tasks:\n  - show: x\n    raed_timeout: 5\n",
            r"j.yaml:3: tasks\[0\].raed_timeout: unknown key; did you mean 'read_timeout'",
        ),
        ("tasks:\n  - name: a\n", r"j.yaml:2: tasks\[0\]: a task needs exactly one of show:"),
        ("tasks:\n  - show: x\n    config: y\n", r"exactly one of .*found show, config"),
        ("tasks: []\n", r"j.yaml:1: tasks: expected a list with at least one task"),
        ("name: x\n", r"missing required key 'tasks'"),
        (
            "tasks:\n  - show: x\n    read_timeout: soon\n",
            r"j.yaml:3: tasks\[0\].read_timeout: expected a number",
        ),
        (
            "tasks:\n  - show: x\n    save_config: true\n",
            r"save_config: applies to config and template tasks only",
        ),
        ("tasks:\n  - template: missing.j2\n", r"template file missing.j2 not found"),
        ("tasks:\n  - show: [x\n", r"j.yaml:3: invalid YAML"),
        (
            "hostz: all\ntasks:\n  - show: x\n",
            r"j.yaml:1: hostz: unknown key; did you mean 'hosts'",
        ),
        ("tasks:\n  - {name: a, show: x}\n  - {name: a, show: y}\n", r"two tasks are named 'a'"),
    ],
)
def test_bad_job_files_name_file_line_and_key(write: Write, text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        load_job(write("j.yaml", text))


def test_every_shipped_playbook_loads_and_plans() -> None:
    root = Path(__file__).resolve().parent.parent
    for path in sorted((root / "playbooks").glob("*.yaml")):
        selection = core.select(path, root / "inventory.yaml", None, ["ntp_server=192.0.2.10"])
        items = core.plan(selection)
        assert items and all(s.commands or s.sources for i in items for s in i.steps), path


def test_renamed_task_keys_work_for_one_release_with_a_note(
    write: Write, inventory_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`save:` is now `save_config:` and `save_as:` is now `register:` (outputs read as
    `registered.NAME`): a job written with the old names runs the same, and says so."""
    job = write(
        "old.yaml",
        "hosts: core\ntasks:\n"
        "  - name: ntp\n    config: ['ntp server 192.0.2.1']\n    save: true\n"
        "  - name: before\n    show: show run | include ntp\n    save_as: ntp_now\n"
        '  - name: after\n    show: "show ip {{ saved.ntp_now }}"\n',
    )
    with caplog.at_level("WARNING", logger="runner.notes"):
        selection = core.select(job, [inventory_file])
        items = core.plan(selection)
    tasks = selection.job.tasks
    assert tasks[0].save_config and tasks[1].register == "ntp_now"
    assert all(item.steps[0].save_config for item in items)
    notes = [r.getMessage() for r in caplog.records]
    assert any("old.yaml:5: `save:` is now `save_config:`" in n for n in notes), notes
    assert any("old.yaml:8: `save_as:` is now `register:`" in n for n in notes), notes
    assert any("`saved.` is now `registered.`" in n for n in notes), notes


def test_an_old_name_in_when_gets_its_note_too(
    write: Write, inventory_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    job = write(
        "when.yaml",
        "hosts: core\ntasks:\n"
        "  - name: before\n    show: show run | include ntp\n    register: ntp_now\n"
        "  - name: add\n    when: \"'ntp' not in saved.ntp_now\"\n"
        "    config: ['ntp server 192.0.2.1']\n",
    )
    with caplog.at_level("WARNING", logger="runner.notes"):
        core.plan(core.select(job, [inventory_file]))
    notes = [r.getMessage() for r in caplog.records]
    assert any("task 'add': `saved.` is now `registered.`" in n for n in notes), notes


def test_a_task_with_an_old_and_a_new_key_name_is_refused(write: Write) -> None:
    job = write(
        "both.yaml",
        "tasks:\n  - config: [x]\n    save: true\n    save_config: true\n",
    )
    with pytest.raises(
        LoadError, match=r"both.yaml:3: tasks\[0\].save: the old name of save_config:"
    ):
        load_job(job)
