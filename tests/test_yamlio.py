"""The libyaml fast path must build exactly what the careful pure-Python path builds."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import yaml

from runner.base.errors import LoadError
from runner.load import yamlio

DOCUMENT = """\
defaults: {platform: cisco_ios, port: 22, fast: true, ratio: 0.5, none: null, when: 2024-01-02}
quoted: "22"
single: 'yes'
list:
  - a
  - 10
  - [x, 1.5e+3, ~, false]
  - {k: v, n: 0x1F}
merged:
  <<: {inherited: 1, kept: 2}
  kept: 3
binary: !!binary aGVsbG8=
set: !!set {a, b}
block: |
  line one
  line two
"""


def lines(value: Any) -> Any:
    """The data with every mapping's and list's remembered lines, for comparison."""
    if isinstance(value, yamlio.LineDict):
        keys = {k: (value.key_lines.get(k), lines(v)) for k, v in value.items()}
        return ("map", value.line, keys)
    if isinstance(value, yamlio.LineList):
        return ("list", value.line, [lines(v) for v in value])
    return (type(value).__name__, value)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_fast_path_builds_the_same_data_and_lines_as_the_careful_one() -> None:
    assert yamlio._fast_ok(DOCUMENT)
    fast = yamlio._CLoader(DOCUMENT).get_single_data()
    careful = yamlio._Loader(DOCUMENT).get_single_data()
    assert lines(fast) == lines(careful)
    assert fast["merged"] == {"inherited": 1, "kept": 3}
    assert fast["list"][2] == ["x", 1500.0, None, False]
    assert fast["defaults"]["port"] == 22 and fast["quoted"] == "22"


def test_parsing_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    yamlio.parse_yaml(DOCUMENT, "x.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        yamlio.parse_yaml(DOCUMENT, "x.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_key_written_twice_is_refused_but_a_merged_key_may_be_overridden() -> None:
    with pytest.raises(LoadError, match=r"x.yaml:3: refused: duplicate key 'a'"):
        yamlio.parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")
    text = "base: &base {a: 1, b: 2}\nhost:\n  <<: *base\n  b: 3\n"
    assert yamlio.parse_yaml(text, "x.yaml")["host"] == {"a": 1, "b": 3}


def test_any_star_that_may_start_an_alias_has_its_graph_checked() -> None:
    for text in ('a: &a [1]\nb: {"k":*a}\n', "a: &a [1]\nb: [x,*a]\n", "? *a\n"):
        assert yamlio._CLoader(text)._may_alias, text
    assert not yamlio._CLoader("a: 2*3\nb: '*'\n")._may_alias


def test_a_big_inventory_with_one_alias_is_read_by_libyaml_with_the_same_limits() -> None:
    """A 16 MB inventory with one `*defaults` took 30 s in the pure-Python loader (issue
    21, item 4); libyaml composes it, and the aliases are counted on its graph."""
    assert yamlio.libyaml_limits_nesting()  # PyYAML>=6.0.4's wheels, as pyproject asks
    hosts = "".join(f"  h{i}: {{address: 192.0.2.1, vars: *v}}\n" for i in range(3))
    text = "defaults: {vars: &v {a: 1}}\nhosts:\n" + hosts
    assert yamlio._fast_ok(text)
    data = yamlio.parse_yaml(text, "inv.yaml")
    assert data["hosts"]["h2"]["vars"] == {"a": 1}
    for bad, says in [
        ("a: &a [1, *a]\n", "inv.yaml:1: refused: an alias inside the node it names"),
        ("x: &x [1]\n" + "".join(f"k{i}: *x\n" for i in range(101)), "more than 100"),
    ]:
        with pytest.raises(LoadError, match=says):
            yamlio.parse_yaml(bad, "inv.yaml")


def test_a_key_named_equals_loads_as_in_pyyaml() -> None:
    assert yamlio.parse_yaml("=: 1\nb: 2\n", "x.yaml") == {"=": 1, "b": 2}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: x\ntasks:\n\t- name: a\n", 3),  # a tab where a list item is indented
        ("hosts:\n  r1:\n\taddress: 192.0.2.1\n", 3),
        ("a:\n  - x\n \t- y\n", 3),  # spaces, then a tab
    ],
)
def test_a_tab_in_an_indentation_is_named_as_such(text: str, line: int) -> None:
    with pytest.raises(LoadError) as caught:
        yamlio.parse_yaml(text, "job.yaml")
    assert str(caught.value) == (
        f"job.yaml:{line}: a tab at line {line}: YAML indents with spaces; replace it with spaces"
    )
    assert caught.value.line == line


def test_a_tab_inside_a_value_is_text() -> None:
    assert yamlio.parse_yaml("banner: |\n  one\ttwo\n", "job.yaml") == {"banner": "one\ttwo\n"}
