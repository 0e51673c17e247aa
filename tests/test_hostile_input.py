"""Hostile files and names through the real CLI, in a child process with a memory and a
time limit: a crash (SIGSEGV), a blow-up or a hang shows as a failed test, not a dead
test run. Each ends in exit 2 and one line naming the problem, or in data kept apart."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

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
    # A note (a short test password, say) may come first; the error is one line.
    lines = [
        line
        for line in done.stderr.splitlines()
        if line.strip() and not line.startswith("netjob: note: ")
    ]
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
    "prelude", ["", "import runner.load.yamlio as y; y.libyaml_limits_nesting = lambda: False"]
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
        "import sys; from pathlib import Path\n"
        "from runner.load import yamlio; from runner.base import errors\n"
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


# 10. save_to never writes through a symbolic link -----------------------------------------

BACKUP_JOB = (
    "tasks:\n  - name: backup\n    show: show running-config\n"
    "    save_to: backups/{{ host.name }}.cfg\n"
)


@pytest.mark.parametrize("link", ["file", "folder"])
def test_save_to_through_a_symbolic_link_is_refused_before_connecting(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, link: str
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "r1.cfg").write_text("precious\n")
    (folder / "job.yaml").write_text(BACKUP_JOB)
    if link == "file":
        (folder / "backups").mkdir()
        (folder / "backups" / "r1.cfg").symlink_to(outside / "r1.cfg")
        named = "backups/r1.cfg is a symbolic link"
    else:
        (folder / "backups").symlink_to(outside)
        named = "backups is a symbolic link"
    for command in ("plan", "run"):
        one_line_error(netjob(folder, command, "job.yaml"), "task 'backup'", "host r1", named)
    assert (outside / "r1.cfg").read_text() == "precious\n"
    assert not (folder / "reports").exists()  # refused before any run began


def test_the_writer_itself_never_follows_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link that appears after the plan (a race, a deferred save_to): still refused."""
    from runner.base.safe_files import LinkRefusedError, write_private

    monkeypatch.chdir(tmp_path)
    (tmp_path / "outside").write_text("precious")
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "r1.cfg").symlink_to(tmp_path / "outside")
    (tmp_path / "elsewhere").symlink_to(tmp_path / "backups")
    for path, nested, atomic in [
        (Path("backups/r1.cfg"), True, False),
        (Path("backups/r1.cfg"), False, True),
        (tmp_path / "backups" / "r1.cfg", False, False),
        (Path("elsewhere/new.cfg"), True, False),
    ]:
        with pytest.raises(LinkRefusedError, match="is a symbolic link"):
            write_private(path, "evil", atomic=atomic, nested=nested)
    assert (tmp_path / "outside").read_text() == "precious"
    assert not (tmp_path / "backups" / "new.cfg").exists()


# 11. Names that collide --------------------------------------------------------------------

LONG = "edge-router-" + "x" * 200


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses at once: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_every_host_gets_its_own_readable_files(folder: Path, refused_port: int) -> None:
    names = ["a/b", "a:b", "a_b", "ルーター1", "Zürich-1", LONG + "1", LONG + "2", "..", "-x"]
    hosts = "".join(f"  {json.dumps(name)}: {{}}\n" for name in names)
    (folder / "inventory.yaml").write_text(
        "defaults: {platform: cisco_ios, username: u, password: p, address: 127.0.0.1, "
        f"port: {refused_port}}}\nhosts:\n{hosts}"
    )
    done = netjob(folder, "run", "job.yaml", "-q", "--output", "json")
    assert done.returncode == 1, done.stderr
    run = next((folder / "reports" / "job").glob("2*"))
    report = json.loads((run / "report.json").read_text())
    files = {name: report["hosts"][name]["data"] for name in names}
    assert len(set(files.values())) == len(names), files
    for name, data in files.items():
        assert json.loads((run / data).read_text())["host"] == name
        assert (run / report["hosts"][name]["log"]).is_file()
    assert files["a_b"] == "hosts/a_b.json" and files["ルーター1"] == "hosts/ルーター1.json"
    assert files["Zürich-1"] == "hosts/Zürich-1.json"
    assert files["a/b"].startswith("hosts/a_b-") and all(len(f) < 200 for f in files.values())
    shown = netjob(folder, "show", str(run), "a:b")
    assert shown.returncode == 0 and "show version" in shown.stdout, shown.stderr


