"""Exec-mode steps on a Session: a show (its output checked to belong to it), a command
that may ask questions (answered from the task and the platform table), and the save."""

from __future__ import annotations

import re
from collections.abc import Sequence

from runner.base import platforms
from runner.base.errors import (
    CommandRejectedError,
    SessionDesyncError,
    UnansweredPromptError,
)
from runner.device import drivers
from runner.device.exception_map import first_line, mapped, quote
from runner.device.netmiko_patches import _QUESTION, SessionClosed, _late_data
from runner.device.session import Session, refusal

_SAVE_TIMEOUT_S = 120.0  # netmiko's own bound for a save that asks nothing
# What a save that did not happen looks like, beyond the platform's refusal forms.
_SAVE_FAILED = re.compile(
    r"^[ \t]*(?:.*\b(?:fail(?:ed|ure)?|denied|not saved|aborted)\b).*$",
    re.MULTILINE | re.IGNORECASE,
)
SAVE_HINT = "the lines were applied but not saved; check the device's storage"
_MAX_ANSWERS = 10  # questions one command may ask: more is a loop, not a dialogue


def send_show(
    session: Session, command: str, read_timeout: float, expect_string: str | None
) -> str:
    session.check_usable()
    driver = session.driver
    prompt = session.prompt_pattern()
    driver._netjob_received = []
    try:
        with mapped(to=lambda exc: session.mapped(exc, during=f"'{command}'")):
            driver._netjob_before_echo = ""
            expect = expect_string or prompt or session.found_prompt()
            output: str = driver.send_command(
                command, read_timeout=read_timeout, expect_string=expect
            )
            stale = str(getattr(driver, "_netjob_before_echo", ""))
            late = _late_data(driver)
            if not late and not output.strip():
                # An empty answer may be a prompt that came before the output: ask for
                # a fresh prompt and see whether anything else comes first.
                late = session.probe(prompt, min(read_timeout, 10.0))
    finally:
        driver._netjob_received = []  # kept only for a failure's partial output
    if session.unexpected(stale, prompt) or session.unexpected(late, prompt):
        session.resync()
        raise SessionDesyncError(
            f"the output of '{command}' cannot be trusted: the device printed "
            f"{quote(stale or late)} {'before echoing' if stale else 'after answering'} "
            "it, so the outputs and commands were out of step; the session was "
            "re-synchronised and no output was stored for it"
        )
    refused = refusal(session.info.rejected, output)
    if refused:
        raise CommandRejectedError(
            f"the device rejected '{command}': {refused}",
            hint=session.unprivileged_hint(),
            output=output,
        )
    return output


def save(session: Session) -> str:
    session.check_usable()
    info = session.info
    if info.save is platforms.Save.COMMIT:
        return "(kept by the commit)"
    asks = None if info.known else drivers.save_question(session.driver)
    try:
        output = _save_answering(session, *asks) if asks else str(session.driver.save_config())
    except NotImplementedError as exc:  # caught when the job loads; a safety net
        raise CommandRejectedError(
            f"netmiko has no save for {info.title}: the lines were applied, not saved",
            hint="drop `save: true` from this task",
        ) from exc
    except CommandRejectedError:
        raise
    except ValueError as exc:  # netmiko: some drivers raise when the save's answer is wrong
        raise CommandRejectedError(
            f"the device refused to save the config: {first_line(str(exc))}", hint=SAVE_HINT
        ) from exc
    except Exception as exc:
        raise session.mapped(exc, during="saving the config") from exc
    if info.config_prompt_end:
        output += _back_from_save(session)
    said = refusal(info.rejected, output, head=None) or refusal(_SAVE_FAILED, output, None)
    if said:
        raise CommandRejectedError(
            f"the device refused to save the config: {said}",
            hint=SAVE_HINT,
            output=output,
        )
    return output


def _save_answering(session: Session, command: str, answer: str) -> str:
    """The save's command, its question (if the device asks one) answered."""
    question = f"(?i:{_QUESTION.pattern})"
    try:
        return send_command(session, command, _SAVE_TIMEOUT_S, ((question, answer),))
    except CommandRejectedError as exc:
        # The device's refusal of the save's own command, in the save's words; what was
        # sent and answered stays on the error.
        said = first_line(str(exc).removeprefix("the device rejected "))
        raise exc.replace(f"the device refused to save the config: {said}", hint=SAVE_HINT) from exc


def _back_from_save(session: Session) -> str:
    """netmiko's Comware save_config() calls its enable(), which is `system-view`, and
    leaves the session there: the next show waited for the user view's prompt until
    it timed out. Back to where the save found it (a quick prompt read: VRP, Comware)."""
    try:
        if session.driver.check_config_mode():
            return str(session.driver.exit_config_mode())
    except Exception as exc:
        session.broken = f"it could not leave configuration mode after the save ({exc})"
    return ""


def send_command(
    session: Session,
    command: str,
    read_timeout: float,
    answers: Sequence[tuple[str, str]],
    allow_disconnect: bool = False,
) -> str:
    """An exec command that may ask questions (Ansible cli_command's prompt/answer):
    each question matching an answer's regex (`answers`, then the platform's built-in
    ones) is answered, until the prompt comes back. A question nothing answers fails
    a second after it is asked (UnansweredPromptError), not at the read timeout. With
    `allow_disconnect` (`reload`), the device closing the session is the success."""
    session.check_usable()
    driver = session.driver
    prompt = session.prompt_pattern() or rf"{re.escape(str(driver.base_prompt))}[^\r\n]*\S\s*$"
    known = [(re.compile(q), a) for q, a in (*answers, *session.info.answers)]
    wait_for = "|".join(f"(?:{p})" for p in (prompt, *(q.pattern for q, _ in known)))
    driver._netjob_received = []
    output, typed = "", command
    try:
        for turn in range(_MAX_ANSWERS + 1):
            driver._netjob_received = []  # a failure keeps this turn's partial output
            output += str(
                driver.send_command(
                    typed,
                    read_timeout=read_timeout,
                    expect_string=wait_for,
                    strip_prompt=False,
                    strip_command=turn == 0,
                    cmd_verify=turn == 0,
                )
            )
            last = output.rstrip("\r\n").rsplit("\n", 1)[-1]
            if re.search(prompt, last):
                break
            typed = next((a for q, a in known if q.search(last)), "")
        else:
            raise UnansweredPromptError(
                f"'{command}' asked over {_MAX_ANSWERS} questions; the last was {quote(last)}"
            )
    except SessionClosed as exc:
        if not allow_disconnect:
            raise session.mapped(exc, during=f"'{command}'") from exc
        session.broken = "the device ended the session, as allowed (allow_disconnect)"
        session.ended = True
        output += exc.partial
    except Exception as exc:
        raise session.mapped(exc, during=f"'{command}'") from exc
    finally:
        driver._netjob_received = []
    refused = refusal(session.info.rejected, output, head=None)
    if refused:
        raise CommandRejectedError(f"the device rejected '{command}': {refused}", output=output)
    return output
