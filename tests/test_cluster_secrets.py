"""A job's secrets never sit in anything a Dask scheduler holds: the config lines that
spell them, the variables that hold them (secret-looking names or not) travel sealed,
and the poller opens them with the key in its own environment (runner.run.sealing)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed  # noqa: F401  (the netjob[dask] extra: .ci/run installs it)
import pytest
import yaml
from cluster_fixture import (
    PASSWORD,
    SECRET,
    lab_env,
    record_specs,
    tls_cluster,
    write_inventory,
)
from lab_fixture import run_cli

from netjob_lab import Lab, LabConfig
from runner import core
from runner.base.errors import ClusterError
from runner.base.models import Host, Status, Step, TaskKind, WorkItem
from runner.base.redact import MASK
from runner.run import sealing
from runner.run.cluster import ClusterOptions

pytestmark = [pytest.mark.lab, pytest.mark.timeout(180)]

# Each is rendered into a config line, a show command or a deferred step; none has a
# name that says secret but the first two.
HOST_PW = "Host-Pw-Val-71"  # host var `pw`: `username ops secret {{ pw }}`
JOB_COMM = "Job-Comm-Val-72"  # job var `comm`: `snmp-server community {{ comm }} RO`
OPS_SECRET = "Ops-Secret-Val-73"  # -e ops_secret: `show ... | include {{ ops_secret }}`
WIFI_PSK = "Wifi-Psk-Val-74"  # host var `wifi_psk`, not used by the job
NTP_AUTH = "Ntp-Auth-Val-75"  # host var `ntp_auth`, in a step rendered on the poller
# Written in the job itself: the task's default name quotes it, and progress events
# (which the scheduler keeps) name the task.
LITERAL = "Literal-Val-76"
VALUES = (HOST_PW, JOB_COMM, OPS_SECRET, WIFI_PSK, NTP_AUTH, LITERAL, PASSWORD, SECRET)

JOB = {
    "name": "sealed",
    "vars": {"comm": JOB_COMM},
    "tasks": [
        {
            "name": "users",
            "config": [
                "username ops secret {{ pw }}",
                "snmp-server community {{ comm }} RO",
            ],
        },
        {"config": [f"snmp-server community {LITERAL} RO"]},
        {"name": "look", "show": "show running-config | include {{ ops_secret }}", "register": "r"},
        {
            "name": "ntp",
            "when": "registered.r is defined",
            "config": ["snmp-server community {{ ntp_auth }} RO"],
        },
    ],
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with tls_cluster({"any": ""}) as running:
        yield running


@pytest.mark.sessions
def test_no_secret_of_the_job_in_any_payload_the_scheduler_holds(
    cluster: Any, tmp_path: Path
) -> None:
    from distributed import Client

    scheduler = cluster.scheduler
    specs = record_specs(scheduler, "netjob-sealed-specs")
    job = tmp_path / "job.yaml"
    job.write_text(yaml.safe_dump(JOB))
    with Lab(LabConfig(port=0, password=PASSWORD, secret=SECRET, devices=2)) as lab:
        inventory = write_inventory(tmp_path / "inv.yaml", [(lab, None)])
        data = yaml.safe_load(inventory.read_text())
        for host in data["hosts"].values():
            host["vars"] = {"pw": HOST_PW, "wifi_psk": WIFI_PSK, "ntp_auth": NTP_AUTH}
        inventory.write_text(yaml.safe_dump(data))
        selection = core.select(job, inventory, extra_vars=[f"ops_secret={OPS_SECRET}"])
        options = core.RunOptions(
            reports_dir=tmp_path / "reports",
            html=False,
            cluster=ClusterOptions(cluster.scheduler_address, security=cluster.security),
        )
        seen: list[str | None] = []
        report = core.run(
            selection, options, environ=lab_env(), on_progress=lambda p: seen.append(p.task)
        )
        running = lab.device("r001").running_config()
    # The poller had every value back: the device got the lines as the job wrote them.
    assert {r.status for r in report.hosts.values()} == {Status.CHANGED}, report.hosts
    assert f"snmp-server community {JOB_COMM} RO" in running
    assert f"snmp-server community {NTP_AUTH} RO" in running
    assert "username ops" in running
    assert len(specs) >= 2
    assert f"config: snmp-server community {MASK} RO" in seen  # progress came, masked
    with Client(cluster.scheduler_address, security=cluster.security) as client:
        kept = [
            *specs,
            pickle.dumps(client.get_scheduler_logs()),
            pickle.dumps(client.get_worker_logs()),
            pickle.dumps(client.get_events()),
            pickle.dumps([(t.key, t.exception_text) for t in scheduler.tasks.values()]),
        ]
    found = {value for value in VALUES for blob in kept if value.encode() in blob}
    assert not found


def _item(commands: tuple[str, ...], **variables: Any) -> WorkItem:
    host = Host(name="r1", address="192.0.2.1", password_env="PW", vars=variables)
    return WorkItem(host=host, steps=(Step(task="t", kind=TaskKind.CONFIG, commands=commands),))


def test_a_job_that_would_carry_a_secret_is_refused_without_the_key() -> None:
    item = _item(("username ops secret 0 Plain-Pw-81",))
    with pytest.raises(ClusterError, match="NETJOB_CLUSTER_KEY"):
        sealing.refuse_without_key([item], (), None)
    sealing.refuse_without_key([_item(("ntp server 192.0.2.1",), site="ams")], (), None)


def test_sealed_items_hold_no_secret_and_open_to_the_same_item() -> None:
    item = _item(("username ops secret 0 Plain-Pw-81", "hostname r1"), pw="Plain-Pw-81")
    sealed, box = sealing.seal(item, ("Job-Val-82",), "k")
    assert box is not None and b"Plain-Pw-81" not in pickle.dumps((sealed, box))
    assert sealed.steps[0].commands[1] == "hostname r1"
    assert sealing.unseal(sealed, box, "k", "p1") == item
    with pytest.raises(Exception, match="not the key"):
        sealing.unseal(sealed, box, "another", "p1")


def test_run_refuses_a_cluster_job_with_secrets_and_no_key_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(sealing.KEY_ENV, raising=False)
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  r001: {address: 192.0.2.1, password_env: NETJOB_LAB_PASSWORD}\n"
    )
    job = tmp_path / "job.yaml"
    job.write_text("tasks:\n  - config: ['username ops secret 0 {{ pw }}']\nvars: {pw: X-Pw-91}\n")
    # Port 1: nothing listens there; the refusal comes before any connection is tried.
    code = run_cli(
        job, inventory, tmp_path / "reports", "--cluster", "tcp://127.0.0.1:1", "--insecure"
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "NETJOB_CLUSTER_KEY" in err and "r001" in err and "X-Pw-91" not in err
    assert not (tmp_path / "reports" / "job" / "latest").exists()
