"""Reading the user's files: bounded YAML, schema checks with file:line:key errors, job files,
inventories in netjob's, Nornir's and Ansible's formats, Ansible Vault, SSH options; and
the Selection (job, inventory, hosts) a run starts from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.base.face import faced

# The face: what the CLI (and scripts) use of this room, each imported on first use
# (runner.base.face reads this block).
if TYPE_CHECKING:
    from runner.load.adhoc import adhoc_job as adhoc_job
    from runner.load.adhoc import refuse_uncovered as refuse_uncovered
    from runner.load.extra_vars import parse_extra_vars as parse_extra_vars
    from runner.load.inventories import load_inventories as load_inventories
    from runner.load.inventories import to_netjob_yaml as to_netjob_yaml
    from runner.load.selection import Selection as Selection
    from runner.load.selection import TaskFilter as TaskFilter
    from runner.load.selection import with_confirm as with_confirm
    from runner.load.selection import with_ssh_options as with_ssh_options
    from runner.load.sot_spec import refresh_inventory as refresh_inventory
    from runner.load.ssh_options import with_cli as with_cli
    from runner.load.vault import Vault as Vault

__getattr__ = faced(__name__)
