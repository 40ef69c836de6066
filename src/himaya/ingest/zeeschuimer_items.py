"""Per-platform mappers for Zeeschuimer captures (formats README §11.3–§11.7).

Each mapper turns one captured `data` object into `Item`s: the fields of a Post plus what
deduplication needs (native ID, partial or not, nested preview or not). Mappers never read
the envelope, so a line that went through 4CAT maps exactly like the original line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from himaya.errors import TimestampError
from himaya.ingest.text import extract_hashtags, extract_mentions, unsafe_flags
from himaya.ingest.timeparse import from_twitter, from_unix
from himaya.records import AccountRef, MediaItem, MediaKind, Platform, Provenance


class ItemError(Exception):
    """The captured item cannot become a record (no ID, wrong type); the line is reported."""


@dataclass
class Where:
    """Where the item sits (for provenance) and how to report a problem with it (message, code)."""

    prov: Provenance
    report: Callable[[str, str], None]
    line: str = ""  # "line N"
    pointer: str = ""  # JSON pointer of `data` inside the line: "/data", or "" for a 4CAT line

    def at(self, key: str) -> Where:  # the object at `key` below this one (a nested reply preview)
        pointer = f"{self.pointer}{key}"
        return Where(self.prov.model_copy(update={"position": f"{self.line} {pointer}"}), self.report, self.line, pointer)


@dataclass
class Item:
    kind: str  # dedupe namespace: TikTok posts and TikTok comments are separate ID spaces
    post_id: str
    fields: dict[str, Any]
    where: Where
    partial: bool = False
    nested_in: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def s(v: Any) -> str | None:
    """A non-empty string, or an integer written as one (never a float: it may be rounded)."""
    return (v or None) if isinstance(v, str) else str(v) if isinstance(v, int) and not isinstance(v, bool) else None


def d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def lst(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def get(obj: Any, *keys: str | int) -> Any:
    for k in keys:
        if isinstance(k, int):
            obj = obj[k] if isinstance(obj, list) and 0 <= k < len(obj) else None
        else:
            obj = d(obj).get(k)
    return obj


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds").replace("+00:00", "Z") if dt else None


def clean(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if v not in (None, [], {}, "")}


def timed(value: Any, where: Where, what: str,
          read: Callable[[Any], datetime]) -> tuple[datetime | None, str | None, tuple[str, ...]]:
    """(UTC time, raw text, flags); a bad value is reported and kept raw, never read as 1970."""
    if value is None or value == "":
        return None, None, ()
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TimestampError(f"not a time: {str(value)[:60]!r}")
        return read(value), str(value)[:100], ()
    except TimestampError as exc:
        where.report(f"{what}: {exc.reason}", "bad_time")
        return None, str(value)[:100], ("bad_time",)


def _uniq(*groups: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for g in groups for x in g if x))


def _typed(entries: list[Any], kind: int, key: str) -> Iterator[str | None]:
    """`key` of TikTok's text_extra / textExtra entries of one type (1: hashtag, 0: mention)."""
    return (s(e.get(key)) for e in entries if isinstance(e, dict) and e.get("type") == kind)


def _author(platform: Platform, pid: Any, handle: Any, name: Any) -> tuple[AccountRef | None, tuple[str, ...]]:
    h, n = (s(handle) or "").lstrip("@") or None, s(name)
    ref = AccountRef(platform=platform, platform_id=s(pid), handle=h, display_name=n)
    return (ref, _uniq(unsafe_flags(h), unsafe_flags(n))) if ref.key != "unknown" else (None, ())


def media(url: str, kind: MediaKind, where: Where, **extra: Any) -> MediaItem:
    """A CDN URL: 'remote', or 'missing' once its signed expiry (x-expires, expire, oe) has passed."""
    q = parse_qs(urlsplit(url).query)
    expires: datetime | None = None
    try:
        if "x-expires" in q or "expire" in q:
            expires = datetime.fromtimestamp(int((q.get("x-expires") or q["expire"])[0]), UTC)
        elif "oe" in q:
            expires = datetime.fromtimestamp(int(q["oe"][0], 16), UTC)
    except (ValueError, OverflowError, OSError):
        expires = None
    expired = expires is not None and expires < datetime.now(UTC)
    return MediaItem(provenance=where.prov, kind=kind, url=url, status="missing" if expired else "remote",
                     flags=("url_expired",) if expired else (), extra=clean({**extra, "expires_at": iso(expires)}))


