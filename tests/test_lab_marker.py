"""The `lab` marker's guard (tests/lab_guard.py): a test that binds a socket or starts a
process without the marker fails, so `pytest -m "not lab"` cannot quietly grow slow.

The tests run a small pytest session in this process (pytester) with the guard loaded and
the project's own pytest settings (pyproject.toml: the registered markers, --strict-markers);
one session holds every case, as each session costs a second of plugin loading."""

from __future__ import annotations

from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

BINDS = """\
import socket

def test_serves():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
"""

CASES = {
    "test_binds": BINDS,
    "test_marked": "import pytest\n\npytestmark = pytest.mark.lab\n\n" + BINDS,
    "test_process": """\
import subprocess, sys

def test_runs_python():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
""",
    # A module-scoped fixture is set up before any function-scoped one, in the setup of the
    # first test that asks for it: where a shared lab starts.
    "test_shared": """\
import socket
import pytest

@pytest.fixture(scope="module")
def server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock

def test_first(server):
    pass

def test_second(server):
    pass
""",
    "test_quick": "def test_adds():\n    assert sum([1, 2]) == 3\n",
    # None starts a server or a slow process: a socket file; git, which every run asks;
    # ctypes looking for a shared library (ldconfig, gcc, ld), as asyncssh's import does.
    "test_quiet": """\
import ctypes.util, socket, subprocess

def test_unix_socket_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: a Unix socket's is bounded
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("s")

def test_git(tmp_path):
    subprocess.run(["git", "-C", str(tmp_path), "rev-parse"], capture_output=True)

def test_find_library():
    ctypes.util.find_library("netjob-no-such-library")
""",
    # --strict-markers (pyproject.toml): a misspelt marker must not leave a test unmarked.
    "test_typo": "import pytest\n\n@pytest.mark.lba\ndef test_quick():\n    pass\n",
}


def run(pytester: pytest.Pytester, *files: Path) -> pytest.RunResult:
    pytester.makeconftest("pytest_plugins = ['lab_guard']\n")
    return pytester.runpytest_inprocess(
        "-c",
        str(PYPROJECT),
        "--rootdir",
        str(pytester.path),
        "-p",
        "no:cacheprovider",
        "-rA",
        "--continue-on-collection-errors",
        *map(str, files),
    )


def test_unmarked_tests_that_start_something_real_fail(pytester: pytest.Pytester) -> None:
    result = run(pytester, *(pytester.makepyfile(**{name: text}) for name, text in CASES.items()))
    unmarked = "started something real without the `lab` marker"
    result.stdout.fnmatch_lines(
        [
            f"test_binds.py::test_serves {unmarked} (socket.bind ('127.0.0.1', 0)): add*",
            f"test_process.py::test_runs_python {unmarked} (subprocess.Popen *",
            f"test_shared.py::test_first {unmarked} (socket.bind *",
        ]
    )
    result.stdout.fnmatch_lines(["PASSED test_marked.py::test_serves"])
    result.stdout.fnmatch_lines(["PASSED test_quick.py::test_adds"])
    result.stdout.fnmatch_lines(["PASSED test_quiet.py::test_unix_socket_file"])
    result.stdout.fnmatch_lines(["PASSED test_quiet.py::test_git"])
    result.stdout.fnmatch_lines(["PASSED test_quiet.py::test_find_library"])
    result.stdout.no_fnmatch_line("ERROR test_quiet.py*")
    result.stdout.no_fnmatch_line("ERROR test_marked.py*")
    result.stdout.no_fnmatch_line("ERROR test_shared.py::test_second*")
    result.stdout.fnmatch_lines(["*'lba' not found in `markers` configuration option*"])
    # Each test's call passed: the guard fails the three unmarked ones at teardown (the
    # fourth error is test_typo.py's, refused at collection).
    result.assert_outcomes(passed=9, errors=4)
