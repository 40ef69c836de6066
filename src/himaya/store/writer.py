"""Batched upserts of records inside one import's transaction.

Plain DB-API `executemany` with `INSERT … ON CONFLICT`, the same statement text on SQLite and
PostgreSQL, because a million followers have to go in within seconds. Text is made safe for
both backends before it reaches either: PostgreSQL `text` cannot hold NUL while SQLite can, so
sensitive text travels as bytes (ciphertext) and identifying keys have NUL escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from himaya.records import Account, AccountRef, Follow, MediaItem, Post, Record
from himaya.store.crypto import Cipher

BATCH = 5000
# Messaging platforms have no public handles: a name or phone number there identifies a private person.
PRIVATE_PLATFORMS = frozenset({"whatsapp", "signal"})


def db_text(s: str | None) -> str | None:
    """NUL and lone surrogates are escaped the same way on every backend (SECURITY.md T20)."""
    if s is None:
        return None
    if "\x00" in s:
        s = s.replace("\x00", "\\x00")
    return s.encode("utf-8", "backslashreplace").decode("utf-8") if not s.isascii() else s


def _dt_for(dialect: str) -> Callable[[datetime | None], Any]:
    """The bound form of a UTC datetime, as `schema.UTCDateTime` would write it."""
    if dialect != "sqlite":
        return lambda d: d
    return lambda d: None if d is None else d.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Table:
    def __init__(self, conn: sa.Connection, name: str, columns: Sequence[str], conflict: str) -> None:
        ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # Table and column names are this module's constants; values only ever travel as parameters.
        values = ", ".join([ph] * len(columns))
        self.sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({values}) {conflict}"  # noqa: S608
        self.rows: list[tuple[Any, ...]] = []
        self.conn = conn

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.conn.exec_driver_sql(self.sql, self.rows)
            self.rows = []


class RecordWriter:
    """Writes records for one organisation and one import; `flush()` before commit."""

    def __init__(self, conn: sa.Connection, cipher: Cipher, import_id: int,
                 store_media: Callable[[MediaItem], tuple[str | None, str | None, str | None]] | None = None) -> None:
        self.conn, self.c, self.import_id = conn, cipher, import_id
        self.org = cipher.org_id
        self._dt = _dt_for(conn.dialect.name)
        self.store_media = store_media
        self._path_hash: dict[str, str] = {}
        self._accounts_seen: dict[str, None] = {}
        self.processed: dict[str, int] = {"account": 0, "post": 0, "follow": 0, "media": 0}
        prov = ["first_import_id", "src_sha256", "src_path_hash", "src_position"]
        fill = " OR ".join(f"(accounts.{c} IS NULL AND excluded.{c} IS NOT NULL)"
                           for c in ("platform_id", "handle", "display_name", "profile"))
        self.accounts = _Table(conn, "accounts", ["org_id", "platform", "account_key", "platform_id", "handle",
                                                  "display_name", "profile", "flags", *prov],
                               "ON CONFLICT (org_id, platform, account_key) DO UPDATE SET "
                               + ", ".join(f"{c} = COALESCE(accounts.{c}, excluded.{c})"
                                           for c in ("platform_id", "handle", "display_name", "profile"))
                               + f" WHERE {fill}")
        post_cols = ["org_id", "platform", "post_id", "post_type", "author_key", "created_at", "created_at_raw",
                     "tz_assumed", "text", "language", "reply_to", "thread_id", "quote_of", "forward_of", "hashtags",
                     "mentions", "urls", "url", "collected_at", "partial", "flags", "extra", *prov]
        upgradable = [c for c in post_cols[3:] if c not in prov]
        # A partial capture (Zeeschuimer's Polaris items) is replaced by a complete one, never the reverse.
        self.posts = _Table(conn, "posts", post_cols,
                            "ON CONFLICT (org_id, platform, post_id) DO UPDATE SET "
                            + ", ".join(f"{c} = excluded.{c}" for c in upgradable)
                            + " WHERE posts.partial AND NOT excluded.partial")
        self.follows = _Table(conn, "follows", ["org_id", "platform", "follower_key", "followed_key", "relation",
                                                "followed_at", "followed_at_raw", "flags", *prov], "ON CONFLICT DO NOTHING")
        self.media = _Table(conn, "media", ["org_id", "media_key", "kind", "status", "sha256", "size", "mime", "path",
                                            "url", "blob", "display_blob", "display_sha256", "flags", "extra", *prov],
                            "ON CONFLICT DO NOTHING")
        self.post_media = _Table(conn, "post_media", ["org_id", "platform", "post_id", "media_key", "position"],
                                 "ON CONFLICT DO NOTHING")
        self.sightings = _Table(conn, "sightings", ["org_id", "kind", "record_key", "file_sha256", "position"],
                                "ON CONFLICT DO NOTHING")

    # -- keys -------------------------------------------------------------------------------------

    def account_key(self, ref: AccountRef) -> str:
        key = ref.key
        if key.startswith("n:") or ref.platform in PRIVATE_PLATFORMS:
            return "k:" + self.c.name_hash(f"{ref.platform}|{key}")[:40]
        return db_text(key) or ""

    def path_hash(self, path: str) -> str:
        h = self._path_hash.get(path)
        if h is None:
            h = self._path_hash[path] = self.c.name_hash("path|" + path)
        return h

    def _prov(self, r: Record) -> tuple[Any, ...]:
        p = r.provenance
        return (self.import_id, p.source_sha256, self.path_hash(p.path), db_text(p.position))

    def _sight(self, kind: str, key: str, r: Record) -> None:
        if r.provenance.source_sha256:
            self.sightings.add((self.org, kind, key, r.provenance.source_sha256, db_text(r.provenance.position)))

    # -- records ----------------------------------------------------------------------------------

    def add(self, r: Record) -> None:
        if isinstance(r, Follow):
            self._follow(r)
        elif isinstance(r, Post):
            self._post(r)
        elif isinstance(r, Account):
            self._account(r.ref, r, explicit=True)
        elif isinstance(r, MediaItem):
            self._media(r, None, 0)

    def _account(self, ref: AccountRef, r: Record, *, explicit: bool = False) -> str:
        key = self.account_key(ref)
        profile = r.profile if isinstance(r, Account) else {}
        if explicit or key not in self._accounts_seen:
            if len(self._accounts_seen) > 200_000:
                self._accounts_seen.clear()
            self._accounts_seen[key] = None
            row_key = f"{ref.platform}|{key}"
            private = ref.platform in PRIVATE_PLATFORMS
            if private and ref.handle:
                profile = {**profile, "handle": ref.handle}
            self.accounts.add((self.org, ref.platform, key, db_text(ref.platform_id),
                               None if private else db_text(ref.handle),
                               self.c.seal(ref.display_name, "accounts.display_name", row_key),
                               self.c.seal_json(profile or None, "accounts.profile", row_key),
                               ",".join(r.flags) if explicit else "", *self._prov(r)))
            if explicit:
                self.processed["account"] += 1
                self._sight("account", row_key, r)
        return key

    def _follow(self, f: Follow) -> None:
        a = self._account(f.follower, f)
        b = self._account(f.followed, f)
        self.follows.add((self.org, f.platform, a, b, f.relation, self._dt(f.followed_at), db_text(f.followed_at_raw),
                          ",".join(f.flags), *self._prov(f)))
        self.processed["follow"] += 1
        self._sight("follow", f"{f.platform}|{b}|{f.relation}|{a}", f)

    def _post(self, p: Post) -> None:
        author = self._account(p.author, p) if p.author else None
        pid = db_text(p.post_id) or ""
        rk = f"{p.platform}|{pid}"
        s, sj = self.c.seal, self.c.seal_json
        self.posts.add((
            self.org, p.platform, pid, p.post_type, author, self._dt(p.created_at), db_text(p.created_at_raw), p.tz_assumed,
            s(p.text, "posts.text", rk), p.language, db_text(p.reply_to), s(p.thread_id, "posts.thread_id", rk),
            db_text(p.quote_of), s(p.forward_of, "posts.forward_of", rk), sj(list(p.hashtags), "posts.hashtags", rk),
            sj(list(p.mentions), "posts.mentions", rk), sj(list(p.urls), "posts.urls", rk), s(p.url, "posts.url", rk),
            self._dt(p.collected_at), p.partial, ",".join(p.flags), sj(p.extra or None, "posts.extra", rk), *self._prov(p)))
        self.processed["post"] += 1
        self._sight("post", rk, p)
        for i, m in enumerate(p.media):
            self._media(m, p, i)

    def media_key(self, m: MediaItem, owner: Post | None, i: int) -> str:
        if m.sha256:
            return f"sha256:{m.sha256}"
        if m.url:
            return "url:" + self.c.name_hash("url|" + m.url)[:40]
        where = f"{owner.platform}|{owner.post_id}|{i}" if owner else f"{m.provenance.source_sha256}|{m.provenance.position}"
        return "ref:" + self.c.name_hash(f"{where}|{m.path}")[:40]

    def _media(self, m: MediaItem, owner: Post | None, i: int) -> None:
        key = self.media_key(m, owner, i)
        blob = display_blob = display_sha = None
        if m.status == "present" and self.store_media is not None:
            blob, display_blob, display_sha = self.store_media(m)
        rec: Record = m if m.provenance.source_sha256 or owner is None else owner
        self.media.add((self.org, key, m.kind, m.status, m.sha256, m.size, m.mime,
                        self.c.seal(m.path, "media.path", key), self.c.seal(m.url, "media.url", key), blob,
                        display_blob, display_sha, ",".join(m.flags), self.c.seal_json(m.extra or None, "media.extra", key),
                        *self._prov(rec)))
        self.processed["media"] += 1
        if owner is not None:
            self.post_media.add((self.org, owner.platform, db_text(owner.post_id), key, i))
        else:
            self._sight("media", key, m)

    def flush(self) -> None:
        for t in (self.accounts, self.posts, self.follows, self.media, self.post_media, self.sightings):
            t.flush()
