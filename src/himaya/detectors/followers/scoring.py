"""Per-follower inauthenticity score in [0, 1], its band, and the reasons in plain words.

The score is a posterior probability built in log-odds, one term per kind of evidence:

* the prior is *when* the follower arrived: inside a wave, the share of follows at that moment that
  the organic rate cannot explain (so a follower in the densest minute of a wave starts near 1, one
  at its edge lower); outside any wave, a small base rate;
* handle evidence (`handles.py`): how much more often its shape occurs in its wave than among
  organic followers (negative when its shape is organic and the wave's is not), near-identical
  handle groups, random-letter strings;
* profile evidence when a profiles CSV is given (`profile_model.py`, picture, account age);
* an attacker already confirmed in another case of the organisation.

Outside waves only a confirmed attacker can reach `remove`: handle or profile looks alone never
decide a removal, because attackers steal realistic handles and real supporters have odd ones.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.followers.data import FollowerSet
from himaya.detectors.followers.handles import (
    Family,
    HandleFeatures,
    family_evidence,
    handle_features,
    near_identical,
    skeleton,
)
from himaya.detectors.followers.profile_model import ProfileModel, feature_matrix, load_model
from himaya.detectors.followers.profiles import Profiles
from himaya.detectors.followers.waves import Wave, WaveResult

DEFAULT_THRESHOLD = 0.97     # remove band: see docs/evaluation.md for the precision it gives
REVIEW_THRESHOLD = 0.5
BASE_PRIOR = 0.02            # share of inauthentic followers assumed outside waves
NEAR_IDENTICAL_LLR = 2.0
RANDOM_LLR = 0.7
NO_PICTURE_LLR = 0.4
YOUNG_ACCOUNT_LLR = (7.0, 1.5), (30.0, 1.0)   # (days old at the follow, log-odds added)
KNOWN_ATTACKER_LLR = 9.0
MAX_PROFILE_LLR = 2.0        # model, picture and age together
BANDS = ("keep", "review", "remove")
_NO_DIGITS = str.maketrans("", "", "0123456789")


@dataclass
class Scored:
    score: NDArray[np.float64]
    band: NDArray[np.int8]                 # index into BANDS
    reasons: list[tuple[str, ...]]
    families: list[Family]
    clusters: list[tuple[int, list[int]]]  # (wave index, follower indices)
    threshold: float

    def band_name(self, i: int) -> str:
        return BANDS[int(self.band[i])]

    def counts(self) -> dict[str, int]:
        c = np.bincount(self.band, minlength=3)
        return {b: int(c[k]) for k, b in enumerate(BANDS)}


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.log(p / (1 - p)))


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def wave_sentence(w: Wave) -> str:
    return (f"followed during wave {w.number} ({_when(w.start)}–{_when(w.end)[11:]} UTC): {w.follows:,} follows in "
            f"{_duration(w.hours)} against ~{_rate(w.usual_per_h)} per hour usual")


def _duration(hours: float) -> str:
    return f"{hours * 60:.0f} min" if hours < 1.5 else f"{hours:.1f} h"


def _rate(r: float) -> str:
    return f"{r:.1f}" if r < 10 else f"{r:,.0f}"


def profile_evidence(profiles: Profiles, handles: list[str], times: NDArray[np.float64],
                     model: ProfileModel) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(log-odds from the profile, model probability, account age in days at the follow) per follower."""
    hl = np.fromiter((len(h) for h in handles), np.float64, len(handles))
    hd = hl - np.fromiter((len(h.translate(_NO_DIGITS)) for h in handles), np.float64, len(handles))
    bio = np.fromiter((len(b) for b in profiles.bio), np.float64, len(handles))
    x = feature_matrix(profiles.posts, profiles.followers, profiles.following, bio, hl, hd)
    p = model.probability(x)
    llr = model.llr(x)
    llr += np.where(profiles.has_profile_pic == 0, NO_PICTURE_LLR, 0.0)
    age = (times - profiles.account_created) / 86400.0
    young = np.zeros(len(handles))
    for days, add in YOUNG_ACCOUNT_LLR:
        young = np.where((age >= 0) & (age < days) & (young == 0), add, young)
    llr += young
    known = profiles.known
    return np.where(known, np.minimum(llr, MAX_PROFILE_LLR), 0.0), np.where(known, p, np.nan), age


