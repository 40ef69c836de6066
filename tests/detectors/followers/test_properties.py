"""Property tests: handle shapes and the profiles reader never fail on hostile input."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.detectors.followers.handles import display_shape, shape_of
from himaya.detectors.followers.profiles import read_profiles

HANDLE_CHARS = string.ascii_lowercase + string.digits + "._"


@given(st.text(max_size=40))
def test_shape_of_any_text(text: str) -> None:
    shape, random = shape_of(text)
    digits = sum(c in string.digits for c in text.lower())
    assert isinstance(random, bool) and shape.count("#") == digits  # only digits become #
    assert set(shape) <= set("ax#._?")
    display_shape(shape)


@given(st.text(alphabet=HANDLE_CHARS, min_size=1, max_size=30))
def test_instagram_handles_keep_their_separators(handle: str) -> None:
    shape, _ = shape_of(handle)
    assert [c for c in shape if c in "._"] == [c for c in handle if c in "._"]
    assert set(shape) <= set("ax#._")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=10), max_size=8))
def test_profiles_reader_reports_instead_of_failing(rows: list[list[str]]) -> None:
    import csv

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["handle", "posts", "followers", "has_profile_pic", "account_created", "bio"])
            w.writerows(rows)
        handles = sorted({r[0].strip().lstrip("@").lower() for r in rows if r and r[0].strip()})
        pr = read_profiles(path, handles)
        assert pr.known.size == len(handles)
        assert all(p.position.startswith("line ") for p in pr.problems)
