"""Reading records back for detectors: decrypted, scoped to one organisation and optionally one case.

Detectors need millions of rows quickly, so these are plain slotted dataclasses and tuples rather
than the validated `records` models (which would cost more to build than the detectors spend).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from himaya.cases.registry import CaseScope, case_scope
from himaya.store import schema
from himaya.store.db import Store

_CHUNK = 20000


def scope_for(store: Store, case: str | None) -> CaseScope:
    with store.engine.connect() as conn:
        return case_scope(conn, store.org_id, case)


def _sighted(conn: sa.Connection, scope: CaseScope, kind: str) -> set[str]:
    """Record keys of `kind` seen in the scope's files other than their first file."""
    if scope.file_ids is None or not scope.file_ids:
        return set()
    s = schema.sightings
    ids = sorted(scope.file_ids)
    out: set[str] = set()
    for start in range(0, len(ids), 500):
        out.update(k for (k,) in conn.execute(sa.select(s.c.record_key).where(
            s.c.org_id == scope.org_id, s.c.kind == kind, s.c.file_id.in_(ids[start:start + 500]))))
    return out


@dataclass(slots=True, frozen=True)
class StoredPost:
    platform: str
    post_id: str
    post_type: str
    author_key: str | None
    author_handle: str | None
    author_platform_id: str | None
    created_at: datetime | None
    text: str
    language: str | None
    reply_to: str | None
    quote_of: str | None
    forward_of: str | None
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    urls: tuple[str, ...]
    url: str | None
    media_keys: tuple[str, ...]
    src_file: int
    src_position: str

    @property
    def key(self) -> str:
        return f"{self.platform}|{self.post_id}"

    @property
    def author(self) -> str | None:
        """`platform|account_key`, the subject key of the author's account."""
        return None if self.author_key is None else f"{self.platform}|{self.author_key}"


def iter_posts(store: Store, scope: CaseScope | None = None, *, platforms: tuple[str, ...] | None = None,
               with_text: bool = True) -> Iterator[StoredPost]:
    """Every post of the scope, in (platform, post_id) order, texts decrypted."""
    scope = scope or CaseScope(store.org_id, None, None)
    org, c = store.org_id, store.cipher
    p, a, pm = schema.posts, schema.accounts, schema.post_media
    cols = [p.c.platform, p.c.post_id, p.c.post_type, p.c.author_key, a.c.handle, a.c.platform_id, p.c.created_at,
            p.c.text if with_text else sa.null().label("text"), p.c.language, p.c.reply_to, p.c.quote_of,
            p.c.forward_of, p.c.hashtags, p.c.mentions, p.c.urls, p.c.url, p.c.src_file, p.c.src_position]
    q = (sa.select(*cols).select_from(p.outerjoin(a, sa.and_(a.c.org_id == p.c.org_id, a.c.platform == p.c.platform,
                                                             a.c.account_key == p.c.author_key)))
         .where(p.c.org_id == org).order_by(p.c.platform, p.c.post_id))
    if platforms:
        q = q.where(p.c.platform.in_(platforms))
    with store.engine.connect() as conn:
        sighted = _sighted(conn, scope, "post")
        media: dict[tuple[str, str], list[str]] = {}
        for platform, post_id, key in conn.execute(sa.select(pm.c.platform, pm.c.post_id, pm.c.media_key)
                                                   .where(pm.c.org_id == org).order_by(pm.c.position)):
            media.setdefault((platform, post_id), []).append(key)
        result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(q)
        for r in result:
            if not (scope.covers(r.src_file) or f"{r.platform}|{r.post_id}" in sighted):
                continue
            rk = f"{r.platform}|{r.post_id}"
            yield StoredPost(
                r.platform, r.post_id, r.post_type, r.author_key, r.handle, r.platform_id, r.created_at,
                (c.open(r.text, "posts.text", rk) or "") if with_text else "", r.language, r.reply_to, r.quote_of,
                c.open(r.forward_of, "posts.forward_of", rk), tuple(c.open_json(r.hashtags, "posts.hashtags", rk) or ()),
                tuple(c.open_json(r.mentions, "posts.mentions", rk) or ()), tuple(c.open_json(r.urls, "posts.urls", rk) or ()),
                c.open(r.url, "posts.url", rk), tuple(media.get((r.platform, r.post_id), ())), r.src_file, r.src_position)


