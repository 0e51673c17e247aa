"""`netjob cluster local`: a Dask scheduler and worker processes on 127.0.0.1, to try
`netjob run --cluster` on one machine (with the lab)."""

import threading
from typing import Annotated, Any

import typer

import runner.run
from runner.cli.app import PORT, N, app, fail

cluster_app = typer.Typer(
    help="Dask clusters of pollers: a one-machine trial.", no_args_is_help=True
)
app.add_typer(cluster_app, name="cluster")


@cluster_app.command("local")
def local(
    workers: Annotated[
        int, typer.Option("--workers", "-n", min=1, max=64, metavar=N, help="Worker processes.")
    ] = 2,
    threads: Annotated[
        int,
        typer.Option(
            "--threads", min=1, max=1000, metavar=N, help="Hosts each worker runs at once."
        ),
    ] = 20,
    port: Annotated[
        int,
        typer.Option("--port", "-p", min=0, max=65535, metavar=PORT, help="The scheduler's port."),
    ] = 8786,
    site: Annotated[
        str | None,
        typer.Option("--site", help="Serve this site only (resource site_NAME on each worker)."),
    ] = None,
) -> None:
    """Start a scheduler and worker processes on 127.0.0.1 until Ctrl-C. Plain TCP on
    loopback: run with --insecure. The workers read credentials from this environment.

    Example: netjob cluster local  (then: netjob run JOB --cluster tcp://127.0.0.1:8786
    --insecure)"""
    install = runner.run.DASK_INSTALL  # imports netmiko: not at `netjob --help`
    try:
        from distributed import LocalCluster
    except ImportError:
        fail(f"netjob cluster needs Dask distributed: {install}")
    options: dict[str, Any] = {"resources": {f"site_{site}": threads}} if site else {}
    try:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=threads,
            processes=True,
            host="127.0.0.1",
            scheduler_port=port,
            dashboard_address=None,
            memory_limit=0,
            **options,
        )
    except Exception as exc:
        fail(f"cannot start a local cluster on 127.0.0.1:{port}: {exc}; pick another --port")
    typer.echo(
        f"scheduler at {cluster.scheduler_address}, {workers} workers of {threads} threads; "
        "Ctrl-C stops them"
    )
    address = cluster.scheduler_address
    typer.echo(f"try: netjob run playbooks/audit_basics.yaml --cluster {address} --insecure")
    stop = threading.Event()
    try:
        while not stop.wait(0.5):  # a bounded wait lets Ctrl-C through
            pass
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close()
