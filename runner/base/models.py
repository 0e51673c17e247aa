"""Records that flow through netjob. Frozen, typed, and free of I/O.

Host → (Job of Tasks) → Step (a Task rendered for a Host) → WorkItem (a Host and its
Steps: the unit on the queue) → StepResult / HostResult → Report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from runner.base import platform_names, platforms
from runner.base.errors import FailureClass
from runner.base.platform_names import DEFAULT_KEY

# --- checks: the audit rules of a task (parsed by runner.load.checks, judged by runner.run.audit)


class CheckStatus(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the check could not be judged (not parsed, not a number, bad regex)


@dataclass(frozen=True, kw_only=True)
class Check:
    """One rule. `rule` is a TEXT_RULES name, or a FIELD_RULES name when `field` is set."""

    name: str
    rule: str
    operand: str | tuple[str, ...]  # a tuple for `in` / `not_in` only
    field: str | None = None  # with `fields`: the `default:` one, if any
    where: tuple[tuple[str, str], ...] = ()
    each: bool = True
    line: int = 0  # where the check starts in the job file
    # `field: {arista_eos: image, default: version}`: ntc-templates name fields per platform.
    fields: tuple[tuple[str, str], ...] = ()

    def field_for(self, platform: str | None) -> str | None:
        """The field this check reads on a platform (None: no entry for it, no default)."""
        by_platform = dict(self.fields)
        if not by_platform:
            return self.field
        key = platform_names.pick(by_platform, platform) if platform else DEFAULT_KEY
        return by_platform.get(key) if key else None

    def render(self, fn: Callable[[str], str]) -> Check:
        """A copy with every string (name, operands, where values) passed through `fn`."""
        operand = (
            tuple(fn(v) for v in self.operand)
            if isinstance(self.operand, tuple)
            else fn(self.operand)
        )
        where = tuple((key, fn(value)) for key, value in self.where)
        return replace(self, name=fn(self.name), operand=operand, where=where)


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    evidence: str  # one short line: the offending line or value, or what matched


class TaskKind(str, Enum):
    SHOW = "show"
    CONFIG = "config"
    TEMPLATE = "template"
    # Exec commands that act (copy, delete, clear, reload): answered questions, `changed`,
    # never sent in a dry run (--check).
    COMMAND = "command"
    PUT = "put"  # a file to the device over SCP
    GET = "get"  # a file from the device over SCP
    # `netjob rollback` only (no job file writes it): the host's running config replaced
    # with the one a run kept before its first config line (runner.run.rollback).
    REPLACE = "replace"


@dataclass(frozen=True)
class Answer:
    """What to answer a question a command asks (Ansible cli_command's prompt/answer)."""

    prompt: str  # a regex, searched in the question
    answer: str = field(repr=False)
    secret: bool = False  # from answer_env: masked in outputs and logs


class Status(str, Enum):
    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, kw_only=True)
class ConnectionOptions:
    """How to talk to a host; merged like vars (defaults < groups < host)."""

    conn_timeout: float = 10.0
    auth_timeout: float = 10.0
    read_timeout: float = 30.0
    # netmiko's global_delay_factor/fast_cli trade-offs are ours to choose; see device/login.py.
    fast_cli: bool = True
    # Authentication, tried in this order: key_file, then the SSH agent, then the password.
    key_file: str | None = None
    passphrase_env: str | None = None  # the key's passphrase comes from this variable
    use_agent: bool = False
    # Host keys: "strict" (known keys only), "accept-new" (learn a new host's key once,
    # refuse a changed one, as OpenSSH's option) or "off"; known_hosts None: the default
    # file (runner.device.hostkeys).
    host_key_checking: str = "accept-new"
    known_hosts: str | None = None
    # Bastions, nearest first (empty: straight to the address), and OpenSSH's config.
    jump: tuple[JumpHost, ...] = ()
    ssh_config: str | None = None
    # Algorithms preferred first (and enabled, if paramiko has them off): legacy devices.
    ssh_kex: tuple[str, ...] = ()
    ssh_ciphers: tuple[str, ...] = ()
    ssh_macs: tuple[str, ...] = ()
    ssh_host_key_types: tuple[str, ...] = ()
    transport: str = "ssh"  # or "telnet" (netmiko's *_telnet drivers; unencrypted)


