from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from runner.base.errors import LoadError
from runner.base.models import Host
from runner.load.host_patterns import Inventory
from runner.load.inventories import load_any, merge_inventories, to_netjob_yaml
from runner.load.inventory import build_inventory
from runner.load.yamlio import parse_yaml

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The hosts of examples/nornir and examples/ansible, in netjob's own format. Groups are
# listed general-first here (a later group wins in netjob), child-first there.
NETJOB_LAB = """\
defaults:
  platform: cisco_ios
  username: netjob
  password_env: NETJOB_LAB_PASSWORD
  vars: {site: lab, ntp_servers: [192.0.2.123], banner: netjob lab}
groups:
  core: {vars: {role: core, banner: core - authorised access only}}
  core_lab: {vars: {role: core_lab, rack: A1}}
  edge: {vars: {role: edge, site: lab-edge}}
  edge_lab: {vars: {role: edge_lab, rack: B1}}
hosts:
  r001: {address: 127.0.0.1, port: 10022, groups: [core, core_lab],
         vars: {uplink: GigabitEthernet0/0}}
  r002: {address: 127.0.0.1, port: 10023, groups: [core],
         vars: {uplink: GigabitEthernet0/1, banner: r002 - maintenance}}
  r003: {address: 127.0.0.1, port: 10024, groups: [edge, edge_lab],
         vars: {uplink: GigabitEthernet0/2, rack: B2}}
  r004: {address: 127.0.0.1, port: 10025, groups: [edge], vars: {uplink: GigabitEthernet0/3}}
"""


def parse_inventory(text: str, path: Path) -> Inventory:
    """A netjob inventory from text, as if read from `path`."""
    return build_inventory(parse_yaml(text, str(path)), path)


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def fields(host: Host) -> dict[str, Any]:
    """What must survive a conversion: everything but the secrets' source."""
    return {
        "address": host.address,
        "port": host.port,
        "platform": host.platform,
        "username": host.username,
        "groups": host.groups,
        "vars": dict(host.vars),
        "connection": host.connection,
    }


def nornir(tmp_path: Path, hosts: str, groups: str = "", defaults: str = "") -> Inventory:
    files = {"hosts.yaml": hosts, "groups.yaml": groups, "defaults.yaml": defaults}
    return load_any(make(tmp_path / "nornir", files))


def ansible(tmp_path: Path, inventory: str, **files: str) -> Inventory:
    extra = {name.replace("__", "/"): text for name, text in files.items()}
    make(tmp_path / "ansible", {"inventory.yml": inventory, **extra})
    return load_any(tmp_path / "ansible" / "inventory.yml")


# --- the same lab, three ways ----------------------------------------------------------


def test_nornir_ansible_and_netjob_describe_the_same_lab_hosts(tmp_path: Path) -> None:
    for kind in ("nornir", "ansible"):
        shutil.copytree(EXAMPLES / kind, tmp_path / kind)
    from_nornir = load_any(tmp_path / "nornir")
    from_ansible = load_any(tmp_path / "ansible")
    native = parse_inventory(NETJOB_LAB, tmp_path / "inventory.yaml")
    names = ["r001", "r002", "r003", "r004"]
    assert list(from_nornir.hosts) == list(from_ansible.hosts) == list(native.hosts) == names
    for name in names:
        expected = fields(native.hosts[name])
        for inventory in (from_nornir, from_ansible):
            got = fields(inventory.hosts[name])
            assert set(got.pop("groups")) == set(expected["groups"])
            assert got == {k: v for k, v in expected.items() if k != "groups"}
        assert from_nornir.hosts[name] == from_ansible.hosts[name]  # groups' order too
    assert from_nornir.hosts["r001"].vars["role"] == "core_lab"
    assert [h.port for h in from_ansible.select("core")] == [10022, 10023]


def test_examples_point_at_the_lab_with_its_test_password_only() -> None:
    for kind in ("nornir", "ansible"):
        inventory = load_any(EXAMPLES / kind)
        assert [(h.address, h.port) for h in inventory.hosts.values()] == [
            ("127.0.0.1", port) for port in range(10022, 10026)
        ]
        assert {(h.username, h.password, h.secret) for h in inventory.hosts.values()} == {
            ("netjob", "lab-password", "lab-enable")
        }


