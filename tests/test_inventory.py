from __future__ import annotations

from pathlib import Path

import pytest
from fixture_types import Write

from runner.base.errors import InputError, LoadError, SelectionError
from runner.load.credentials import resolve_credentials
from runner.load.inventory import load_inventory


def test_merge_order_defaults_then_groups_in_listed_order_then_host(inventory_file: Path) -> None:
    inv = load_inventory(inventory_file)
    r1, r2, r3 = (inv.hosts[n] for n in ("r1", "r2", "r3"))
    assert r1.vars["role"] == "core" and r1.connection.read_timeout == 5
    assert r2.vars["role"] == "edge"  # edge is listed after core: it wins
    assert r2.vars["ntp_servers"] == ["192.0.2.1"]  # keys only core has survive
    assert r3.vars["role"] == "special" and r3.port == 2222  # the host beats its groups
    assert r3.connection.read_timeout == 30  # the default, edge sets none
    assert all(h.username == "netjob" and h.platform == "cisco_ios" for h in inv.hosts.values())


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("all", ["r1", "r2", "r3"]),
        ("core", ["r1", "r2"]),
        ("core,r3", ["r1", "r2", "r3"]),
        ("all,!edge", ["r1"]),
        ("!r1", ["r2", "r3"]),
        ("r[12]", ["r1", "r2"]),
    ],
)
def test_select_by_names_groups_globs_and_exclusions(
    inventory_file: Path, pattern: str, expected: list[str]
) -> None:
    assert [h.name for h in load_inventory(inventory_file).select(pattern)] == expected


def test_select_intersects_job_hosts_and_limit(inventory_file: Path) -> None:
    inv = load_inventory(inventory_file)
    assert [h.name for h in inv.select("edge", "core")] == ["r2"]


def test_unknown_host_or_group_names_it_and_the_file(inventory_file: Path) -> None:
    with pytest.raises(SelectionError, match=r"unknown host or group 'cor'.*inventory.yaml"):
        load_inventory(inventory_file).select("cor")


def test_unknown_key_names_file_line_and_key(write: Write) -> None:
    path = write("inv.yaml", "hosts:\n  r1:\n    address: 192.0.2.1\n    prot: 22\n")
    with pytest.raises(
        LoadError, match=r"inv.yaml:4: hosts.r1.prot: unknown key; did you mean 'port'"
    ):
        load_inventory(path)


def test_wrong_type_names_key(write: Write) -> None:
    path = write("inv.yaml", "hosts:\n  r1:\n    port: http\n")
    with pytest.raises(LoadError, match=r"inv.yaml:3: hosts.r1.port: expected a whole number"):
        load_inventory(path)


def test_unknown_group_on_host_is_an_error(write: Write) -> None:
    path = write("inv.yaml", "hosts:\n  r1:\n    groups: [nope]\n")
    with pytest.raises(LoadError, match=r"inv.yaml:3: hosts.r1.groups: unknown group 'nope'"):
        load_inventory(path)


def test_broken_yaml_names_file_and_line(write: Write) -> None:
    path = write("inv.yaml", "hosts:\n  r1: {address: [\n")
    with pytest.raises(LoadError, match=r"inv.yaml:3: invalid YAML"):
        load_inventory(path)


def test_missing_hosts_key(write: Write) -> None:
    with pytest.raises(LoadError, match="missing required key 'hosts'"):
        load_inventory(write("inv.yaml", "groups: {}\n"))


def test_yaml_alias_bomb_is_refused(write: Write) -> None:
    rows = ["a: &a [x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(15)
    ]
    # The expansion bound now catches this bomb before its 101st alias; either is a refusal.
    refused = r"refused: (more than 100 YAML aliases|aliases expand to more than 1,000,000)"
    with pytest.raises(LoadError, match=refused):
        load_inventory(write("inv.yaml", "\n".join(rows) + "\nhosts: {}\n"))
    many = "\n".join(["a: &a 1", *(f"k{i}: *a" for i in range(101)), "hosts: {}"])
    with pytest.raises(LoadError, match="refused: more than 100 YAML aliases"):
        load_inventory(write("many.yaml", many))


def test_password_comes_from_the_named_environment_variable(inventory_file: Path) -> None:
    hosts = list(load_inventory(inventory_file).hosts.values())
    creds = resolve_credentials(hosts, {"TEST_PASSWORD": "s3cret"})
    assert creds["r1"].password == "s3cret"
    assert "s3cret" not in repr(creds["r1"])  # secrets never show in reprs


def test_missing_environment_variable_says_what_to_do(inventory_file: Path) -> None:
    hosts = list(load_inventory(inventory_file).hosts.values())
    with pytest.raises(InputError, match=r"TEST_PASSWORD, which is not set \(or empty\); export"):
        resolve_credentials(hosts, {})


