"""Instagram's 'Download your information' export in JSON (formats README §1).

Files move between export layouts (2021–2023 at the root, 2024+ under `connections/` and
`your_instagram_activity/`), so files are recognised by name and shape, never by full path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from himaya.errors import HimayaParseError, UnsupportedFormatError
from himaya.ingest import meta
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import (
    clean_handle,
    for_display,
    repair_mojibake,
    unsafe_flags,
    valid_instagram_handle,
)
from himaya.ingest.timeparse import EARLIEST
from himaya.ingest.tree import ExportTree
from himaya.records import Account, AccountRef, Follow, Post, Provenance, Record

Relation = Literal["follower", "following", "follow_request", "unfollowed", "blocked"]
# Wrapper key → (relation, whether the listed account follows the owner rather than the reverse).
RELATIONS: dict[str, tuple[Relation, bool]] = {
    "relationships_followers": ("follower", True),
    "relationships_following": ("following", False),
    "relationships_follow_requests_received": ("follow_request", True),
    "relationships_follow_requests_sent": ("follow_request", False),
    "relationships_unfollowed_users": ("unfollowed", False),
    "relationships_blocked_users": ("blocked", False),
}
_SUFFIX = r"(?:_\d+)?(?:[._-].*)?"  # followers_1.json, and renamed copies such as followers_1_edge.json
_NAMES = {
    "relation": re.compile(r"(followers|following|follow_requests_you(?:'|_)ve_received|pending_follow_requests"
                           r"|recently_unfollowed_(?:accounts|profiles)|blocked_(?:profiles|accounts))" + _SUFFIX),
    "comments": re.compile(r"(post_comments|reels_comments)" + _SUFFIX),
    "posts": re.compile(r"posts" + _SUFFIX),
    "messages": re.compile(r"message_\d+(?:[._-].*)?"),
    "profile": re.compile(r"personal_information" + _SUFFIX),
}
_SHAPES = {"comments": ("string_map_data", "string_list_data", "comments_"), "posts": ('"creation_timestamp"',),
           "messages": ('"participants"', '"messages"'), "profile": ('"profile_user"',)}
_ORDER = ("profile", "relation", "posts", "comments", "messages", "html")
_WRAPPER = re.compile(r'^\{\s*"([A-Za-z_]+)"\s*:')
_EXPORT_NAME = re.compile(r"instagram-([a-z0-9._]{1,30})-\d{4}-\d{2}-\d{2}-\w+(?:\.zip)?")
_PROFILE_KEYS = {"Username": "username", "Name": "name", "Bio": "bio", "Email": "email", "Phone Number": "phone",
                 "Website": "website", "Gender": "gender", "Date of birth": "date_of_birth",
                 "Private Account": "private_account"}


def _stem(path: str, ext: str) -> str | None:
    base = path.rsplit("/", 1)[-1]
    return base[: -len(ext)] if base.lower().endswith(ext) else None


def kind_of(tree: ExportTree, path: str, platform: str | None = "instagram") -> str | None:
    """What an Instagram member holds ('relation', 'posts', …, 'html'), from its name and first bytes."""
    for ext in (".html", ".htm"):
        stem = _stem(path, ext)
        if stem is not None and platform != "facebook" and any(r.fullmatch(stem) for r in _NAMES.values()):
            # an export page by name, and Instagram's by its folders or its links: not any saved web page
            return "html" if platform == "instagram" or "instagram.com" in meta.head(tree, path).lower() else None
    stem = _stem(path, ".json")
    kind = next((k for k, r in _NAMES.items() if stem is not None and r.fullmatch(stem)), None)
    if kind is None or (kind == "messages" and platform == "facebook"):
        return None
    text = meta.head(tree, path)
    if kind == "relation":
        wrapper = _WRAPPER.match(text)
        ok = (text.startswith("[") and stem is not None and stem.startswith("followers")) or (
            wrapper is not None and wrapper.group(1) in RELATIONS)
        return kind if ok else None
    return kind if any(s in text for s in _SHAPES[kind]) or text.startswith("[]") else None


def _layout(ctx: ParseContext, path: str) -> tuple[str, str, str]:
    """(ijson prefix of the item array, JSON pointer of that array, wrapper key or '')."""
    m = _WRAPPER.match(meta.head(ctx.tree, path))
    if m is None:
        return "item", "", ""
    return f"{m.group(1)}.item", f"/{m.group(1)}", m.group(1)


def _handle_from(entry: dict[str, Any], title: Any) -> str | None:
    """Username by the README's order: `value`, then `title`, then the last segment of `href`."""
    for raw in (entry.get("value"), title):
        if isinstance(raw, str) and raw:
            return clean_handle(repair_mojibake(raw)[0])
    href = entry.get("href")
    if isinstance(href, str) and href:
        parts = [p for p in urlsplit(href).path.split("/") if p and p != "_u"]
        return clean_handle(repair_mojibake(parts[-1])[0]) if parts else None
    return None


