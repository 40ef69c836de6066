"""What the X archive and the X API share: v1.1-style tweet objects, t.co links and user objects.

The archive's `tweets.js` items are v1.1 tweet objects with every number written as a string, and
legacy API collections (twarc1, Academic v1.1) hold the same objects, so one mapper serves both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from himaya.errors import TimestampError
from himaya.ingest.base import ParseContext
from himaya.ingest.text import clean_handle, extract_hashtags, extract_mentions, unsafe_flags
from himaya.ingest.timeparse import from_rfc3339, from_twitter
from himaya.records import Account, AccountRef, MediaItem, MediaKind, Post, PostType

# `RT @handle:` opens every retweet's text; archives have no `retweeted_status` (formats README §5.2).
RT_PREFIX = re.compile(r"RT @([A-Za-z0-9_]{1,50}):")
MEDIA_KINDS: dict[str, MediaKind] = {"photo": "image", "video": "video", "animated_gif": "gif"}
# X escapes exactly these in tweet text; html.unescape would also turn a literal `&copy` into ©.
_ESCAPED = re.compile(r"&(amp|lt|gt);")
_UNESCAPE = {"amp": "&", "lt": "<", "gt": ">"}
# v2 user fields kept as the profile (v1.1 names are mapped onto them by `v1_user`).
PROFILE_KEYS = ("created_at", "description", "public_metrics", "protected", "verified", "verified_type",
                "profile_image_url", "location", "url", "pinned_tweet_id")

MediaFor = Callable[[str, str, dict[str, Any]], MediaItem]  # (tweet id, position, media entity) → item


def s(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def ls(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in ls(v) if isinstance(x, dict)]


def id_of(v: Any) -> str | None:
    """An X id as a string; integers (a few tools write them) are converted exactly, never via float."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    return v if isinstance(v, str) and v.isdigit() else None


def at(where: str, pointer: str) -> str:
    """A position inside a position: `/0/tweet` + `/created_at`, or `line 3` + `/data/0` → `line 3, /data/0`."""
    return f"{where}, {pointer}" if where.startswith("line") and "/" not in where and pointer else where + pointer


def folder_of(path: str) -> str:
    """The member's folder, `` at the export root."""
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group(1)], text)


def expand(text: str, links: dict[str, str]) -> str:
    """Replace t.co links with what they stand for (longest first, so no link eats another)."""
    for short in sorted(links, key=len, reverse=True):
        text = text.replace(short, links[short])
    return text


def unique(items: Iterable[Any]) -> tuple[str, ...]:
    """Non-empty strings in order of first appearance (anything else, from a malformed file, is dropped)."""
    return tuple(dict.fromkeys(x for x in items if isinstance(x, str) and x))


