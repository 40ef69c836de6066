"""X API v2 responses and twarc2 files (formats README §6): posts *about* or *at* a defender.

One file may hold a pretty-printed page, twarc2 pages (one per line), twarc2 `flatten` output
(one tweet per line, users inlined) or legacy v1.1 tweets; each line is routed by its shape.
Authors come from `includes.users` (or the inlined `author`), and every user seen becomes an
Account with the profile fields that fake-account detection needs (creation time, counts).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ijson

from himaya.errors import HimayaParseError
from himaya.ingest import x_common as xc
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import extract_hashtags, extract_mentions
from himaya.ingest.tree import ExportTree
from himaya.records import Account, AccountRef, MediaItem, Post, PostType, Record

EXTENSIONS = (".json", ".jsonl", ".ndjson")
HEAD = 16 * 1024  # enough for the first tweet's keys; claim() reads this much of every .json member
_OTHER_FORMATS = frozenset({"nav_index", "source_platform", "item_id", "schema_version"})  # Zeeschuimer, generic
_TWEET_KEYS = frozenset({"text", "author_id", "edit_history_tweet_ids", "note_tweet"})
_EXTRA_KEYS = ("public_metrics", "possibly_sensitive", "reply_settings", "edit_history_tweet_ids",
               "in_reply_to_user_id", "withheld", "geo", "source")


@dataclass
class _Seen:
    posts: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)


@dataclass
class _Lookup:
    """What a tweet refers to: a page's `includes`, or the objects a flattened tweet carries inline."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)


class XApiParser(Parser):
    """API v2 pages, twarc2 JSONL (pages or flattened) and v1.1 tweets, deduplicated by post id."""

    name = "x_api"
    label = "X API v2 JSON / twarc2 JSONL (also v1.1 tweets)"

    def claim(self, tree: ExportTree) -> list[str]:
        return [m.path for m in tree.members()
                if m.path.lower().endswith(EXTENSIONS) and looks_like_x_api(tree.head(m.path, HEAD))]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        seen = _Seen()
        for path in paths:
            with ctx.guard(path):
                for where, obj in _objects(ctx, path):
                    yield from _route(ctx, path, where, obj, seen)


