"""Batched upserts of records inside one import's transaction.

Plain DB-API `executemany` with `INSERT … ON CONFLICT`, the same statement text on SQLite and
PostgreSQL, because a million followers have to go in within seconds. Text is made safe for
both backends before it reaches either: PostgreSQL `text` cannot hold NUL while SQLite can, so
sensitive text travels as bytes (ciphertext) and identifying keys have NUL escaped.
"""

from __future__ import annotations

import json
import operator
import queue
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from himaya.records import Account, AccountRef, Follow, MediaItem, Post, Record
from himaya.store import schema
from himaya.store.crypto import Cipher

BATCH = 50000
_PRIVATE_TYPES = frozenset({"message", "reaction", "system"})
_NAMED_THREAD_PLATFORMS = frozenset({"instagram", "facebook", "whatsapp", "signal"})
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
    # Records hold UTC already (validated), so the ISO form needs no conversion, only the zone cut off.
    return lambda d: None if d is None else d.isoformat(" ", "microseconds")[:26]


def _insert_ignore(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


class _Worker:
    """Runs whole-batch statements on a background thread while the parser reads on.

    Only statements that do a batch's work inside one SQLite step (`INSERT … SELECT … FROM
    json_each(?)`) go here: SQLite releases the GIL for the step, so inserting and parsing overlap
    on two cores. (Per-row `executemany` cannot: it hands the GIL back and forth for every row.)
    The main thread never uses the connection while work is pending: it calls `drain()` first.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="himaya-writer", daemon=True)
            self._thread.start()
        self._queue.put(job)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                if self._error is None:
                    job()
            except BaseException as exc:
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def drain(self) -> None:
        if self._thread is not None:
            self._queue.join()
        self._raise()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _raise(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise err


class _Table:
    """Buffered `INSERT … ON CONFLICT` for one table.

    A batch whose rows were all newly inserted (the rowcount says so) holds only records first seen
    in this file, whose own row already names it. Only a batch that met existing rows is turned into
    staged sightings (by `sight`, from the rows themselves), so the common case costs nothing extra.
    """

    def __init__(self, conn: sa.Connection, worker: _Worker, name: str, columns: Sequence[str], conflict: str,
                 key: tuple[int, ...], stage: _Table | None = None,
                 sight: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
                 after: Callable[[], None] | None = None, json_sight: str | None = None) -> None:
        ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # Table and column names are this module's constants; values only ever travel as parameters.
        values = ", ".join([ph] * len(columns))
        self.sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({values}) {conflict}".strip()  # noqa: S608
        self.json_sql = self.json_sight = None
        if json_sight is not None and conn.dialect.name == "sqlite":
            picks = ", ".join(f"value ->> {i}" for i in range(len(columns)))
            self.json_sql = (f"INSERT INTO {name} ({', '.join(columns)}) SELECT {picks} "  # noqa: S608
                             f"FROM json_each(?) WHERE true {conflict}")
            self.json_sight = json_sight
        self.rows: list[tuple[Any, ...]] = []
        self.conn, self.worker, self.stage, self.sight, self.after = conn, worker, stage, sight, after
        self._sort_key = operator.itemgetter(*key) if key else None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        if self._sort_key:
            rows.sort(key=self._sort_key)  # in key order, B-tree pages fill in sequence instead of splitting at random
        if self.json_sql is not None and self.json_sight is not None:
            self._flush_json(json.dumps(rows, ensure_ascii=False), len(rows), self.json_sql, self.json_sight)
            return
        self.worker.drain()
        changed = self.conn.exec_driver_sql(self.sql, rows).rowcount
        if self.stage is not None and self.sight is not None and changed < len(rows):
            # some rows existed already (or the driver cannot tell: -1)
            for row in rows:
                self.stage.add(self.sight(row))
        if self.after is not None:
            self.after()

    def _flush_json(self, payload: str, n: int, insert: str, sight: str) -> None:
        def job() -> None:
            if self.conn.exec_driver_sql(insert, (payload,)).rowcount < n:
                self.conn.exec_driver_sql(sight, (payload,))
        self.worker.submit(job)


class RecordWriter:
    """Writes records for one organisation and one import; `flush()` before commit."""

    def __init__(self, conn: sa.Connection, cipher: Cipher, import_id: int,
                 store_media: Callable[[MediaItem], tuple[str | None, str | None, str | None]] | None = None) -> None:
        self.conn, self.c, self.import_id = conn, cipher, import_id
        self.org = cipher.org_id
        self._dt = _dt_for(conn.dialect.name)
        self.store_media = store_media
        self._file_ids: dict[tuple[str, str], int] = {}
        self._accounts_seen: set[int] = set()
        self._recent: list[tuple[AccountRef | None, str]] = [(None, ""), (None, "")]
        self.processed: dict[str, int] = {"account": 0, "post": 0, "follow": 0, "media": 0}
        prov = ["first_import_id", "src_file", "src_position"]
        fill = " OR ".join(f"(accounts.{c} IS NULL AND excluded.{c} IS NOT NULL)"
                           for c in ("platform_id", "handle", "display_name", "profile"))
        conn.exec_driver_sql("CREATE TEMPORARY TABLE himaya_stage (kind TEXT, k1 TEXT, k2 TEXT, k3 TEXT, k4 TEXT, "
                             "file_id INTEGER, position TEXT)")
        self.worker = wk = _Worker()
        self.stage = _Table(conn, wk, "himaya_stage", ["kind", "k1", "k2", "k3", "k4", "file_id", "position"], "", (),
                            after=self._resolve_stage)
        st = self.stage
        self.accounts = _Table(conn, wk, "accounts", ["org_id", "platform", "account_key", "platform_id", "handle",
                                                  "display_name", "profile", "flags", *prov],
                               "ON CONFLICT (org_id, platform, account_key) DO UPDATE SET "
                               + ", ".join(f"{c} = COALESCE(accounts.{c}, excluded.{c})"
                                           for c in ("platform_id", "handle", "display_name", "profile"))
                               + f" WHERE {fill}", (0, 1, 2), st,
                               lambda r: ("account", r[1], r[2], None, None, r[-2], r[-1]))
        post_cols = ["org_id", "platform", "post_id", "post_type", "author_key", "created_at", "created_at_raw",
                     "tz_assumed", "text", "language", "reply_to", "thread_id", "quote_of", "forward_of", "hashtags",
                     "mentions", "urls", "url", "collected_at", "partial", "flags", "extra", *prov]
        upgradable = [c for c in post_cols[3:] if c not in prov]
        # A partial capture (Zeeschuimer's Polaris items) is replaced by a complete one, never the reverse.
        self.posts = _Table(conn, wk, "posts", post_cols,
                            "ON CONFLICT (org_id, platform, post_id) DO UPDATE SET "
                            + ", ".join(f"{c} = excluded.{c}" for c in upgradable)
                            + " WHERE posts.partial AND NOT excluded.partial", (0, 1, 2), st,
                            lambda r: ("post", r[1], r[2], None, None, r[-2], r[-1]))
        self.follows = _Table(conn, wk, "follows", ["org_id", "platform", "follower_key", "followed_key", "relation",
                                                "followed_at", "followed_at_raw", "flags", *prov], "ON CONFLICT DO NOTHING",
                              (0, 1, 3, 4, 2), st, lambda r: ("follow", r[1], r[3], r[4], r[2], r[-2], r[-1]),
                              json_sight=_FOLLOW_SIGHTINGS_FROM_JSON)
        self.media = _Table(conn, wk, "media", ["org_id", "media_key", "kind", "status", "sha256", "size", "mime", "path",
                                            "url", "blob", "display_blob", "display_sha256", "flags", "extra", *prov],
                            "ON CONFLICT DO NOTHING", (0, 1), st, lambda r: ("media", r[1], None, None, None, r[-2], r[-1]))
        self.post_media = _Table(conn, wk, "post_media", ["org_id", "platform", "post_id", "media_key", "position"],
                                 "ON CONFLICT DO NOTHING", (0, 1, 2, 3))
        # A record's first file is stored in its own row (src_file); `sightings` holds the other files
        # it was seen in. Candidates are staged in a temporary table without indexes and resolved by
        # one join per kind at the end, which is far cheaper than a keyed insert per record.

    # -- keys -------------------------------------------------------------------------------------

    def account_key(self, ref: AccountRef) -> str:
        key = ref.key
        if key.startswith("n:") or ref.platform in PRIVATE_PLATFORMS:
            return "k:" + self.c.name_hash(f"{ref.platform}|{key}")[:40]
        return db_text(key) or ""

    def post_key(self, platform: str, post_id: str, post_type: str) -> str:
        """Private-message ids from Meta and messengers are built from thread names (which name the
        person the defender talks to), so they are stored as a keyed hash; public post ids stay as
        they are, since escalation needs them."""
        if post_type in _PRIVATE_TYPES and platform in _NAMED_THREAD_PLATFORMS:
            return "m:" + self.c.name_hash(f"{platform}|{post_id}")[:40]
        return db_text(post_id) or ""

    def file_id(self, sha256: str, path: str) -> int:
        """The `files` row for (content, path), created on first use; cached per import."""
        fid = self._file_ids.get((sha256, path))
        if fid is None:
            self.worker.drain()
            ph = self.c.name_hash("path|" + path)
            t = schema.files
            self.conn.execute(_insert_ignore(self.conn, t).values(org_id=self.org, sha256=sha256, path_hash=ph))
            fid = self.conn.execute(sa.select(t.c.id).where(t.c.org_id == self.org, t.c.sha256 == sha256,
                                                            t.c.path_hash == ph)).scalar_one()
            self._file_ids[(sha256, path)] = fid
        return fid

    def preload_files(self, files: list[tuple[str, str]]) -> None:
        """Create the `files` rows for an import's members before the background writer starts."""
        for sha, path in files:
            self.file_id(sha, path)

    def _prov(self, r: Record) -> tuple[Any, ...]:
        p = r.provenance
        return (self.import_id, self.file_id(p.source_sha256, p.path), db_text(p.position))

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
        if not explicit:
            # Two most recent refs: the export's owner, named on every follow or message between
            # the other accounts, stays in one slot while they pass through the other.
            if ref is self._recent[0][0]:
                return self._recent[0][1]
            if ref is self._recent[1][0]:
                self._recent.reverse()
                return self._recent[0][1]
        key = self.account_key(ref)
        self._recent[1] = (ref, key)
        self._recent.reverse()
        seen = hash(key)
        if seen not in self._accounts_seen:
            self.processed["account"] += 1
            if len(self._accounts_seen) >= 5_000_000:  # bound memory; past it, counts may repeat
                self._accounts_seen.clear()
            self._accounts_seen.add(seen)
        elif not explicit:
            return key
        if (not explicit and ref.display_name is None and ref.platform not in PRIVATE_PLATFORMS
                and (ref.handle is None) != (ref.platform_id is None)
                and (ref.handle is None or ref.handle == ref.handle.lower())):
            # A bare reference (one id or one lower-case handle, nothing else): its row is derived from
            # the follows/posts that name it, set-based, in finish(); the key holds all it knows.
            return key
        profile = r.profile if isinstance(r, Account) else {}
        row_key = f"{ref.platform}|{key}"
        private = ref.platform in PRIVATE_PLATFORMS
        if private and ref.handle:
            profile = {**profile, "handle": ref.handle}
        self.accounts.add((self.org, ref.platform, key, db_text(ref.platform_id),
                           None if private else db_text(ref.handle),
                           self.c.seal(ref.display_name, "accounts.display_name", row_key),
                           self.c.seal_json(profile or None, "accounts.profile", row_key),
                           ",".join(r.flags) if explicit else "", *self._prov(r)))
        return key

    def _follow(self, f: Follow) -> None:
        a = self._account(f.follower, f)
        b = self._account(f.followed, f)
        self.follows.add((self.org, f.platform, a, b, f.relation, self._dt(f.followed_at), db_text(f.followed_at_raw),
                          ",".join(f.flags), *self._prov(f)))
        self.processed["follow"] += 1

    def _post(self, p: Post) -> None:
        author = self._account(p.author, p) if p.author else None
        pid = self.post_key(p.platform, p.post_id, p.post_type)
        rk = f"{p.platform}|{pid}"
        s, sj = self.c.seal, self.c.seal_json
        self.posts.add((
            self.org, p.platform, pid, p.post_type, author, self._dt(p.created_at), db_text(p.created_at_raw), p.tz_assumed,
            s(p.text, "posts.text", rk), p.language, db_text(p.reply_to), s(p.thread_id, "posts.thread_id", rk),
            db_text(p.quote_of), s(p.forward_of, "posts.forward_of", rk), sj(list(p.hashtags), "posts.hashtags", rk),
            sj(list(p.mentions), "posts.mentions", rk), sj(list(p.urls), "posts.urls", rk), s(p.url, "posts.url", rk),
            self._dt(p.collected_at), p.partial, ",".join(p.flags), sj(p.extra or None, "posts.extra", rk), *self._prov(p)))
        self.processed["post"] += 1
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
        if not rec.provenance.source_sha256:
            return  # a media item with no file behind it and no owner: nothing to anchor it to
        self.media.add((self.org, key, m.kind, m.status, m.sha256, m.size, m.mime,
                        self.c.seal(m.path, "media.path", key), self.c.seal(m.url, "media.url", key), blob,
                        display_blob, display_sha, ",".join(m.flags), self.c.seal_json(m.extra or None, "media.extra", key),
                        *self._prov(rec)))
        self.processed["media"] += 1
        if owner is not None:
            self.post_media.add((self.org, owner.platform, self.post_key(owner.platform, owner.post_id, owner.post_type),
                                 key, i))

    def flush(self) -> None:
        for t in (self.accounts, self.posts, self.follows, self.media, self.post_media):
            t.flush()
        self.stage.flush()

    def abort(self) -> None:
        """Drop what is buffered and stop the background writer: the transaction is being rolled back."""
        for t in (self.accounts, self.posts, self.follows, self.media, self.post_media, self.stage):
            t.rows = []
        try:
            self.worker.drain()
        except BaseException:  # noqa: S110 - the error that caused the abort is the one reported
            pass
        self.worker.close()

    def _resolve_stage(self) -> None:
        """Staged sightings → `sightings` rows for records first seen in another file; then empty the stage
        (one batch at a time, so the temporary table never grows with the import)."""
        ph = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        for kind, table, join, key_sql in _SIGHTING_JOINS:
            self.conn.exec_driver_sql(
                f"INSERT INTO sightings (org_id, kind, record_key, file_id, position) "  # noqa: S608
                f"SELECT t.org_id, s.kind, {key_sql}, s.file_id, s.position FROM himaya_stage s "
                f"JOIN {table} t ON t.org_id = {ph} AND {join} "
                f"WHERE s.kind = {ph} AND t.src_file <> s.file_id ON CONFLICT DO NOTHING", (self.org, kind))
        self.conn.exec_driver_sql("DELETE FROM himaya_stage")

    def finish(self) -> None:
        """Flush everything, then derive account rows for bare references."""
        self.flush()
        self.worker.drain()
        self.worker.close()
        ph = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        self.conn.exec_driver_sql("DROP TABLE himaya_stage")
        for table, column in _REFERENCES:
            # Bare references become account rows here, in one statement per column: far cheaper than a
            # keyed insert from Python per follower. Their key says everything that was known.
            self.conn.exec_driver_sql(
                f"INSERT INTO accounts (org_id, platform, account_key, platform_id, handle, flags, first_import_id, "  # noqa: S608
                f"src_file, src_position) SELECT org_id, platform, {column}, "
                f"CASE WHEN substr({column}, 1, 3) = 'id:' THEN substr({column}, 4) END, "
                f"CASE WHEN substr({column}, 1, 2) = 'h:' THEN substr({column}, 3) END, '', first_import_id, src_file, "
                f"src_position FROM {table} WHERE org_id = {ph} AND first_import_id = {ph} AND {column} IS NOT NULL "
                f"AND substr({column}, 1, 2) <> 'k:' ON CONFLICT DO NOTHING", (self.org, self.import_id))


# For a batch of follows passed as JSON (SQLite): sightings of those that were first seen in another file.
# Row layout as in `RecordWriter.follows`: 0 org, 1 platform, 2 follower, 3 followed, 4 relation, 9 file, 10 position.
_FOLLOW_SIGHTINGS_FROM_JSON = (
    "INSERT INTO sightings (org_id, kind, record_key, file_id, position) "
    "SELECT t.org_id, 'follow', (j.value ->> 1) || '|' || (j.value ->> 3) || '|' || (j.value ->> 4) || '|' || "
    "(j.value ->> 2), j.value ->> 9, j.value ->> 10 FROM json_each(?) j JOIN follows t ON t.org_id = (j.value ->> 0) "
    "AND t.platform = (j.value ->> 1) AND t.followed_key = (j.value ->> 3) AND t.relation = (j.value ->> 4) "
    "AND t.follower_key = (j.value ->> 2) WHERE t.src_file <> (j.value ->> 9) ON CONFLICT DO NOTHING")
_REFERENCES = (("follows", "follower_key"), ("follows", "followed_key"), ("posts", "author_key"))
# (kind, table, join condition, record key): constants, so the statements above carry no outside text.
_SIGHTING_JOINS = (
    ("account", "accounts", "t.platform = s.k1 AND t.account_key = s.k2", "s.k1 || '|' || s.k2"),
    ("post", "posts", "t.platform = s.k1 AND t.post_id = s.k2", "s.k1 || '|' || s.k2"),
    ("follow", "follows", "t.platform = s.k1 AND t.followed_key = s.k2 AND t.relation = s.k3 AND t.follower_key = s.k4",
     "s.k1 || '|' || s.k2 || '|' || s.k3 || '|' || s.k4"),
    ("media", "media", "t.media_key = s.k1", "s.k1"),
)
