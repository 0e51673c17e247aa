"""Config contexts asked once per set of alike devices (runner/load/sot_contexts.py), on an
in-memory GraphQL answerer: which questions are asked, and when every device is asked.
tests/test_nautobot_end_to_end.py checks the answers against a real Nautobot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner.base.errors import LoadError
from runner.load import sot_contexts
from runner.load.sot_http import Client
from runner.load.sot_spec import SourceSpec

FIELDS = sorted(sot_contexts._CRITERIA | sot_contexts._INERT)
CLIENT = Client(SourceSpec(Path("nautobot.yaml"), "nautobot", "http://192.0.2.1", "T"), "t")


class Server:
    """Answers netjob's GraphQL as Nautobot would: the context of a device is what
    `contexts` says for its location and tags, with its local data merged last."""

    def __init__(self, fields: list[str] = FIELDS, grouped: bool = False) -> None:
        self.fields = fields
        self.grouped = grouped
        self.asked: list[str] = []
        self.devices: dict[str, dict[str, Any]] = {}

    def __call__(self, client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if "__type" in query:
            contexts = [{"name": "by-group", "is_active": True, "dynamic_groups": []}]
            if self.grouped:
                contexts[0]["dynamic_groups"] = [{"id": "g1"}]
            return {
                "__type": {"fields": [{"name": f} for f in self.fields]},
                "config_contexts": contexts,
            }
        self.asked += variables["ids"]
        return {
            "devices": [
                {"id": i, "config_context": self.context(self.devices[i])}
                for i in variables["ids"]
                if i in self.devices
            ]
        }

    @staticmethod
    def context(device: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {"site": device["location"]["id"]}
        if any(t["name"] == "pci" for t in device["tags"]):
            data["pci"] = True
        return {**data, **(device.get("local_config_context_data") or {})}

    def device(self, n: int, location: str, tags: list[str], local: Any = None) -> dict[str, Any]:
        device = {
            "id": f"d{n}",
            "location": {"id": location},
            "role": {"id": "core"},
            "device_type": None,
            "platform": {"id": "ios"},
            "tenant": None,
            "device_redundancy_group": None,
            "clusters": [],
            "tags": [{"name": t} for t in tags],
            "local_config_context_data": local,
        }
        self.devices[device["id"]] = device
        return dict(device)


def test_alike_devices_share_one_question_and_local_data_is_asked_per_device() -> None:
    server = Server()
    devices = [server.device(n, "ams", ["lab"]) for n in range(5)]
    devices += [server.device(n, "ams", ["pci", "lab"]) for n in range(5, 8)]
    devices += [server.device(8, "ams", ["lab", "pci"])]  # tags in another order: alike
    devices += [server.device(n, "fra", ["lab"]) for n in range(9, 12)]
    devices += [server.device(12, "ams", ["lab"], local={"site": "mine"})]
    devices += [server.device(13, "ams", ["lab"], local={})]  # {} merges nothing: alike
    assert sot_contexts.can_share(CLIENT, server)
    sot_contexts.fill(CLIENT, server, devices)
    assert sorted(server.asked) == ["d0", "d12", "d5", "d9"]
    for device in devices:
        assert device["config_context"] == Server.context(server.devices[device["id"]])
    assert devices[12]["config_context"] == {"site": "mine"}


@pytest.mark.parametrize(
    "server",
    [Server(grouped=True), Server(fields=[*FIELDS, "regions"]), Server(fields=[])],
    ids=["a context on dynamic groups", "a criterion netjob does not know", "no fields"],
)
def test_every_device_is_asked_when_alike_cannot_be_known(server: Server) -> None:
    assert not sot_contexts.can_share(CLIENT, server)


def test_a_device_gone_between_the_page_and_the_question_is_a_clear_error() -> None:
    server = Server()
    devices = [server.device(1, "ams", []), server.device(2, "fra", [])]
    del server.devices["d2"]
    with pytest.raises(LoadError, match=r"nautobot.yaml: 1 devices went from Nautobot"):
        sot_contexts.fill(CLIENT, server, devices)
