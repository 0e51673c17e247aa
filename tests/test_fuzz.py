"""Property-based: broken inventories, job files and command-line values always get exit 2
and one line that names the problem; never a traceback, never an uncaught exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.cli import main

GOOD_JOB: dict[str, Any] = {
    "name": "j",
    "hosts": "all",
    "vars": {"a": 1},
    "tasks": [{"name": "t", "show": "show version"}, {"name": "c", "config": ["x {{ a }}"]}],
}
GOOD_INVENTORY: dict[str, Any] = {
    "defaults": {"platform": "cisco_ios", "username": "u", "password_env": "FUZZ_PW"},
    "groups": {"g": {"vars": {"v": 1}}},
    "hosts": {"r1": {"address": "192.0.2.1", "port": 22, "groups": ["g"]}},
}
SETTINGS = settings(
    max_examples=130, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any) -> list[tuple[Any, ...]]:
    """Every key path in nested dicts/lists."""
    found: list[tuple[Any, ...]] = [()]
    if isinstance(data, dict):
        for key, value in data.items():
            found += [(key, *p) for p in _paths(value)]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += [(index, *p) for p in _paths(value)]
    return found


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(yaml.safe_dump(base))
    path = draw(st.sampled_from(_paths(data)[1:]))
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    if draw(st.booleans()):
        holder[path[-1]] = draw(values)  # a wrong type or value
    elif isinstance(holder, dict):
        holder[draw(st.text(min_size=1, max_size=8))] = draw(values)  # an unknown key, maybe
    else:
        holder.append(draw(values))
    return data


def _check(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        return
    assert code == 2, (argv, code, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("netjob: error: "), err
    assert len(lines[0]) > len("netjob: error: ") + 10


@SETTINGS
@given(job=mutated(GOOD_JOB))
def test_mutated_job_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], job: Any) -> None:
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(GOOD_INVENTORY))
    (tmp_path / "job.yaml").write_text(yaml.safe_dump(job))
    _check(capsys, ["plan", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "inv.yaml")])


@SETTINGS
@given(inventory=mutated(GOOD_INVENTORY))
def test_mutated_inventories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inventory: Any
) -> None:
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "job.yaml").write_text(yaml.safe_dump(GOOD_JOB))
    _check(capsys, ["plan", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "inv.yaml")])


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*!|>'\"#%@\t1")), max_size=60))
def test_garbage_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(GOOD_INVENTORY))
    (tmp_path / "job.yaml").write_text(text)
    _check(capsys, ["plan", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "inv.yaml")])


@SETTINGS
@given(
    option=st.sampled_from(
        [
            "--limit",
            "-e",
            "--workers",
            "--serial",
            "--max-fail",
            "--host-timeout",
            "--retries",
            "--max-logins",
        ]
    ),
    value=st.text(max_size=15),
)
def test_command_line_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(GOOD_INVENTORY))
    (tmp_path / "job.yaml").write_text(yaml.safe_dump(GOOD_JOB))
    # FUZZ_PW is unset, so a run that gets past its options stops at exit 2 before connecting.
    _check(
        capsys,
        [
            "run",
            str(tmp_path / "job.yaml"),
            "-i",
            str(tmp_path / "inv.yaml"),
            "--reports",
            str(tmp_path / "r"),
            option,
            value,
        ],
    )
