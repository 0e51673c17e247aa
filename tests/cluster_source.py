"""A Dask worker preload for tests: the worker's SSH connections leave from the address in
$NETJOB_TEST_SOURCE, as a poller's would leave from its own site's network. With a lab
whose devices accept only that address (LabConfig.clients), a host run by another site's
poller is refused: that is how the tests show each host ran on a poller of its site.

Connections to 127.0.0.1 (the scheduler, the other workers) are left alone."""

from __future__ import annotations

import os
import socket
from typing import Any

# Dask may import a preload more than once in a process: patch the original only.
_create_connection = getattr(socket, "_netjob_original", socket.create_connection)
_SOURCE = os.environ.get("NETJOB_TEST_SOURCE")


def _from_site(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    if _SOURCE and address[0] != "127.0.0.1" and not kwargs.get("source_address"):
        kwargs["source_address"] = (_SOURCE, 0)
    return _create_connection(address, *args, **kwargs)


if _SOURCE:
    socket._netjob_original = _create_connection  # type: ignore[attr-defined]
    socket.create_connection = _from_site
