"""Running work items: the queue and its worker threads, worker processes, the Dask cluster,
rollouts, the watchdog, one host (executor) and one step (step), and judging outputs (audit);
the kept pre-change configs and the replace step of `netjob rollback` (rollback); `netjob
confirm`/`verify` after a run (confirm_after).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.base.face import faced

# The face: what the CLI (and scripts) use of this room, each imported on first use
# (runner.base.face reads this block).
if TYPE_CHECKING:
    from runner.run.cluster import DASK_INSTALL as DASK_INSTALL
    from runner.run.cluster import ClusterOptions as ClusterOptions
    from runner.run.confirm_after import Seen as Seen
    from runner.run.confirm_after import after_run as after_run
    from runner.run.executor import Policy as Policy
    from runner.run.rollback import rollback_selection as rollback_selection
    from runner.run.rollout import Amount as Amount
    from runner.run.runners import processes_for_this_machine as processes_for_this_machine
    from runner.run.scheduler import Interrupt as Interrupt

__getattr__ = faced(__name__)
