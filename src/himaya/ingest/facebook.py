"""Facebook's 'Download your information' export in JSON (formats README §2).

Same dialect as Instagram (mojibake, Unix times, Messenger threads: see `meta`), different files.
Facebook names people by display name only, so every account here is an `AccountRef` with a
`display_name`; the owner also gets the username from the export's own name when it has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from himaya.errors import HimayaParseError, UnsupportedFormatError
from himaya.ingest import meta
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import unsafe_flags
from himaya.ingest.tree import ExportTree
from himaya.records import AccountRef, Follow, MediaItem, Post, Record

_SUFFIX = r"(?:[._-].*)?"
# kind → (file-name pattern, wrapper keys that prove the shape; None: a bare array)
_FILES: dict[str, tuple[re.Pattern[str], tuple[str, ...] | None]] = {
    "profile": (re.compile(r"profile_information" + _SUFFIX), ("profile_v2",)),
    "comments": (re.compile(r"(comments|your_comments_in_groups)" + _SUFFIX), ("comments_v2", "group_comments_v2")),
    "posts": (re.compile(r"your_posts(_\d+|__check_ins__photos_and_videos_\d+)" + _SUFFIX), None),
    "group_posts": (re.compile(r"group_posts_and_comments" + _SUFFIX), ("group_posts_v2",)),
    "following": (re.compile(r"who_you(?:'|_)ve_followed" + _SUFFIX), ("following_v3", "following_v2")),
    "messages": (re.compile(r"message_\d+" + _SUFFIX), ()),
}
_HTML = re.compile(r"(your_posts.*|comments|who_you(?:'|_)ve_followed|profile_information|message_\d+)")
_WRAPPER = re.compile(r'^\{\s*"([A-Za-z0-9_]+)"\s*:')
# The only place a comment's target is named is an English sentence; other languages keep it in `title`.
_TARGET = re.compile(r".+? (commented on|replied to) (.+?)'s? (post|comment|photo|video|reel|link|status|album)\b.*",
                     re.S)


def kind_of(tree: ExportTree, path: str, platform: str | None = "facebook") -> str | None:
    base = path.rsplit("/", 1)[-1]
    stem, _, ext = base.rpartition(".")
    if ext.lower() in ("html", "htm"):
        mine = platform == "facebook" or (platform is None and "facebook.com" in meta.head(tree, path).lower())
        return "html" if mine and _HTML.fullmatch(stem) else None
    if ext.lower() != "json":
        return None
    kind = next((k for k, (r, _) in _FILES.items() if r.fullmatch(stem)), None)
    if kind is None or (kind == "messages" and platform == "instagram"):
        return None
    text = meta.head(tree, path)
    keys = _FILES[kind][1]
    if keys is None:
        return kind if text.startswith("[") else None
    if not keys:  # a Messenger thread
        return kind if '"participants"' in text or '"messages"' in text else None
    m = _WRAPPER.match(text)
    return kind if m and m.group(1) in keys else None


class FacebookParser(Parser):
    """The owner's posts, comments, group posts, Messenger threads and who they follow."""

    name = "facebook"
    label = "Facebook 'Download your information' JSON export"
    platform: ClassVar[str] = "facebook"

    def claim(self, tree: ExportTree) -> list[str]:
        default = meta.tree_platform(tree)
        kinds = {m.path: kind_of(tree, m.path, meta.platform_of(m.path, default)) for m in tree.members()}
        found = [p for p, k in kinds.items() if k]
        if found and all(kinds[p] == "html" for p in found):
            raise UnsupportedFormatError(f"{tree.name}: this is a Facebook {meta.HTML_ADVICE}")
        return found

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        order = [*_FILES, "html"]
        kinds = sorted((order.index(k), p, k) for p in paths if (k := kind_of(tree, p, "facebook")))
        owner = _owner(ctx, [(p, k) for _, p, k in kinds])
        for _, path, kind in kinds:
            with ctx.guard(path):
                if kind == "html":
                    raise HimayaParseError(f"this file is from a Facebook {meta.HTML_ADVICE}", path=path)
                if kind == "comments":
                    yield from _comments(ctx, path, owner)
                elif kind in ("posts", "group_posts"):
                    yield from _posts(ctx, path, owner, group=kind == "group_posts")
                elif kind == "following":
                    yield from _following(ctx, path, owner)
                elif kind == "messages":
                    yield from meta.parse_thread(ctx, path, "facebook", owner)


