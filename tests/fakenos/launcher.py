"""Serve a FakeNOS inventory until stdin closes. Run by the FakeNOS venv's python (FakeNOS
pins its own paramiko, so it never shares the project's interpreter), never imported by
the tests:

    .venv-fakenos/bin/python tests/fakenos/launcher.py INVENTORY.yaml CATALOGUE.json

Before serving it writes CATALOGUE.json: for every platform FakeNOS has, the commands it
knows with their canned outputs (null where the output is computed and needs a session),
and what it answers to a command it does not know. Then it starts every host of the
inventory, prints one line, `READY`, and serves until its stdin reaches end of file: when
the test session closes the pipe, or dies.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from fakenos import FakeNOS
from fakenos.core.nos import Nos, available_platforms
from fakenos.plugins.nos import nos_plugins
from fakenos.plugins.shell.cmd_shell import BASIC_COMMANDS


def catalogue() -> dict[str, Any]:
    platforms: dict[str, Any] = {}
    for platform in available_platforms:
        nos = Nos(filename=nos_plugins[platform])
        commands = {**BASIC_COMMANDS, **nos.commands}
        known: dict[str, str | None] = {}
        for command, data in commands.items():
            output = data.get("output")
            if command != "_default_":
                known[command] = output if isinstance(output, str) else None
        platforms[platform] = {
            "initial_prompt": nos.initial_prompt,
            "unknown_command": commands["_default_"]["output"],
            "commands": known,
        }
    return {"platforms": platforms}


def main(inventory: str, catalogue_out: str) -> None:
    # FakeNOS logs a traceback for every port probe that closes before SSH starts; the
    # tests keep stderr in a file for when something really goes wrong.
    logging.basicConfig(level=logging.CRITICAL)
    Path(catalogue_out).write_text(json.dumps(catalogue()))
    network = FakeNOS(inventory=inventory)
    network.start()
    print("READY", flush=True)
    sys.stdin.read()  # until the tests close the pipe (or their process ends)
    # FakeNOS.stop() joins each host's listener for about a second, one host after the
    # other; nothing here needs a clean shutdown, so leave at once.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
