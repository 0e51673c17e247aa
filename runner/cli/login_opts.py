"""The SSH options every command that logs in takes beside the inventory's."""

from typing import Annotated

import typer

PrivateKey = Annotated[
    str | None,
    typer.Option("--private-key", help="SSH key for hosts whose inventory sets no key_file."),
]
SshConfig = Annotated[
    str | None,
    typer.Option("--ssh-config", help="OpenSSH config (ProxyJump, User, ...) for every host."),
]