def metric(v: Any) -> int | None:
    """Archive counts are strings ("57"); the API's are numbers."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return int(v) if isinstance(v, str) and v.isdigit() else None


def status_url(handle: str | None, post_id: str) -> str:
    return f"https://x.com/{handle}/status/{post_id}" if handle else f"https://x.com/i/status/{post_id}"


def language(v: Any) -> str | None:
    return v if isinstance(v, str) and v and v != "und" else None


def read_time(ctx: ParseContext, path: str, pos: str, raw: Any, *, rfc3339: bool = False
              ) -> tuple[datetime | None, str | None, tuple[str, ...]]:
    """(UTC time, raw value, flags). A bad or impossible time (year 2003) is reported, never guessed."""
    if raw is None:
        return None, None, ()
    text = raw if isinstance(raw, str) else str(raw)
    try:
        return (from_rfc3339(text) if rfc3339 else from_twitter(text)), text, ()
    except TimestampError as exc:
        ctx.report(path, pos, exc.reason, code="bad_time")
        return None, text[:100], ("bad_time",)


def account(ctx: ParseContext, path: str, pos: str, ref: AccountRef, profile: dict[str, Any]) -> Account:
    return Account(provenance=ctx.provenance(path, pos), ref=ref, profile=profile, flags=ref_flags(ref))


def ref_flags(ref: AccountRef | None) -> tuple[str, ...]:
    if ref is None:
        return ()
    return unique((*unsafe_flags(ref.display_name), *unsafe_flags(ref.handle)))


def v2_user(u: dict[str, Any]) -> tuple[AccountRef, dict[str, Any]] | None:
    """An API v2 user object (also the flattened `author`): the reference and its profile."""
    uid = id_of(u.get("id"))
    if uid is None:
        return None
    ref = AccountRef(platform="x", platform_id=uid, handle=s(u.get("username")), display_name=s(u.get("name")))
    return ref, {k: u[k] for k in PROFILE_KEYS if k in u}


def v1_user(u: dict[str, Any]) -> tuple[AccountRef, dict[str, Any]] | None:
    uid = id_of(u.get("id_str")) or id_of(u.get("id"))
    if uid is None:
        return None
    ref = AccountRef(platform="x", platform_id=uid, handle=s(u.get("screen_name")), display_name=s(u.get("name")))
    profile: dict[str, Any] = {k: u[k] for k in ("created_at", "description", "protected", "verified", "location", "url")
                               if k in u}
    if "profile_image_url_https" in u:
        profile["profile_image_url"] = u["profile_image_url_https"]
    counts = {new: u[old] for old, new in (("followers_count", "followers_count"), ("friends_count", "following_count"),
                                           ("statuses_count", "tweet_count"), ("listed_count", "listed_count"),
                                           ("favourites_count", "like_count")) if old in u}
    if counts:
        profile["public_metrics"] = counts
    return ref, profile


def v1_post(ctx: ParseContext, path: str, pos: str, tw: dict[str, Any], author: AccountRef | None,
            media_for: MediaFor) -> Post | None:
    """A v1.1 tweet object (archive item or legacy API line) as a Post; None after reporting a bad one."""
    tid = id_of(tw.get("id_str")) or id_of(tw.get("id"))
    if tid is None:
        ctx.report(path, pos, "tweet has no id_str", code="missing_id")
        return None
    ext = d(tw.get("extended_tweet"))
    raw = s(tw.get("full_text")) or s(ext.get("full_text")) or s(tw.get("text"))
    if raw is None:
        ctx.report(path, pos, f"tweet {tid} has no full_text", code="missing_text")
        return None
    when, when_raw, flags = read_time(ctx, path, at(pos, "/created_at"), tw.get("created_at"))
    ents = d(ext.get("entities")) or d(tw.get("entities"))
    media_ents, media_at = _media_entities(tw, pos)
    shared = d(tw.get("retweeted_status"))
    links = _links(ents, media_ents)
    links.update(_links(d(shared.get("entities")), []))
    text = expand(unescape(raw), links)
    mentions = dicts(ents.get("user_mentions"))
    extra: dict[str, Any] = {"full_text": raw}
    post_type: PostType = "post"
    forward_of: str | None = None
    rt = RT_PREFIX.match(text)
    if shared:  # legacy API: the original is inlined, untruncated
        orig = s(d(shared.get("extended_tweet")).get("full_text")) or s(shared.get("full_text")) or s(shared.get("text"))
        ouser = d(shared.get("user"))
        handle = s(ouser.get("screen_name")) or (rt.group(1) if rt else None)
        if orig and handle:
            text = expand(unescape(f"RT @{handle}: {orig}"), links)
        post_type, forward_of = "share", id_of(ouser.get("id_str")) or handle
        extra["retweet_of"] = id_of(shared.get("id_str"))
    elif rt:  # archive: only the `RT @user:` prefix says it is a retweet
        handle = rt.group(1)
        named = [id_of(m.get("id_str")) for m in mentions if (s(m.get("screen_name")) or "").lower() == handle.lower()]
        post_type, forward_of = "share", next((i for i in named if i), None) or clean_handle(handle)
        extra["retweet_of_handle"] = handle
    reply_to = id_of(tw.get("in_reply_to_status_id_str")) or id_of(tw.get("in_reply_to_status_id"))
    if reply_to and post_type == "post":
        post_type = "reply"
    for key in ("in_reply_to_user_id_str", "in_reply_to_screen_name", "display_text_range", "source",
                "possibly_sensitive", "quoted_status_id_str"):
        if key in tw:
            extra[key] = tw[key]
    counts = {new: metric(tw.get(old)) for old, new in (("favorite_count", "like_count"),
                                                          ("retweet_count", "retweet_count"))}
    if any(v is not None for v in counts.values()):
        extra["public_metrics"] = {k: v for k, v in counts.items() if v is not None}
    edits = ls(d(d(tw.get("edit_info")).get("initial")).get("editTweetIds"))
    if edits:
        extra["edit_history_tweet_ids"] = edits
    has_ents = "entities" in tw or "entities" in ext
    return Post(
        provenance=ctx.provenance(path, pos), platform="x", post_id=tid, post_type=post_type, author=author,
        created_at=when, created_at_raw=when_raw, text=text, language=language(tw.get("lang")),
        reply_to=reply_to, quote_of=id_of(tw.get("quoted_status_id_str")), forward_of=forward_of,
        hashtags=unique(h.get("text") for h in dicts(ents.get("hashtags"))) if has_ents else extract_hashtags(text),
        mentions=unique((s(m.get("screen_name")) or "").lower() for m in mentions) if has_ents else extract_mentions(text),
        urls=unique(_links(ents, []).values()),
        media=tuple(media_for(tid, f"{media_at}/{j}", m) for j, m in enumerate(media_ents)),
        url=status_url(author.handle if author else None, tid), extra=extra,
        flags=unique((*flags, *ref_flags(author))))


def _media_entities(tw: dict[str, Any], pos: str) -> tuple[list[dict[str, Any]], str]:
    """All media (`extended_entities` lists every photo; `entities.media` only the first) and where they are."""
    for obj, where in ((d(d(tw.get("extended_tweet")).get("extended_entities")), "/extended_tweet/extended_entities"),
                       (d(tw.get("extended_entities")), "/extended_entities"), (d(tw.get("entities")), "/entities")):
        if dicts(obj.get("media")):
            return dicts(obj.get("media")), at(pos, f"{where}/media")
    return [], ""


def _links(ents: dict[str, Any], media: list[dict[str, Any]]) -> dict[str, str]:
    """t.co link → expanded URL (links) or display URL (media), as the archive viewer shows them."""
    links = {u["url"]: u["expanded_url"] for u in dicts(ents.get("urls")) if s(u.get("url")) and s(u.get("expanded_url"))}
    links.update({m["url"]: m["display_url"] for m in media if s(m.get("url")) and s(m.get("display_url"))})
    return links


def remote_media(ctx: ParseContext, path: str, pos: str, m: dict[str, Any], url: str | None) -> MediaItem:
    """Media known only by its URL (API data): `remote`, or `missing` when not even that is known."""
    extra = {k: m[k] for k in ("media_key", "id_str", "width", "height", "duration_ms", "alt_text",
                               "preview_image_url") if k in m}
    return MediaItem(provenance=ctx.provenance(path, pos), kind=MEDIA_KINDS.get(str(m.get("type")), "other"),
                     url=url, status="remote" if url else "missing", extra=extra)


def best_video(m: dict[str, Any]) -> str | None:
    """The highest-bitrate mp4 among `variants` (v2) or `video_info.variants` (v1.1)."""
    variants = dicts(m.get("variants")) or dicts(d(m.get("video_info")).get("variants"))
    mp4 = [v for v in variants if s(v.get("url")) and "mp4" in str(v.get("content_type", ""))]
    best = max(mp4, key=lambda v: metric(v.get("bitrate")) or metric(v.get("bit_rate")) or 0, default=None)
    return s(best.get("url")) if best else None


def parse_time_rfc(value: Any) -> datetime | None:
    try:
        return from_rfc3339(value) if isinstance(value, str) else None
    except TimestampError:
        return None
