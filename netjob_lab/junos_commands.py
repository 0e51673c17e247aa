"""Juniper Junos' commands: operational (`netjob@r003>`) and configuration (`[edit]`).

`set` and `delete` take the statements listed in STATEMENTS (see netjob_lab.junos_config
for how they are stored); each line of the table is `(spec, handler)` as for IOS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import junos_config, junos_load, junos_shows, timed_commands
from netjob_lab.junos_config import Statement, quoted
from netjob_lab.show import uptime
from netjob_lab.table import Invalid, Table

if TYPE_CHECKING:
    from netjob_lab.junos_shell import JunosShell

JunosHandler = Callable[["JunosShell", Sequence[str]], str]

# What `set` and `delete` know, one segment per level of braces.
STATEMENTS: list[Statement] = [
    ("system", "host-name WORD"),
    ("system", "services", "ssh"),
    ("system", "services", "web-management", "http"),
    ("system", "syslog", "host IP", "any any"),
    ("system", "ntp", "server IP"),
    ("system", "login", "user WORD", "class WORD"),
    ("interfaces", "JIF", "description LINE"),
    ("interfaces", "JIF", "disable"),
    ("interfaces", "JIF", "unit NUM", "family inet"),
    ("interfaces", "JIF", "unit NUM", "family inet", "address PREFIX"),
    ("snmp", "community WORD", "authorization WORD"),
]


def _statement(segments: Statement, args: Sequence[str]) -> Statement:
    """The spec's segments with the typed arguments in place of WORD, IP, ..."""
    values = iter(args)
    return tuple(
        " ".join(quoted(next(values)) if w.isupper() else w for w in segment.split())
        for segment in segments
    )


def _set(segments: Statement) -> JunosHandler:
    def handler(shell: JunosShell, args: Sequence[str]) -> str:
        junos_config.set_statement(shell.device.candidate, _statement(segments, args))
        return ""

    return handler


def _delete(segments: Statement) -> JunosHandler:
    def handler(shell: JunosShell, args: Sequence[str]) -> str:
        if not junos_config.delete_statements(shell.device.candidate, _statement(segments, args)):
            return "warning: statement not found\n"
        return ""

    return handler


def _prefixes(segments: Statement) -> list[Statement]:
    """Every word-prefix of a statement, as segments: what `delete` may name."""
    words = [(i, word) for i, segment in enumerate(segments) for word in segment.split()]
    prefixes: list[Statement] = []
    for end in range(1, len(words) + 1):
        grouped: dict[int, list[str]] = {}
        for i, word in words[:end]:
            grouped.setdefault(i, []).append(word)
        prefixes.append(tuple(" ".join(group) for group in grouped.values()))
    return prefixes


def _statement_commands() -> list[tuple[str, JunosHandler]]:
    commands = [("set " + " ".join(s), _set(s)) for s in STATEMENTS]
    deletes = {" ".join(p): p for s in STATEMENTS for p in _prefixes(s)}
    return commands + [("delete " + spec, _delete(p)) for spec, p in deletes.items()]


# --- operational mode ----------------------------------------------------------------


def configure(shell: JunosShell, args: Sequence[str]) -> str:
    shell.configuring = True
    changed = "The configuration has been changed but not committed\n"
    return "Entering configuration mode\n" + (changed if shell.device.changed else "")


def quit_cli(shell: JunosShell, args: Sequence[str]) -> str:
    shell.closed = True
    return ""


def screen_length(shell: JunosShell, args: Sequence[str]) -> str:
    shell.terminal_length = _size(args[0])
    return f"Screen length set to {shell.terminal_length}\n"


def screen_width(shell: JunosShell, args: Sequence[str]) -> str:
    shell.terminal_width = _size(args[0])
    return f"Screen width set to {shell.terminal_width}\n"


def _size(text: str) -> int:
    if int(text) > 100000:
        raise Invalid(0)
    return int(text)


def complete_on_space(shell: JunosShell, args: Sequence[str]) -> str:
    """Only answered: the lab completes nothing on space anyway."""
    if args[0] not in ("on", "off"):
        raise Invalid(0)
    return "Disabling complete-on-space\n" if args[0] == "off" else "Enabling complete-on-space\n"


def show_version(shell: JunosShell, args: Sequence[str]) -> str:
    build = "[20221202.2f4a3e1_builder_stable_12_224]"
    return (
        f"Hostname: {shell.device.hostname}\nModel: vmx\nJunos: {junos_config.VERSION}\n"
        f"JUNOS OS Kernel 64-bit  {build}\nJUNOS OS libs {build}\nJUNOS OS runtime {build}\n"
        f"JUNOS Packet Forwarding Engine Support (MX/EX92XX Common) [{junos_config.VERSION}]\n"
    )


def show_uptime(shell: JunosShell, args: Sequence[str]) -> str:
    now = datetime.now(timezone.utc)
    return (
        f"Current time: {now:%Y-%m-%d %H:%M:%S} UTC\n"
        f"System booted: {shell.device.boot_time:%Y-%m-%d %H:%M:%S} UTC "
        f"({uptime(now - shell.device.boot_time)} ago)\n"
    )