def _owner(ctx: ParseContext, files: list[tuple[str, str]]) -> AccountRef | None:
    """The owner's name from profile_information.json, else from the first comment they wrote."""
    name: str | None = None
    for path, kind in files:
        try:
            if kind == "profile":
                with ctx.guard(path):
                    data = meta.repair_deep(ctx.load_json(path))[0]
                    prof = data.get("profile_v2") if isinstance(data, dict) else None
                    full = prof.get("name") if isinstance(prof, dict) else None
                    name = meta.as_str(full.get("full_name")) if isinstance(full, dict) else None
            elif kind == "comments":
                for _, item in meta.iter_json(ctx, path, f"{_wrapper(ctx, path)}.item"):
                    name = meta.as_str(meta.repair_deep(_comment_of(item))[0].get("author"))
                    break
        except HimayaParseError:  # the main pass reports unreadable files
            continue
        if name:
            break
    # Display name only, even where the export's name gives the username: others' exports (their
    # Messenger threads, comments) name this person by display name, and the key must match theirs.
    return AccountRef(platform="facebook", display_name=name) if name else None


def _wrapper(ctx: ParseContext, path: str) -> str:
    m = _WRAPPER.match(meta.head(ctx.tree, path))
    if m is None:
        raise HimayaParseError("not a JSON object with a single list inside", path=path)
    return m.group(1)


def _comment_of(item: Any) -> dict[str, Any]:
    for d in item.get("data") or [] if isinstance(item, dict) else []:
        if isinstance(d, dict) and isinstance(d.get("comment"), dict):
            comment: dict[str, Any] = d["comment"]
            return comment
    return {}


def _person(name: str | None, owner: AccountRef | None) -> AccountRef | None:
    if not name:
        return None
    if owner is not None and name == owner.display_name:
        return owner
    return AccountRef(platform="facebook", display_name=name)


def _attachments(ctx: ParseContext, path: str, pos: str, item: dict[str, Any],
                 extra: dict[str, Any]) -> tuple[list[MediaItem], list[str]]:
    """Media files, links, places and life events attached to a post or comment."""
    media: list[MediaItem] = []
    urls: list[str] = []
    for a, att in enumerate(item.get("attachments") or []):
        for d, data in enumerate(att.get("data") or [] if isinstance(att, dict) else []):
            where = f"{pos}/attachments/{a}/data/{d}"
            if not isinstance(data, dict):
                continue
            if isinstance(data.get("media"), dict):
                m = data["media"]
                uri = meta.as_str(m.get("uri"))
                media.append(ctx.media(uri, kind=meta.media_kind(uri or "", "image"), position=f"{where}/media",
                                       source_path=path))
                extra.setdefault("media_text", []).append({k: m[k] for k in ("title", "description") if k in m})
            if isinstance(data.get("external_context"), dict):
                ext = data["external_context"]
                urls += [ext["url"]] if isinstance(ext.get("url"), str) else []
                extra.setdefault("links", []).append(ext)
            for key in ("place", "life_event"):
                if key in data:
                    extra[key] = data[key]
    return media, urls


