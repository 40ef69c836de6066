from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from himaya.detectors.followers.data import FollowerDataError, load_exports
from himaya.detectors.followers.simulate import simulate
from tests.detectors.followers.conftest import write_generic_follows


def test_instagram_export(sim_files: dict[str, Any]) -> None:
    fs = load_exports([Path(p) for p in sim_files["exports"]])
    sc = simulate(3)
    assert fs.platform == "instagram" and fs.target == "banafsha.collective"
    assert len(fs) == len(sc.handles) and fs.timed.all()
    by_handle = dict(zip(fs.handles, fs.times.tolist(), strict=True))
    assert all(by_handle[h] == int(t) for h, t in zip(sc.handles[:50], sc.times[:50].tolist(), strict=True))
    assert fs.order[int(np.argmax(fs.times))] == 0  # newest listed first


def test_snapshots_appear_disappear_and_skew(sim_snapshots: dict[str, Any]) -> None:
    paths = [Path(p) for p in sim_snapshots["exports"]]
    fs = load_exports(list(reversed(paths)))  # given in the wrong order: sorted by their newest follow
    first, second = fs.snapshots
    assert first.name.endswith("sim1.zip") and second.name.endswith("sim2.zip")
    assert second.skew_s == pytest.approx(3.5 * 3600)
    assert any("skew" in n for n in fs.notes)
    assert second.disappeared == sim_snapshots["unfollowed"] and second.disappeared > 0
    assert second.appeared == int(fs.appeared_in(1).sum()) > 0
    assert int(fs.disappeared_after(0).sum()) == second.disappeared
    sc = simulate(3)
    times = dict(zip(fs.handles, fs.times.tolist(), strict=True))
    late = [(h, t) for h, t in zip(sc.handles, sc.times.tolist(), strict=True) if h in times][-20:]
    assert all(abs(times[h] - int(t)) <= 1 for h, t in late)  # skew corrected back to the true times


def test_duplicates_keep_earliest(tmp_path: Path) -> None:
    rows = [("sara.k", "2025-01-01T10:00:00Z"), ("mina", "2025-01-01T11:00:00Z"), ("sara.k", "2025-01-01T09:00:00Z")]
    fs = load_exports([write_generic_follows(tmp_path / "f.csv", rows)])
    assert len(fs) == 2 and fs.duplicates == 1
    assert fs.times[fs.handles.index("sara.k")] == pytest.approx(1735722000.0)


def test_x_archive_has_no_times(tmp_path: Path) -> None:
    data = tmp_path / "twitter-2025-03-14-abc" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text('window.YTD.account.part0 = [ {"account": {"accountId": "99", "username": "rayhana"}} ]')
    items = ", ".join(json.dumps({"follower": {"accountId": str(1000 + i)}}) for i in range(300))
    (data / "follower.js").write_text(f"window.YTD.follower.part0 = [ {items} ]")
    fs = load_exports([tmp_path / "twitter-2025-03-14-abc"])
    assert fs.platform == "x" and len(fs) == 300 and not fs.timed.any()
    assert fs.handles[0] == "id:1000"


def test_no_followers_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "posts.csv"
    p.write_text("schema_version,platform,record_type,post_id,created_at,author_handle,text\n"
                 "himaya.generic/1,instagram,post,p1,2025-01-01T10:00:00Z,sara,hello\n", encoding="utf-8")
    with pytest.raises(FollowerDataError, match="no followers"):
        load_exports([p])


def test_two_targets_pick_largest_and_say_so(tmp_path: Path) -> None:
    rows = [(f"u{i}", "2025-01-01T10:00:00Z") for i in range(5)]
    p = write_generic_follows(tmp_path / "a.csv", rows)
    with p.open("a", encoding="utf-8") as fh:
        fh.write("himaya.generic/1,instagram,follow,z1,2025-01-01T10:00:00Z,other,someone.else\n")
    fs = load_exports([p])
    assert fs.target == "banafsha.collective" and len(fs) == 5
    assert any("--target" in n for n in fs.notes)
    assert len(load_exports([p], target="someone.else")) == 1
