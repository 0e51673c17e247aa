"""`netjob run`'s cluster options, kept apart so the run command only names them."""

from typing import Annotated

import typer

Cluster = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        envvar="NETJOB_CLUSTER",
        help="Run on a Dask cluster of pollers at this scheduler address (tls://HOST:8786); "
        "--workers is then the hosts in flight per site. Needs netjob[dask].",
    ),
]
Insecure = Annotated[
    bool,
    typer.Option(
        "--insecure", help="Allow --cluster over plain TCP (no authentication): trusted networks."
    ),
]
