"""Hostile files and names through the real CLI, in a child process with a memory and a
time limit: a crash (SIGSEGV), a blow-up or a hang shows as a failed test, not a dead
test run. Each ends in exit 2 and one line naming the problem, or in data kept apart."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 1536 * 1024 * 1024  # address space: far above netjob's ~150 MB, far below a blow-up
SECONDS = 90  # a guard against a hang; each case takes a second or two
INVENTORY = """\
defaults: {platform: cisco_ios, username: u, password: p}
hosts:
  r1: {address: 127.0.0.1, port: 9}
"""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def netjob(
    cwd: Path, *args: str, python: str = sys.executable, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with limits; `prelude` runs first (to simulate a libyaml)."""
    code = f"import sys; {prelude}\nfrom runner.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [python, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_limited,
        check=False,
    )


def one_line_error(done: subprocess.CompletedProcess[str], *parts: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("netjob: error: "), done.stderr[-2000:]
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "inventory.yaml").write_text(INVENTORY)
    (tmp_path / "job.yaml").write_text("tasks:\n  - show: show version\n")
    return tmp_path


# 8. Expanded size and depth on every path ----------------------------------------------


def laughs(levels: int = 9) -> str:
    """731 bytes: 9 levels of 10 aliases (90 aliases, under the cap) make 10^9 nodes."""
    lines = ["x0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    head = "defaults:\n  platform: cisco_ios\n  username: u\n  password: p\n  vars:\n"
    return (
        head + "".join(f"    {line}\n" for line in lines) + INVENTORY[INVENTORY.index("hosts:") :]
    )


def test_aliases_that_expand_to_a_billion_nodes_are_refused(folder: Path) -> None:
    (folder / "inventory.yaml").write_text(laughs())
    assert (folder / "inventory.yaml").stat().st_size < 1000
    for command in (["hosts"], ["run", "job.yaml"]):
        one_line_error(netjob(folder, *command), "inventory.yaml:", "aliases expand to more than")


def test_nesting_counts_block_and_flow_levels_and_levels_through_aliases(folder: Path) -> None:
    block = "".join(" " * i + f"k{i}:\n" for i in range(98))
    (folder / "job.yaml").write_text(block + " " * 98 + "v: " + "[" * 24 + "]" * 24 + "\n")
    one_line_error(netjob(folder, "plan", "job.yaml"), "job.yaml:", "nested deeper than 50")
    deep = "[" * 30 + "]" * 30
    (folder / "job.yaml").write_text(
        f"a: &a {deep}\nb: &b [[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]\n"
    )
    one_line_error(netjob(folder, "plan", "job.yaml"), "job.yaml:2", "through an alias")
    (folder / "job.yaml").write_text("a: &a [1, *a]\n")
    one_line_error(netjob(folder, "plan", "job.yaml"), "job.yaml:1", "alias inside the node")


def test_a_shared_anchor_under_the_limits_still_loads(folder: Path) -> None:
    (folder / "inventory.yaml").write_text(laughs(levels=3) + "  r2: {address: 127.0.0.2}\n")
    done = netjob(folder, "hosts", "--json")
    assert done.returncode == 0, done.stderr
    assert "r2" in done.stdout


# 9. Nesting that would crash libyaml -----------------------------------------------------

CRAFTED = {
    "dashes": "tasks:\n" + "- " * 27819 + "x\n",  # block nesting on one line, 56 KB
    "comment": "# " + "]" * 30000 + "\ntasks: " + "[" * 30000 + "]" * 30000 + "\n",
    "quoted": 'name: "' + "}" * 30000 + '"\ntasks: ' + "{a: " * 30000 + "}" * 30000 + "\n",
}


@pytest.mark.parametrize(
    "prelude", ["", "import runner.yamlio as y; y.libyaml_limits_nesting = lambda: False"]
)
@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_nesting_is_refused_not_a_crash(folder: Path, name: str, prelude: str) -> None:
    (folder / "job.yaml").write_text(CRAFTED[name])
    one_line_error(netjob(folder, "plan", "job.yaml", prelude=prelude), "nested deeper than 50")


def _system_libyaml_unlimited() -> bool:
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return False
    probe = "import yaml; print(yaml.__with_libyaml__)"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    return done.stdout.strip() == "True"


@pytest.mark.skipif(not _system_libyaml_unlimited(), reason="no system python3-yaml")
def test_a_libyaml_without_a_nesting_limit_never_gets_the_crafted_files(tmp_path: Path) -> None:
    """Debian's python3-yaml (libyaml 0.2.5): the probe says so, and the careful loader
    refuses every crafted file with a LoadError instead of handing it to libyaml."""
    code = (
        "import sys; from pathlib import Path; from runner import yamlio, errors\n"
        "print(yamlio.libyaml_limits_nesting())\n"
        "for name in sys.argv[1:]:\n"
        "    try: yamlio.load_yaml(Path(name))\n"
        "    except errors.LoadError as exc: print(exc)\n"
    )
    names = []
    for name, text in CRAFTED.items():
        (tmp_path / f"{name}.yaml").write_text(text)
        names.append(str(tmp_path / f"{name}.yaml"))
    done = subprocess.run(
        ["/usr/bin/python3", "-c", code, *names],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_limited,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    lines = done.stdout.splitlines()
    assert lines[0] in ("False", "True")  # whatever that libyaml is, no crash
    assert len(lines) == 1 + len(CRAFTED) and all("nested deeper" in x for x in lines[1:])


def _json(text: str) -> object:
    return json.loads(text)