@dataclass(frozen=True, kw_only=True)
class JumpHost:
    """A bastion on the way to a device: its own address, user and credentials."""

    address: str
    port: int = 22
    username: str | None = None
    password_env: str | None = None
    key_file: str | None = None
    passphrase_env: str | None = None
    use_agent: bool = False
    max_sessions: int = 64  # sessions through it at once; more wait for a free one
    # Its own `ssh:` algorithms (a legacy bastion), as ConnectionOptions' for a device:
    # never the device's, which may name weaker ones the bastion need not be offered.
    ssh_kex: tuple[str, ...] = ()
    ssh_ciphers: tuple[str, ...] = ()
    ssh_macs: tuple[str, ...] = ()
    ssh_host_key_types: tuple[str, ...] = ()

    def label(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"{user}{self.address}:{self.port}"


@dataclass(frozen=True, kw_only=True)
class Host:
    name: str
    address: str
    port: int = 22
    platform: str = platforms.DEFAULT
    username: str | None = None
    # Plain-text secrets are possible but optional; *_env names an environment variable.
    password: str | None = field(default=None, repr=False)
    password_env: str | None = None
    secret: str | None = field(default=None, repr=False)
    secret_env: str | None = None
    groups: tuple[str, ...] = ()
    vars: Mapping[str, Any] = field(default_factory=dict)
    connection: ConnectionOptions = field(default_factory=ConnectionOptions)
    # Where the device can be reached from: on a cluster, only pollers that advertise the
    # resource `site_<site>` run it (None: any poller).
    site: str | None = None
    # The inventory format it came from ("netjob", "ansible", "nornir"): messages name
    # that format's keys (ansible_password, not password_env).
    origin: str = field(default="netjob", compare=False)
    # Which of password and secret an Ansible Vault held: said as their source, never shown.
    from_vault: tuple[str, ...] = field(default=(), compare=False)

    def credential_source(self, kind: str) -> str | None:
        """Where the host's `password` or `secret` comes from, never the value:
        `(from Ansible Vault)`, `(plain text)`, `$ENV_NAME`, or None (none given)."""
        value, env = (
            (self.password, self.password_env)
            if kind == "password"
            else (self.secret, self.secret_env)
        )
        if value:
            return "(from Ansible Vault)" if kind in self.from_vault else "(plain text)"
        return f"${env}" if env else None

    def facts(self) -> dict[str, Any]:
        """What templates see as `host`: identity only, never credentials."""
        return {
            "name": self.name,
            "address": self.address,
            "port": self.port,
            "platform": self.platform,
            "groups": list(self.groups),
            "site": self.site,
        }


@dataclass(frozen=True)
class Credentials:
    username: str | None
    password: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)  # of the host's key_file


@dataclass(frozen=True, kw_only=True)
class Task:
    """One entry of a job file, not yet rendered. `lines` are Jinja2 source strings."""

    name: str
    kind: TaskKind
    lines: tuple[str, ...] = ()
    template: Path | None = None
    read_timeout: float | None = None
    expect_string: str | None = None
    save_config: bool = False  # the device's save (write memory, commit) after the lines
    line: int = 0  # where the task starts in the job file, for error messages
    parse: str | None = None  # "textfsm" (ntc-templates) or a TextFSM template's path
    register: str | None = None  # later tasks see the output as registered.<name>
    checks: tuple[Check, ...] = ()
    when: str | None = None  # a Jinja2 expression; false skips the task on that host
    save_to: str | None = None  # a file (templated) that gets the output, e.g. backups
    # `show:`/`config:` given per platform (netmiko device_type, or `default`).
    by_platform: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # by_platform's keys as the job wrote them (`junos` for juniper_junos), for the plan.
    platform_keys: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    loop: str | tuple[Any, ...] | None = None  # an expression or a list: a step per item
    ignore_errors: bool = False
    prompts: tuple[Answer, ...] = ()  # questions its commands may ask, and the answers
    allow_disconnect: bool = False  # `reload`: the device ending the session is success
    # Seconds of the device's confirm-or-revert timer (`confirm: 5m`, `--confirm 5m`);
    # None: applied as usual (runner.base.revert_timer). Per platform (`confirm: {ios: 1m,
    # default: 30s}`): netmiko device_type (or `default`) → seconds.
    confirm: float | None = None
    confirm_by_platform: Mapping[str, float] = field(default_factory=dict)
    # A show task's `until:` checks: the command is sent again, `delay` seconds apart, up
    # to `retries` more times, until they all pass (runner.run.phases).
    until: tuple[Check, ...] = ()
    retries: int = 0
    delay: float = 0.0
    role: str | None = None  # a pre-check, post-check or rescue task; None: one of `tasks:`


# Where a task of the job stands (runner.run.phases): `pre_checks:` run before a host's
# first config task, `post_checks:` after its last, `rescue:` only once a task has failed.
PRE_CHECK, POST_CHECK, RESCUE = "pre_check", "post_check", "rescue"


