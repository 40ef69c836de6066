"""X's 'Download an archive of your data' (formats README §5): the owner's posts, followers, DMs.

Files are recognised by their assignment (`window.YTD.tweets.part1 = …`), not by name or folder,
so the 2019–2022 `tweet.js`, the pre-2020 root-level layout and a single file given alone all
work. The archive holds what the owner did and received in DMs; it never holds other people's
posts that mention the owner, and followers come as bare account ids with no handle or time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from himaya.ingest import x_common as xc
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import extract_hashtags, extract_mentions
from himaya.ingest.tree import ExportTree
from himaya.ingest.x_archive_dm import parse_dms
from himaya.ingest.x_ytd import YtdFile, iter_items, ytd_head
from himaya.records import Account, AccountRef, Follow, MediaItem, Post, Record

# Data types read, in the order they are read (the owner first; notes before the tweets they complete).
ORDER = ("manifest", "account", "note_tweet", "tweet", "tweets", "follower", "following",
         "direct_messages", "direct_messages_group")
# manifest.js dataTypes key → assignment name.
MANIFEST_TYPES = {"account": "account", "noteTweet": "note_tweet", "tweet": "tweet", "tweets": "tweets",
                  "follower": "follower", "following": "following", "directMessages": "direct_messages",
                  "directMessagesGroup": "direct_messages_group"}


@dataclass
class _Note:
    note_id: str
    text: str
    path: str
    pos: str
    created_raw: str
    urls: tuple[str, ...]


@dataclass
class _Archive:
    owner: AccountRef = field(default_factory=lambda: AccountRef(platform="x"))
    media_dirs: dict[str, str] = field(default_factory=dict)  # assignment name → media folder (from the manifest)
    promised: dict[str, int] = field(default_factory=dict)  # member path → item count the manifest promises
    held: dict[str, int] = field(default_factory=dict)  # member path → items the file held
    notes: dict[datetime, list[_Note]] = field(default_factory=dict)
    tweet_ids: set[str] = field(default_factory=set)


class XArchiveParser(Parser):
    """The owner's tweets (with note-tweets joined), followers, following, DMs and account."""

    name = "x_archive"
    label = "X/Twitter account archive (data/*.js)"

    def claim(self, tree: ExportTree) -> list[str]:
        return [f.path for m in tree.members() if (f := ytd_head(tree, m.path)) and f.name in ORDER]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        files = sorted((f for p in paths if (f := ytd_head(tree, p))),
                       key=lambda f: (ORDER.index(f.name) if f.name in ORDER else len(ORDER), f.part, f.path))
        arc = _Archive()
        owner_account: Account | None = None
        for f in files:
            if f.name == "manifest":
                with ctx.guard(f.path):
                    owner_account = _manifest(ctx, f.path, arc) or owner_account
            elif f.name == "account":
                with ctx.guard(f.path):
                    owner_account = _account(ctx, f.path, arc) or owner_account
        if owner_account:
            yield owner_account
        else:
            ctx.note("X archive owner unknown (no account.js or manifest.js): the owner's posts have no author")
        warned = False
        for f in files:
            if f.name in ("manifest", "account"):
                continue
            with ctx.guard(f.path):
                for rec in _read(ctx, f, arc):
                    if isinstance(rec, Follow) and arc.owner.platform_id is None and not warned:
                        warned = True
                        ctx.warn(f.path, "", "archive owner unknown (no account.js or manifest.js): follows are "
                                 "attached to an unnamed account", code="owner_unknown")
                    yield rec
                _check_count(ctx, f.path, arc)
        yield from _unjoined_notes(ctx, arc)


def _read(ctx: ParseContext, f: YtdFile, arc: _Archive) -> Iterator[Record]:
    if f.name == "note_tweet":
        _notes(ctx, f.path, arc)
    elif f.name in ("tweet", "tweets"):
        yield from _tweets(ctx, f.path, arc)
    elif f.name in ("follower", "following"):
        yield from _follows(ctx, f.path, f.name, arc)
    elif f.name in ("direct_messages", "direct_messages_group"):
        yield from parse_dms(ctx, f.path, arc.owner, arc.media_dirs.get(f.name), arc.held,
                             group=f.name.endswith("group"))


def _check_count(ctx: ParseContext, path: str, arc: _Archive) -> None:
    want, n = arc.promised.get(path), arc.held.get(path, 0)
    if want is not None and want != n:
        ctx.warn(path, "", f"manifest.js promises {want} item(s), the file holds {n}", code="count_mismatch")