class InstagramParser(Parser):
    """Followers, following, posts, the owner's own comments and DMs (including message requests).

    The export holds what the owner did: comments that others left on the owner's posts are not in it.
    """

    name = "instagram"
    label = "Instagram 'Download your information' JSON export"
    platform: ClassVar[str] = "instagram"

    def claim(self, tree: ExportTree) -> list[str]:
        default = meta.tree_platform(tree)
        kinds = {m.path: kind_of(tree, m.path, meta.platform_of(m.path, default)) for m in tree.members()}
        found = [p for p, k in kinds.items() if k]
        if found and all(kinds[p] == "html" for p in found):
            raise UnsupportedFormatError(f"{tree.name}: this is an Instagram {meta.HTML_ADVICE}")
        return found

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        kinds = sorted((_ORDER.index(k), p, k) for p in paths if (k := kind_of(tree, p, None)))
        owner, account = self._owner(ctx, [p for _, p, k in kinds if k == "profile"], paths)
        if account:
            yield account
        seen: dict[str, set[int]] = {}
        warned = False
        for _, path, kind in kinds:
            with ctx.guard(path):
                if kind == "html":
                    raise HimayaParseError(f"this file is from an Instagram {meta.HTML_ADVICE}", path=path)
                if kind == "relation":
                    if owner.handle is None and not warned:
                        warned = True
                        ctx.warn(path, "", "export owner unknown (no personal_information.json): "
                                 "follows are attached to an unnamed account", code="owner_unknown")
                    yield from _relations(ctx, path, owner, seen)
                elif kind == "posts":
                    yield from _posts(ctx, path, owner)
                elif kind == "comments":
                    yield from _comments(ctx, path, owner)
                elif kind == "messages":
                    yield from meta.parse_thread(ctx, path, "instagram", owner if owner.handle else None)

    def _owner(self, ctx: ParseContext, profiles: list[str], paths: list[str]) -> tuple[AccountRef, Account | None]:
        """The owner from personal_information.json, else from the export's own name `instagram-<user>-…`."""
        for path in profiles:
            with ctx.guard(path):
                data, ok = meta.repair_deep(ctx.load_json(path))
                users = data.get("profile_user") if isinstance(data, dict) else None
                smd = users[0].get("string_map_data") if isinstance(users, list) and users and isinstance(
                    users[0], dict) else None
                if not isinstance(smd, dict):
                    raise HimayaParseError("no profile_user[0].string_map_data", path=path)
                profile = {_PROFILE_KEYS.get(k, k): v.get("value") for k, v in smd.items()
                           if isinstance(v, dict) and v.get("value") not in (None, "")}
                handle = clean_handle(str(profile.get("username", "")))
                if not valid_instagram_handle(handle):
                    raise HimayaParseError(f"no valid Username in the profile (labels: {', '.join(smd)})", path=path)
                name = meta.as_str(profile.get("name"))
                ref = AccountRef(platform="instagram", handle=handle, display_name=name)
                flags = (*unsafe_flags(name), *(() if ok else (meta.MOJIBAKE_FLAG,)))
                return ref, Account(provenance=ctx.provenance(path, "/profile_user/0"), ref=ref, profile=profile,
                                    flags=flags)
        for candidate in [ctx.tree.name, *(p.split("/", 1)[0] for p in paths[:1])]:
            m = _EXPORT_NAME.fullmatch(candidate)
            if m:
                ctx.note(f"Instagram owner {m.group(1)!r} taken from the export's name (no personal_information.json)")
                return AccountRef(platform="instagram", handle=m.group(1)), None
        return AccountRef(platform="instagram"), None