def _comments(ctx: ParseContext, path: str, owner: AccountRef | None) -> Iterator[Post]:
    """comments_v2 (and group_comments_v2): comments the owner wrote, never those written to them."""
    key = _wrapper(ctx, path)
    for i, raw in meta.iter_json(ctx, path, f"{key}.item"):
        pos = f"/{key}/{i}"
        item, ok = meta.repair_deep(raw)
        comment = _comment_of(item)
        if not comment:
            ctx.report(path, pos, "entry holds no data[].comment", code="invalid_comment")
            continue
        text = meta.as_str(comment.get("comment")) or ""
        title = meta.as_str(item.get("title"))
        stamp = item.get("timestamp", comment.get("timestamp"))
        at, raw_t, tflags = meta.unix_time(ctx, path, f"{pos}/timestamp", stamp)
        author = _person(meta.as_str(comment.get("author")), owner)
        extra: dict[str, Any] = {"title": title, **({"group": item["group"]} if "group" in item else {})}
        target = _TARGET.fullmatch(title or "")
        if target:
            extra["target_name"] = target.group(2)
        media, urls = _attachments(ctx, path, pos, item, extra)
        yield Post(provenance=ctx.provenance(path, pos), platform="facebook",
                   post_type="reply" if target and target.group(1) == "replied to" else "comment",
                   post_id=meta.synthetic_id("comment", stamp, meta.as_str(comment.get("author")), text,
                                             *meta.media_names(media)),
                   author=author, created_at=at, created_at_raw=raw_t, text=text, media=tuple(media),
                   extra=extra, **meta.text_fields(text, *urls),
                   flags=(*tflags, *unsafe_flags(author.display_name if author else None),
                          *(() if ok else (meta.MOJIBAKE_FLAG,))))


def _posts(ctx: ParseContext, path: str, owner: AccountRef | None, *, group: bool) -> Iterator[Post]:
    """your_posts…_1.json (a bare array) and group_posts_v2: text in data[].post, media in attachments."""
    prefix, base = ("group_posts_v2.item", "/group_posts_v2") if group else ("item", "")
    for i, raw in meta.iter_json(ctx, path, prefix):
        pos = f"{base}/{i}"
        item, ok = meta.repair_deep(raw)
        if not isinstance(item, dict):
            ctx.report(path, pos, "post is not a JSON object", code="invalid_post")
            continue
        data = [d for d in item.get("data") or [] if isinstance(d, dict)]
        text = "\n".join(d["post"] for d in data if isinstance(d.get("post"), str))
        extra: dict[str, Any] = {"title": meta.as_str(item.get("title"))}
        extra.update({k: d[k] for d in data for k in ("update_timestamp", "backdated_timestamp") if k in d})
        if group:
            extra["group"] = True
        stamp = item.get("timestamp")
        at, raw_t, tflags = meta.unix_time(ctx, path, f"{pos}/timestamp", stamp)
        media, urls = _attachments(ctx, path, pos, item, extra)
        yield Post(provenance=ctx.provenance(path, pos), platform="facebook", post_type="post",
                   post_id=meta.synthetic_id("post", stamp, text, *meta.media_names(media)),
                   author=owner, created_at=at, created_at_raw=raw_t, text=text, media=tuple(media),
                   extra=extra, **meta.text_fields(text, *urls),
                   flags=(*tflags, *(() if ok else (meta.MOJIBAKE_FLAG,))))


def _following(ctx: ParseContext, path: str, owner: AccountRef | None) -> Iterator[Follow]:
    """who_you've_followed.json: `following_v3[] {name, timestamp}`, display names only."""
    key = _wrapper(ctx, path)
    me = owner or AccountRef(platform="facebook")
    if owner is None:
        ctx.warn(path, "", "export owner unknown: follows are attached to an unnamed account", code="owner_unknown")
    seen: set[tuple[str, str | None]] = set()
    for i, raw in meta.iter_json(ctx, path, f"{key}.item"):
        pos = f"/{key}/{i}"
        item, ok = meta.repair_deep(raw)
        name = meta.as_str(item.get("name")) if isinstance(item, dict) else None
        if not name:
            ctx.report(path, pos, "entry names no account", code="empty_entry")
            continue
        at, raw_t, tflags = meta.unix_time(ctx, path, f"{pos}/timestamp", item.get("timestamp"))
        if (name, raw_t) in seen:
            ctx.count("duplicate_follow")
            continue
        seen.add((name, raw_t))
        yield Follow(provenance=ctx.provenance(path, pos), platform="facebook", follower=me,
                     followed=AccountRef(platform="facebook", display_name=name), followed_at=at,
                     followed_at_raw=raw_t, relation="following",
                     flags=(*tflags, *unsafe_flags(name), *(() if ok else (meta.MOJIBAKE_FLAG,))))
