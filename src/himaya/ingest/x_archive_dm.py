"""Direct messages in an X archive: `direct-messages.js` (1:1) and `direct-messages-group.js`.

Both hold the messages the owner received as well as sent, which is where threats often arrive.
Senders are bare account ids (only the owner's own id can be named, from account.js). The order
inside a conversation is not guaranteed, so each conversation is sorted by `createdAt`. Events
other than messages (joins, leaves, renames) become `system` posts that keep the event raw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from himaya.ingest import x_common as xc
from himaya.ingest.base import ParseContext
from himaya.ingest.text import extract_hashtags, extract_mentions
from himaya.ingest.x_ytd import iter_items
from himaya.records import AccountRef, MediaItem, MediaKind, Post

KNOWN_EVENTS = frozenset({"joinConversation", "participantsJoin", "participantsLeave", "conversationNameUpdate"})
_EXT_KINDS: dict[str, MediaKind] = {"jpg": "image", "jpeg": "image", "png": "image", "webp": "image",
                                    "gif": "gif", "mp4": "video", "mov": "video", "m4a": "audio"}
_NEVER = datetime.max.replace(tzinfo=UTC)


class _Event(NamedTuple):
    at: datetime | None
    order: int
    kind: str
    body: dict[str, Any]
    pos: str
    raw_time: str | None
    flags: tuple[str, ...]


def parse_dms(ctx: ParseContext, path: str, owner: AccountRef, media_dir: str | None, held: dict[str, int], *,
              group: bool) -> Iterator[Post]:
    """Every conversation of one DM file, each sorted by time; `held` gets the number of conversations."""
    folder = xc.folder_of(path)
    mdir = media_dir or str(PurePosixPath(folder, "direct_messages_group_media" if group else "direct_messages_media"))
    for i, item in iter_items(ctx, path):
        held[path] = i + 1
        pos = f"/{i}/dmConversation"
        conv = xc.d(xc.d(item).get("dmConversation"))
        cid = xc.s(conv.get("conversationId"))
        if cid is None or not isinstance(conv.get("messages"), list):
            ctx.report(path, pos, "conversation has no conversationId or messages", code="invalid_conversation")
            continue
        events: list[_Event] = []
        for j, entry in enumerate(conv["messages"]):
            epos = f"{pos}/messages/{j}"
            if not (isinstance(entry, dict) and len(entry) == 1 and isinstance(next(iter(entry.values())), dict)):
                ctx.report(path, epos, "message entry is not one {event: {...}} object", code="invalid_message")
                continue
            kind, body = next(iter(entry.items()))
            at, raw, flags = xc.read_time(ctx, path, f"{epos}/{kind}/createdAt", body.get("createdAt"), rfc3339=True)
            events.append(_Event(at, j, kind, body, f"{epos}/{kind}", raw, flags))
        events.sort(key=lambda e: (e.at or _NEVER, e.order))
        for ev in events:
            post = (_message(ctx, path, cid, ev, owner, mdir, group) if ev.kind == "messageCreate"
                    else _event(ctx, path, cid, ev, owner, group))
            if post is not None:
                yield post


def _person(uid: str | None, owner: AccountRef) -> AccountRef | None:
    if uid is None:
        return None
    return owner if uid == owner.platform_id else AccountRef(platform="x", platform_id=uid)


def _message(ctx: ParseContext, path: str, cid: str, ev: _Event, owner: AccountRef, mdir: str,
             group: bool) -> Post | None:
    """`messageCreate{id, senderId, recipientId?, text, createdAt, mediaUrls, urls, reactions, editHistory}`."""
    body = ev.body
    mid = xc.id_of(body.get("id"))
    if mid is None:
        ctx.report(path, ev.pos, "message has no id", code="missing_id")
        return None
    author = _person(xc.id_of(body.get("senderId")), owner)
    raw = xc.s(body.get("text")) or ""
    links = {u["url"]: u["expanded"] for u in xc.dicts(body.get("urls")) if xc.s(u.get("url")) and xc.s(u.get("expanded"))}
    text = xc.expand(raw, links)
    extra: dict[str, Any] = {"raw_text": raw} if text != raw else {}
    if xc.id_of(body.get("recipientId")):
        extra["recipient_id"] = body["recipientId"]
    for key, name in (("reactions", "reactions"), ("editHistory", "edit_history")):
        if xc.ls(body.get(key)):
            extra[name] = body[key]
    if group:
        extra["group"] = True
    media = [_dm_media(ctx, path, f"{ev.pos}/mediaUrls/{k}", mid, u, mdir)
             for k, u in enumerate(xc.ls(body.get("mediaUrls"))) if isinstance(u, str) and u]
    return Post(provenance=ctx.provenance(path, ev.pos), platform="x", post_id=mid, post_type="message",
                author=author, created_at=ev.at, created_at_raw=ev.raw_time, text=text, thread_id=cid,
                hashtags=extract_hashtags(text), mentions=extract_mentions(text), urls=xc.unique(links.values()),
                media=tuple(media), extra=extra, flags=xc.unique((*ev.flags, *xc.ref_flags(author))))


def _dm_media(ctx: ParseContext, path: str, pos: str, mid: str, url: str, mdir: str) -> MediaItem:
    """The local copy is `<media folder>/<message id>-<file name>` when the archive includes it."""
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    kind = _EXT_KINDS.get(name.rsplit(".", 1)[-1].lower(), "other") if "." in name else "other"
    return ctx.media(f"{mdir}/{mid}-{name}" if name else None, kind=kind, position=pos, url=url, source_path=path)


def _event(ctx: ParseContext, path: str, cid: str, ev: _Event, owner: AccountRef, group: bool) -> Post:
    """joinConversation, participantsJoin, …: kept raw; events X may add later are counted as unknown."""
    if ev.kind not in KNOWN_EVENTS:
        ctx.count("x_dm_unknown_event")
    digest = hashlib.sha256(json.dumps(ev.body, sort_keys=True, ensure_ascii=False, default=str)
                            .encode("utf-8", "surrogatepass")).hexdigest()[:16]
    author = _person(xc.id_of(ev.body.get("initiatingUserId")) or xc.id_of(ev.body.get("senderId")), owner)
    extra: dict[str, Any] = {"event": ev.kind, "data": ev.body, **({"group": True} if group else {})}
    return Post(provenance=ctx.provenance(path, ev.pos), platform="x", post_id=f"dm-event/{cid}/{ev.kind}/{digest}",
                post_type="system", author=author, created_at=ev.at, created_at_raw=ev.raw_time, thread_id=cid,
                extra=extra, flags=xc.unique((*ev.flags, *xc.ref_flags(author))))