# -- Instagram (§11.3): item list, Polaris grid nodes and legacy Graph nodes, read by one mapper ------------

def _ig_media(node: dict[str, Any], where: Where) -> list[MediaItem]:
    children = [c for c in lst(node.get("carousel_media")) if isinstance(c, dict)]
    children += [d(e.get("node")) for e in lst(get(node, "edge_sidecar_to_children", "edges"))]
    if children:
        return [m for c in children for m in _ig_media(c, where)]
    video = s(get(node, "video_versions", 0, "url")) or s(node.get("video_url"))
    image = s(get(node, "image_versions2", "candidates", 0, "url")) or s(node.get("display_uri")) or s(node.get("display_url"))
    if video:
        return [media(video, "video", where, cover=image)]
    return [media(image, "image", where)] if image else []


def map_instagram(data: dict[str, Any], where: Where) -> list[Item]:
    typename = s(data.get("__typename")) or "XDTMediaDict"
    pid = s(data.get("pk")) or (s(data.get("id")) or "").split("_", 1)[0]
    if not pid:
        raise ItemError("Instagram item without pk or id")
    user, owner = d(data.get("user")), d(data.get("owner"))
    who = user or owner
    author, flags = _author("instagram", who.get("pk") or who.get("id"), who.get("username"), who.get("full_name"))
    if user and owner and s(user.get("pk") or user.get("id")) != s(owner.get("pk") or owner.get("id")):
        flags += ("owner_mismatch",)  # 4CAT refuses such items; Himaya keeps `user` and says so
    text = s(get(data, "caption", "text")) or s(get(data, "edge_media_to_caption", "edges", 0, "node", "text")) or ""
    stamp = data.get("taken_at", data.get("taken_at_timestamp"))
    at, raw, tflags = timed(stamp, where, "taken_at", from_unix)
    # _zs_partial is a heuristic (a complete photo without video_versions is flagged too): judge by content
    partial = not ("caption" in data or "edge_media_to_caption" in data) or stamp is None
    nodes = [data, *lst(data.get("carousel_media"))]
    code = s(data.get("code")) or s(data.get("shortcode"))
    fields = {"author": author, "created_at": at, "created_at_raw": raw, "text": text, "flags": (*flags, *tflags),
              "hashtags": extract_hashtags(text), "mentions": extract_mentions(text), "media": tuple(_ig_media(data, where)),
              "url": f"https://www.instagram.com/p/{code}/" if code else None}
    extra = {"shape": "graph" if typename.startswith("Graph") else "polaris" if "Polaris" in typename else "item_list",
             "code": code, "instagram_view": s(data.get("_zs_instagram_view")), "zs_partial": data.get("_zs_partial") or None,
             "usertags": list(_uniq(s(get(t, "user", "username")) for n in nodes for t in lst(get(n, "usertags", "in")))),
             "counts": {k: data[k] for k in ("like_count", "comment_count", "play_count", "view_count") if k in data}}
    return [Item("instagram", pid, fields, where, partial=partial, extra=clean(extra))]


# -- X / Twitter (§11.4): ALWAYS rest_id; `id`/`item_id` may be a rounded number ------------------------------

def _unwrap(obj: Any) -> dict[str, Any]:
    out = d(obj)
    while "tweet" in out and "rest_id" not in out:  # TweetWithVisibilityResults and similar wrappers
        out = d(out["tweet"])
    return out


def _x_user(tw: dict[str, Any], leg: dict[str, Any],
            where: Where) -> tuple[AccountRef | None, tuple[str, ...], dict[str, Any]]:
    res = d(get(tw, "core", "user_results", "result")) or d(tw.get("user"))  # 2023 adaptive items: a v1.1 user
    core, uleg = d(res.get("core")), d(res.get("legacy")) or res  # 2025 layout: core{screen_name, name, created_at}
    handle = s(core.get("screen_name")) or s(uleg.get("screen_name"))
    for m in lst(get(leg, "entities", "media")) if not handle else []:  # empty user_results: the media permalink
        parts = urlsplit(s(get(m, "expanded_url")) or "").path.split("/")
        handle = handle or (parts[1] if len(parts) > 3 and parts[2] == "status" else None)
    uid = s(res.get("rest_id")) or s(uleg.get("id_str")) or s(leg.get("user_id_str"))
    author, flags = _author("x", uid, handle, s(core.get("name")) or s(uleg.get("name")))
    created = s(core.get("created_at")) or s(uleg.get("created_at"))
    at = timed(created, where, "account created_at", from_twitter)[0]
    counts: dict[str, Any] = {k: uleg[k] for k in ("followers_count", "friends_count", "statuses_count") if k in uleg}
    return author, flags, clean({"created_at": iso(at), "created_at_raw": created, **counts})


