"""The transform suite, small: recall per transform, what each matcher adds, no false matches.

`himaya eval media` runs the same suite at full size (200 originals, 10,000 unrelated pictures);
its figures are in docs/evaluation.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from himaya.detectors.media.evaluate import run_eval
from himaya.detectors.media.transforms import TRANSFORMS


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return run_eval(originals=24, background=400, workers=2)


def test_recall_at_the_default_threshold(result: dict[str, Any]) -> None:
    assert result["queries"] == 24 * len(TRANSFORMS)
    assert result["recall"] >= 0.97, result["recall_by_stage"]
    for name, row in result["transforms"].items():
        assert row["pdq+content+crops"] >= 0.9, (name, row)


def test_no_false_matches_against_unrelated_pictures(result: dict[str, Any]) -> None:
    assert result["false_match_rate_images"] == 0.0 and result["false_match_rate_pairs"] == 0.0
    assert all(v == 0 for v in result["wrong_original_matches_by_stage"].values())
    assert result["nearest_background_distance"] > result["thresholds"]["pdq_crop"] + 10


def test_each_matcher_adds_what_pdq_misses(result: dict[str, Any]) -> None:
    t = result["transforms"]
    # PDQ alone survives re-encoding and resizing …
    for name in ("resize", "jpeg_q80", "jpeg_q50", "jpeg_q20", "mirror"):
        assert t[name]["pdq"] >= 0.9, name
    # … but not crops, small turns, borders or caption bands.
    for name in ("crop", "rotate", "screenshot", "caption"):
        assert t[name]["pdq"] <= 0.3, name
    # The content box recovers screenshots and captions; the crop/turn variants recover the rest.
    assert t["screenshot"]["pdq+content"] >= 0.8 and t["caption"]["pdq+content"] >= 0.6
    assert t["crop"]["pdq+content+crops"] >= 0.9 and t["rotate"]["pdq+content+crops"] >= 0.9
    stages = result["recall_by_stage"]
    assert stages["pdq"] < stages["pdq+content"] < stages["pdq+content+crops"]
