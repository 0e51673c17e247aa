"""Config-mode steps on a Session: lines sent and checked one by one, the commit where the
platform commits, a change under the device's revert timer (runner.base.revert_timer) and
its confirmation, and a whole config loaded and committed (load_replace). Every refusal
drops the candidate and leaves config mode before it is raised (Session.recover)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence

from netmiko.exceptions import ConfigInvalidException

from runner.base.errors import CommandRejectedError, SessionDesyncError
from runner.base.revert_timer import TimedChange
from runner.device import drivers, load_text, setup
from runner.device.commands import send_show
from runner.device.exception_map import first_line, rejected_config
from runner.device.session import Session, refusal, sent_until

_CONFIG_MODE_S = 10.0  # netmiko's own bound for its reads on the way into config mode


def send_config(session: Session, lines: Sequence[str], read_timeout: float) -> str:
    """Enter config mode, send `lines` stopping at the first the device refuses, commit
    where the platform commits, leave config mode. A refusal of a line or a commit
    drops the candidate (where there is one) and leaves config mode before raising."""
    return send_timed_config(session, lines, read_timeout, None)


def send_timed_config(
    session: Session, lines: Sequence[str], read_timeout: float, timed: TimedChange | None
) -> str:
    """send_config, the change under the device's revert timer when `timed` is given
    (the platform table's RevertTimer says how: runner.base.revert_timer)."""
    session.check_usable()
    driver, info = session.driver, session.info
    timer = info.revert if timed is not None else None
    session.settled = False  # until config mode is left for sure
    driver._netjob_received = []
    try:
        if timed is not None and timer is not None and timer.enter:
            command = timer.fill(timer.enter, timed.seconds, timed.session)
            output = _starting_timer(timed, lambda: _config_mode(session, command))
        else:
            output = _config_mode(session, None)
    except CommandRejectedError:
        raise
    except Exception as exc:
        raise session.mapped(exc, during="entering config mode") from exc
    output += _send_lines(session, lines, read_timeout)
    if timed is not None and timer is not None and timer.commit:
        commit = timer.fill(timer.commit, timed.seconds, timed.session)
        output += _starting_timer(
            timed, lambda: _timed_commit(session, commit, tuple(lines), read_timeout)
        )
    elif session.commits:
        output += _commit(session, tuple(lines), read_timeout)
    quick = _quick_modes(session)
    try:
        output += (
            setup.exit_config(driver, read_timeout) if quick else str(driver.exit_config_mode())
        )
    except Exception as exc:
        done = "committed" if session.commits else "applied"
        session.broken = "it could not leave configuration mode"
        raise SessionDesyncError(
            f"the lines were {done}, but the session could not leave configuration "
            f"mode: {first_line(str(exc))}",
            sent=tuple(lines),
            output=output,
        ) from exc
    session.settled = True
    if not quick:  # a config step may have renamed the device: learn the prompt again
        with contextlib.suppress(Exception):
            driver.set_base_prompt()
    return output


def _quick_modes(session: Session) -> bool:
    """IOS, EOS, NX-OS (set up by runner.device.setup; no commit): config mode entered and left
    reading the prompt that answers, without netmiko's "in config mode?" round trips."""
    return bool(session.info.setup) and not session.commits


def _config_mode(session: Session, command: str | None) -> str:
    """Config mode entered (by the platform's command with a revert timer: `command`); a
    device that refuses it raises CommandRejectedError, in its own words where it gave
    any (IOS: "% Archive path not configured" to `configure terminal revert timer N`)."""
    driver = session.driver
    try:
        if _quick_modes(session):
            entered = setup.enter_config(driver, command or "configure terminal", _CONFIG_MODE_S)
            if entered is None:
                raise _refused_config_mode(session, command, "Failed to enter configuration mode")
            return entered
        return str(driver.config_mode(command) if command else driver.config_mode())
    except ValueError as exc:  # netmiko: "Failed to enter configuration mode"
        raise _refused_config_mode(session, command, str(exc)) from exc


def _refused_config_mode(session: Session, command: str | None, why: str) -> CommandRejectedError:
    """The refusal, in the device's words where it gave any (a `%` line), else `why`."""
    received = "".join(getattr(session.driver, "_netjob_received", []))
    said = next((ln.strip() for ln in received.splitlines() if ln.strip().startswith("%")), "")
    session.recover()
    return CommandRejectedError(
        f"the device refused config mode: {said or first_line(why)}",
        hint=session.unprivileged_hint()
        or (None if said else "check the user's privilege on the device"),
        sent=(command,) if command else (),
        output=received,
    )


def _send_lines(session: Session, lines: Sequence[str], read_timeout: float) -> str:
    try:
        output = drivers.send_config_set(
            session.driver,
            lines,
            read_timeout=read_timeout,
            # Inline flags: netmiko compiles the string itself, and devices print
            # `Unknown command` and `% unknown command` alike.
            error_pattern="(?i)" + session.info.rejected.pattern,
            enter_config_mode=False,
        )
    except ConfigInvalidException as exc:
        session.recover()
        refused = re.search(r"at command: (.*?), matched error:", str(exc), re.S)
        sent = sent_until(lines, refused.group(1) if refused else None)
        raise CommandRejectedError(
            rejected_config(str(exc)) + session.recovered(), sent=sent, output=str(exc)
        ) from exc
    except Exception as exc:
        raise session.mapped(exc, during="config mode") from exc
    refused_text = refusal(session.info.rejected, output, head=None)
    if refused_text:  # a refusal netmiko's per-line check did not see
        session.recover()
        raise CommandRejectedError(
            f"the device rejected a config line: {refused_text}{session.recovered()}",
            sent=tuple(lines),
            output=output,
        )
    return output


def _commit(session: Session, lines: tuple[str, ...], read_timeout: float) -> str:
    try:
        output = drivers.commit(session.driver, read_timeout)
    except ValueError as exc:  # netmiko: "Commit failed with the following errors"
        session.recover()
        said = refusal(session.info.commit_rejected, str(exc), head=None)
        raise CommandRejectedError(
            f"the device refused the commit: {said or first_line(str(exc))}" + session.recovered(),
            sent=(*lines, "commit"),
            output=str(exc),
        ) from exc
    except Exception as exc:
        raise session.mapped(exc, during="the commit") from exc
    said = refusal(session.info.commit_rejected, output, head=None)
    if said:
        session.recover()
        raise CommandRejectedError(
            f"the device refused the commit: {said}{session.recovered()}",
            sent=(*lines, "commit"),
            output=output,
        )
    return output


def _starting_timer(timed: TimedChange, send: Callable[[], str]) -> str:
    timed.starting()
    try:
        return send()
    except CommandRejectedError:
        timed.refused()  # the device refused the command: its timer never started
        raise


def _timed_commit(
    session: Session, command: str, lines: tuple[str, ...], read_timeout: float
) -> str:
    """The commit that starts the timer (`commit confirmed N`, EOS `commit timer`),
    checked as any commit is."""
    prompt = session.prompt_pattern() or r"[>#\]%]\s*$"
    try:
        output = str(
            session.driver.send_command(
                command, expect_string=prompt, read_timeout=read_timeout, cmd_verify=False
            )
        )
    except Exception as exc:
        raise session.mapped(exc, during=f"'{command}'") from exc
    said = refusal(session.info.commit_rejected, output, head=None)
    if said:
        session.recover()
        raise CommandRejectedError(
            f"the device refused '{command}': {said}{session.recovered()}",
            sent=(*lines, command),
            output=output,
        )
    return output


def confirm_change(session: Session, timed: TimedChange, read_timeout: float) -> str:
    """Confirm a pending timed change from this session (a fresh login): `commit` in
    config mode (Junos, IOS-XR), or the platform's exec command (EOS, IOS). What the
    device says is returned; whether the change is still there is for the caller to
    read from the running config."""
    timer = session.info.revert
    if timer is None:
        raise CommandRejectedError(f"{session.info.title} has no revert timer to confirm")
    if timer.confirm_in_config:
        return send_config(session, [], read_timeout)
    said = []
    for command in timer.confirm:
        filled = timer.fill(command, timed.seconds, timed.session)
        said.append(send_show(session, filled, read_timeout, None))
    return "\n".join(said)


def load_replace(
    session: Session, command: str, text: str, read_timeout: float, timed: TimedChange | None = None
) -> str:
    """A whole config typed after `command` in config mode (Junos `load override
    terminal`, runner.device.load_text), then committed (with `timed`, by the
    platform's timed commit: `commit confirmed N`). A load the device did not take
    whole is dropped (the platform's discard), never committed."""
    session.check_usable()
    driver = session.driver
    session.settled = False
    prompt = session.prompt_pattern() or re.escape(str(driver.base_prompt))
    try:
        output = str(driver.config_mode())
        output += load_text.load_terminal(driver, command, text, prompt, read_timeout)
    except Exception as exc:
        raise session.mapped(exc, during=f"'{command}'") from exc
    failed = load_text.LOAD_FAILED.search(output)
    if failed:
        session.recover()
        raise CommandRejectedError(
            f"the device did not take the whole config ('{command}': "
            f"{output[failed.start() :].splitlines()[0].strip()}){session.recovered()}",
            sent=(command,),
            output=output,
        )
    timer = session.info.revert if timed is not None else None
    if timed is not None and timer is not None and timer.commit:
        commit = timer.fill(timer.commit, timed.seconds, timed.session)
        output += _starting_timer(
            timed, lambda: _timed_commit(session, commit, (command,), read_timeout)
        )
    else:
        output += _commit(session, (command,), read_timeout)
    try:
        output += str(driver.exit_config_mode())
    except Exception as exc:
        session.broken = "it could not leave configuration mode"
        raise session.mapped(exc, during="leaving config mode after the commit") from exc
    session.settled = True
    return output