def score_followers(fs: FollowerSet, wr: WaveResult, *, profiles: Profiles | None = None,
                    known_attackers: dict[str, str] | None = None, threshold: float = DEFAULT_THRESHOLD,
                    model: ProfileModel | None = None, features: HandleFeatures | None = None) -> Scored:
    n = len(fs)
    feat = features or handle_features(fs.handles)
    in_wave = wr.wave_of >= 0
    prior = np.where(in_wave, np.clip(wr.p_excess, 0.02, 0.997), BASE_PRIOR)
    logodds = _logit(prior)
    fam_llr, fam_idx, families = family_evidence(feat, wr.wave_of, len(wr.waves), fs.handles)
    logodds += fam_llr
    outside_skel = Counter(skeleton(fs.handles[i]) for i in np.flatnonzero(~in_wave).tolist()[:200000])
    clusters: list[tuple[int, list[int]]] = []
    cluster_of = np.full(n, -1, np.int32)
    for k in range(len(wr.waves)):
        for group in near_identical(fs.handles, np.flatnonzero(wr.wave_of == k), outside_skel):
            cluster_of[group] = len(clusters)
            clusters.append((k, group))
    logodds += np.where(cluster_of >= 0, NEAR_IDENTICAL_LLR, 0.0)
    logodds += np.where(feat.random, RANDOM_LLR, 0.0)
    prof_llr = prof_p = age = None
    if profiles is not None and profiles.known.any():
        prof_llr, prof_p, age = profile_evidence(profiles, fs.handles, fs.times, model or load_model())
        logodds += prof_llr
    known = np.zeros(n, bool)
    if known_attackers:
        known = np.fromiter((h in known_attackers for h in fs.handles), bool, n)
        logodds += np.where(known, KNOWN_ATTACKER_LLR, 0.0)
    score = 1.0 / (1.0 + np.exp(-logodds))
    # Outside waves, nothing but a confirmed attacker is certain enough to remove. Inside, a follower
    # whose arrival time alone is not certain needs its handle to agree (a family or near-identical
    # group): profile looks alone do not remove anyone, the model was trained on another platform.
    below = min(threshold, 0.96) - 1e-3
    corroborated = known | (prior >= threshold) | (fam_llr >= 1.0) | (cluster_of >= 0)
    score = np.where(in_wave & corroborated, score, np.minimum(score, np.where(known, 1.0, below)))
    band = np.where(score >= threshold, 2, np.where(score >= REVIEW_THRESHOLD, 1, 0)).astype(np.int8)
    reasons = _reasons(fs, wr, feat, fam_llr, fam_idx, families, cluster_of, clusters, prof_llr, prof_p, age,
                       profiles, known, known_attackers or {})
    return Scored(np.round(score, 4), band, reasons, families, clusters, threshold)


