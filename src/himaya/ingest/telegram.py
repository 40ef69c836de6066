"""Telegram Desktop's machine-readable export, `result.json` (formats README §3).

Two layouts share one message format: a single chat (`{"name", "type", "id", "messages"}`) and the full
export (`{"personal_information", "chats": {"list": [chat…]}, "left_chats"…}`), both streamed: one chat can
hold a million messages. Telegram writes control characters as `\\xHH`, which is not JSON, so the bytes
are repaired on their way into the parser (`EscapeRepair`).
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import IO, Any, ClassVar

import ijson
from pydantic import ValidationError

from himaya.errors import HimayaParseError, TimestampError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import unsafe_flags
from himaya.ingest.timeparse import EARLIEST, from_unix, localize
from himaya.ingest.tree import ExportTree
from himaya.records import Account, AccountRef, MediaItem, MediaKind, Post, Record

_NAME = re.compile(r"(?:.*/)?result(?:[._-][^/]*)?\.json", re.IGNORECASE)
_HEAD = re.compile(r'^\ufeff?\s*\{\s*"(?:name|type|id|messages|about|personal_information|chats)"\s*:')
_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")  # README §9, on bytes
_JSON_ERRORS = (ijson.common.JSONError, UnicodeDecodeError)
_GROUPS = frozenset({"private_group", "private_supergroup", "public_supergroup"})
_KNOWN_ENTITIES = frozenset("plain bold italic underline strikethrough spoiler code pre link text_link mention mention_name "
                            "hashtag cashtag bot_command email phone bank_card blockquote custom_emoji unknown".split())
_FILE_KINDS: dict[str, MediaKind] = {"sticker": "sticker", "video_message": "video", "video_file": "video",
                                     "voice_message": "audio", "audio_file": "audio", "animation": "gif"}
_MEDIA_KEYS = "file_name file_size photo_file_size mime_type media_type duration_seconds sticker_emoji width height".split()
_EXTRA_KEYS = frozenset("author saved_from via_bot reply_to_peer_id reactions action actor actor_id members title poll "
                        "contact_information location_information inline_bot_buttons edited edited_unixtime".split())
_SINK: dict[str, Any] = {}  # every object of the header pass is built into this one map (see records)
_new_post = Post.__pydantic_validator__.validate_python  # full validation, minus the __init__ wrapper


class EscapeRepair:
    """A byte reader that rewrites each unescaped `\\xHH` to `\\u00HH` as the JSON streams through.

    A chunk is cut before any trailing backslash that could start an escape, keeping an even part
    of a backslash run on the emitted side, so an escape split across chunks is still read with the
    right parity (`\\\\x41` is an escaped backslash and the letters x41, not an escape).
    """

    def __init__(self, raw: IO[bytes], chunk: int = 1 << 16, watch: bytes = b"") -> None:
        self.raw, self._chunk, self._watch = raw, chunk, watch
        self._carry = self._out = self._tail = b""
        self._eof = self.seen = False
        self.repairs = self.offset = 0  # offset: raw bytes consumed, for error messages

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._out) < n):
            data = self.raw.read(self._chunk)
            buf, self._eof, self.offset = self._carry + data, not data, self.offset + len(data)
            cut = self._cut(buf) if data else len(buf)
            buf, self._carry = buf[:cut], buf[cut:]
            if b"\\x" in buf:
                buf, k = _ESCAPE.subn(rb"\1\\u00\2", buf)
                self.repairs += k
            if self._watch and not self.seen:  # notices a key without parsing (see records)
                window = self._tail + buf
                self.seen, self._tail = self._watch in window, window[-len(self._watch):]
            self._out += buf
        out, self._out = (self._out, b"") if n < 0 else (self._out[:n], self._out[n:])
        return out

    @staticmethod
    def _cut(buf: bytes) -> int:
        if (p := buf.rfind(b"\\", max(0, len(buf) - 3))) < 0:
            return len(buf)
        s = len(buf[: p + 1].rstrip(b"\\"))  # where the run of backslashes that ends at p starts
        return s + (p - s) // 2 * 2


@functools.lru_cache(maxsize=1 << 16)
def _author(name: str | None, uid: str | None) -> tuple[AccountRef | None, tuple[str, ...]]:
    ref = AccountRef(platform="telegram", platform_id=uid, display_name=name) if name or uid else None
    return ref, unsafe_flags(name)


class TelegramParser(Parser):
    """Messages of a single-chat or full Telegram Desktop export, with media and reactions."""

    name = "telegram"
    label = "Telegram Desktop export (result.json, machine-readable JSON)"
    platform: ClassVar[str] = "telegram"

    def claim(self, tree: ExportTree) -> list[str]:
        heads = {m.path: tree.head(m.path, 4096).decode("utf-8", "replace") for m in tree.members()
                 if _NAME.fullmatch(m.path)}
        return [p for p, h in heads.items() if _HEAD.match(h) and re.search(r'"(messages|personal_information|chats)"', h)]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        for path in paths:
            with ctx.guard(path), contextlib.closing(_File(ctx, path)) as file:
                yield from file.records()


class _File:
    """One result.json: streams its chats' messages, then reports what it noticed."""

    def __init__(self, ctx: ParseContext, path: str) -> None:
        self.ctx, self.path, self.base = ctx, path, path.rsplit("/", 1)[0] if "/" in path else ""
        self.sha, self.archive = ctx.tree.sha256(path), ctx.tree.archive_sha256
        self.no_zone = self.unknown_entities = self.stubs = 0
        self.readers: list[EscapeRepair] = []
        self.lo, self.hi = int(EARLIEST.timestamp()), int(time.time()) + 86400

    def _open(self, watch: bytes = b"") -> EscapeRepair:
        self.readers.append(reader := EscapeRepair(self.ctx.tree.open(self.path), watch=watch))
        return reader

    def _fail(self, reader: EscapeRepair, exc: Exception) -> HimayaParseError:
        why = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
        return HimayaParseError(f"invalid or truncated JSON near byte {reader.offset:,} ({why})", path=self.path)

    def records(self) -> Iterator[Record]:
        head, first = self._prelude(self._open())
        msgs = self.msgs = self._open()  # the one pass that reads messages; its repairs are the ones counted
        if first == "messages":
            yield from self._chat(head, "", ijson.items(msgs, "messages.item", use_float=True), None)
            return
        if pi := {k[21:]: v for k, v in head.items() if k.startswith("personal_information.")}:  # the owner
            name = " ".join(str(pi[k]) for k in ("first_name", "last_name") if pi.get(k)) or None
            ref = AccountRef(platform="telegram", platform_id=f"user{pi['user_id']}" if pi.get("user_id") else None,
                             handle=str(pi.get("username") or "").lstrip("@").lower() or None, display_name=name)
            yield Account(provenance=self.ctx.provenance(self.path, "/personal_information"), ref=ref, profile=pi)
        reader = msgs
        for n, section in enumerate(["chats", "left_chats"] if first == "chats" else [first]):
            if n and not reader.seen:  # no "left_chats" key anywhere: spare a pass over the file
                break
            msgs = self.msgs = self._open() if n else msgs
            items = ijson.items(msgs, f"{section}.list.item.messages.item", use_float=True)
            # Chat headers and counts: a second pass in which every message is built into one shared map.
            reader = self._open(watch=b'"left_chats"')
            kv = ijson.kvitems(reader, f"{section}.list.item", use_float=True, map_type=lambda: _SINK)
            chat, k = dict[str, Any](), 0
            try:
                for key, value in kv:
                    if key == "messages":
                        yield from self._chat(chat, f"/{section}/list/{k}", items, len(value))
                        chat, k = {}, k + 1
                    elif not isinstance(value, dict | list):
                        chat[key] = value
            except _JSON_ERRORS:  # cut off: read the messages up to the cut, then fail there
                yield from self._chat(chat, f"/{section}/list/{k}", items, None)
                raise self._fail(reader, ValueError("the file ends early")) from None

    def _prelude(self, reader: EscapeRepair) -> tuple[dict[str, Any], str]:
        """Scalars before the first message array (`name`, `personal_information.user_id`, …), and its key."""
        head: dict[str, Any] = {}
        try:
            for prefix, event, value in ijson.parse(reader, use_float=True):
                if prefix == "" and event == "map_key" and value in ("messages", "chats", "left_chats"):
                    return head, value
                if event in ("string", "number", "boolean", "null") and prefix.count(".") < 2:
                    head[prefix] = value
        except _JSON_ERRORS as exc:
            raise self._fail(reader, exc) from None
        raise HimayaParseError("neither 'messages' nor 'chats' found: not a Telegram export", path=self.path)

    def close(self) -> None:
        """Close the readers, then report what was noticed (also after a file error)."""
        for r in self.readers:
            r.raw.close()
        ctx, path, tz = self.ctx, self.path, self.ctx.options.timezone
        repairs = sum(r.repairs for r in self.readers[1::2])  # the message passes: readers 1, 3, …
        if self.no_zone and tz is None:
            ctx.report(path, "", f"{self.no_zone} message(s) have only the exporting computer's wall-clock time (exports "
                       "before June 2022): times left unknown, raw kept; pass --timezone ZONE (e.g. Asia/Baghdad)",
                       code="timezone_required")
        for key, n, what in (
                ("telegram_escape_repairs", repairs, "invalid \\xHH escape(s) repaired to \\u00HH (Telegram's way "
                 "of writing control characters)"),
                ("telegram_local_times", self.no_zone if tz else 0, f"time(s) without a zone read as {tz}"),
                ("telegram_unsupported", self.stubs, "'unsupported' message stub(s) skipped"),
                ("telegram_unknown_entity", self.unknown_entities, "text part(s) of an unknown type read as plain")):
            if n:
                ctx.count(key, n)
                ctx.note(f"{path}: {n} {what}")

    def _chat(self, chat: dict[str, Any], pointer: str, items: Iterator[Any], count: int | None) -> Iterator[Post]:
        chat_id, seen, senders = str(chat.get("id", "?")), set[Any](), set[str]()
        try:
            for i, msg in enumerate(items if count is None else islice(items, count)):
                pos = f"{pointer}/messages/{i}"
                if not isinstance(msg, dict) or msg.get("type") == "unsupported":
                    self.stubs += 1
                    continue
                try:
                    if (mid := msg.get("id")) in seen:  # an unhashable id raises TypeError: reported below
                        self.ctx.report(self.path, pos, f"duplicate message id {mid} in chat {chat_id}: the first is "
                                        "kept", code="duplicate_id")
                        continue
                    seen.add(mid)
                    post = self._message(msg, chat_id, pos)
                except (ValidationError, TypeError, AttributeError, ValueError) as exc:  # hostile field types
                    self.ctx.report(self.path, pos, f"unreadable message: {str(exc).splitlines()[0][:200]}")
                    continue
                if post.author and post.post_type == "message" and len(senders) < 2:
                    senders.add(post.author.key)
                yield post
        except _JSON_ERRORS as exc:
            raise self._fail(self.msgs, exc) from None
        if pointer and chat.get("type") in _GROUPS and len(senders) == 1:
            self.ctx.warn(self.path, pointer, f"group chat {chat.get('name')!r} ({chat_id}) has one sender only: probably "
                          "only the owner's own messages were exported (tick it under 'full chats')", code="only_own_messages")

    def _message(self, m: dict[str, Any], chat_id: str, pos: str) -> Post:
        get = m.get
        service = get("type") == "service"
        name, uid = (get("actor"), get("actor_id")) if service and "from" not in m else (get("from"), get("from_id"))
        if type(uid) is int:
            self.ctx.count("telegram_legacy_int_from_id")  # exports before v2.7.2 (April 2021)
        author, flags = _author(name if type(name) is str else None, None if uid is None else str(uid))
        unix = get("date_unixtime")
        if type(unix) is not str or not unix.isdigit() or not self.lo <= int(unix) <= self.hi:
            at, raw, assumed, flags = self._time(m, pos, flags)
        else:  # the common case, kept fast
            at, raw, assumed = datetime.fromtimestamp(int(unix), UTC), unix, False
        extra = {} if _EXTRA_KEYS.isdisjoint(m) else {k: m[k] for k in _EXTRA_KEYS.intersection(m)}
        ents = get("text_entities")
        if type(ents) is list and len(ents) == 1 and type(ents[0]) is dict and ents[0].get("type") == "plain":
            text, found = ents[0].get("text") or "", dict[str, list[str]]()
        else:
            text, found = self._text(m, extra)
        if "from" in m and m["from"] is None:
            extra["deleted_account"] = True
        post: Post = _new_post({
            "provenance": {"source_sha256": self.sha, "path": self.path, "position": pos, "archive_sha256": self.archive},
            "flags": flags, "platform": "telegram", "post_id": f"{chat_id}:{get('id')}",
            "post_type": "system" if service else "message", "author": author, "created_at": at,
            "created_at_raw": raw, "tz_assumed": assumed, "text": text, "thread_id": chat_id,
            "reply_to": f"{chat_id}:{r}" if (r := get("reply_to_message_id")) is not None and "reply_to_peer_id" not in m
            else None,
            "forward_of": get("forwarded_from"), **found, "extra": extra,
            "media": tuple(self._media(m, pos)) if "photo" in m or "file" in m else ()})
        return post

    def _time(self, m: dict[str, Any], pos: str, flags: tuple[str, ...]) -> tuple[datetime | None, str | None, bool, tuple[str, ...]]:
        unix, local, tz = m.get("date_unixtime"), m.get("date"), self.ctx.options.timezone
        local = local if isinstance(local, str) else None
        try:
            if unix is not None:
                return from_unix(str(unix)), str(unix), False, flags
            self.no_zone += local is not None  # exports before v3.7.6 (June 2022): local wall-clock time only
            if local is None or tz is None:
                return None, local, False, flags
            at, dst = localize(datetime.fromisoformat(local), tz, local)
            return at, local, True, flags + dst
        except (TimestampError, ValueError) as exc:
            why = exc.reason if isinstance(exc, TimestampError) else f"date {local!r} is not a time"
            self.ctx.report(self.path, f"{pos}/date", f"{why}; time left unknown", code="bad_time")
            return None, str(unix if unix is not None else local), False, (*flags, "bad_time")

    def _text(self, m: dict[str, Any], extra: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
        """Full text = the text_entities' texts joined, else the `text` array or string (README §3.2)."""
        parts = m.get("text_entities")
        if not isinstance(parts, list):
            parts = m["text"] if isinstance(m.get("text"), list) else [m.get("text") or ""]
        out: list[str] = []
        found: dict[str, list[str]] = {"hashtag": [], "mention": [], "link": [], "mention_name": []}
        for e in parts:
            t, kind = (e.get("text"), e.get("type")) if isinstance(e, dict) else (e, "plain")
            out.append(t := t if isinstance(t, str) else "")
            if kind == "text_link" and isinstance(e.get("href"), str):
                kind, t = "link", e["href"]
            elif kind == "mention_name":
                t = str(e.get("user_id"))  # a user without a username: Telegram gives the numeric id
            elif kind not in _KNOWN_ENTITIES:
                self.unknown_entities += 1
            if kind in found:
                found[kind].append(t)
        if found["mention_name"]:
            extra["mentioned_user_ids"] = found["mention_name"]
        return "".join(out), {"hashtags": list(dict.fromkeys(t.lstrip("#") for t in found["hashtag"])),
                              "mentions": list(dict.fromkeys(t.lstrip("@").lower() for t in found["mention"])),
                              "urls": list(dict.fromkeys(found["link"]))}

    def _media(self, m: dict[str, Any], pos: str) -> Iterator[MediaItem]:
        for key in ("photo", "file"):
            if not isinstance(ref := m.get(key), str) or not ref:
                continue
            extra = {k: m[k] for k in _MEDIA_KEYS if k in m}
            if ref.startswith("(") and ref.endswith(")"):  # "(File not included. …)": missing, not a path
                extra["placeholder"], ref = ref, ""
            kind = "image" if key == "photo" else _FILE_KINDS.get(str(m.get("media_type")), "document")
            item = self.ctx.media(ref or None, base=self.base, kind=kind, position=f"{pos}/{key}", source_path=self.path)
            mime = m.get("mime_type") if key == "file" and isinstance(m.get("mime_type"), str) else None
            yield item.model_copy(update={"extra": {**item.extra, **extra}, "mime": mime})
