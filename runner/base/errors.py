"""The one exception tree of netjob, and the exit codes the CLI maps it to.

    NetjobError                      everything netjob raises on purpose
    ├── InputError                   bad input from the user: exit 2, nothing contacted;
    │   │                            .path .line .key: the file, line and key path at fault
    │   ├── LoadError                a YAML file cannot be read or has a wrong key/type
    │   ├── TemplateError            a task does not render for a host; also .host .task
    │   └── SelectionError           --limit / hosts: names no known host or group
    ├── LabError                     the built-in lab cannot start (port taken, ...)
    ├── ParseError                   TextFSM cannot parse an output: that step's field checks
    │                                are "error", the host goes on
    ├── RemediationError             a config cannot be read as a hierarchy: lines are sent
    │                                as written, and the step says so
    ├── StoreError                   a stored output is missing or damaged
    ├── ClusterError                 --cluster unusable: unreachable, plain TCP without
    │                                --insecure, versions differ, netjob[dask] missing
    ├── ReportWriteError             a report file cannot be written (a read-only or full
    │                                disk, a file where a folder should be): exit 4
    └── DeviceError                  one host's failure; becomes data in its HostResult;
        │                            .host .task: the host, and the task it failed in
        ├── UnreachableError         unreachable (refused, no route, DNS)
        ├── ConnectTimeoutError      connect_timeout
        ├── AuthenticationError      auth_failed
        ├── LoginTimeoutError        login_timeout (the password or the first prompt took
        │                            longer than auth_timeout)
        ├── SessionLimitError        session_limit
        ├── ConnectionLostError      connection_lost
        ├── CommandTimeoutError      command_timeout (prompt not found in time)
        ├── CommandRejectedError     command_rejected (the device refused a command, a
        │                            config line, a commit or a save, in its own words)
        ├── SessionDesyncError       session_desync (an output did not belong to its
        │                            command, or the session is not in the mode expected)
        ├── UnansweredPromptError    unanswered_prompt (the device asked a question that
        │                            neither the task nor the platform table answers)
        ├── HostTimeoutError         host_timeout (past the per-host deadline)
        ├── HostKeyChangedError      host_key_changed (the key differs from the known one;
        │                            nothing was sent)
        ├── HostKeyUnknownError      host_key_unknown (host_key_checking: strict, no key)
        ├── JumpFailedError          jump_failed (a bastion on the way is down or refused us)
        └── NoCommonAlgorithmsError  no_common_algorithms (the device speaks only
                                     algorithms not enabled for it: `ssh:` in the inventory)

Each exception carries its context as attributes, as httpx's carry their request: an
InputError's `.path` (the file), `.line` (1-based) and `.key` (the key path as the message
shows it, `tasks[0].commands`), a TemplateError's `.host` and `.task` as well, a
DeviceError's `.host` (set on whatever a login raises) and `.task`. Each is None where not
known. The message (`str(exc)`) names them for people, unchanged; the attributes are for
code (a test, an editor, an embedding application). `DeviceError.about(host=, task=)`
gives the error naming them, a copy: one error object may fail many hosts.

What may help with a DeviceError is its `hint` (the failure's own words) and its
`remedies`: run options named for what they do (Remedy.RETRY_FAILED), never a flag. The
command line's spelling of each is in REMEDY_WORDS, here only; `describe()` puts them
after the hint ("...; check the device's logs and load, then run again with
--retry-failed"). `replace(message, **fields)` gives a copy with more words or other
fields, the rest kept, for an error re-raised on the way up.

Foreign exceptions (netmiko, paramiko, sockets) are mapped to DeviceError subclasses in one
place, `runner.device.exception_map.map_exception`, and nowhere else. A DeviceError never
reaches the CLI: the executor records it on the host. Only the CLI turns a Report into an ExitCode.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from pathlib import Path
from typing import TypeVar


class ExitCode(IntEnum):
    """Process exit codes, documented in the README; stable for cron and CI."""

    OK = 0
    HOSTS_FAILED = 1
    BAD_INPUT = 2
    NONCOMPLIANT = 3
    REPORT_NOT_WRITTEN = 4
    RUNNING = 5  # `netjob report` on a run still going: it has no outcome yet
    INTERRUPTED = 130


class FailureClass(str, Enum):
    """One class per failed host or step, each with a different thing to try. Written and
    printed as its value (`auth_failed`): JSON gives the value, and so do str() and
    f-strings, which since Python 3.11 would otherwise give `FailureClass.AUTH_FAILED`."""

    UNREACHABLE = "unreachable"
    CONNECT_TIMEOUT = "connect_timeout"
    AUTH_FAILED = "auth_failed"
    LOGIN_TIMEOUT = "login_timeout"
    SESSION_LIMIT = "session_limit"
    CONNECTION_LOST = "connection_lost"
    COMMAND_TIMEOUT = "command_timeout"
    COMMAND_REJECTED = "command_rejected"
    SESSION_DESYNC = "session_desync"
    UNANSWERED_PROMPT = "unanswered_prompt"
    HOST_TIMEOUT = "host_timeout"
    HOST_KEY_CHANGED = "host_key_changed"
    HOST_KEY_UNKNOWN = "host_key_unknown"
    JUMP_FAILED = "jump_failed"
    NO_COMMON_ALGORITHMS = "no_common_algorithms"
    TEMPLATE_ERROR = "template_error"
    INTERRUPTED = "interrupted"
    INTERNAL_ERROR = "internal_error"
    # On a cluster: a config host claimed by a poller whose result never came back (it
    # may or may not have been changed), and a site no poller serves.
    UNKNOWN = "unknown"
    NO_POLLER = "no_poller"
    # --confirm: a change not confirmed, and seen back on its previous config after the
    # device's timer (a change not seen after the timer is `unknown`).
    REVERTED = "reverted"
    # The job's own judgement of the network (runner.run.phases): a `pre_checks:` check
    # failed (the host's config was not sent), a `post_checks:` check failed after the
    # host's last config task, or a show task's `until:` never held in its retries.
    PRE_CHECK_FAILED = "pre_check_failed"
    POST_CHECK_FAILED = "post_check_failed"
    UNTIL_FAILED = "until_failed"

    def __str__(self) -> str:
        return self.value


class NetjobError(Exception):
    """Base of everything netjob raises on purpose."""


class InputError(NetjobError):
    """Bad input: the message names the file and key (or job, task, host) and what to do.

    `path`, `line` and `key` say the same for code: the file, its 1-based line, and the
    key path as the message shows it (`tasks[0].commands`); None where not known."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


