"""The hostile-input corpus (issue 21, item 4): files, values, templates, host patterns,
links and disks, each through the real CLI. For every case: the exit code it must have,
never a traceback (stderr is one `netjob: error:` line where the code is 2), never a hang
(each case is bounded: netjob's own bounds are 2 s, the test's 20 s), and no file written
outside the reports folder.

In-process (`runner.cli.main`), so the ~200 cases cost seconds: pytest-timeout runs in its
thread mode here, since its signal mode would hold the SIGALRM timer that netjob uses to
bound one regex match or one filter call (runner.base.time_bound), and netjob's bound
would then stand aside.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_hostile_input import TEMPLATES as HOSTILE_TEMPLATES

from runner.cli import main

pytestmark = pytest.mark.timeout(60, method="thread")
BOUND = 10.0  # seconds a case may take, on a loaded machine; netjob's own bounds are 2 s
INVENTORY = """\
defaults: {platform: cisco_ios, username: u, password_env: HOSTILE_PW}
groups: {core: {}}
hosts:
  r1: {address: 127.0.0.1, port: 9, groups: [core]}
  r2: {address: 127.0.0.1, port: 9}
"""
JOB = "tasks:\n  - name: t\n    show: \"show {{ v | default('x') }}\"\n"
LONG_NAMES = "hosts:\n" + "".join(
    f"  {'r' * 40}{i}: {{address: 127.0.0.1, port: 9}}\n" for i in range(30)
)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    says: str = ""  # a part of the one error line, when the code is 2
    files: dict[str, str | bytes] = field(default_factory=dict)  # written before
    make: Callable[[Path], object] | None = None  # anything else to prepare


CASES: dict[str, Case] = {}


# Files: each kind of path, in each place netjob reads a file a user names -------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def _link_to_fifo(path: Path) -> None:
    _fifo(path.with_name("f2"))
    path.symlink_to("f2")


def _huge(path: Path) -> None:
    with path.open("wb") as file:  # sparse: 300 MB on no disk
        file.truncate(300 * 1024 * 1024)


Maker = Callable[[Path], object]
KINDS: dict[str, tuple[Maker | None, str | None]] = {
    # kind: (how to make it at the path, or None) or a fixed path to use instead
    "fifo": (_fifo, None),
    "socket": (_socket, None),
    "folder": (lambda p: p.mkdir(), None),
    "missing": (None, None),
    "dangling link": (lambda p: p.symlink_to("nowhere"), None),
    "link loop": (lambda p: p.symlink_to(p.name), None),
    "huge": (_huge, None),
    "binary": (lambda p: p.write_bytes(bytes(range(256)) * 64), None),
    "latin-1": (lambda p: p.write_bytes(b"tasks:\n  - show: caf\xe9\n"), None),
    "link to a fifo": (_link_to_fifo, None),
    "/dev/zero": (None, "/dev/zero"),
    "/dev/urandom": (None, "/dev/urandom"),
    "/dev/full": (None, "/dev/full"),
    "/proc/self/mem": (None, "/proc/self/mem"),
}
SLOTS: dict[str, tuple[str, ...]] = {
    "job": ("plan", "{X}"),
    "inventory": ("plan", "job.yaml", "-i", "{X}"),
    "-e @": ("plan", "job.yaml", "-e", "@{X}"),
    "--limit @": ("plan", "job.yaml", "--limit", "@{X}"),
    "template": ("plan", "template_job.yaml"),
    "known_hosts": ("run", "job.yaml", "-i", "kh_inventory.yaml", "--retries", "0"),
    "vault password file": ("hosts", "--vault-password-file", "{X}"),
    "ssh_config": ("run", "job.yaml", "-i", "sc_inventory.yaml", "--retries", "0"),
}
# Where a kind is not an error in a place: a known_hosts file netjob cannot read as keys
# is read as OpenSSH reads it (lines it cannot read skipped; none yet is fine): the run
# goes on to the (closed) port and the host fails.
NOT_REFUSED = {
    ("known_hosts", kind): 1
    for kind in ("missing", "dangling link", "link loop", "binary", "latin-1")
}
# Any bytes may be a vault password.
NOT_REFUSED.update({("vault password file", kind): 0 for kind in ("binary", "latin-1")})
NOT_REFUSED[("known_hosts", "huge")] = 2  # over the cap
for _slot, _args in SLOTS.items():
    for _kind, (_make, _fixed) in KINDS.items():
        target = _fixed or "target"
        args = tuple(a.replace("{X}", target) for a in _args)
        files: dict[str, str | bytes] = {}
        if _slot == "template":
            files["template_job.yaml"] = f"tasks:\n  - name: t\n    template: {target}\n"
        if _slot == "ssh_config":
            files["sc_inventory.yaml"] = INVENTORY.replace(
                "password_env: HOSTILE_PW}", f"password_env: HOSTILE_PW, ssh_config: {target}}}"
            )
        if _slot == "known_hosts":
            files["kh_inventory.yaml"] = INVENTORY.replace(
                "password_env: HOSTILE_PW}", f"password_env: HOSTILE_PW, known_hosts: {target}}}"
            )
        maker = _make

        def prepare(folder: Path, maker: Maker | None = maker) -> None:
            if maker is not None:
                maker(folder / "target")

        CASES[f"file {_kind} as {_slot}"] = Case(
            args, NOT_REFUSED.get((_slot, _kind), 2), files=files, make=prepare
        )


# Values: -e ------------------------------------------------------------------------------

DIGITS = "9" * 5000
VALUES: dict[str, tuple[str, int, str]] = {
    "5000 digits": (f"v={DIGITS}", 0, ""),
    "5000 negative digits": (f"v=-{DIGITS}", 0, ""),
    "5000 digits in JSON": (f'{{"v": {DIGITS}}}', 2, "-e"),
    "5000 digits as a float": (f"v={DIGITS}.5", 0, ""),
    "an infinite float in JSON": ('{"v": 1e99999}', 0, ""),
    "a NaN": ("v=nan", 0, ""),
    "two megabytes": ("v=" + "x" * 2_000_000, 2, "over 1,000,000"),
    "deep JSON": ("[" * 5000 + "]" * 5000, 2, "-e"),
    "deep object": ('{"v": ' + "[" * 5000 + "]" * 5000 + "}", 2, "nested deeper"),
    "a python tag": ('{"v": !!python/object/apply:os.system ["true"]}', 2, "-e"),
    "a recursive alias": ("{v: &a [*a]}", 2, "-e"),
    "a billion laughs": (
        "{a: &a [x,x,x,x,x,x,x,x,x,x], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e], "
        "v: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]}",
        2,
        "-e",
    ),
    "a list": ("[1, 2]", 2, "-e"),
    "null": ("null", 2, "-e"),
    "an empty value": ("", 2, "-e"),
    "no key": ("=x", 2, "-e"),
    "a key with a space": ("a b=x", 2, "-e"),
    "a key that is a number": ("1=x", 2, "-e"),
    "an @ alone": ("@", 2, ""),
    "braces in a value": ("v={{ 7 * 7 }}", 0, ""),
    "a Jinja2 block in a value": ("v={% for i in range(10**9) %}x{% endfor %}", 2, "-e"),
    "a Jinja2 block after text": ("v=x{% for i in range(10**9) %}x{% endfor %}", 0, ""),
    "unicode": ("v=ünïcødé-日本-🙂", 0, ""),
    "a right-to-left mark": ("v=a\u202eb", 0, ""),
    "a NUL in a key": ("a\x00b=1", 2, "-e"),
    "a huge key": ("k" * 100_000 + "=1", 0, ""),
    "a dunder key": ('{"__class__": 1, "v": 2}', 0, ""),
    "a mapping value": ("v={a: 1}", 0, ""),
    "an unclosed flow": ("v=[1, 2", 2, "-e"),
    "an unclosed object": ('{"v": 1', 2, "-e"),
    "a tab in YAML": ('{\t"v": 1}', 0, ""),
}
for _char, _name in {
    "\n": "line break",
    "\r": "carriage return",
    "\x00": "NUL",
    "\x1b": "ESC",
    "\x03": "Ctrl-C",
    "\x1a": "Ctrl-Z",
    "\t": "tab",
    "\x7f": "DEL",
    "\x85": "NEL",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
    "\x0c": "form feed",
}.items():
    VALUES[f"a {_name} in a value"] = (json.dumps({"v": f"Gi0/1{_char}reload"}), 2, "v (from -e)")
for _name, (_value, _code, _says) in VALUES.items():
    CASES[f"value {_name}"] = Case(("plan", "job.yaml", "-e", _value), _code, _says)


# Templates -----------------------------------------------------------------------------

# test_hostile_input's templates (each refused in a child process there), and more.
TEMPLATES: dict[str, str] = {
    **HOSTILE_TEMPLATES,
    "wordwrap of a long word": "{{ ('a' * 900000) | wordwrap(1) }}",
    "wordwrap of many words": "{{ ('a ' * 450000) | wordwrap(2) | length > 10**9 }}{{ x }}",
    "indent": "{{ ('a\\n' * 400000) | indent(1000000) }}",
    "truncate": "{{ 'x' | truncate(10**12) }}",
    "dunder class": "{{ ''.__class__.__mro__ }}",
    "globals": "{{ self.__init__.__globals__ }}",
    "cycler": "{{ cycler.__init__.__globals__ }}",
    "config": "{{ config.items() }}",
    "namespace attr": "{{ namespace.__dict__ }}",
    "a sort of a billion": "{{ range(10**9) | sort | first }}",
    "unique of a billion": "{{ range(10**9) | unique | list | length }}",
    "sum of a billion": "{{ range(10**9) | sum }}",
    "string multiplication by a loop": "{% for i in range(10**6) %}{{ 'x' * 1000 }}{% endfor %}",
    "a deep expression": "{{ " + "(" * 500 + "1" + ")" * 500 + " }}",
    "an undefined": "{{ nothing.here }}",
    "an unknown filter": "{{ 1 | nofilter }}",
    "a syntax error": "{% for %}",
    "urlize": "{{ ('http://a ' * 200000) | urlize }}",
    "tojson of a deep value": "{{ ns | tojson }}{% set ns = [[[[[[[[[[1]]]]]]]]]] %}",
    "xmlattr": "{{ {'a': 'x' * 999999} | xmlattr }}",
}
for _name, _text in TEMPLATES.items():
    CASES[f"template {_name}"] = Case(
        ("plan", "tjob.yaml"),
        2,
        "task 't'",
        files={"tjob.yaml": f"tasks:\n  - name: t\n    show: {json.dumps(_text)}\n"},
    )


# Host patterns ---------------------------------------------------------------------------

PATTERNS: dict[str, tuple[str, int, str, str]] = {
    # name: (pattern, code, a part of the error, inventory: "" = the usual one)
    "a backtracking regex": ("~(r|r)+x", 2, "backtracks", LONG_NAMES),
    "nested pluses": ("~(r+)+x", 2, "backtracks", LONG_NAMES),
    "nested stars": ("~(r*)*x", 2, "backtracks", LONG_NAMES),
    "alternation of overlaps": ("~(r|rr)+x", 2, "backtracks", LONG_NAMES),
    "a repeated group": ("~(.*r){25}x", 2, "backtracks", LONG_NAMES),
    "a bad regex": ("~[", 2, "bad regular expression", ""),
    "a bad group": ("~(?P<", 2, "bad regular expression", ""),
    "a lookbehind of any width": ("~(?<=a+)b", 2, "bad regular expression", ""),
    "an empty regex": ("~", 0, "", ""),
    "an empty pattern": ("", 2, "empty host pattern", ""),
    "a comma": (",", 2, "empty host pattern", ""),
    "a colon": (":", 2, "empty host pattern", ""),
    "an ampersand": ("&", 2, "'!' and '&'", ""),
    "a bang": ("!", 2, "'!' and '&'", ""),
    "all excluded": ("!all", 2, "no host matches", ""),
    "a huge name": ("x" * 200_000, 2, "unknown host or group", ""),
    "many parts": (",".join(["r1"] * 50_000), 0, "", ""),
    "many exclusions": (",".join(["all"] + ["!r2"] * 20_000), 0, "", ""),
    "a NUL": ("r\x001", 2, "unknown host or group", ""),
    "a glob of many stars": ("*" * 5000 + "x", 2, "matches no host", LONG_NAMES),
    "a glob of alternating stars": ("*r" * 3000 + "x", 2, "matches no host", LONG_NAMES),
    # Ansible's subscripts (issue 22): a slice past the end stops at the end, as Ansible's.
    "a huge subscript": ("core[0:99999999999999999999]", 0, "", ""),
    "a huge index": ("core[99999999999999999999]", 2, "subscripts run from 0 to 0", ""),
    "a huge slice start": ("core[99999999999999999999:]", 2, "selects no host", ""),
    "a negative subscript": ("core[-1]", 0, "", ""),
    "a word subscript": ("core[abc]", 2, "matches no host", ""),
    "a subscript past the end": ("core[5]", 2, "subscripts run from 0 to 0", ""),
    "an @ of nothing": ("@", 2, "host list", ""),
    "an @ of a folder": ("@.", 2, "is a folder", ""),
    "unicode": ("rü", 2, "unknown host or group", ""),
    "a bracket glob unclosed": ("r[", 2, "", ""),
    "emoji": ("🙂", 2, "unknown host or group", ""),
}
for _name, (_pattern, _code, _says, _inventory) in PATTERNS.items():
    _files: dict[str, str | bytes] = {"long.yaml": _inventory} if _inventory else {}
    _where = ("-i", "long.yaml") if _inventory else ()
    CASES[f"pattern {_name}"] = Case(
        ("plan", "job.yaml", *_where, "--limit", _pattern), _code, _says, files=_files
    )


# Links -----------------------------------------------------------------------------------


def _link(name: str, to: str) -> Maker:
    def make(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(to)

    return make


def _outside(folder: Path) -> Path:
    (folder.parent / "outside").mkdir(exist_ok=True)
    return folder.parent / "outside"


def _reports_linked(folder: Path) -> None:
    _link("reports/job", str(_outside(folder)))(folder)


def _outputs_linked(folder: Path) -> None:
    (folder / "reports" / "job").mkdir(parents=True)
    _link("reports/job/outputs", str(_outside(folder)))(folder)


def _backups_linked(folder: Path) -> None:
    _link("backups", str(_outside(folder)))(folder)


def _backup_file_linked(folder: Path) -> None:
    (folder.parent / "outside.cfg").write_text("keep")
    (folder / "backups").mkdir()
    _link("backups/r1.cfg", str(folder.parent / "outside.cfg"))(folder)


LINKS: dict[str, tuple[tuple[str, ...], int, str, Maker]] = {
    "reports/<job> to a folder outside": (
        ("run", "job.yaml"),
        2,
        "symbolic link",
        _reports_linked,
    ),
    "reports/<job>/outputs to a folder outside": (
        ("run", "job.yaml"),
        2,
        "symbolic link",
        _outputs_linked,
    ),
    "save_to into a linked folder": (
        ("run", "save_job.yaml"),
        2,
        "symbolic link",
        _backups_linked,
    ),
    "save_to onto a linked file": (
        ("run", "save_job.yaml"),
        2,
        "symbolic link",
        _backup_file_linked,
    ),
    "a job that is a link to a good job": (
        ("plan", "linked.yaml"),
        0,
        "",
        _link("linked.yaml", "job.yaml"),
    ),
    "an inventory that is a link": (
        ("plan", "job.yaml", "-i", "inv-link.yaml"),
        0,
        "",
        _link("inv-link.yaml", "inventory.yaml"),
    ),
    "a template that is a link to /dev/zero": (
        ("plan", "template_job.yaml"),
        2,
        "not a regular file",
        _link("target", "/dev/zero"),
    ),
    "-e @ a link to a folder": (
        ("plan", "job.yaml", "-e", "@vars"),
        2,
        "is a folder",
        _link("vars", "/"),
    ),
    "--reports that is a file": (
        ("run", "job.yaml", "--reports", "job.yaml"),
        4,
        "",
        lambda f: None,
    ),
    "--reports under a file": (
        ("run", "job.yaml", "--reports", "job.yaml/reports"),
        4,
        "",
        lambda f: None,
    ),
    "--reports in /proc": (
        ("run", "job.yaml", "--reports", "/proc/self/reports"),
        4,
        "",
        lambda f: None,
    ),
}
SSH_CONFIGS = {
    "a Port that is a word": ("Host *\n  Port abc\n", "Port 'abc'"),
    "a Port past 65535": ("Host *\n  Port 70000\n", "not a port number"),
    "a bad ProxyJump": ("Host *\n  ProxyJump @@@\n", "ProxyJump"),
    "a line without a value": ("Host *\n  HostName\n", "ssh_config"),
}
for _name, (_text, _says) in SSH_CONFIGS.items():
    CASES[f"file ssh_config with {_name}"] = Case(
        ("run", "job.yaml", "-i", "sc_inventory.yaml", "--retries", "0"),
        2,
        _says,
        files={
            "ssh.conf": _text,
            # port 22 as written: ssh_config's Port is read only where the inventory has none
            "sc_inventory.yaml": INVENTORY.replace(
                "password_env: HOSTILE_PW}", "password_env: HOSTILE_PW, ssh_config: ssh.conf}"
            ).replace(", port: 9", ""),
        },
    )
for _name, (_args, _code, _says, _make) in LINKS.items():
    CASES[f"link {_name}"] = Case(
        (*_args, "--retries", "0") if _args[0] == "run" else _args,
        _code,
        _says,
        files={
            "template_job.yaml": "tasks:\n  - name: t\n    template: target\n",
            "save_job.yaml": "tasks:\n  - name: t\n    show: show run\n"
            "    save_to: 'backups/{{ host.name }}.cfg'\n",
        },
        make=_make,
    )


# The cases run ---------------------------------------------------------------------------


def _tree(root: Path, reports: Path) -> set[str]:
    """Every path under root but the reports folder, as lstat sees it (links not followed)."""
    found: set[str] = set()
    for folder, dirs, names in os.walk(root, followlinks=False):
        for name in (*dirs, *names):
            path = Path(folder) / name
            if path == reports or reports in path.parents:
                continue
            info = path.lstat()
            # A folder's own times change when something is made in it (the reports
            # folder): a folder counts once, as new; a file by its size and time.
            stamp = "folder" if path.is_dir() else f"{info.st_size} {info.st_mtime_ns}"
            found.add(f"{os.path.relpath(path, root)} {stamp}")
    return found


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "inventory.yaml").write_text(INVENTORY)
    (folder / "job.yaml").write_text(JOB)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOSTILE_PW", "Hostile-Corpus-7")  # strong: no note about it
    monkeypatch.setenv("NETJOB_NO_CACHE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    yield folder


# Cases that run until netjob's own time bound cuts them, about 2 s each: marked `lab` (slow),
# so that `pytest -m "not lab"` stays quick.
AT_THE_BOUND = frozenset(
    {
        "pattern a backtracking regex",
        "pattern nested pluses",
        "pattern nested stars",
        "pattern alternation of overlaps",
        "pattern a repeated group",
        "template wordwrap of a long word",
        "template indent",
    }
)
assert CASES.keys() >= AT_THE_BOUND, sorted(AT_THE_BOUND - CASES.keys())  # a renamed case


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.lab) if n in AT_THE_BOUND else n for n in sorted(CASES)],
)
def test_a_hostile_input_ends_in_its_exit_code_in_one_line_in_time(
    name: str, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    for file_name, text in case.files.items():
        (place / file_name).write_bytes(text.encode() if isinstance(text, str) else text)
    if case.make is not None:
        case.make(place)
    before = _tree(place.parent, place / "reports")
    started = time.monotonic()
    code = main(list(case.args))
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err[-3000:]
    assert code == case.code, (code, out[-1500:], err[-1500:])
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("netjob: error: "), err[-3000:]
        assert case.says in lines[0], lines[0]
    assert took < BOUND, f"{took:.1f} s"
    after = _tree(place.parent, place / "reports")
    written = {entry.split(" ")[0] for entry in after - before}
    assert not written, f"written outside the reports folder: {sorted(written)}"


def test_the_corpus_is_at_least_the_issues_185_cases() -> None:
    kinds = {name.split(" ")[0] for name in CASES}
    assert kinds == {"file", "value", "template", "pattern", "link"}
    assert len(CASES) >= 185, len(CASES)
