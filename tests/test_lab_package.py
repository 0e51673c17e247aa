"""The lab is a package of its own (netjob_lab, `pip install 'netjob[lab]'`): netjob imports
and runs without it, `netjob lab` says in one line how to install it when it (or asyncssh,
which only it needs) is missing, and what the lab simulates is listed in one place, the
lab's own platform table, which everything else reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A fresh interpreter where the packages named in argv[1] are not found, as when they are
# not installed (a finder ahead of the others raises what Python raises then), running the
# console script with the arguments after it.
BLOCKED = """
import sys
BLOCKED = set(sys.argv[1].split(","))

class NotInstalled:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled)
from runner.cli import entry
sys.argv = ["netjob", *sys.argv[2:]]
entry()
"""


def _netjob_without(blocked: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_NETJOB")}
    return subprocess.run(
        [sys.executable, "-c", BLOCKED, blocked, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.mark.lab
@pytest.mark.parametrize(
    ("blocked", "args", "what"),
    [
        ("netjob_lab", ["lab", "--commands"], "the lab is"),
        # --platforms nope: were the lab imported after all, it would refuse this and stop,
        # never serve devices for ever.
        ("netjob_lab", ["lab", "--devices", "1", "--platforms", "nope"], "the lab is"),
        ("asyncssh", ["lab", "--commands"], "asyncssh, which the lab needs, is"),
    ],
)
def test_netjob_lab_says_how_to_install_the_lab_when_it_is_missing(
    blocked: str, args: list[str], what: str
) -> None:
    done = _netjob_without(blocked, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"netjob: error: {what} not installed; install it with: pip install 'netjob[lab]'\n"
    ), done.stderr


@pytest.mark.lab
def test_netjob_runs_without_the_lab() -> None:
    """Every other command, and `netjob lab --help`, with neither the lab nor asyncssh."""
    for args in (["--help"], ["lab", "--help"], ["platforms", "--markdown"]):
        done = _netjob_without("netjob_lab,asyncssh", *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr


@pytest.mark.lab
def test_importing_netjob_imports_neither_the_lab_nor_asyncssh() -> None:
    script = (
        "import sys, runner, runner.core, runner.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('netjob_lab', 'asyncssh')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_what_the_lab_simulates_is_listed_once_and_every_table_of_it_agrees() -> None:
    """netjob_lab.platforms.PLATFORMS is the one list: the lab's per-platform tables cover
    exactly it, each is a platform netjob knows, and the README's list of the lab's
    platforms is it. runner holds no list of them (test_platform_table checks that no
    device_type name is spelled in runner outside its platform table)."""
    from netjob_lab import inventory
    from netjob_lab.catalog import catalog
    from netjob_lab.platforms import PLATFORMS
    from netjob_lab.shell import DIALECTS
    from runner.base import platforms

    simulated = set(PLATFORMS)
    assert set(catalog()) == simulated
    assert set(DIALECTS) | {"juniper_junos"} == simulated  # Junos has a shell of its own
    assert set(inventory._UPLINKS) == simulated
    assert all(platforms.lookup(name).known for name in simulated)
    readme = (ROOT / "README.md").read_text()
    listed = re.search(r"`--platforms ([\w,]+)` deals", readme)
    assert listed is not None
    assert listed.group(1).split(",") == list(PLATFORMS)