def _x_media(leg: dict[str, Any], where: Where) -> tuple[MediaItem, ...]:
    seen: dict[str, MediaItem] = {}
    for m in lst(get(leg, "extended_entities", "media")) or lst(get(leg, "entities", "media")):
        videos = [v for v in lst(get(m, "video_info", "variants")) if str(get(v, "content_type")).startswith("video/")]
        best = max(videos, key=lambda v: int(get(v, "bitrate") or 0), default=None)  # as 4CAT: the highest bitrate
        url = s(get(best, "url")) if best else s(get(m, "media_url_https"))
        kind: MediaKind = "image" if get(m, "type") == "photo" else "gif" if get(m, "type") == "animated_gif" else "video"
        if url and url not in seen:
            seen[url] = media(url, kind, where, media_key=s(get(m, "media_key")),
                              poster=s(get(m, "media_url_https")) if best else None)
    return tuple(seen.values())


def map_x(data: dict[str, Any], where: Where) -> list[Item]:
    tw = _unwrap(data)
    leg = d(tw.get("legacy"))
    pid = s(tw.get("rest_id")) or s(leg.get("id_str"))
    if not pid or not pid.isdigit():
        raise ItemError("X item without rest_id or legacy.id_str (the rounded item_id is never used)")
    author, flags, profile = _x_user(tw, leg, where)
    at, raw, tflags = timed(s(leg.get("created_at")), where, "created_at", from_twitter)
    note = d(get(tw, "note_tweet", "note_tweet_results", "result"))  # long posts: full_text is truncated
    text = s(note.get("text")) or s(leg.get("full_text")) or s(leg.get("text")) or ""
    ents = [d(leg.get("entities")), d(note.get("entity_set"))]
    rt = _unwrap(get(leg, "retweeted_status_result", "result") or get(tw, "retweeted_status_result", "result"))
    quoted = _unwrap(get(tw, "quoted_status_result", "result"))
    reply_to = s(leg.get("in_reply_to_status_id_str"))
    handle = author.handle if author else None
    fields = {"post_type": "share" if rt else "reply" if reply_to else "post", "author": author, "created_at": at,
              "created_at_raw": raw, "text": text, "reply_to": reply_to, "thread_id": s(leg.get("conversation_id_str")),
              "language": s(leg.get("lang")) if leg.get("lang") != "und" else None, "flags": (*flags, *tflags),
              "quote_of": s(leg.get("quoted_status_id_str")) or s(quoted.get("rest_id")),
              "forward_of": s(get(rt, "legacy", "user_id_str")) or s(get(rt, "core", "user_results", "result", "rest_id")),
              "hashtags": _uniq((s(get(h, "text")) for e in ents for h in lst(e.get("hashtags"))), extract_hashtags(text)),
              "mentions": _uniq(((s(get(m, "screen_name")) or "").lower() for e in ents for m in lst(e.get("user_mentions"))),
                                extract_mentions(text)),
              "urls": _uniq(s(get(u, "expanded_url")) or s(get(u, "url")) for e in ents for u in lst(e.get("urls"))),
              "media": _x_media(leg, where),
              "url": f"https://x.com/{handle}/status/{pid}" if handle else f"https://x.com/i/web/status/{pid}"}
    extra = {"author_profile": profile, "promoted": data.get("promoted"), "views": s(get(tw, "views", "count")),
             "edit_tweet_ids": lst(get(tw, "edit_control", "edit_tweet_ids")),
             "counts": {k: leg[k] for k in ("favorite_count", "retweet_count", "reply_count", "quote_count") if k in leg},
             "truncated_text": leg.get("full_text") if note else None,
             "retweet_of": s(rt.get("rest_id")) or s(get(rt, "legacy", "id_str")),
             "quoted_unavailable": (s(get(quoted, "tombstone", "text", "text")) or "TweetTombstone")
             if quoted.get("__typename") == "TweetTombstone" else None}  # a deleted original: not an error (Z7)
    return [Item("x", pid, fields, where, extra=clean(extra))]


# -- TikTok posts (§11.5) and comments (§11.6) ------------------------------------------------------------------