class LoadError(InputError):
    """A YAML file is unreadable, malformed, or has an unknown key or a wrong type."""


class TemplateError(InputError):
    """A task does not render for a host (undefined variable, syntax, sandbox). `host` and
    `task` name them (None where not known); `path` is the job or template file."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
        host: str | None = None,
        task: str | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, key=key)
        self.host = host
        self.task = task


class SelectionError(InputError):
    """A host pattern names no known host or group."""


class ParseError(NetjobError):
    """Output could not be parsed: no template, a broken template, or an Error rule hit."""


class RemediationError(NetjobError):
    """The running config or the task's lines could not be read as a configuration."""


class StoreError(NetjobError):
    """An output is missing from the store or damaged on disk."""


class LabError(NetjobError):
    """The built-in lab cannot start."""


class ReportWriteError(NetjobError):
    """A report file or folder cannot be written: checked before any device is contacted,
    and on a write error mid-run the run stops starting hosts (exit 4)."""


class ClusterError(NetjobError):
    """A run cannot use the cluster it was given (unreachable, plain TCP, version skew, a
    secret to seal without $NETJOB_CLUSTER_KEY)."""


class Remedy(str, Enum):
    """A run option that may help with a failure, named for what it does. The rooms below
    the CLI carry it as a field (`DeviceError.remedies`) and never spell the command line's
    flag: that is REMEDY_WORDS' job, the one place a flag is worded for a failure."""

    FEWER_LOGINS = "fewer_logins"
    FEWER_WORKERS = "fewer_workers"
    LONGER_HOST_TIMEOUT = "longer_host_timeout"
    RETRY_FAILED = "retry_failed"
    # A host whose outcome is unknown (it may have been changed): retried only when asked.
    RETRY_UNKNOWN = "retry_unknown"


# Each remedy as the command line spells it, after the hint's own words (a test checks
# that every flag here is one of `netjob run`'s and `netjob cmd`'s: both print these).
REMEDY_WORDS: dict[Remedy, str] = {
    Remedy.FEWER_LOGINS: "or lower --max-logins",
    Remedy.FEWER_WORKERS: "or lower --workers",
    Remedy.LONGER_HOST_TIMEOUT: "or raise --host-timeout",
    Remedy.RETRY_FAILED: "then run again with --retry-failed",
    Remedy.RETRY_UNKNOWN: "then run again with --retry-failed --include-unknown",
}


def advice(hint: str, remedies: tuple[Remedy, ...]) -> str:
    """The hint, then each remedy in the command line's words: "check its logs, then run
    again with --retry-failed"."""
    return ", ".join([hint, *(REMEDY_WORDS[remedy] for remedy in remedies)])


_Error = TypeVar("_Error", bound="DeviceError")


