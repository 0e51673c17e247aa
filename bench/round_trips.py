"""Round trips per session (issue 25): for each platform the lab simulates, `netjob run`
of a show-only job and of a config job against one lab device, and what the device saw of
that session: the client's writes (SSH data messages received) and its own answers.

    .venv/bin/python bench/round_trips.py

Counts, not times: the same on any machine, for the same netjob and netmiko. The
tests (tests/test_round_trips_end_to_end.py) hold netjob to them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from netjob_lab import Lab, LabConfig
from netjob_lab.inventory import inventory_yaml
from netjob_lab.platforms import PLATFORMS
from runner.cli import main as netjob

# A show and a config change per platform, in the platform's own words.
SHOWS = {"huawei": "display version"}
CONFIG = {
    "cisco_ios": ["interface Loopback200", "description mgmt"],
    "arista_eos": ["interface Loopback200", "description mgmt"],
    "cisco_nxos": ["interface Ethernet1/1", "description mgmt"],
    "cisco_xr": ["interface GigabitEthernet0/0/0/1", "description mgmt"],
    "huawei": ["interface GigabitEthernet0/0/1", "description mgmt"],
    "juniper_junos": ["set system ntp server 192.0.2.44"],
}
TASKS = ("show", "config")
_CLOSE_BOUND_S = 30.0  # for the lab to see the session end after `netjob run` returned


@dataclass(frozen=True)
class Count:
    platform: str
    task: str
    writes: int  # the client's writes the device received
    answers: int  # the device's answers
    sessions: int  # interactive sessions opened (1: one SSH session per host)
    exit_code: int


def job_text(platform: str, task: str) -> str:
    if task == "show":
        body = f"  - name: look\n    show: {SHOWS.get(platform, 'show version')}\n"
    else:
        lines = "".join(f"      - {line}\n" for line in CONFIG[platform])
        body = f"  - name: change\n    config:\n{lines}"
    return f"name: {task}\nhosts: all\ntasks:\n{body}"


@contextmanager
def _lab_env(folder: Path) -> Iterator[None]:
    """The lab's credentials and a known_hosts of the run's own (never ~/.netjob's)."""
    saved = dict(os.environ)
    os.environ.update(
        NETJOB_LAB_PASSWORD="lab-password",
        NETJOB_LAB_SECRET="lab-enable",
        NETJOB_KNOWN_HOSTS=str(folder / "known_hosts"),
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def count(platform: str, task: str, folder: Path) -> Count:
    """One `netjob run` of the task against a fresh one-device lab of `platform`."""
    with Lab(LabConfig(devices=1, port=0, platforms=(platform,))) as lab, _lab_env(folder):
        inventory = folder / f"{platform}-inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        job = folder / f"{platform}-{task}.yaml"
        job.write_text(job_text(platform, task))
        argv = ["run", str(job), "-i", str(inventory), "--reports", str(folder / "reports")]
        with contextlib.redirect_stdout(io.StringIO()):
            code = netjob([*argv, "--quiet"])
        sessions = lab.device(lab.config.hostnames()[0]).sessions
        for session in sessions:
            if not session.closed.wait(_CLOSE_BOUND_S):
                raise TimeoutError(f"{platform}: the session did not end")
        return Count(
            platform,
            task,
            sum(s.writes for s in sessions),
            sum(s.answers for s in sessions),
            len(sessions),
            code,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platforms", nargs="*", default=list(PLATFORMS))
    args = parser.parse_args()
    print("| platform | show-only: writes / answers | config: writes / answers |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="netjob-round-trips-") as folder:
        for platform in args.platforms:
            show, config = (count(platform, task, Path(folder)) for task in TASKS)
            for c in (show, config):
                if c.exit_code != 0 or c.sessions != 1:
                    sys.exit(f"{platform} {c.task}: exit {c.exit_code}, {c.sessions} sessions")
            print(
                f"| {platform} | {show.writes} / {show.answers} "
                f"| {config.writes} / {config.answers} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