@dataclass(frozen=True, kw_only=True)
class Job:
    name: str
    path: Path
    hosts: str = "all"
    vars: Mapping[str, Any] = field(default_factory=dict)
    tasks: tuple[Task, ...] = ()
    normalize: tuple[str, ...] = ()  # the job's own noise regexes for `netjob diff`
    pre_checks: tuple[Task, ...] = ()
    post_checks: tuple[Task, ...] = ()
    rescue: tuple[Task, ...] = ()

    @property
    def every_task(self) -> tuple[Task, ...]:
        """`tasks:` with the pre-checks, post-checks and rescue tasks, as rendered."""
        return (*self.pre_checks, *self.tasks, *self.post_checks, *self.rescue)


@dataclass(frozen=True, kw_only=True)
class Step:
    """A Task rendered for one Host: exactly what will be sent.

    A task that uses `registered.*` (outputs of earlier steps) or `when:` can only be finished
    on the device: then `sources` keeps its templates and `context` its variables, every
    other variable having already been checked when the job was expanded."""

    task: str
    kind: TaskKind
    commands: tuple[str, ...]
    read_timeout: float | None = None
    expect_string: str | None = None
    save_config: bool = False
    parse: str | None = None
    register: str | None = None
    checks: tuple[Check, ...] = ()
    when: str | None = None
    save_to: str | None = None
    ignore_errors: bool = False
    sources: tuple[str, ...] = ()
    context: Mapping[str, Any] | None = field(default=None, repr=False)
    prompts: tuple[Answer, ...] = ()
    allow_disconnect: bool = False
    # A per-platform task: the key the host took, as written (`junos`, `default`).
    platform_key: str | None = None
    confirm: float | None = None  # the task's revert timer, in seconds (see Task)
    until: tuple[Check, ...] = ()
    retries: int = 0
    delay: float = 0.0
    role: str | None = None


# Hosts (WorkItems) worked on at once unless told: --workers/--forks, run_job(workers=),
# the threads of each `netjob cluster` worker, `netjob confirm`'s logins.
DEFAULT_WORKERS = 20


@dataclass(frozen=True)
class WorkItem:
    host: Host
    steps: tuple[Step, ...]
    credentials: Credentials = field(default_factory=lambda: Credentials(None), repr=False)


@dataclass(frozen=True, kw_only=True)
class StepResult:
    task: str
    kind: TaskKind
    commands: tuple[str, ...]
    status: Status
    # Show steps: one output per command. Config steps: the session's echo, then `save`'s.
    outputs: tuple[str, ...] = ()
    failure: FailureClass | None = None
    error: str | None = None
    started: float = 0.0  # seconds since the epoch
    duration: float = 0.0
    checks: tuple[CheckResult, ...] = ()
    parsed: tuple[Mapping[str, Any], ...] | None = None
    diff: str | None = None  # config steps: what was (or, in a dry run, would be) sent
    note: str | None = None  # e.g. "unchanged", "when: false"
    save_to: str | None = None
    # A change made under the device's revert timer: "confirmed", "reverted" (seen on the
    # device after the timer), "unknown" (not seen), or "pending" (not yet confirmed).
    confirm: str | None = None


@dataclass(frozen=True, kw_only=True)
class HostResult:
    host: str
    status: Status
    steps: tuple[StepResult, ...] = ()
    failure: FailureClass | None = None
    error: str | None = None
    started: float = 0.0
    duration: float = 0.0
    poller: str | None = None  # the cluster worker that ran the host (None: this machine)
    # The library that carried its session, or would have where the connection failed
    # (ssh2, paramiko; telnet), as the process that ran it chose (runner.device.transports);
    # None: never started.
    transport: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    @property
    def noncompliant(self) -> bool:
        return any(c.status != "pass" for s in self.steps for c in s.checks)


@dataclass(frozen=True, kw_only=True)
class Report:
    job: str
    run_dir: Path
    started: float
    duration: float
    hosts: Mapping[str, HostResult]
    interrupted: bool = False
    stopped: str | None = None  # why the run ended early (interrupt, --max-fail)

    @property
    def failed(self) -> list[HostResult]:
        return [r for r in self.hosts.values() if r.failed]

    @property
    def noncompliant(self) -> list[HostResult]:
        return [r for r in self.hosts.values() if r.noncompliant]


@dataclass(frozen=True)
class RunProgress:
    """A worker's news for a live display: a host started (task None) or began a task;
    with `done`/`total`, a put:/get: in that task has moved `done` of `total` bytes."""

    host: str
    task: str | None = None
    done: int | None = None
    total: int | None = None
