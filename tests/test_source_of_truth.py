"""NetBox and Nautobot as inventories (runner.load.sot_*): mapping, filters, paging, errors,
the cache, and every command that reads an inventory. NetBox is served here in NetBox
4.x's REST shape (tests/netbox_pages.py); tests/test_nautobot_end_to_end.py runs against
a real Nautobot."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_types import Write
from netbox_pages import TOKEN, device, serve

from runner.cli import main
from runner.load import sot_fetch, sot_http

pytestmark = pytest.mark.lab

LIVE_URL = os.environ.get("NETJOB_TEST_NETBOX_URL")
LIVE_TOKEN = os.environ.get("NETJOB_TEST_NETBOX_TOKEN")
DEVICES = [
    device(
        1,
        "core-ams-1",
        context={"ntp": "192.0.2.123", "domain": "ams"},
        custom={"domain": "core.ams", "rack": None},
    ),
    device(2, "core-ams-2", address="192.0.2.2/24", tags=("lab", "pci"), tenant="Green"),
    device(3, "edge-ams-1", role="Edge", address=None, six="2001:db8::3/64"),
    device(4, "core-fra-1", site="FRA", platform="arista-eos"),
    device(5, "noip-ams-1", address=None),
    device(6, "odd-ams-1", platform="acme-os"),
    device(7, None),  # NetBox lets a device have no name
]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("NETBOX_TOKEN", TOKEN)
    monkeypatch.setattr(sot_http, "PAUSE", 0.0)  # retries without the pauses


def source(write: Write, url: str, **more: object) -> Path:
    text = {"kind": "netbox", "url": url, "token_env": "NETBOX_TOKEN", **more}
    return write("netbox.yaml", yaml.safe_dump(text))


def hosts_json(path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["hosts", "-i", str(path), "--output", "json", *extra]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_netbox_devices_become_hosts_with_groups_and_vars(
    write: Write, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with serve(DEVICES) as pages:
        found = {h["name"]: h for h in hosts_json(source(write, pages.url), capsys=capsys)}
    assert sorted(found) == ["core-ams-1", "core-ams-2", "core-fra-1", "edge-ams-1"]
    one = found["core-ams-1"]
    assert one["address"] == "192.0.2.1" and one["platform"] == "cisco_ios"
    assert one["groups"] == [
        "site_ams",
        "role_core",
        "tenant_blue",
        "device_type_isr4331",
        "manufacturer_cisco",
        "platform_cisco_ios",
        "tag_lab",
    ]
    # config context, then custom fields on top; a null custom field is no var
    assert one["vars"] == {"ntp": "192.0.2.123", "domain": "core.ams"}
    assert found["edge-ams-1"]["address"] == "2001:db8::3"  # v6 when there is no v4
    assert found["core-fra-1"]["platform"] == "arista_eos"
    notes = caplog.text  # the CLI prints these notes on stderr, one line each
    assert "1 netbox device(s) have no primary IP and are left out: noip-ams-1" in notes
    assert "odd-ams-1 (platform 'acme-os')" in notes and "have no name" in notes


def test_the_platform_table_in_the_file_maps_a_slug(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url, platforms={"acme-os": "cisco_xe"})
        found = {h["name"]: h for h in hosts_json(path, capsys=capsys)}
    assert found["odd-ams-1"]["platform"] == "cisco_xe"


def test_filters_are_asked_of_the_server_and_limit_applies_after(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url, filters={"site": ["ams"], "tag": "lab"})
        found = hosts_json(path, "--limit", "role_core:&tenant_green", capsys=capsys)
        assert pages.queries[0]["site"] == ["ams"] and pages.queries[0]["tag"] == ["lab"]
    assert [h["name"] for h in found] == ["core-ams-2"]


def test_file_keys_give_credentials_and_ports(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(
            write,
            pages.url,
            defaults={"username": "ops", "password_env": "NET_PASSWORD"},
            groups={"role_core": {"vars": {"tier": 1}}},
            hosts={"core-ams-1": {"port": 2222}},
        )
        found = {h["name"]: h for h in hosts_json(path, capsys=capsys)}
    assert found["core-ams-1"]["port"] == 2222 and found["core-ams-2"]["port"] == 22
    assert found["core-ams-2"]["username"] == "ops"
    assert found["core-ams-2"]["vars"]["tier"] == 1


def test_a_hosts_entry_for_a_device_the_source_lacks_is_refused(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url, hosts={"core-ams-9": {"port": 2222}})
        assert main(["hosts", "-i", str(path)]) == 2
    err = capsys.readouterr().err
    assert "hosts.core-ams-9: netbox lists no such device" in err
    assert "did you mean 'core-ams-" in err


def test_pages_are_fetched_in_parallel_within_the_bound(
    write: Write, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sot_fetch, "PAGE", 10)
    many = [device(i, f"r{i:03d}") for i in range(1, 96)]
    with serve(many) as pages:
        found = hosts_json(source(write, pages.url), capsys=capsys)
        offsets = sorted(int(q["offset"][0]) for q in pages.queries)
        assert pages.most_at_once <= sot_http.PARALLEL
    assert len(found) == 95
    assert offsets == list(range(0, 120, 10))  # 3 windows of 4 pages; the 10th is short


@pytest.mark.parametrize("live", [False, True] if LIVE_URL else [False])
def test_a_wrong_token_is_one_line_and_never_shows_the_token(
    write: Write,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    live: bool,
) -> None:
    monkeypatch.setenv("NETBOX_TOKEN", "wrong-token-0123456789")
    with serve(DEVICES) as pages:
        code = main(
            ["hosts", "-i", str(source(write, LIVE_URL if live and LIVE_URL else pages.url))]
        )
    out = capsys.readouterr()
    assert code == 2
    assert "the server refused the token in $NETBOX_TOKEN (HTTP 403)" in out.err
    assert len(out.err.strip().splitlines()) == 1 and "Traceback" not in out.err
    assert "wrong-token" not in out.err + out.out


@pytest.mark.parametrize("live", [False, True] if LIVE_URL else [False])
def test_an_unknown_url_is_one_line(
    write: Write, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, live: bool
) -> None:
    if live:
        monkeypatch.setenv("NETBOX_TOKEN", LIVE_TOKEN or "")
    with serve(DEVICES) as pages:
        base = LIVE_URL if live else pages.url
        code = main(["hosts", "-i", str(source(write, f"{base}/netbox-typo"))])
    err = capsys.readouterr().err
    assert code == 2 and "(HTTP 404); check that url: is the netbox server's root" in err
    assert len(err.strip().splitlines()) == 1


def test_an_unset_token_variable_is_named(
    write: Write, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETBOX_TOKEN")
    with serve(DEVICES) as pages:
        assert main(["hosts", "-i", str(source(write, pages.url))]) == 2
        assert pages.requests == 0
    assert "token_env: $NETBOX_TOKEN is not set" in capsys.readouterr().err


def test_a_server_that_answers_500_three_times_is_one_line(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        pages.fail_with = [500] * 100  # every request, each page's every attempt
        assert main(["hosts", "-i", str(source(write, pages.url))]) == 2
        # three attempts per page, for the first window of pages only
        assert 3 <= pages.requests <= 3 * sot_http.PARALLEL
    err = capsys.readouterr().err
    assert "HTTP 500, 3 times; check that netbox is up at" in err
    assert len(err.strip().splitlines()) == 1


def test_a_429_then_a_503_are_tried_again(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(DEVICES) as pages:
        pages.fail_with = [429, 503]
        assert len(hosts_json(source(write, pages.url), capsys=capsys)) == 4


def test_an_unreachable_server_is_one_line(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        url = pages.url  # the server stops at the end of the block: nobody listens after
    assert main(["hosts", "-i", str(source(write, url))]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "3 times" in err and len(err.strip().splitlines()) == 1


def test_the_cache_answers_within_its_ttl_and_refresh_fetches(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url)
        first = hosts_json(path, capsys=capsys)
        asked = pages.requests
        assert hosts_json(path, capsys=capsys) == first
        assert pages.requests == asked  # from the cache
        pages.devices = DEVICES[:1]
        assert len(hosts_json(path, "--refresh-inventory", capsys=capsys)) == 1
        assert pages.requests > asked
        assert len(hosts_json(path, capsys=capsys)) == 1  # the refreshed snapshot is kept


def test_cache_ttl_zero_always_fetches(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url, cache_ttl=0)
        hosts_json(path, capsys=capsys)
        asked = pages.requests
        hosts_json(path, capsys=capsys)
        assert pages.requests == 2 * asked


def test_bad_source_file_keys_are_refused_with_did_you_mean(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = source(write, "http://192.0.2.1", filters={"rol": ["core"]})
    assert main(["hosts", "-i", str(path)]) == 2
    assert "filters.rol: unknown key; did you mean 'role'?" in capsys.readouterr().err
    path = source(write, "http://192.0.2.1", token="abc")
    assert main(["hosts", "-i", str(path)]) == 2
    assert "did you mean 'token_env'?" in capsys.readouterr().err


def test_inventory_convert_writes_an_offline_copy(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url)
        want = hosts_json(path, capsys=capsys)
        out = tmp_path / "offline.yaml"
        assert main(["inventory", "convert", "-i", str(path), "--out", str(out)]) == 0
    assert hosts_json(out, capsys=capsys) == want


def test_config_context_false_asks_the_server_not_to_compute_it(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(DEVICES) as pages:
        path = source(write, pages.url, config_context=False)
        found = {h["name"]: h for h in hosts_json(path, capsys=capsys)}
        assert pages.queries[0]["exclude"] == ["config_context"]
    assert found["core-ams-1"]["vars"] == {"domain": "core.ams"}  # the custom field only


def test_plan_reads_the_source_and_nothing_connects(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write("job.yaml", "name: v\nhosts: role_core\ntasks:\n  - show: show version\n")
    with serve(DEVICES) as pages:
        path = source(write, pages.url)
        assert main(["plan", str(job), "-i", str(path), "--limit", "site_ams"]) == 0
    out = capsys.readouterr().out
    assert "core-ams-1" in out and "core-ams-2" in out and "core-fra-1" not in out


@pytest.mark.skipif(not LIVE_URL, reason="a live NetBox: set NETJOB_TEST_NETBOX_URL and _TOKEN")
def test_a_live_netbox_maps_every_device_it_keeps(
    write: Write, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same mapping on whatever devices a real NetBox 4.x holds: each host has an address,
    a platform netjob drives, and its site as a group; the rest are named in notes."""
    monkeypatch.setenv("NETBOX_TOKEN", LIVE_TOKEN or "")
    found = hosts_json(source(write, str(LIVE_URL)), capsys=capsys)
    for host in found:
        assert host["address"] and host["platform"]
        assert any(g.startswith("site_") for g in host["groups"]), host