class DeviceError(NetjobError):
    """A failure on one host. Carries its class and a hint of what to try: the hint's own
    words, then its `remedies` (run options, worded by describe()). A hint given when the
    error is raised replaces the class's, remedies included, unless they are given too."""

    failure = FailureClass.INTERNAL_ERROR
    hint = "run again with -v and read the host's log"
    remedies: tuple[Remedy, ...] = ()
    # Only failures before anything was sent are ever retried (never a half-applied push).
    retryable = False

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        sent: tuple[str, ...] | None = None,
        output: str = "",
        host: str | None = None,
        task: str | None = None,
        remedies: tuple[Remedy, ...] | None = None,
    ) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint
            self.remedies = remedies or ()
        elif remedies is not None:
            self.remedies = remedies
        # What reached the device before it failed (None: not known to the raiser), and
        # what it answered: a failed config step still records both.
        self.sent = sent
        self.output = output
        # The host, and the task it failed in (None: not known to the raiser).
        # NetmikoConnection.open names the host on whatever a login raises (`about`).
        self.host = host
        self.task = task

    def describe(self) -> str:
        """The one-line message for console, log and report: what failed, then what to try."""
        return f"{self}; {advice(self.hint, self.remedies)}"

    def about(self: _Error, host: str | None = None, task: str | None = None) -> _Error:
        """This error naming `host` and `task` (None: left as it is): itself when it already
        does, else a copy. Never changed in place: one error object may fail many hosts (a
        bastion that is down fails every host behind it with one exception)."""
        host = self.host if host is None else host
        task = self.task if task is None else task
        if (host, task) == (self.host, self.task):
            return self
        return self.replace(host=host, task=task)

    def replace(self: _Error, message: str | None = None, **fields: object) -> _Error:
        """A copy of this error (its class, host, task, sent, output, hint, retryable) with
        `message` and the `fields` given changed, as dataclasses.replace does: re-raising
        with more words never loses what the error knew. Raise it `from` the original."""
        unknown = set(fields) - _FIELDS
        if unknown:
            raise TypeError(f"DeviceError has no field {sorted(unknown)[0]!r}")
        # A new instance and a new __dict__, not copy.copy: once tblib's pickling support
        # is installed (Dask's workers do), copy.copy of an exception shares its __dict__.
        args = self.args if message is None else (message, *self.args[1:])
        copy = type(self).__new__(type(self), *args)
        copy.args = args
        copy.__dict__.update({**self.__dict__, **fields})
        return copy


_FIELDS = {"hint", "remedies", "sent", "output", "host", "task", "retryable"}


class UnreachableError(DeviceError):
    failure = FailureClass.UNREACHABLE
    hint = "check the address and port, and that SSH is enabled on the device"


class ConnectTimeoutError(DeviceError):
    failure = FailureClass.CONNECT_TIMEOUT
    hint = "check that the device is up and reachable, or raise connection.conn_timeout"


class AuthenticationError(DeviceError):
    failure = FailureClass.AUTH_FAILED
    hint = "check the username and the password (or its environment variable) for this host"


class LoginTimeoutError(DeviceError):
    failure = FailureClass.LOGIN_TIMEOUT
    retryable = True
    hint = (
        "the device (or its TACACS/RADIUS server) is slow to log in: raise connection.auth_timeout"
    )
    remedies = (Remedy.FEWER_LOGINS,)


class SessionLimitError(DeviceError):
    failure = FailureClass.SESSION_LIMIT
    retryable = True
    hint = "free VTY lines on the device"
    remedies = (Remedy.FEWER_WORKERS, Remedy.RETRY_FAILED)


class ConnectionLostError(DeviceError):
    failure = FailureClass.CONNECTION_LOST
    hint = "check the device's logs and load"
    remedies = (Remedy.RETRY_FAILED,)


class CommandTimeoutError(DeviceError):
    failure = FailureClass.COMMAND_TIMEOUT
    hint = "raise the task's read_timeout, or set expect_string to the prompt it ends with"


class CommandRejectedError(DeviceError):
    failure = FailureClass.COMMAND_REJECTED
    hint = "check the command's spelling and that this platform supports it"


class SessionDesyncError(DeviceError):
    failure = FailureClass.SESSION_DESYNC
    hint = (
        "the device printed something netjob did not expect (a late prompt, a log message, "
        "a pager); look at the host's log"
    )
    remedies = (Remedy.RETRY_FAILED,)


class UnansweredPromptError(DeviceError):
    failure = FailureClass.UNANSWERED_PROMPT
    hint = (
        "answer it in the task: prompts: [{prompt: 'REGEX', answer: 'TEXT'}] (or answer_env: "
        "NAME for a secret); the question was cancelled with Ctrl-C"
    )


class HostTimeoutError(DeviceError):
    failure = FailureClass.HOST_TIMEOUT
    hint = "look at why this host is slow"
    remedies = (Remedy.LONGER_HOST_TIMEOUT,)


class HostKeyChangedError(DeviceError):
    failure = FailureClass.HOST_KEY_CHANGED
    hint = "check why the device's host key changed before trusting the new one"


class HostKeyUnknownError(DeviceError):
    failure = FailureClass.HOST_KEY_UNKNOWN
    hint = "add the device's host key to the known-hosts file"


class JumpFailedError(DeviceError):
    failure = FailureClass.JUMP_FAILED
    retryable = True
    hint = "check the bastion (address, port, user, key) and that it is up"


class NoCommonAlgorithmsError(DeviceError):
    failure = FailureClass.NO_COMMON_ALGORITHMS
    hint = "allow the device's algorithms for its group or host: ssh: {kex: [...]}"