def _owner_ref(account_id: Any, username: Any, display: Any) -> AccountRef | None:
    uid = xc.id_of(account_id)
    if uid is None:
        return None
    return AccountRef(platform="x", platform_id=uid, handle=xc.s(username), display_name=xc.s(display))


def _manifest(ctx: ParseContext, path: str, arc: _Archive) -> Account | None:
    """manifest.js: the owner (userInfo) and the index of data files, their counts and media folders."""
    data = next((obj for _, obj in iter_items(ctx, path, "")), None)
    man = xc.d(data)
    folder = xc.folder_of(path)
    root = xc.folder_of(folder) if PurePosixPath(folder).name == "data" else folder
    for key, entry in xc.d(man.get("dataTypes")).items():
        name = MANIFEST_TYPES.get(key)
        if name is None or not isinstance(entry, dict):
            continue
        if xc.s(entry.get("mediaDirectory")):
            arc.media_dirs[name] = str(PurePosixPath(root, entry["mediaDirectory"]))
        for j, fe in enumerate(xc.dicts(entry.get("files"))):
            fname = xc.s(fe.get("fileName"))
            member = ctx.tree.resolve(fname, root) if fname else None
            if member is None:
                ctx.warn(path, f"/dataTypes/{key}/files/{j}", f"manifest lists {fname!r}, which is not in the "
                         "archive (partial or damaged download?)", code="missing_file")
            elif (count := xc.metric(fe.get("count"))) is not None:
                arc.promised[member] = count
    info = xc.d(man.get("userInfo"))
    ref = _owner_ref(info.get("accountId"), info.get("userName"), info.get("displayName"))
    if ref is None:
        return None
    arc.owner = ref
    profile = {"username": ref.handle, "display_name": ref.display_name,
               **{k: v for k, v in xc.d(man.get("archiveInfo")).items() if k in ("generationDate", "isPartialArchive")}}
    return xc.account(ctx, path, "/userInfo", ref, profile)


def _account(ctx: ParseContext, path: str, arc: _Archive) -> Account | None:
    """account.js: `account{accountId, username, accountDisplayName, email, createdAt, createdVia}`."""
    for i, item in iter_items(ctx, path):
        acc = xc.d(xc.d(item).get("account"))
        ref = _owner_ref(acc.get("accountId"), acc.get("username"), acc.get("accountDisplayName"))
        if ref is None:
            ctx.report(path, f"/{i}/account", "account entry has no accountId", code="invalid_account")
            continue
        arc.owner = ref
        profile = {"username": ref.handle, "display_name": ref.display_name, "email": acc.get("email"),
                   "created_at": acc.get("createdAt"), "created_via": acc.get("createdVia")}
        return xc.account(ctx, path, f"/{i}/account", ref, {k: v for k, v in profile.items() if v is not None})
    return None


def _media(ctx: ParseContext, path: str, arc: _Archive) -> xc.MediaFor:
    """Local copies live at `<media folder>/<tweet id>-<file name>`; the folder moved over the years."""
    folder = xc.folder_of(path)
    dirs = [x for x in (arc.media_dirs.get("tweets"), arc.media_dirs.get("tweet")) if x]
    dirs += [str(PurePosixPath(folder, d)) for d in ("tweets_media", "tweet_media")]

    def media_for(tid: str, pos: str, m: dict[str, Any]) -> MediaItem:
        urls = [xc.best_video(m), xc.s(m.get("media_url_https")) or xc.s(m.get("media_url"))]
        names = [u.split("?", 1)[0].rsplit("/", 1)[-1] for u in urls if u]
        refs = [f"{d}/{tid}-{n}" for n in names for d in dirs]
        ref = next((r for r in refs if ctx.tree.resolve(r)), refs[0] if refs else None)
        item = ctx.media(ref, kind=xc.MEDIA_KINDS.get(str(m.get("type")), "other"), position=pos,
                         url=urls[1] or urls[0], source_path=path)
        return item.model_copy(update={"extra": {"media_id": xc.id_of(m.get("id_str")),
                                                 "expanded_url": m.get("expanded_url")}})
    return media_for


