"""The detector against the store: read a case's posts, run, keep the findings; read campaigns back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from himaya.detectors.coordination.detect import VERSION, CoordinationConfig, Result, detect
from himaya.detectors.coordination.explain import SharedItem, shared_items
from himaya.detectors.coordination.features import PostInput
from himaya.detectors.coordination.media import MediaRef
from himaya.errors import HimayaError
from himaya.findings import Finding, SavedRun, load_findings, save_findings
from himaya.store import schema
from himaya.store.db import Store
from himaya.store.read import StoredPost, iter_posts, scope_for

DETECTOR = "coordination"
KINDS = ("coordinated_account", "campaign", "hashtag_surge", "keyword_surge")
SURGE_KINDS = {"hashtag": "hashtag_surge", "keyword": "keyword_surge"}
MAX_MEMBERS_IN_EVIDENCE = 1000
MAX_PARTNERS = 10


class CoordinationError(HimayaError):
    exit_code = 2


def _media_refs(store: Store) -> dict[str, MediaRef]:
    """Media key -> its hashes: the sha256 column, else one given in the export (`extra`), and PDQ if any."""
    m, c = schema.media, store.cipher
    out: dict[str, MediaRef] = {}
    with store.engine.connect() as conn:
        for key, sha, extra in conn.execute(sa.select(m.c.media_key, m.c.sha256, m.c.extra)
                                            .where(m.c.org_id == store.org_id)):
            x = (c.open_json(extra, "media.extra", key) or {}) if extra is not None else {}
            given_sha = x.get("sha256") if isinstance(x.get("sha256"), str) else None
            pdq = x.get("pdq") if isinstance(x.get("pdq"), str) else None
            out[key] = MediaRef(key, sha or given_sha, pdq)
    return out


def _epoch(t: datetime | None) -> float | None:
    return None if t is None else t.timestamp()


def to_input(p: StoredPost, media: dict[str, MediaRef]) -> PostInput:
    return PostInput(p.platform, p.post_id, p.author or "", _epoch(p.created_at), p.text, p.author_handle,
                     p.author_platform_id, p.post_type, p.hashtags, p.urls, p.reply_to, p.forward_of, p.quote_of,
                     tuple(media.get(k, MediaRef(k)) for k in p.media_keys))


def posts_of(store: Store, case: str | None, authors: set[str] | None = None) -> Iterator[PostInput]:
    scope = scope_for(store, case)
    media = _media_refs(store)
    for p in iter_posts(store, scope):
        if authors is None or p.author in authors:
            yield to_input(p, media)


def _account_findings(result: Result) -> list[Finding]:
    out = []
    for c in result.campaigns:
        partners: dict[str, list[dict[str, Any]]] = {}
        for e in c.edges:
            partners.setdefault(e["a"], []).append({"account": e["b"], **{k: e[k] for k in ("coactions", "surprise")}})
            partners.setdefault(e["b"], []).append({"account": e["a"], **{k: e[k] for k in ("coactions", "surprise")}})
        for m in c.members:
            top = sorted(partners.get(m.key, []), key=lambda d: -d["coactions"])[:MAX_PARTNERS]
            reasons = [f"{m.role} member of {c.id} ({len(c.members)} accounts on {len(c.platforms)} platform(s))",
                       f"co-acted within {result.counts['window_s']} s with {m.links} member(s), {m.coactions} times"]
            out.append(Finding(detector=DETECTOR, kind="coordinated_account", subject_type="account", subject_key=m.key,
                               platform=m.platform, score=m.score, band=m.role, reasons=tuple(reasons),
                               evidence={"campaign": c.id, "role": m.role, "links": m.links, "coactions": m.coactions,
                                         "handle": m.handle, "author_id": m.author_id, "strongest_links": top},
                               model_version=VERSION))
    return out


def _campaign_findings(result: Result) -> list[Finding]:
    out = []
    for c in result.campaigns:
        ev = c.as_json()
        ev["members"] = ev["members"][:MAX_MEMBERS_IN_EVIDENCE]
        plats = " → ".join(p["platform"] for p in c.platforms)
        reasons = (f"{len(c.members)} accounts ({ev['core']} core) acted together {c.evidence['coactions']} times "
                   f"within {result.counts['window_s']} s", f"platforms in the order hit: {plats}",
                   f"active {c.first_activity} to {c.last_activity}")
        out.append(Finding(detector=DETECTOR, kind="campaign", subject_type="campaign", subject_key=c.id,
                           score=c.score, reasons=reasons, evidence=ev, model_version=VERSION))
    return out


def _surge_findings(store: Store, result: Result) -> list[Finding]:
    # The subject key is stored in clear: a keyed hash, because a campaign's hashtag or keyword often names its target.
    out = []
    for s in result.surges:
        kind = s.get("kind", "hashtag")
        shown = s["term"] if kind == "hashtag" else f"'{s['term']}'"
        out.append(Finding(detector=DETECTOR, kind=SURGE_KINDS[kind], subject_type="term",
                           subject_key="term:" + store.cipher.name_hash(f"{kind}|{s['term'].lower()}")[:24],
                           score=min(1.0, s["score"] / 50), reasons=(
                               f"{shown}: {s['peak_posts']} posts in the peak hour against a baseline of {s['baseline']}",
                               f"{100 * s['coordinated_share']:.0f} % of the surge's posts came from coordinated accounts"),
                           evidence=s, model_version=VERSION))
    return out


def run_case(store: Store, case: str | None, config: CoordinationConfig | None = None, *,
             step: Callable[[str], None] | None = None) -> tuple[Result, SavedRun | None]:
    """Detect over the case's posts (or the whole organisation's) and, with a case, store the findings."""
    config = config or CoordinationConfig()
    if step:
        step("reading posts")
    result = detect(posts_of(store, case), config, step=step)
    if case is None:
        return result, None
    findings = [*_account_findings(result), *_campaign_findings(result), *_surge_findings(store, result)]
    summary = {**result.summary(), "surges": result.surges}
    run = save_findings(store, case, DETECTOR, VERSION, findings, params=config.as_json(), summary=summary, kinds=KINDS)
    return result, run


def stored_campaigns(store: Store, case: str | None) -> list[dict[str, Any]]:
    """Campaigns kept by the last `detect coordination` run(s), largest first, with their review status."""
    rows = load_findings(store, case, detector=DETECTOR, kind="campaign")
    out = [{**r.finding.evidence, "finding_id": r.id, "case": r.case, "status": r.status} for r in rows]
    out.sort(key=lambda d: -int(d.get("size", 0)))
    return out


def stored_surges(store: Store, case: str | None) -> list[dict[str, Any]]:
    """Hashtag and keyword surges kept by the last run(s), best first; surges stored before keywords had no `kind`."""
    out = []
    for kind, finding_kind in SURGE_KINDS.items():
        out += [{"kind": kind, **r.finding.evidence, "case": r.case}
                for r in load_findings(store, case, detector=DETECTOR, kind=finding_kind)]
    out.sort(key=lambda d: -float(d.get("score", 0)))
    return out


def explain(store: Store, case: str | None, a: str, b: str, *, window: int = 60) -> tuple[list[SharedItem], dict[str, str]]:
    """Shared items of accounts `a` and `b` ('platform|account_key', or a handle); handles found, by key."""
    posts = list(posts_of(store, case))
    by_handle = {f"@{p.handle.lower()}": p.author for p in posts if p.handle}
    resolved = [x if x in {p.author for p in posts} else by_handle.get("@" + x.lower().lstrip("@"), "") for x in (a, b)]
    for asked, got in zip((a, b), resolved, strict=True):
        if not got:
            raise CoordinationError(f"no posts by account {asked!r} in {'case ' + repr(case) if case else 'the store'}"
                                    " (give 'platform|account_key' as in the findings, or a handle)")
    wanted = set(resolved)
    handles = {p.author: p.handle or p.author for p in posts if p.author in wanted}
    pa = [p for p in posts if p.author == resolved[0]]
    pb = [p for p in posts if p.author == resolved[1]]
    return shared_items(pa, pb, window=window), handles
