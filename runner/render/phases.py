"""Where a host's pre-checks, post-checks and rescue tasks stand among its steps.

`pre_checks:` go right before the host's first config step (config: or template:), and
`post_checks:` right after its last one: a check judges the network as it was before the
change and as the change left it, whatever show tasks come around them. A host with no
config step has them at its start and its end. `rescue:` steps come last; the executor
(runner.run.phases) runs them only once a step has failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.base.models import POST_CHECK, PRE_CHECK, RESCUE, Step, TaskKind

CONFIG_KINDS = (TaskKind.CONFIG, TaskKind.TEMPLATE)


def arrange(steps: Sequence[Step]) -> tuple[Step, ...]:
    """The host's steps in the order they run (each list keeps its own order)."""
    main = [s for s in steps if s.role is None]
    pre, post, rescue = (
        [s for s in steps if s.role == role] for role in (PRE_CHECK, POST_CHECK, RESCUE)
    )
    configs = [i for i, step in enumerate(main) if step.kind in CONFIG_KINDS]
    first = configs[0] if configs else 0
    last = configs[-1] + 1 if configs else len(main)
    return (*main[:first], *pre, *main[first:last], *post, *main[last:], *rescue)
