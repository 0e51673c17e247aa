"""Folding identical answers under one header (runner.report.fold)."""

from __future__ import annotations

from runner.report.fold import Fold, fold, host_ranges


def test_consecutive_names_collapse_into_a_range() -> None:
    names = ["r007", "r001", "r003", "r004", "r005", "r006"]
    assert host_ranges(names) == "r001, r003-r007"


def test_two_consecutive_names_are_listed_not_ranged() -> None:
    assert host_ranges(["r001", "r002", "r004"]) == "r001, r002, r004"


def test_ranges_need_the_same_prefix_and_padding() -> None:
    assert host_ranges(["sw1", "sw2", "sw3", "r1", "r2", "r3"]) == "r1-r3, sw1-sw3"
    assert host_ranges(["r8", "r9", "r10"]) == "r8-r10"  # no zero padding to keep
    assert host_ranges(["r08", "r09", "r010"]) == "r08, r09, r010"
    assert host_ranges(["r098", "r099", "r100"]) == "r098-r100"


def test_names_without_a_number_are_listed_as_they_are() -> None:
    assert host_ranges(["edge", "core", "r1"]) == "core, edge, r1"


def test_numbers_sort_as_numbers() -> None:
    assert host_ranges(["r10", "r2", "r1"]) == "r1, r2, r10"


def test_identical_texts_fold_under_one_header() -> None:
    texts = {f"r00{i}": "same\n" for i in range(1, 8)}
    texts["r002"] = "other\n"
    folds = fold(texts)
    assert folds == [
        Fold(("r001", "r003", "r004", "r005", "r006", "r007"), "same\n"),
        Fold(("r002",), "other\n"),
    ]
    assert folds[0].header == "r001, r003-r007 (6 hosts):"
    assert folds[1].header == "r002 (1 host):"


def test_every_text_differing_gives_one_fold_per_host() -> None:
    assert [f.hosts for f in fold({"b": "2", "a": "1"})] == [("a",), ("b",)]


def test_nothing_to_fold() -> None:
    assert fold({}) == []
    assert host_ranges([]) == ""