# --- Nornir precedence -----------------------------------------------------------------

NORNIR_GROUPS = """\
parent: {data: {k: parent, from_parent: parent, shared: parent}, port: 1111}
a: {groups: [parent], data: {k: a}}
b: {data: {k: b, shared: b, from_b: b}, port: 2222, username: b_user, platform: eos}
"""


def test_nornir_first_listed_group_wins_then_its_parents_then_defaults(tmp_path: Path) -> None:
    inv = nornir(
        tmp_path,
        "h: {groups: [a, b], data: {own: h}}\n",
        NORNIR_GROUPS,
        "data: {k: default, only_default: d, shared: default}\n",
    )
    host = inv.hosts["h"]
    assert host.groups == ("a", "parent", "b")
    assert host.vars == {
        "k": "a",  # the first listed group beats the later one (netjob's rule is the reverse)
        "shared": "parent",  # a's parent comes before b
        "from_parent": "parent",
        "from_b": "b",
        "only_default": "d",
        "own": "h",
    }
    assert (host.port, host.username, host.platform) == (1111, "b_user", "arista_eos")


def test_nornir_host_attributes_beat_groups_and_defaults_fill_gaps(tmp_path: Path) -> None:
    inv = nornir(
        tmp_path,
        "h: {groups: [b], port: 2022, hostname: 192.0.2.1}\nbare: {}\n",
        NORNIR_GROUPS,
        "username: netjob\npassword: lab\nplatform: cisco_xe\n",
    )
    host, bare = inv.hosts["h"], inv.hosts["bare"]
    assert (host.address, host.port, host.username, host.password) == (
        "192.0.2.1",
        2022,
        "b_user",
        "lab",
    )
    assert (bare.address, bare.port, bare.platform) == ("bare", 22, "cisco_xe")


def test_nornir_netmiko_options_of_the_defaults_shadow_a_later_group(tmp_path: Path) -> None:
    # Nornir resolves connection_options through each group's own chain, which ends with
    # the defaults: the defaults' netmiko port is found (via `a`) before `b`'s.
    inv = nornir(
        tmp_path,
        "h: {groups: [a, b], port: 4444}\nonly_b: {groups: [b]}\n",
        "a: {}\nb: {connection_options: {netmiko: {port: 3300, username: b_net}}}\n",
        "connection_options: {netmiko: {port: 2200}}\n",
    )
    assert (inv.hosts["h"].port, inv.hosts["h"].username) == (2200, "b_net")
    assert inv.hosts["only_b"].port == 3300


def test_nornir_netmiko_extras_override_like_nornir_netmiko(tmp_path: Path) -> None:
    extras = "{device_type: cisco_nxos, secret: s3, conn_timeout: 20, read_timeout_override: 60}"
    inv = nornir(
        tmp_path,
        "h: {groups: [g], platform: ios}\nplain: {platform: nxos_ssh}\n"
        "netmiko: {platform: hp_comware}\n",
        f"g: {{connection_options: {{netmiko: {{extras: {extras}}}}}}}\n",
    )
    host = inv.hosts["h"]
    assert (host.platform, host.secret) == ("cisco_nxos", "s3")
    assert (host.connection.conn_timeout, host.connection.read_timeout) == (20, 60)
    assert inv.hosts["plain"].platform == "cisco_nxos"
    assert inv.hosts["netmiko"].platform == "hp_comware"  # netmiko names pass through


# --- Ansible precedence ----------------------------------------------------------------


def test_ansible_child_beats_parent_and_same_depth_goes_by_name(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        """\
all:
  vars: {k: all, depth: all}
  children:
    zeta:
      vars: {k: zeta, depth: zeta}
      hosts: {h: }
      children:
        child: {vars: {depth: child}, hosts: {h: }}
    alpha:
      vars: {k: alpha}
      hosts: {h: }
""",
    )
    host = inv.hosts["h"]
    assert host.vars == {"k": "zeta", "depth": "child"}  # zeta > alpha by name; child deepest
    assert host.groups == ("zeta", "child", "alpha")