def test_prompt_is_asked_once_for_many_hosts(inventory_file: Path) -> None:
    hosts = list(load_inventory(inventory_file).hosts.values())
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "typed"

    creds = resolve_credentials(hosts, {}, prompt=prompt)
    assert len(asked) == 1 and {c.password for c in creds.values()} == {"typed"}


def test_a_big_inventory_is_cached_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NETJOB_NO_CACHE", raising=False)
    rows = [
        f"  h{i:05d}: {{address: 192.0.2.{i % 250 + 1}, vars: {{n: {i}}}}}" for i in range(6000)
    ]
    path = tmp_path / "big.yaml"
    path.write_text("hosts:\n" + "\n".join(rows) + "\n")
    first = load_inventory(path)
    cached = list((tmp_path / "cache" / "netjob").glob("inventory-*.pickle"))
    assert len(cached) == 1
    assert load_inventory(path) == first  # served from the cache, equal
    path.write_text(
        path.read_text().replace("h00007: {address: 192.0.2.8", "h00007: {address: 192.0.2.99")
    )
    changed = load_inventory(path)
    assert changed.hosts["h00007"].address == "192.0.2.99"  # a changed file is read again
    assert len(list((tmp_path / "cache" / "netjob").glob("inventory-*.pickle"))) == 2


def test_netjob_run_takes_the_cache_of_a_big_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is on the path `netjob run` takes (runner.load.inventories.load_any): a second load
    of an unchanged big inventory does not parse its YAML at all."""
    from runner.load import inventories

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NETJOB_NO_CACHE", raising=False)
    rows = [f"  h{i:05d}: {{address: 192.0.2.{i % 250 + 1}}}" for i in range(12000)]
    path = tmp_path / "big.yaml"
    path.write_text("hosts:\n" + "\n".join(rows) + "\n")
    first = inventories.load_any(path)

    def unparsed(_: Path) -> None:
        raise AssertionError("parsed again: the cache was not used")

    monkeypatch.setattr(inventories, "_classify", unparsed)
    assert inventories.load_any(path) == first


def test_a_file_replaced_while_it_loads_never_caches_the_old_hosts_as_the_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache file is named from the bytes that were parsed. Before, it was named from a
    second read: a file replaced while it parsed kept the old hosts under the new bytes'
    name, and every later run of the new file loaded the old addresses."""
    from runner.load import inventories

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NETJOB_NO_CACHE", raising=False)
    rows = [f"  h{i:05d}: {{address: 192.0.2.{i % 250 + 1}}}" for i in range(12000)]
    path = tmp_path / "big.yaml"
    old = "hosts:\n" + "\n".join(rows) + "\n"
    new = old.replace("h00007: {address: 192.0.2.8}", "h00007: {address: 192.0.2.99}")
    path.write_text(old)
    build = inventories.build_inventory  # type: ignore[attr-defined]  # patched where used

    def replaced_meanwhile(data: object, where: Path) -> object:
        path.write_text(new)  # another writer (git pull, an export job) replaces it now
        return build(data, where)

    monkeypatch.setattr(inventories, "build_inventory", replaced_meanwhile)
    assert inventories.load_any(path).hosts["h00007"].address == "192.0.2.8"  # what it read
    monkeypatch.setattr(inventories, "build_inventory", build)
    assert inventories.load_any(path).hosts["h00007"].address == "192.0.2.99"


class _Planted:
    """What a planted pickle would run: a file written as the user."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path, str]]:
        return (Path.write_text, (Path(self.marker), "ran"))


def test_a_planted_cache_file_is_never_unpickled_and_the_inventory_is_read_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 21, item 2: a file at the cache's path that netjob did not write for this user
    (a plain pickle, or one in netjob's layout with a wrong HMAC, or in a folder others
    may write in) runs nothing; it is ignored with a note, and the YAML is read again."""
    import pickle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NETJOB_NO_CACHE", raising=False)
    rows = [f"  h{i:05d}: {{address: 192.0.2.{i % 250 + 1}}}" for i in range(12000)]
    path = tmp_path / "big.yaml"
    path.write_text("hosts:\n" + "\n".join(rows) + "\n")
    first = load_inventory(path)
    (cache,) = (tmp_path / "cache" / "netjob").glob("inventory-*.pickle")
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Planted(str(marker)))
    for planted in (evil, b"NJC1" + bytes(32) + evil):
        cache.write_bytes(planted)
        caplog.clear()
        assert load_inventory(path) == first
        assert not marker.exists(), "a planted cache file ran code"
        assert "ignored the inventory cache" in caplog.text
    # A cache folder that others may write in is not trusted either, even with a good file.
    load_inventory(path)  # rewrites a good file
    (tmp_path / "cache" / "netjob").chmod(0o777)
    caplog.clear()
    assert load_inventory(path) == first
    assert "not this user's alone" in caplog.text
