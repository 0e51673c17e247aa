"""What a run keeps and shows: the run folder and its host files, the output store, drift,
history, compliance, Markdown, HTML and the console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.base.face import faced

# The face: what the CLI (and scripts) use of this room, each imported on first use
# (runner.base.face reads this block).
if TYPE_CHECKING:
    from runner.report.adhoc_answers import AdhocRun as AdhocRun
    from runner.report.adhoc_answers import read_answers as read_answers
    from runner.report.console import LiveView as LiveView
    from runner.report.console import View as View
    from runner.report.console import host_view as host_view
    from runner.report.history import HostLogs as HostLogs
    from runner.report.history import RunDiff as RunDiff
    from runner.report.history import compare as compare
    from runner.report.history import host_logs as host_logs
    from runner.report.history import hosts_data as hosts_data
    from runner.report.history import read_run as read_run
    from runner.report.history import resolve_run as resolve_run
    from runner.report.outcome import PastRun as PastRun
    from runner.report.outcome import exit_code as exit_code
    from runner.report.provenance import run_inventories as run_inventories
    from runner.report.retry import only_unfinished as only_unfinished
    from runner.report.run_list import PastRunLine as PastRunLine
    from runner.report.run_list import history_text as history_text
    from runner.report.run_list import past_runs as past_runs

__getattr__ = faced(__name__)