def count_posts(store: Store, scope: CaseScope | None = None) -> int:
    """How many posts `iter_posts` would yield, from the keys alone (nothing decrypted): for progress bars."""
    scope = scope or CaseScope(store.org_id, None, None)
    p = schema.posts
    q = sa.select(p.c.platform, p.c.post_id, p.c.src_file).where(p.c.org_id == store.org_id)
    with store.engine.connect() as conn:
        if scope.file_ids is None:
            return int(conn.execute(sa.select(sa.func.count()).select_from(p).where(p.c.org_id == store.org_id))
                       .scalar_one())
        sighted = _sighted(conn, scope, "post")
        return sum(1 for r in conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(q)
                   if scope.covers(r.src_file) or f"{r.platform}|{r.post_id}" in sighted)


class FollowRow(NamedTuple):
    platform: str
    follower_key: str
    followed_key: str
    relation: str
    followed_at: datetime | None
    first_import_id: int
    src_file: int


def iter_follows(store: Store, scope: CaseScope | None = None, *, platform: str | None = None,
                 followed_key: str | None = None, relation: str | None = "follower") -> Iterator[FollowRow]:
    """Follow edges of the scope (by default: who follows whom), in key order."""
    scope = scope or CaseScope(store.org_id, None, None)
    f = schema.follows
    q = sa.select(f.c.platform, f.c.follower_key, f.c.followed_key, f.c.relation, f.c.followed_at,
                  f.c.first_import_id, f.c.src_file).where(f.c.org_id == store.org_id)
    if platform is not None:
        q = q.where(f.c.platform == platform)
    if followed_key is not None:
        q = q.where(f.c.followed_key == followed_key)
    if relation is not None:
        q = q.where(f.c.relation == relation)
    q = q.order_by(f.c.platform, f.c.followed_key, f.c.relation, f.c.follower_key)
    with store.engine.connect() as conn:
        sighted = _sighted(conn, scope, "follow")
        for r in conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(q):
            row = FollowRow(*r)
            if scope.covers(row.src_file) or (
                    sighted and f"{row.platform}|{row.followed_key}|{row.relation}|{row.follower_key}" in sighted):
                yield row


@dataclass(slots=True, frozen=True)
class StoredAccount:
    platform: str
    account_key: str
    platform_id: str | None
    handle: str | None
    display_name: str | None
    profile: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.platform}|{self.account_key}"


def iter_accounts(store: Store, *, platform: str | None = None, keys: set[str] | None = None) -> Iterator[StoredAccount]:
    """Accounts of the organisation (optionally one platform, or only the given `account_key`s)."""
    a, c = schema.accounts, store.cipher
    q = sa.select(a.c.platform, a.c.account_key, a.c.platform_id, a.c.handle, a.c.display_name, a.c.profile).where(
        a.c.org_id == store.org_id)
    if platform is not None:
        q = q.where(a.c.platform == platform)
    with store.engine.connect() as conn:
        for r in conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(q):
            if keys is not None and r.account_key not in keys:
                continue
            rk = f"{r.platform}|{r.account_key}"
            yield StoredAccount(r.platform, r.account_key, r.platform_id, r.handle,
                                c.open(r.display_name, "accounts.display_name", rk),
                                c.open_json(r.profile, "accounts.profile", rk) or {})


@dataclass(slots=True, frozen=True)
class StoredMedia:
    media_key: str
    kind: str
    status: str
    sha256: str | None
    size: int | None
    mime: str | None
    path: str | None
    blob: str | None
    display_blob: str | None
    posts: tuple[tuple[str, str], ...]  # (platform, post_id) of the posts that carry it
    src_file: int


def iter_media(store: Store, scope: CaseScope | None = None, *, present_only: bool = True) -> Iterator[StoredMedia]:
    """Media items of the scope; read the bytes with `store.blobs.read_bytes(item.blob)`."""
    scope = scope or CaseScope(store.org_id, None, None)
    m, pm, c = schema.media, schema.post_media, store.cipher
    q = sa.select(m.c.media_key, m.c.kind, m.c.status, m.c.sha256, m.c.size, m.c.mime, m.c.path, m.c.blob,
                  m.c.display_blob, m.c.src_file).where(m.c.org_id == store.org_id).order_by(m.c.media_key)
    if present_only:
        q = q.where(m.c.status == "present")
    with store.engine.connect() as conn:
        sighted = _sighted(conn, scope, "media")
        owners: dict[str, list[tuple[str, str]]] = {}
        for platform, post_id, key in conn.execute(sa.select(pm.c.platform, pm.c.post_id, pm.c.media_key)
                                                   .where(pm.c.org_id == store.org_id)):
            owners.setdefault(key, []).append((platform, post_id))
        for r in conn.execute(q):
            if not (scope.covers(r.src_file) or r.media_key in sighted):
                continue
            yield StoredMedia(r.media_key, r.kind, r.status, r.sha256, r.size, r.mime,
                              c.open(r.path, "media.path", r.media_key), r.blob, r.display_blob,
                              tuple(owners.get(r.media_key, ())), r.src_file)