def test_ansible_group_priority_beats_the_name_order(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        "all:\n  children:\n"
        "    alpha: {vars: {k: alpha, ansible_group_priority: 10}, hosts: {h: }}\n"
        "    zeta: {vars: {k: zeta}, hosts: {h: }}\n",
    )
    assert inv.hosts["h"].vars == {"k": "alpha"}


def test_ansible_group_vars_files_beat_every_inventory_group_var(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        "all:\n  vars: {a: inv_all}\n"
        "  children:\n    g: {vars: {a: inv_g, b: inv_g}, hosts: {h: }}\n",
        group_vars__all="a: gv_all\nb: gv_all\n",
        group_vars__g="b: gv_g\n",
    )
    assert inv.hosts["h"].vars == {"a": "gv_all", "b": "gv_g"}


def test_ansible_host_vars_beat_group_vars_and_a_later_listing_wins(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        "g1: {hosts: {h: {a: first, b: first, c: inv}}}\ng2: {hosts: {h: {a: second}}}\n",
        group_vars__g2="b: gv\nc: gv\n",
        **{"host_vars__h.yaml": "c: host_vars\n"},
    )
    assert inv.hosts["h"].vars == {"a": "second", "b": "first", "c": "host_vars"}


def test_ansible_vars_files_first_name_found_and_folders_in_order(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        "all:\n  children:\n    g: {hosts: {h: }}\n    f: {hosts: {h: }}\n",
        group_vars__g="x: no_extension\n",
        **{
            "group_vars__g.yml": "x: yml\ny: yml\n",
            "group_vars__f__10.yml": "y: first\nz: first\n",
            "group_vars__f__20.yaml": "z: second\n",
            "group_vars__f__30.yml~": "z: editor backup\n",
        },
    )
    assert inv.hosts["h"].vars == {"x": "no_extension", "y": "first", "z": "second"}


def test_ansible_ungrouped_hosts_and_groups_with_ancestors(tmp_path: Path) -> None:
    inv = ansible(
        tmp_path,
        "all:\n  hosts: {lone: }\n  children:\n    dc: {children: {rack: {hosts: {h: }}}}\n",
        group_vars__ungrouped="k: ungrouped\n",
    )
    assert (inv.hosts["lone"].groups, inv.hosts["lone"].vars) == ((), {"k": "ungrouped"})
    assert inv.hosts["h"].groups == ("rack", "dc")
    assert inv.groups == ("dc", "rack")
    assert [h.name for h in inv.select("dc")] == ["h"]


