"""An error re-raised with more words keeps what it knew: its class, host, task, what was
sent and what the device answered (DeviceError.replace). Before, the step that reads the
running config raised a new error of the same class with the hint only, and the device's
partial answer never reached the host's log."""

from __future__ import annotations

import pickle

from fakes import FakeFleet

from runner.base.errors import CommandTimeoutError, FailureClass, SessionLimitError
from runner.base.models import Host, Status, Step, TaskKind, WorkItem
from runner.run.executor import execute


def test_replace_keeps_every_field_and_changes_only_what_it_is_given() -> None:
    error = CommandTimeoutError("no prompt", "raise it", sent=("a",), output="o", host="r1")
    error.retryable = True
    longer = error.replace("reading: no prompt", sent=("a", "b"))
    assert type(longer) is CommandTimeoutError and str(longer) == "reading: no prompt"
    assert (longer.hint, longer.sent, longer.output, longer.host, longer.retryable) == (
        "raise it",
        ("a", "b"),
        "o",
        "r1",
        True,
    )
    assert (str(error), error.sent) == ("no prompt", ("a",))  # never changed in place
    assert pickle.loads(pickle.dumps(longer)).sent == ("a", "b")


def test_a_class_hint_stays_the_class_s_own() -> None:
    longer = SessionLimitError("no more sessions").replace("at login: no more sessions")
    assert longer.hint == SessionLimitError.hint and longer.failure is FailureClass.SESSION_LIMIT


def test_a_failed_read_of_the_running_config_keeps_what_the_device_said() -> None:
    said = "Building configuration...\ninterface Gi0/1"
    fleet = FakeFleet(
        fail_on={"show running-config": CommandTimeoutError("no prompt in time", output=said)}
    )
    step = Step(task="b", kind=TaskKind.CONFIG, commands=("hostname r1",))
    result = execute(WorkItem(Host(name="r1", address="192.0.2.1"), (step,)), fleet)
    failed = result.steps[0]
    assert failed.status is Status.FAILED and failed.failure is FailureClass.COMMAND_TIMEOUT
    assert "reading the running config" in (failed.error or "")
    assert said in failed.outputs