def _relations(ctx: ParseContext, path: str, owner: AccountRef, seen: dict[str, set[int]]) -> Iterator[Follow]:
    """followers_N.json and its siblings, streamed: a followers file can list a million accounts.

    Per-entry work is kept light: models are built through their pydantic validators directly
    (fully validated, minus the `__init__` wrapper), and the common entry takes a fast path.
    """
    prefix, base, key = _layout(ctx, path)
    relation, inbound = RELATIONS.get(key, RELATIONS["relationships_followers"])
    done = seen.setdefault(relation, set())
    lo, hi = int(EARLIEST.timestamp()), int(time.time()) + 86400
    sha, archive = ctx.tree.sha256(path), ctx.tree.archive_sha256
    new_prov, new_ref = Provenance.__pydantic_validator__.validate_python, AccountRef.__pydantic_validator__.validate_python
    new_follow = Follow.__pydantic_validator__.validate_python
    for i, item in meta.iter_json(ctx, path, prefix):
        entries = item.get("string_list_data") if isinstance(item, dict) else None
        if not isinstance(entries, list) or not entries:
            ctx.report(path, f"{base}/{i}", "entry names no account (empty or missing string_list_data)",
                       code="empty_entry")
            continue
        for j, e in enumerate(entries):
            pos = f"{base}/{i}/string_list_data/{j}"
            value = e.get("value") if isinstance(e, dict) else None
            handle = value.lower() if type(value) is str and value.isascii() else None
            if handle is None or not valid_instagram_handle(handle):
                handle = _handle_from(e, item.get("title")) if isinstance(e, dict) else None
                if not handle:
                    ctx.report(path, pos, "entry names no account (no value, title or href)", code="empty_entry")
                    continue
                if not valid_instagram_handle(handle):
                    shown = for_display(handle)
                    why = f"{len(handle)} characters, limit 30" if len(handle) > 30 else "allowed: a-z 0-9 . _"
                    ctx.report(path, pos, f"invalid Instagram username {shown[:40]!r} ({why}): entry quarantined",
                               code="invalid_handle")
                    continue
            ts = e.get("timestamp")
            at: datetime | None
            raw: str | None
            flags: tuple[str, ...]
            if type(ts) is int and lo <= ts <= hi:
                at, raw, flags = datetime.fromtimestamp(ts, UTC), str(ts), ()
            else:
                at, raw, flags = meta.unix_time(ctx, path, f"{pos}/timestamp", ts)
            mark = hash((handle, raw))  # E1: an exact duplicate is counted, not emitted twice
            if mark in done:
                ctx.count("duplicate_follow")
                continue
            done.add(mark)
            other = new_ref({"platform": "instagram", "handle": handle})
            yield new_follow({"provenance": new_prov({"source_sha256": sha, "path": path, "position": pos,
                                                      "archive_sha256": archive}),
                              "flags": flags, "platform": "instagram", "follower": other if inbound else owner,
                              "followed": owner if inbound else other, "followed_at": at, "followed_at_raw": raw,
                              "relation": relation})