@pytest.mark.parametrize(
    ("network_os", "platform"),
    [
        ("cisco.ios.ios", "cisco_ios"),
        ("ios", "cisco_ios"),
        ("arista.eos.eos", "arista_eos"),
        ("eos", "arista_eos"),
        ("cisco.nxos.nxos", "cisco_nxos"),
        ("nxos", "cisco_nxos"),
        ("junipernetworks.junos.junos", "juniper_junos"),
        ("junos", "juniper_junos"),
    ],
)
def test_ansible_connection_vars_map_to_host_fields(
    tmp_path: Path, network_os: str, platform: str
) -> None:
    inv = ansible(
        tmp_path,
        f"""\
all:
  hosts:
    h:
      ansible_host: 192.0.2.7
      ansible_port: "2222"
      ansible_user: admin
      ansible_password: pw
      ansible_become_password: en
      ansible_network_os: {network_os}
      ansible_connection: ansible.netcommon.network_cli
      site: ams
""",
    )
    host = inv.hosts["h"]
    assert (host.address, host.port, host.username, host.platform) == (
        "192.0.2.7",
        2222,
        "admin",
        platform,
    )
    assert (host.password, host.secret, dict(host.vars)) == ("pw", "en", {"site": "ams"})


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"hosts.yaml": "r1:\n  hostnmae: x\n"},
            r"hosts.yaml:2: r1.hostnmae: unknown key; did you mean 'hostname'",
        ),
        (
            {"hosts.yaml": "r1:\n  groups: [nope]\n"},
            r"hosts.yaml:2: r1.groups: unknown group 'nope'",
        ),
        ({"hosts.yaml": "r1:\n  port: ssh\n"}, r"hosts.yaml:2: r1.port: expected a whole number"),
        (
            {
                "hosts.yaml": "r1: {groups: [a]}\n",
                "groups.yaml": "a: {groups: [b]}\nb:\n  groups: [a]\n",
            },
            r"groups.yaml:1: a.groups: group 'a' is its own ancestor; break the cycle",
        ),
        (
            {
                "hosts.yaml": "r1: {}\n",
                "defaults.yaml": "connection_options:\n  netmiko:\n"
                "    extras: {conn_timeout: soon}\n",
            },
            r"defaults.yaml:3: connection_options.netmiko.extras.conn_timeout: expected a number",
        ),
    ],
)
def test_bad_nornir_files_name_file_line_and_key(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(LoadError, match=message) as caught:
        load_any(make(tmp_path, files))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"group_vars/g.yml": "site: x\nansible_port: ssh\n"},
            r"group_vars/g.yml:2: ansible_port: expected a whole number from 1 to 65535",
        ),
        (
            {"host_vars/h.yml": "ansible_network_os: cisco.ios.iso\n"},
            r"host_vars/h.yml:1: ansible_network_os: unknown platform 'cisco.ios.iso'; "
            r"did you mean 'cisco.ios.ios'\?",
        ),
        (
            {"group_vars/all.yml": "ansible_host: '{{ inventory_hostname }}.example.net'\n"},
            r"group_vars/all.yml:1: ansible_host: in a connection variable netjob reads "
            r"\{\{ lookup\('env', 'NAME'\) \}\} and \{\{ a_variable \}\}, no other Jinja2",
        ),
        (
            {"host_vars/h.yml": "ansible_password: a\nansible_ssh_pass: b\n"},
            r"host_vars/h.yml:2: ansible_ssh_pass: conflicts with ansible_password",
        ),
        ({"group_vars/g.yml": "- a list\n"}, r"group_vars/g.yml: expected a mapping"),
    ],
)
def test_bad_ansible_vars_files_name_file_line_and_key(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    inventory = "all:\n  children:\n    g:\n      hosts:\n        h:\n"
    with pytest.raises(LoadError, match=message) as caught:
        ansible(tmp_path, inventory, **{k.replace("/", "__"): v for k, v in files.items()})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("inventory", "message"),
    [
        ("all:\n  hosts:\n    r[01:20]:\n", r"inventory.yml:3: all.hosts.r\[01:20\]: host ranges"),
        ("all:\n  hosts:\n    r1:2222:\n", r"inventory.yml:3: all.hosts.r1:2222: host ranges"),
        (
            "all:\n  childern:\n    g:\n",
            r"inventory.yml:2: all.childern: unknown key; did you mean 'children'",
        ),
        (
            "all:\n  children:\n    g:\n      vars: [a]\n",
            r"inventory.yml:4: all.children.g.vars: expected a mapping",
        ),
        (
            "a:\n  children:\n    b:\n      children:\n        a:\n",
            r"inventory.yml:3: a.children.b: group 'b' would be its own ancestor",
        ),
    ],
)
def test_bad_ansible_inventory_names_file_line_and_key(
    tmp_path: Path, inventory: str, message: str
) -> None:
    with pytest.raises(LoadError, match=message) as caught:
        ansible(tmp_path, inventory)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("files", "target", "message"),
    [
        (
            {"notes.yaml": "todo: [a, b]\n"},
            "notes.yaml",
            r"notes.yaml: not an inventory netjob can read; it reads netjob's",
        ),
        (
            {"hosts.ini": "[core:vars]\njust words\n"},
            "hosts.ini",
            r"hosts.ini: not an Ansible INI inventory: ",
        ),
        ({"README": "hi\n"}, ".", r": no inventory file in this folder; netjob reads"),
        (
            {"a.yml": "all: {}\n", "b.yaml": "hosts: {r1: {}}\n"},
            ".",
            r"several inventories here \(a.yml, b.yaml\); pass one",
        ),
        ({}, "missing.yaml", r"missing.yaml: cannot read"),
    ],
)
def test_unknown_or_ambiguous_inventories_say_what_is_accepted(
    tmp_path: Path, files: dict[str, str], target: str, message: str
) -> None:
    make(tmp_path, files)
    with pytest.raises(LoadError, match=message) as caught:
        load_any(tmp_path / target)
    assert "\n" not in str(caught.value)