def _tweets(ctx: ParseContext, path: str, arc: _Archive) -> Iterator[Post]:
    """tweets.js / tweets-partN.js items `{"tweet": {...}}`, or the older unwrapped `tweet.js` items."""
    media_for = _media(ctx, path, arc)
    author = arc.owner if arc.owner.platform_id else None
    for n, item in iter_items(ctx, path):
        arc.held[path] = n + 1
        wrapped = isinstance(item, dict) and isinstance(item.get("tweet"), dict)
        tw, pos = (item["tweet"], f"/{n}/tweet") if wrapped else (item, f"/{n}")
        if not isinstance(tw, dict):
            ctx.report(path, pos, "tweet is not a JSON object", code="invalid_tweet")
            continue
        post = xc.v1_post(ctx, path, pos, tw, author, media_for)
        if post is not None and post.post_id in arc.tweet_ids:
            ctx.count("duplicate_post")
        elif post is not None:
            arc.tweet_ids.add(post.post_id)
            yield _join_note(arc, post)


def _join_note(arc: _Archive, post: Post) -> Post:
    """A post over 280 characters is cut in tweets.js; note-tweet.js has its text, joined by creation time."""
    found = arc.notes.get(post.created_at) if post.created_at else None
    if not found:
        return post
    note = found.pop(0)
    text = note.text
    return post.model_copy(update={
        "text": text, "hashtags": xc.unique((*post.hashtags, *extract_hashtags(text))),
        "mentions": xc.unique((*post.mentions, *extract_mentions(text))), "urls": xc.unique((*post.urls, *note.urls)),
        "extra": {**post.extra, "note_tweet_id": note.note_id, "truncated_text": post.text}})


def _notes(ctx: ParseContext, path: str, arc: _Archive) -> None:
    """note-tweet.js: `noteTweet{noteTweetId, createdAt, core{text}}` (or `noteTweetResults.text`); no tweet id."""
    for n, item in iter_items(ctx, path):
        arc.held[path] = n + 1
        note = xc.d(xc.d(item).get("noteTweet"))
        core = xc.d(note.get("core"))
        text = xc.s(core.get("text")) or xc.s(xc.d(note.get("noteTweetResults")).get("text"))
        at = xc.parse_time_rfc(note.get("createdAt"))
        note_id = xc.id_of(note.get("noteTweetId"))
        if not (text and note_id and at):
            ctx.report(path, f"/{n}/noteTweet", "note-tweet lacks noteTweetId, text or a valid createdAt",
                       code="invalid_note")
            continue
        urls = xc.unique(xc.s(u.get("expandedUrl")) or xc.s(u.get("expanded_url")) for u in xc.dicts(core.get("urls")))
        arc.notes.setdefault(at, []).append(_Note(note_id, text, path, f"/{n}/noteTweet", str(note["createdAt"]), urls))


def _unjoined_notes(ctx: ParseContext, arc: _Archive) -> Iterator[Post]:
    """A note whose tweet is not in the archive is still the owner's text: kept as its own post."""
    author = arc.owner if arc.owner.platform_id else None
    for at, found in sorted(arc.notes.items()):
        for note in found:
            ctx.warn(note.path, note.pos, f"note-tweet {note.note_id}: no tweet in the archive was created at "
                     f"{note.created_raw}; kept as a post of its own", code="note_unjoined")
            yield Post(provenance=ctx.provenance(note.path, note.pos), platform="x", post_id=f"note-{note.note_id}",
                       author=author, created_at=at, created_at_raw=note.created_raw, text=note.text,
                       hashtags=extract_hashtags(note.text), mentions=extract_mentions(note.text), urls=note.urls,
                       extra={"note_tweet_id": note.note_id, "joined": False}, flags=xc.ref_flags(author))
    arc.notes.clear()


def _follows(ctx: ParseContext, path: str, kind: str, arc: _Archive) -> Iterator[Follow]:
    """follower.js / following.js: `{kind: {accountId, userLink}}`, ids only: no handle and no time."""
    seen: set[str] = set()
    owner = arc.owner
    for n, item in iter_items(ctx, path):
        arc.held[path] = n + 1
        uid = xc.id_of(xc.d(xc.d(item).get(kind)).get("accountId"))
        if uid is None:
            ctx.report(path, f"/{n}/{kind}", "entry has no numeric accountId", code="empty_entry")
            continue
        if uid in seen:
            ctx.count("duplicate_follow")
            continue
        seen.add(uid)
        other = AccountRef(platform="x", platform_id=uid)
        yield Follow(provenance=ctx.provenance(path, f"/{n}/{kind}"), platform="x",
                     follower=other if kind == "follower" else owner,
                     followed=owner if kind == "follower" else other,
                     relation="follower" if kind == "follower" else "following")
