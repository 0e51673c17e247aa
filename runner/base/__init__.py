"""What every stage stands on, importing nothing else of netjob: the records (models),
the exception tree (errors), the platform table, redaction and the no-symlink file writer.

Its face (below) is what the CLI reads of it; the other rooms import its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.base.face import faced

# The face: what the CLI (and scripts) use of this room, each imported on first use
# (runner.base.face reads this block).
if TYPE_CHECKING:
    from runner.base.errors import ExitCode as ExitCode
    from runner.base.errors import InputError as InputError
    from runner.base.errors import NetjobError as NetjobError
    from runner.base.errors import ReportWriteError as ReportWriteError
    from runner.base.errors import SelectionError as SelectionError
    from runner.base.logs import log_to_stderr as log_to_stderr
    from runner.base.models import DEFAULT_WORKERS as DEFAULT_WORKERS
    from runner.base.models import Host as Host
    from runner.base.platforms import SUPPORT_HEADER as SUPPORT_HEADER
    from runner.base.platforms import support_rows as support_rows
    from runner.base.platforms import support_table as support_table
    from runner.base.redact import masked_hosts as masked_hosts
    from runner.base.run_layout import REPORT_HTML as REPORT_HTML
    from runner.base.run_layout import REPORT_JSON as REPORT_JSON
    from runner.base.safe_files import write_private as write_private

__getattr__ = faced(__name__)
