"""Job file → Job. The schema is checked by hand: unknown keys, wrong types and missing
fields are errors naming file:line and key.

    name: Audit interfaces           # optional, defaults to the file name
    hosts: all                       # a pattern: names, groups, globs, `!x`; or a list
    vars: {ntp_server: 192.0.2.10}   # job variables (inventory < job vars < -e)
    tasks:
      - name: interfaces
        show: show ip interface brief          # one command or a list
      - name: ntp
        config: ["ntp server {{ ntp_server }}"]
        save_config: true                      # `write memory` after the lines
      - name: descriptions
        template: templates/descriptions.j2    # relative to the job file
        read_timeout: 60                       # seconds; expect_string: a prompt regex
    pre_checks: [...]    # show tasks with checks: before a host's first config task,
    post_checks: [...]   #   and after its last (runner.load.phases); a show task's
    rescue: [...]        #   until:/retries:/delay: wait; rescue: runs once a task failed
"""

from __future__ import annotations

import collections
import logging
from pathlib import Path
from typing import Any

from runner.base.models import POST_CHECK, PRE_CHECK, RESCUE, Job
from runner.load import schema
from runner.load.phases import phase
from runner.load.schema import At
from runner.load.task import read_task, regexes
from runner.load.yamlio import line_of, load_yaml

JOB_KEYS = (
    "name",
    "hosts",
    "vars",
    "tasks",
    "description",
    "normalize",
    "pre_checks",
    "post_checks",
    "rescue",
)


# Notes for the person running netjob (the CLI prints them, one line each, on stderr).
notes = logging.getLogger("runner.notes")


# Each task is compiled once and rendered per host: a job of 100,000 tasks (a generated or
# hostile file) took minutes before anything ran. Real jobs have tens.
MAX_TASKS = 5_000


def load_job(path: Path) -> Job:
    top = At(path, "")
    data = schema.mapping(_one_play(load_yaml(path), top), top)
    schema.check_keys(data, top, JOB_KEYS, required=("tasks",))
    hosts = data.get("hosts", "all")
    if isinstance(hosts, list):
        hosts = ",".join(str(h) for h in hosts)
    if not isinstance(hosts, str) or not hosts.strip():
        raise top.child("hosts", data).fail("expected a host pattern such as 'all' or 'core,edge'")
    tasks_at = top.child("tasks", data)
    raw_tasks = data["tasks"]
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise tasks_at.fail("expected a list with at least one task")
    if len(raw_tasks) > MAX_TASKS:
        raise tasks_at.fail(
            f"{len(raw_tasks):,} tasks, over the {MAX_TASKS:,} a job may have; split the job, "
            "or make one task's `loop:` do the repeating"
        )
    tasks = tuple(
        read_task(item, At(path, f"tasks[{i}]", raw_tasks), path)
        for i, item in enumerate(raw_tasks)
    )
    pre, post, rescue = (
        phase(data, role, top, path, read_task) for role in (PRE_CHECK, POST_CHECK, RESCUE)
    )
    names = collections.Counter(t.name for t in (*pre, *tasks, *post, *rescue))
    for task in (*pre, *tasks, *post, *rescue):
        if names[task.name] > 1:
            raise At(path, "tasks").fail(
                f"two tasks are named '{task.name}'; names must be "
                "unique so reports and --start-at-task can name them",
                task.line,
            )
    return Job(
        name=schema.string(data, "name", top) or path.stem,
        path=path,
        hosts=hosts,
        vars=dict(
            schema.no_vault(
                schema.mapping(data.get("vars"), top.child("vars", data)), top.child("vars", data)
            )
        ),
        tasks=tasks,
        normalize=regexes(data, "normalize", top),
        pre_checks=pre,
        post_checks=post,
        rescue=rescue,
    )


def _one_play(data: Any, at: At) -> Any:
    """An Ansible playbook is a list of plays; a netjob job is one. A list of exactly one
    play is read as that play (with a note); more are refused, since running them in turn
    over separate host selections is a playbook runner's job, not one job's."""
    if not isinstance(data, list):
        return data
    plays = [p for p in data if isinstance(p, dict) and ("tasks" in p or "hosts" in p)]
    if len(data) == 1 and plays:
        notes.warning(
            "%s: a netjob job is one play: read the list's only play; drop its leading '- '",
            at.file,
        )
        return data[0]
    if plays:
        raise at.fail(
            f"a netjob job is one play: this file is a list of {len(data)} plays; "
            "put each play in its own job file and run them in turn",
            line_of(data) or None,
        )
    return data