def test_a_folder_or_file_of_netjob_format_loads_as_netjob(tmp_path: Path) -> None:
    make(tmp_path, {"inventory.yaml": NETJOB_LAB})
    assert load_any(tmp_path).hosts == load_any(tmp_path / "inventory.yaml").hosts
    assert load_any(tmp_path).hosts["r001"].password_env == "NETJOB_LAB_PASSWORD"


def test_a_nornir_hosts_file_loads_its_folder() -> None:
    assert load_any(EXAMPLES / "nornir" / "hosts.yaml").hosts == load_any(EXAMPLES / "nornir").hosts


# --- several inventories ---------------------------------------------------------------


def test_merge_keeps_every_host_and_unites_groups(tmp_path: Path) -> None:
    first = parse_inventory(
        "groups: {core: }\nhosts: {a: {groups: [core]}}\n", tmp_path / "one.yaml"
    )
    second = ansible(tmp_path, "core: {hosts: {b: }}\nedge: {hosts: {c: }}\n")
    merged = merge_inventories([first, second])
    assert list(merged.hosts) == ["a", "b", "c"]
    assert merged.groups == ("core", "edge")
    assert [h.name for h in merged.select("core")] == ["a", "b"]


def test_merge_refuses_a_host_defined_twice_naming_both_sources(tmp_path: Path) -> None:
    first = parse_inventory("hosts: {r1: {}}\n", tmp_path / "one.yaml")
    second = parse_inventory("hosts: {r1: {}}\n", tmp_path / "two.yaml")
    with pytest.raises(LoadError, match=r"host 'r1' is in both .*one.yaml and .*two.yaml"):
        merge_inventories([first, second])


# --- back to netjob's format -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["nornir", "ansible", "netjob"])
def test_to_netjob_yaml_round_trips(tmp_path: Path, kind: str) -> None:
    if kind == "netjob":
        original = parse_inventory(NETJOB_LAB, tmp_path / "inventory.yaml")
    else:
        original = load_any(EXAMPLES / kind)
    text = to_netjob_yaml(original)
    again = parse_inventory(text, tmp_path / "converted.yaml")
    assert list(again.hosts) == list(original.hosts)
    assert set(again.groups) == set(original.groups)
    for name, host in original.hosts.items():
        assert fields(again.hosts[name]) == fields(host)
        assert again.hosts[name].password == host.password
        assert again.hosts[name].password_env == host.password_env
    assert ("WARNING: plain-text passwords" in text) is (kind != "netjob")


def test_to_netjob_yaml_moves_shared_values_to_defaults_exactly(tmp_path: Path) -> None:
    original = parse_inventory(
        "hosts:\n  a: {username: u, vars: {flag: true, n: 1, x: [1]}}\n"
        "  b: {username: u, vars: {flag: 1, n: 1, x: [1]}, connection: {read_timeout: 5}}\n",
        tmp_path / "inv.yaml",
    )
    text = to_netjob_yaml(original)
    assert "defaults:\n  port: 22\n  platform: cisco_ios\n  username: u\n" in text
    assert "  vars:\n    n: 1\n    x: [1]\nhosts:" in text  # `flag` differs in type: per host
    again = parse_inventory(text, tmp_path / "converted.yaml")
    assert again.hosts["a"].vars["flag"] is True and again.hosts["b"].vars["flag"] == 1
    assert [fields(h) for h in again.hosts.values()] == [fields(h) for h in original.hosts.values()]