def _posts(ctx: ParseContext, path: str, owner: AccountRef) -> Iterator[Post]:
    """posts_N.json: a single-media post keeps its caption in media[0].title, a carousel at the top."""
    for i, raw in meta.iter_json(ctx, path, "item"):
        item, ok = meta.repair_deep(raw)
        files = [m for m in item.get("media") or [] if isinstance(m, dict)] if isinstance(item, dict) else []
        if not files and not (isinstance(item, dict) and "title" in item):
            ctx.report(path, f"/{i}", "post has neither media nor a caption", code="invalid_post")
            continue
        caption = meta.as_str(item.get("title") if "title" in item else files[0].get("title")) or ""
        stamp = item.get("creation_timestamp", files[0].get("creation_timestamp") if files else None)
        at, raw_t, tflags = meta.unix_time(ctx, path, f"/{i}/creation_timestamp", stamp)
        media = [ctx.media(meta.as_str(m.get("uri")), kind=meta.media_kind(str(m.get("uri")), "image"),
                           position=f"/{i}/media/{j}", source_path=path) for j, m in enumerate(files)]
        yield Post(provenance=ctx.provenance(path, f"/{i}"), platform="instagram", post_type="post",
                   post_id=meta.synthetic_id("post", stamp, *(meta.media_names(media) or [caption])),
                   author=owner if owner.handle else None, created_at=at, created_at_raw=raw_t, text=caption,
                   media=tuple(media), flags=(*tflags, *(() if ok else (meta.MOJIBAKE_FLAG,))),
                   **meta.text_fields(caption))


def _comments(ctx: ParseContext, path: str, owner: AccountRef) -> Iterator[Post]:
    """Comments the owner wrote: `string_map_data` with localised labels, or the 2022 `string_list_data`."""
    prefix, base, key = _layout(ctx, path)
    unknown: dict[str, None] = {}
    failed: list[str] = []
    for i, raw in meta.iter_json(ctx, path, prefix):
        item, ok = meta.repair_deep(raw)
        if not isinstance(item, dict):
            ctx.report(path, f"{base}/{i}", "comment is not a JSON object", code="invalid_comment")
            continue
        rows: list[tuple[str, str, Any, str | None]] = []
        if isinstance(item.get("string_map_data"), dict):
            found = meta.comment_fields(item["string_map_data"])
            if found is None or found.by_shape:
                unknown.update(dict.fromkeys(item["string_map_data"]))
            if found is None:
                failed.append(f"{base}/{i}")
                continue
            rows.append((f"{base}/{i}", found.text, found.timestamp, found.owner))
        for j, e in enumerate(item.get("string_list_data") or []):  # 2022: title = media owner
            if isinstance(e, dict) and isinstance(e.get("value"), str):
                rows.append((f"{base}/{i}/string_list_data/{j}", e["value"], e.get("timestamp"),
                             meta.as_str(item.get("title"))))
        if not rows:
            ctx.report(path, f"{base}/{i}", "entry holds no comment text", code="invalid_comment")
        for pos, text, stamp, media_owner in rows:
            at, raw_t, tflags = meta.unix_time(ctx, path, pos, stamp)
            yield Post(provenance=ctx.provenance(path, pos), platform="instagram", post_type="comment",
                       post_id=meta.synthetic_id("comment", stamp, media_owner, text),
                       author=owner if owner.handle else None, created_at=at, created_at_raw=raw_t, text=text,
                       flags=(*tflags, *(() if ok else (meta.MOJIBAKE_FLAG,))), **meta.text_fields(text),
                       extra={"media_owner": media_owner, "on": "reel" if "reels" in key else "post"})
    labels = ", ".join(unknown)
    if failed:
        raise HimayaParseError(f"unknown labels: {labels}; {len(failed)} comment(s) could not be read "
                               f"(first at {failed[0]}); known: {', '.join(n for ns in meta.COMMENT_LABELS.values() for n in ns)}",
                               path=path)
    if unknown:
        ctx.warn(path, "", f"unknown labels: {labels}; comments read by shape", code="unknown_labels")