def test_jobs_with_one_file_name_keep_their_own_reports(folder: Path, refused_port: int) -> None:
    (folder / "inventory.yaml").write_text(
        "defaults: {platform: cisco_ios, username: u, password: p, address: 127.0.0.1, "
        f"port: {refused_port}}}\nhosts:\n  r1: {{}}\n  r2: {{}}\n"
    )
    for team in ("core", "edge"):
        (folder / team).mkdir()
        (folder / team / "job.yaml").write_text(
            f"hosts: {'r1' if team == 'core' else 'r2'}\ntasks:\n  - show: x\n"
        )
    for team in ("core", "edge", "core"):
        assert netjob(folder, "run", f"{team}/job.yaml", "-q").returncode == 1
    folders = sorted(p.name for p in (folder / "reports").iterdir())
    assert folders[0] == "job" and len(folders) == 2 and folders[1].startswith("job-")
    for team, host in (("core", "r1"), ("edge", "r2")):
        shown = netjob(folder, "report", f"{team}/job.yaml", "--output", "json")
        data = json.loads(shown.stdout)
        assert data["job"]["file"] == f"{team}/job.yaml" and list(data["hosts"]) == [host]
    # core ran twice, edge once: each job's diff and --retry-failed read its own runs only
    assert netjob(folder, "diff", "core/job.yaml").returncode in (0, 1)
    one_line_error(netjob(folder, "diff", "edge/job.yaml"), "found 1")
    retried = netjob(folder, "run", "edge/job.yaml", "--retry-failed", "-q", "--output", "json")
    assert list(json.loads(retried.stdout)["hosts"]) == ["r2"], retried.stderr


# 12. Templates bounded in time and size ---------------------------------------------------

LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}BODY{% endfor %}{% endfor %}"
TEMPLATES = {
    "nested loops": LOOPS.replace("BODY", ""),
    "nested loops writing": LOOPS.replace("BODY", "x"),
    "repetition": "{{ 'x' * 1000000000 }}",
    "huge power": "{{ 9 ** 999999999 }}",
    "big range": "{{ range(100000000) | list }}",
    "recursive macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "include": "{% include '/etc/passwd' %}",
    "import": "{% import 'os' as os %}",
    "format_map": "{{ '{x}'.format_map(1) }}",
    "power": "{{ 9 ** 99999 }}",
    "lipsum": "{{ lipsum(1000000) }}",
    "center": "{{ 'x' | center(1000000000) }}",
    "ljust": "{{ 'x'.ljust(1000000000) }}",
    "printf width": "{{ '%999999999s' % 1 }}",
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "doubling": "{% set ns = namespace(s='x') %}"
    "{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "join": "{{ range(100000) | join('x' * 999999) }}",
    "batch": "{{ [1] | batch(1000000000, 'x') | list }}",
    "replace": "{{ ('a' * 100000) | replace('a', 'b' * 100000) }}",
    "loops over a string": "{% set s = 'x' * 100000 %}"
    "{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_hostile_template_is_one_line_naming_job_task_and_host(folder: Path, name: str) -> None:
    (folder / "job.yaml").write_text(
        f"tasks:\n  - name: t\n    show: {json.dumps(TEMPLATES[name])}\n"
    )
    one_line_error(netjob(folder, "plan", "job.yaml"), "job job.yaml", "task 't'", "host r1")


def test_templates_within_the_bounds_still_render(folder: Path) -> None:
    text = "{% for i in range(3) %}vlan {{ i * 10 }} {{ '%-5s|' % 'a' }}{{ 'x'.center(7) }}\n"
    text += "{% endfor %}"
    (folder / "job.yaml").write_text(f"tasks:\n  - name: t\n    config: {json.dumps(text)}\n")
    done = netjob(folder, "plan", "job.yaml")
    assert done.returncode == 0, done.stderr
    assert "vlan 20 a    |   x" in done.stdout
