"""The live bar keeps up with a fleet: it is redrawn by rich's refresh thread (8 times a
second), not once per finished host, which cost the main process ~1 ms a host (issue 16)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, RenderableType

from runner.base.models import HostResult, Status
from runner.report.console import LiveView, View


def test_a_thousand_finished_hosts_are_not_a_thousand_redraws() -> None:
    out = io.StringIO()
    view = View(Console(file=out, force_terminal=True, width=100))
    live = LiveView(view, total=1000)
    drawn = 0
    render = live._render

    def counted() -> RenderableType:
        nonlocal drawn
        drawn += 1
        return render()

    live.live.get_renderable = counted  # type: ignore[method-assign]
    with live:
        start = drawn
        for n in range(1000):
            live.host_done(HostResult(host=f"r{n:04d}", status=Status.OK))
        during = drawn - start
    # The refresh thread may draw a few times while the loop runs (a few ms, or longer on
    # a loaded machine), never once a host.
    assert during < 100, during
    assert live.bar.tasks[0].completed == 1000
    assert "1000/1000" in out.getvalue()  # the last frame, drawn on exit, shows them all


def test_without_colour_a_terminal_gets_plain_lines_and_no_table_of_failed_hosts() -> None:
    """`--no-color`/NO_COLOR on a terminal: one plain line per host, as the README says,
    and the failed hosts not repeated in a table at the end."""
    from types import SimpleNamespace

    from runner.base.errors import FailureClass

    failed: Any = {"r002": SimpleNamespace(failure=FailureClass.AUTH_FAILED, error="refused")}
    for no_color, table in ((False, True), (True, False)):
        out = io.StringIO()
        view = View(Console(file=out, force_terminal=True, width=100, no_color=no_color))
        view._failed(failed)
        assert ("failed hosts" in out.getvalue()) is table, out.getvalue()
        if not table:
            assert "failed  r002  auth_failed: refused" in out.getvalue()