def map_tiktok(data: dict[str, Any], where: Where) -> list[Item]:
    pid = s(data.get("id")) or s(get(data, "video", "id"))
    if not pid:
        raise ItemError("TikTok item without id")
    a = data.get("author")  # older embedded page JSON: author is the handle; name and ID at the top level (Z6)
    author, flags = (_author("tiktok", a.get("id"), a.get("uniqueId"), a.get("nickname")) if isinstance(a, dict)
                     else _author("tiktok", data.get("authorId"), a, data.get("nickname")))
    at, raw, tflags = timed(data.get("createTime"), where, "createTime", from_unix)  # a string in embedded JSON
    text = s(data.get("desc")) or ""
    tx = lst(data.get("textExtra"))
    video = d(data.get("video"))
    found: list[tuple[MediaKind, str | None]] = [("video", s(video.get("downloadAddr")) or s(video.get("playAddr"))),
                                                 ("image", s(video.get("cover")))]
    handle = author.handle if author else None
    fields = {"author": author, "created_at": at, "created_at_raw": raw, "text": text, "flags": (*flags, *tflags),
              "hashtags": _uniq(_typed(tx, 1, "hashtagName"), (s(get(c, "title")) for c in lst(data.get("challenges"))),
                                extract_hashtags(text)),
              "mentions": _uniq(((h or "").lower() for h in _typed(tx, 0, "userUniqueId")), extract_mentions(text)),
              "media": tuple(media(u, k, where) for k, u in found if u),
              "url": f"https://www.tiktok.com/@{handle}/video/{pid}" if handle else None}
    duet = s(get(data, "duetInfo", "duetFromId"))
    extra = {"shape": "item" if isinstance(a, dict) else "embedded_legacy", "stats": d(data.get("stats")),
             "location_created": s(data.get("locationCreated")), "is_ad": data.get("isAd"),
             "duet_of": duet if duet != "0" else None,
             "sticker_text": [t for st in lst(data.get("stickersOnItem")) for t in lst(get(st, "stickerText"))],
             "mentioned_user_ids": list(_uniq(_typed(tx, 0, "userId")))}
    return [Item("tiktok", pid, fields, where, extra=clean(extra))]


def map_tiktok_comment(data: dict[str, Any], where: Where, nested_in: str | None = None, depth: int = 0) -> list[Item]:
    cid = s(data.get("cid"))
    if not cid:
        raise ItemError("TikTok comment without cid")
    aweme, reply_id, to_reply = s(data.get("aweme_id")), s(data.get("reply_id")) or "0", s(data.get("reply_to_reply_id")) or "0"
    u = d(data.get("user"))
    author, flags = _author("tiktok", u.get("uid"), u.get("unique_id"), u.get("nickname"))
    at, raw, tflags = timed(data.get("create_time"), where, "create_time", from_unix)
    text = s(data.get("text")) or ""
    tx = lst(data.get("text_extra"))
    images = [s(get(im, "origin_url", "url_list", 0)) for im in lst(data.get("image_list"))]
    fields = {"post_type": "reply" if reply_id != "0" else "comment", "author": author, "created_at": at,
              "created_at_raw": raw, "text": text, "language": s(data.get("comment_language")), "flags": (*flags, *tflags),
              # §11.6: parent = reply_to_reply_id if set, else reply_id if set, else the video
              "reply_to": to_reply if to_reply != "0" else reply_id if reply_id != "0" else aweme, "thread_id": aweme,
              "hashtags": _uniq(_typed(tx, 1, "hashtag_name"), extract_hashtags(text)),
              "mentions": extract_mentions(text), "url": s(get(data, "share_info", "url")),
              "media": tuple(media(url, "image", where) for url in images if url)}
    extra = {"aweme_id": aweme, "mentioned_user_ids": list(_uniq(_typed(tx, 0, "user_id"))), **{k: data.get(k) for k in (
        "digg_count", "reply_comment_total", "stick_position", "author_pin", "is_author_digged", "label_list")}}
    items = [Item("tiktok-comment", cid, fields, where, nested_in=nested_in, extra=clean(extra))]
    for j, child in enumerate(lst(data.get("reply_comment")) if depth < 4 else []):  # previews, not items of their own
        try:
            items += map_tiktok_comment(d(child), where.at(f"/reply_comment/{j}"), cid, depth + 1)
        except ItemError as exc:
            where.report(f"reply_comment[{j}]: {exc}", "invalid_item")
    return items

