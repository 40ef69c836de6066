"""Writing a simulated scenario as the files a defender would hand in: Instagram export ZIPs (one per
snapshot), a profiles CSV, and the ground truth as JSON (for `himaya eval`-style checks by hand).

Followers are listed newest first with their Unix follow time, as in Instagram's 2024+ layout.
A second snapshot, taken later, drops some organic followers (unfollows) and some attackers (removed
by the platform), and can carry a clock skew to exercise the correction.
"""

from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.followers.simulate import Scenario

FOLLOW_DIR = "connections/followers_and_following"
ENTRY = ('{"title":"","media_list_data":[],"string_list_data":[{"href":"https://www.instagram.com/%s",'
         '"value":"%s","timestamp":%d}]}')


def _zip(path: Path, target: str, handles: list[str], times: np.ndarray, *, with_times: bool = True) -> None:
    order = np.argsort(-times, kind="stable")
    profile = {"profile_user": [{"title": "", "media_map_data": {}, "string_map_data": {
        "Username": {"href": "", "value": target, "timestamp": 0},
        "Name": {"href": "", "value": "Banafsha collective (synthetic)", "timestamp": 0}}}]}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("personal_information/personal_information/personal_information.json", json.dumps(profile))
        with z.open(f"{FOLLOW_DIR}/followers_1.json", "w") as fh:
            fh.write(b"[")
            for k, i in enumerate(order.tolist()):
                entry = ENTRY % (handles[i], handles[i], int(times[i]))
                if not with_times:
                    entry = entry.replace(f',"timestamp":{int(times[i])}', "")
                fh.write(((",\n" if k else "\n") + entry).encode())
            fh.write(b"\n]\n")


def export_name(target: str, at: float) -> str:
    return f"instagram-{target}-{datetime.fromtimestamp(at, UTC):%Y-%m-%d}-sim.zip"


def write_scenario(sc: Scenario, out: Path, *, snapshots: int = 1, skew_h: float = 0.0, profiles: bool = True,
                   with_times: bool = True) -> dict[str, Any]:
    """Write the scenario under `out`; returns what was written (paths and counts)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(sc.seed + 7)
    written: dict[str, Any] = {"exports": [], "profiles": None, "truth": None}
    n = len(sc.handles)
    if snapshots == 2:
        cut = sc.start + 0.75 * (sc.end - sc.start)
        early = np.flatnonzero(sc.times <= cut)
        p1 = out / export_name(sc.target, cut).replace("-sim", "-sim1")
        _zip(p1, sc.target, [sc.handles[i] for i in early], sc.times[early], with_times=with_times)
        written["exports"].append(str(p1))
        # Between the exports: 2 % of organic followers unfollow, the platform removes 30 % of attackers.
        gone = np.where(sc.attacker, rng.random(n) < 0.3, rng.random(n) < 0.02) & (sc.times <= cut)
        keep = np.flatnonzero(~gone)
        times = sc.times[keep] + skew_h * 3600.0
        p2 = out / export_name(sc.target, sc.end).replace("-sim", "-sim2")
        _zip(p2, sc.target, [sc.handles[i] for i in keep], times, with_times=with_times)
        written["exports"].append(str(p2))
        written["unfollowed"] = int(gone.sum())
    else:
        p = out / export_name(sc.target, sc.end)
        _zip(p, sc.target, sc.handles, sc.times, with_times=with_times)
        written["exports"].append(str(p))
    if profiles:
        written["profiles"] = str(write_profiles(sc, out / "profiles.csv"))
    truth = out / "truth.json"
    truth.write_text(json.dumps({
        "seed": sc.seed, "target": sc.target, "followers": n, "attackers": int(sc.attacker.sum()),
        "waves": [{**asdict(w), "start_iso": datetime.fromtimestamp(w.start, UTC).isoformat(),
                   "end_iso": datetime.fromtimestamp(w.end, UTC).isoformat()} for w in sc.waves],
        "viral_spikes": [asdict(s) for s in sc.spikes],
        "attacker_handles": [h for h, a in zip(sc.handles, sc.attacker.tolist(), strict=True) if a],
    }, indent=1), encoding="utf-8")
    written["truth"] = str(truth)
    written["followers"] = n
    written["attackers"] = int(sc.attacker.sum())
    return written


def write_profiles(sc: Scenario, path: Path) -> Path:
    p = sc.profiles
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("handle", "full_name", "posts", "followers", "following", "has_profile_pic", "is_private",
                    "account_created", "bio"))
        created = np.asarray(p["account_created"])
        for i, h in enumerate(sc.handles):
            w.writerow((h, p["full_name"][i], int(p["posts"][i]), int(p["followers"][i]), int(p["following"][i]),
                        "true" if p["has_profile_pic"][i] else "false", "true" if p["is_private"][i] else "false",
                        datetime.fromtimestamp(float(created[i]), UTC).strftime("%Y-%m-%d"), p["bio"][i]))
    return path
