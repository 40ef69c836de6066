from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from himaya.detectors.followers.profiles import ProfileFileError, read_profiles


def test_profiles_csv_with_blanks_and_bad_values(tmp_path: Path) -> None:
    p = tmp_path / "profiles.csv"
    p.write_text(
        "handle,full_name,posts,followers,following,has_profile_pic,is_private,account_created,bio\n"
        "sara.k,سارا,12,1.2k,\"1,034\",yes,false,2020-03-01,feminist\n"
        "@Mina,,,,,,,,\n"
        "omid,Omid,lots,10,20,maybe,0,not a date,\n"
        ",nobody,1,1,1,1,1,2020-01-01,\n"
        "stranger,,1,1,1,1,1,,\n"
        "sara.k,Sara,13,,,,,,\n", encoding="utf-8")
    pr = read_profiles(p, ["sara.k", "mina", "omid", "reza"])
    assert pr.known.tolist() == [True, True, True, False]
    assert pr.posts[0] == 13 and pr.followers[0] == 1200 and pr.following[0] == 1034  # later row wins
    assert pr.full_name[0] == "Sara" and pr.has_profile_pic[0] == 1 and pr.is_private[0] == 0
    assert np.isnan(pr.posts[1]) and pr.full_name[1] == ""
    assert np.isnan(pr.posts[2]) and pr.followers[2] == 10 and np.isnan(pr.has_profile_pic[2])
    where = {(x.position, x.code) for x in pr.problems}
    assert ("line 4, column posts", "bad_value") in where
    assert ("line 4, column has_profile_pic", "bad_value") in where
    assert ("line 4, column account_created", "bad_value") in where
    assert ("line 5", "no_handle") in where and ("line 7", "duplicate_handle") in where
    assert pr.unmatched == 1


def test_profiles_csv_without_handle_column(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("name,posts\nsara,1\n", encoding="utf-8")
    with pytest.raises(ProfileFileError, match="no 'handle' column"):
        read_profiles(p, ["sara"])


def test_profiles_csv_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_bytes("handle\nسارا\n".encode("cp1256"))
    with pytest.raises(ProfileFileError, match="not UTF-8"):
        read_profiles(p, ["x"])


@pytest.fixture
def default_csv_field_limit() -> Iterator[None]:
    """The interpreter's default limit (128 KiB): other modules may raise it process-wide."""
    old = csv.field_size_limit(131072)
    yield
    csv.field_size_limit(old)


@pytest.mark.usefixtures("default_csv_field_limit")
def test_oversized_field_stops_reading_but_keeps_earlier_rows(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("handle,bio\nsara,\"multi\nline bio\"\nmina," + "x" * 200_000 + "\nomid,late\n", encoding="utf-8")
    pr = read_profiles(p, ["sara", "mina", "omid"])
    assert pr.known.tolist() == [True, False, False] and pr.bio[0] == "multi\nline bio"
    (problem,) = pr.problems
    assert problem.code == "unreadable_rest" and problem.position == "line 4"