def show_configuration(shell: JunosShell, args: Sequence[str]) -> str:
    if args:  # `show configuration system ntp`: what is under that hierarchy level
        return _configuration_under(shell, args[0].split())
    if shell.display_set:
        return junos_config.render_set(shell.device.committed)
    return shell.device.running_config()


def _configuration_under(shell: JunosShell, path: list[str]) -> str:
    """The committed statements below `path` (a segment may be two words: `unit 0`),
    shown from that level as Junos shows them; nothing for a level with no statements."""
    below: list[tuple[str, ...]] = []
    for statement in shell.device.committed:
        words, depth = list(path), 0
        while words and depth < len(statement) - 1:
            segment = statement[depth].split()
            if words[: len(segment)] != segment:
                break
            words, depth = words[len(segment) :], depth + 1
        if not words and depth:
            below.append(statement[depth:])
    if shell.display_set:
        prefix = " ".join(path) + " "
        return "".join(
            "set " + prefix + line[4:]
            for line in junos_config.render_set(below).splitlines(keepends=True)
        )
    return junos_config.render(below)


def show_interfaces_terse(shell: JunosShell, args: Sequence[str]) -> str:
    lines = [f"{'Interface':<24}{'Admin':<6}{'Link':<5}{'Proto':<9}{'Local':<22}Remote"]
    interfaces: dict[str, list[Statement]] = {}
    for statement in shell.device.committed:
        if statement[0] == "interfaces":
            interfaces.setdefault(statement[1], []).append(statement[2:])
    for name, parts in interfaces.items():
        admin = "down" if ("disable",) in parts else "up"
        lines.append(f"{name:<24}{admin:<6}{admin}")
        for unit in dict.fromkeys(p[0].split()[1] for p in parts if p[0].startswith("unit ")):
            inet = [p for p in parts if p[0] == f"unit {unit}" and p[1:2] == ("family inet",)]
            local = [p[2].split()[1] for p in inet if len(p) > 2]
            proto = "inet" if inet else ""
            lines.append(
                f"{name + '.' + unit:<24}{admin:<6}{admin:<5}{proto:<9}{''.join(local[:1])}"
            )
    return "\n".join(lines) + "\n"


OPERATIONAL: Table[JunosShell] = Table(
    [
        ("configure", configure),
        ("configure private", configure),
        ("configure exclusive", configure),
        ("exit", quit_cli),
        ("quit", quit_cli),
        ("set cli screen-length NUM", screen_length),
        ("set cli screen-width NUM", screen_width),
        ("set cli complete-on-space WORD", complete_on_space),
        ("show version", show_version),
        ("show system uptime", show_uptime),
        ("show configuration", show_configuration),
        ("show configuration LINE", show_configuration),
        ("show interfaces terse", show_interfaces_terse),
        ("show interfaces", junos_shows.show_interfaces),
        ("show interfaces JIF", junos_shows.show_interfaces),
        ("show lldp neighbors", junos_shows.show_lldp_neighbors),
        ("show chassis hardware", junos_shows.show_chassis_hardware),
    ]
)


# --- configuration mode ----------------------------------------------------------------


def show_candidate(shell: JunosShell, args: Sequence[str]) -> str:
    device = shell.device
    if shell.compare:
        return junos_config.compare(device.committed, device.candidate)
    if shell.display_set:
        return junos_config.render_set(device.candidate)
    return junos_config.render(device.candidate)


def commit(shell: JunosShell, args: Sequence[str]) -> str:
    shell.device.revert.confirm()  # a plain commit confirms a pending `commit confirmed`
    shell.device.commit(shell.user)
    shell.device.revert.committed()
    return "commit complete\n"


def commit_check(shell: JunosShell, args: Sequence[str]) -> str:
    return "configuration check succeeds\n"


def commit_and_quit(shell: JunosShell, args: Sequence[str]) -> str:
    shell.device.revert.confirm()
    shell.device.commit(shell.user)
    shell.device.revert.committed()
    shell.configuring = False
    return "commit complete\nExiting configuration mode\n"


def rollback(shell: JunosShell, args: Sequence[str]) -> str:
    number = int(args[0]) if args else 0
    if not shell.device.rollback(number):
        raise Invalid(0)
    return "load complete\n"


def exit_configuration(shell: JunosShell, args: Sequence[str]) -> str:
    """Junos asks first when the candidate holds changes (see JunosShell.answer)."""
    if shell.device.changed:
        shell.confirming_exit = True
        return "The configuration has been changed but not committed\n"
    shell.configuring = False
    return "Exiting configuration mode\n"


def run(shell: JunosShell, args: Sequence[str]) -> str:
    return shell.run_operational(args[0], len("run "))


CONFIGURATION: Table[JunosShell] = Table(
    [
        *_statement_commands(),
        ("show", show_candidate),
        ("commit", commit),
        ("commit check", commit_check),
        ("commit confirmed", timed_commands.junos_commit_confirmed),
        ("commit confirmed NUM", timed_commands.junos_commit_confirmed),
        ("commit and-quit", commit_and_quit),
        ("rollback", rollback),
        ("rollback NUM", rollback),
        ("load override terminal", junos_load.load_override_terminal),
        ("exit", exit_configuration),
        ("exit configuration-mode", exit_configuration),
        ("quit", exit_configuration),
        ("run LINE", run),
    ]
)