def looks_like_x_api(head: bytes) -> bool:
    """Decide from the first object's keys (read by a streaming parser that tolerates a cut-off head)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith((b"{", b"[")) or not any(k in text for k in (b'"id"', b'"id_str"', b'"errors"', b'"__twarc"')):
        return False
    keys: set[str] = set()
    items: set[str] = set()
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(text), multiple_values=True):
            if event == "map_key" and prefix in ("", "item"):
                keys.add(value)
            elif event == "map_key" and prefix in ("data", "data.item", "item.data.item"):
                items.add(value)
            elif event in ("end_map", "end_array") and prefix == "":
                break
    except (ijson.common.IncompleteJSONError, UnicodeDecodeError):
        pass
    if keys & _OTHER_FORMATS:
        return False
    return bool("__twarc" in keys or ("id" in items and items & _TWEET_KEYS) or {"id_str", "user"} <= keys
                or ("id" in keys and "text" in keys and keys & _TWEET_KEYS - {"text"})
                or ("errors" in keys and b"/2/problems/" in head))


def _objects(ctx: ParseContext, path: str) -> Iterator[tuple[str, Any]]:
    """(position, object): a whole document when the file is one (pretty-printed) JSON value, else one per line."""
    first = ctx.tree.head(path, HEAD).lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
    if first in (b"{", b"[") or (first.startswith(b"[") and path.lower().endswith(".json")):
        doc = ctx.load_json(path)
        if isinstance(doc, list):
            yield from ((f"/{i}", o) for i, o in enumerate(doc))
        else:
            yield "", doc
        return
    for lineno, raw in ctx.iter_lines(path):
        line = (raw[3:] if lineno == 1 and raw.startswith(b"\xef\xbb\xbf") else raw).strip()
        if not line:
            ctx.count("blank_line")
            continue
        try:
            yield f"line {lineno}", json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            ctx.report(path, f"line {lineno}", f"invalid UTF-8 at byte {exc.start:,} of the line", code="invalid_utf8")
        except json.JSONDecodeError as exc:
            ctx.report(path, f"line {lineno}", f"invalid or truncated JSON: {exc.msg} (column {exc.colno}); "
                       "line skipped", code="invalid_json")
        except RecursionError:
            raise HimayaParseError("JSON nested too deeply", path=path, position=f"line {lineno}") from None


def _route(ctx: ParseContext, path: str, where: str, obj: Any, seen: _Seen) -> Iterator[Record]:
    if not isinstance(obj, dict):
        ctx.report(path, where, "not a JSON object: neither an API page nor a tweet", code="unknown_object")
    elif "id_str" in obj and isinstance(obj.get("user"), dict):  # v1.1 (twarc1, Academic v1.1)
        yield from _v1(ctx, path, where, obj, seen)
    elif ("data" in obj or "errors" in obj) and "text" not in obj:
        yield from _page(ctx, path, where, obj, seen)
    elif "id" in obj and ("text" in obj or "note_tweet" in obj):  # twarc2 flatten, or a bare tweet
        look = _flat_lookup(obj)
        for ref, user in _flat_users(obj):
            yield from _account(ctx, path, xc.at(where, ref), user, seen)
        yield from _tweet(ctx, path, where, obj, look, obj.get("__twarc"), seen)
    else:
        ctx.report(path, where, "not an X API page, flattened tweet or v1.1 tweet", code="unknown_object")


def _page(ctx: ParseContext, path: str, where: str, page: dict[str, Any], seen: _Seen) -> Iterator[Record]:
    """`{data, includes{users, tweets, media}, meta, errors?, __twarc?}`. `errors[]` do not fail the page."""
    errors = xc.dicts(page.get("errors"))
    data = page.get("data")
    tweets = [data] if isinstance(data, dict) else xc.ls(data)
    if errors:
        ctx.count("x_api_errors", len(errors))
        e = errors[0]
        first = f"{e.get('title', 'error')}: {e.get('detail', e.get('resource_id', ''))}"
        ctx.warn(path, xc.at(where, "/errors"), f"{len(errors)} API error(s), e.g. {first!r} (deleted or protected "
                 f"items; not a failure){'' if tweets else ': the page holds no posts and is skipped'}",
                 code="api_errors" if tweets else "error_page")
    elif not tweets:
        ctx.warn(path, where, "page holds no posts: skipped", code="empty_page")
    inc = xc.d(page.get("includes"))
    look = _Lookup(users={uid: u for u in xc.dicts(inc.get("users")) if (uid := xc.id_of(u.get("id")))},
                   tweets={tid: t for t in xc.dicts(inc.get("tweets")) if (tid := xc.id_of(t.get("id")))},
                   media={key: m for m in xc.dicts(inc.get("media")) if (key := xc.s(m.get("media_key")))})
    for j, u in enumerate(xc.dicts(inc.get("users"))):
        yield from _account(ctx, path, xc.at(where, f"/includes/users/{j}"), u, seen)
    for i, tw in enumerate(tweets):
        yield from _tweet(ctx, path, xc.at(where, "/data" if isinstance(data, dict) else f"/data/{i}"), tw, look,
                          page.get("__twarc"), seen)


def _flat_users(tw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The user objects twarc2 `flatten` inlines: author, in_reply_to_user, mentions, referenced authors."""
    yield "/author", xc.d(tw.get("author"))
    yield "/in_reply_to_user", xc.d(tw.get("in_reply_to_user"))
    for j, m in enumerate(xc.dicts(xc.d(tw.get("entities")).get("mentions"))):
        if "created_at" in m or "name" in m:  # merged with the user object, not a bare mention
            yield f"/entities/mentions/{j}", {k: v for k, v in m.items() if k not in ("start", "end")}
    for j, ref in enumerate(xc.dicts(tw.get("referenced_tweets"))):
        yield f"/referenced_tweets/{j}/author", xc.d(ref.get("author"))


def _flat_lookup(tw: dict[str, Any]) -> _Lookup:
    look = _Lookup(tweets={i: r for r in xc.dicts(tw.get("referenced_tweets")) if (i := xc.id_of(r.get("id")))},
                   media={k: m for m in xc.dicts(xc.d(tw.get("attachments")).get("media"))
                          if (k := xc.s(m.get("media_key")))})
    for _, u in _flat_users(tw):
        if (uid := xc.id_of(u.get("id"))) is not None:
            look.users.setdefault(uid, u)
    return look


def _account(ctx: ParseContext, path: str, pos: str, user: dict[str, Any], seen: _Seen) -> Iterator[Account]:
    found = xc.v2_user(user)
    if found is None or found[0].platform_id in seen.users:
        return
    seen.users.add(str(found[0].platform_id))
    yield xc.account(ctx, path, pos, *found)