def _reasons(fs: FollowerSet, wr: WaveResult, feat: HandleFeatures, fam_llr: NDArray[np.float64],
             fam_idx: NDArray[np.int32], families: list[Family], cluster_of: NDArray[np.int32],
             clusters: list[tuple[int, list[int]]], prof_llr: NDArray[np.float64] | None,
             prof_p: NDArray[np.float64] | None, age: NDArray[np.float64] | None, profiles: Profiles | None,
             known: NDArray[np.bool_], known_attackers: dict[str, str]) -> list[tuple[str, ...]]:
    """Reasons for every follower with any evidence; the others share one empty tuple (a million of them)."""
    n = len(fs)
    out: list[tuple[str, ...]] = [()] * n
    has_prof = prof_llr is not None and profiles is not None
    interesting = (wr.wave_of >= 0) | feat.random | known
    if has_prof:
        assert prof_llr is not None
        interesting |= prof_llr >= 1.0  # outside waves, a genuine-looking profile needs no explanation
    sentences = [wave_sentence(w) for w in wr.waves]
    facts = _ProfileFacts.of(profiles, prof_p, age, fs.handles) if has_prof and profiles is not None else None
    examples = [[fs.handles[j] for j in group[:3]] for _, group in clusters]
    for i in np.flatnonzero(interesting).tolist():
        r: list[str] = []
        k = int(wr.wave_of[i])
        if known[i]:
            r.append(f"already confirmed as an attacker in case {known_attackers[fs.handles[i]]}")
        if k >= 0:
            r.append(sentences[k])
            p = float(wr.p_excess[i])
            if p >= 0.95:
                r.append(f"arrived in the dense part of the wave, where {100 * (1 - p):.1f} % of follows are organic")
            elif p < 0.8:
                r.append(f"arrived at a thinner part of the wave, where ~{100 * (1 - p):.0f} % of follows are organic")
            f = int(fam_idx[i])
            if f >= 0:
                fam = families[f]
                r.append(f"handle matches the pattern `{fam.pattern}` shared by {fam.members:,} followers of this wave "
                         f"({100 * fam.organic_share:.1f} % of other followers)")
            elif fam_llr[i] <= -1.0:
                r.append("handle shape is common among organic followers and rare in this wave")
            c = int(cluster_of[i])
            if c >= 0:
                others = [h for h in examples[c] if h != fs.handles[i]][:2]
                r.append(f"handle is near-identical to {len(clusters[c][1]) - 1:,} others in this wave "
                         f"(e.g. {', '.join(others)})")
        if feat.random[i]:
            r.append("handle contains a random-letter string")
        if facts is not None and facts.known[i]:
            r.extend(facts.reasons(i))
        out[i] = tuple(r)
    return out


@dataclass
class _ProfileFacts:
    """Profile columns as plain lists: indexing numpy arrays one follower at a time costs microseconds each."""

    known: list[bool]
    posts: list[float]
    followers: list[float]
    following: list[float]
    picture: list[float]
    private: list[float]
    names: list[str]
    handles: list[str]
    p: list[float]
    age: list[float]

    @classmethod
    def of(cls, pr: Profiles, p: NDArray[np.float64] | None, age: NDArray[np.float64] | None,
           handles: list[str]) -> _ProfileFacts:
        n = len(pr.known)
        nan = [float("nan")] * n
        return cls(pr.known.tolist(), pr.posts.tolist(), pr.followers.tolist(), pr.following.tolist(),
                   pr.has_profile_pic.tolist(), pr.is_private.tolist(), pr.full_name, handles,
                   nan if p is None else p.tolist(), nan if age is None else age.tolist())

    def reasons(self, i: int) -> list[str]:
        counts = ((self.posts[i], "posts"), (self.followers[i], "followers"), (self.following[i], "following"))
        facts = ", ".join(f"{int(v):,} {word}" for v, word in counts if v == v)  # v == v: not NaN
        detail = f": {facts})" if facts else ")"
        p, out = self.p[i], []
        if p >= 0.8:
            out.append(f"profile resembles bought followers (model {p:.2f}{detail}")
        elif p <= 0.2:
            out.append(f"profile resembles a genuine account (model {p:.2f}{detail}")
        if self.picture[i] == 0:
            out.append("no profile picture")
        if 0 <= self.age[i] < 30:
            out.append(f"account created {self.age[i]:.0f} days before following")
        # Shown, not weighed: the only labelled profile data (Cresci 2015) has no private accounts and no
        # names outside Latin script, so nothing can say how much either should count.
        if self.private[i] == 1:
            out.append("private account (shown for review; not counted in the score)")
        name_script = script_of(self.names[i])
        handle_script = script_of(self.handles[i])
        if name_script and handle_script and name_script != handle_script:
            out.append(f"display name in {name_script} script, handle in {handle_script} "
                       "(shown for review; not counted in the score)")
        return out


def script_of(text: str) -> str | None:
    """The main script of a name: the first letter's Unicode script block (Latin, Arabic, Cyrillic, …)."""
    for ch in text:
        if ch.isalpha():
            try:
                return unicodedata.name(ch).split(" ", 1)[0].title()
            except ValueError:
                return None
    return None
