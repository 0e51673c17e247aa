"""Jinja2 before any connection: every task rendered for every host in a bounded sandbox,
with the network filters, and where `save_to` may write; expansion to WorkItems, with what
each host's platform cannot do refused; `netjob plan`'s decisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.base.face import faced

# The face: what the CLI (and scripts) use of this room, each imported on first use
# (runner.base.face reads this block).
if TYPE_CHECKING:
    from runner.render.expansion import Capabilities as Capabilities
    from runner.render.expansion import expand as expand
    from runner.render.planning import PlannedHost as PlannedHost
    from runner.render.planning import decide as decide
    from runner.render.planning import masked_plan as masked_plan
    from runner.render.planning import refuse_unregistered as refuse_unregistered

__getattr__ = faced(__name__)