def _tweet(ctx: ParseContext, path: str, pos: str, tw: Any, look: _Lookup, twarc: Any, seen: _Seen) -> Iterator[Post]:
    """An API v2 tweet object as a Post (the same from a page and from its flattened line)."""
    if not isinstance(tw, dict):
        ctx.report(path, pos, "tweet is not a JSON object", code="invalid_tweet")
        return
    tid = xc.id_of(tw.get("id"))
    if tid is None:
        ctx.report(path, pos, f"tweet has no usable id ({str(tw.get('id'))[:40]!r})", code="missing_id")
        return
    if isinstance(tw.get("id"), int):
        ctx.warn(path, xc.at(pos, "/id"), f"id {tid} is a JSON number, not a string: read as the string {tid!r}",
                 code="coerced_id")
    if tid in seen.posts:
        ctx.count("duplicate_post")
        return
    api_text = xc.s(tw.get("text")) or ""
    note = xc.d(tw.get("note_tweet"))
    text = xc.s(note.get("text")) or api_text  # long posts: `text` is cut, `note_tweet.text` is whole
    seen.posts.add(tid)
    ents = [xc.d(note.get("entities")) if note else xc.d(tw.get("entities"))]
    refs = {xc.s(r.get("type")): xc.id_of(r.get("id")) for r in reversed(xc.dicts(tw.get("referenced_tweets")))}
    post_type: PostType = "share" if refs.get("retweeted") else "reply" if refs.get("replied_to") else "post"
    forward_of: str | None = None
    extra: dict[str, Any] = {}
    if post_type == "share":
        extra["retweet_of"] = refs["retweeted"]
        orig = look.tweets.get(str(refs["retweeted"]), {})
        rt = xc.RT_PREFIX.match(api_text)
        orig_text = xc.s(xc.d(orig.get("note_tweet")).get("text")) or xc.s(orig.get("text"))
        if rt and orig_text:  # the retweet's own text is cut at 140 characters; the original is whole
            text = f"RT @{rt.group(1)}: {orig_text}"
            ents.append(xc.d(xc.d(orig.get("note_tweet")).get("entities")) or xc.d(orig.get("entities")))
        forward_of = xc.id_of(orig.get("author_id")) or (rt.group(1).lower() if rt else None)
    links = {u["url"]: xc.s(u.get("expanded_url")) or u["url"] for e in ents for u in xc.dicts(e.get("urls"))
             if xc.s(u.get("url"))}
    text = xc.expand(text, links)
    if text != api_text:
        extra["api_text"] = api_text
    extra.update({k: tw[k] for k in _EXTRA_KEYS if k in tw})
    has_ents = any(ents) or "entities" in tw
    at, raw_t, flags = xc.read_time(ctx, path, xc.at(pos, "/created_at"), tw.get("created_at"), rfc3339=True)
    author = _author(tw, look)
    twarc_meta = xc.d(twarc)
    if xc.s(twarc_meta.get("url")):
        extra["collected_from"] = twarc_meta["url"]
    yield Post(
        provenance=ctx.provenance(path, pos), platform="x", post_id=tid, post_type=post_type, author=author,
        created_at=at, created_at_raw=raw_t, text=text, language=xc.language(tw.get("lang")),
        reply_to=refs.get("replied_to"), thread_id=xc.id_of(tw.get("conversation_id")), quote_of=refs.get("quoted"),
        forward_of=forward_of,
        hashtags=xc.unique(h.get("tag") for e in ents for h in xc.dicts(e.get("hashtags"))) if has_ents
        else extract_hashtags(text),
        mentions=xc.unique((xc.s(m.get("username")) or "").lower() for e in ents for m in xc.dicts(e.get("mentions")))
        if has_ents else extract_mentions(text),
        urls=xc.unique(links.values()), media=tuple(_media(ctx, path, pos, tw, look)),
        url=xc.status_url(author.handle if author else None, tid),
        collected_at=xc.parse_time_rfc(twarc_meta.get("retrieved_at")), extra=extra,
        flags=xc.unique((*flags, *xc.ref_flags(author))))


def _author(tw: dict[str, Any], look: _Lookup) -> AccountRef | None:
    """From `includes.users` (or the inlined author); a page without includes gives only the id (edge V2)."""
    aid = xc.id_of(tw.get("author_id")) or xc.id_of(xc.d(tw.get("author")).get("id"))
    if aid is None:
        return None
    found = xc.v2_user(look.users[aid]) if aid in look.users else None
    return found[0] if found else AccountRef(platform="x", platform_id=aid)


def _media(ctx: ParseContext, path: str, pos: str, tw: dict[str, Any], look: _Lookup) -> Iterator[MediaItem]:
    for j, key in enumerate(xc.ls(xc.d(tw.get("attachments")).get("media_keys"))):
        m = look.media.get(str(key), {"media_key": key})
        url = xc.s(m.get("url")) or xc.best_video(m) or xc.s(m.get("preview_image_url"))
        yield xc.remote_media(ctx, path, xc.at(pos, f"/attachments/media_keys/{j}"), m, url)


def _v1(ctx: ParseContext, path: str, where: str, tw: dict[str, Any], seen: _Seen) -> Iterator[Record]:
    """A v1.1 tweet (edge V6): the archive's mapper, with media known only by URL."""
    found = xc.v1_user(tw["user"])
    author = found[0] if found else None
    if found and found[0].platform_id not in seen.users:
        seen.users.add(str(found[0].platform_id))
        yield xc.account(ctx, path, xc.at(where, "/user"), *found)

    def media_for(tid: str, pos: str, m: dict[str, Any]) -> MediaItem:
        url = xc.best_video(m) or xc.s(m.get("media_url_https")) or xc.s(m.get("media_url"))
        return xc.remote_media(ctx, path, pos, m, url)

    tid = xc.id_of(tw.get("id_str"))
    if tid in seen.posts:
        ctx.count("duplicate_post")
        return
    post = xc.v1_post(ctx, path, where, tw, author, media_for)
    if post is not None:
        seen.posts.add(post.post_id)
        ctx.count("x_v1_tweets")
        yield post
