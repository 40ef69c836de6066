"""What Instagram and Facebook exports share: Meta's 'Download your information' JSON dialect.

Both platforms write every non-ASCII character byte by byte as `\\u00XX` (mojibake, formats README
§1.4), Unix times, labels translated into the export's language, and the same Messenger thread
format. Keeping that here leaves each platform module with one question: which file means what.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, Any, NamedTuple

import ijson

from himaya.errors import HimayaParseError, TimestampError
from himaya.ingest.base import ParseContext
from himaya.ingest.text import extract_hashtags, extract_mentions, repair_mojibake, unsafe_flags
from himaya.ingest.text import valid_instagram_handle as valid_handle
from himaya.ingest.timeparse import from_unix
from himaya.ingest.tree import ExportTree
from himaya.records import AccountRef, MediaItem, MediaKind, Platform, Post, PostType

MOJIBAKE_FLAG = "mojibake_unrepaired"
HTML_ADVICE = ("export in HTML format, which Himaya cannot read: re-export in JSON format "
               "(Accounts Center → Your information and permissions → Download your information → Format: JSON)")


def repair_deep(obj: Any) -> tuple[Any, bool]:
    """`obj` with Meta's mojibake undone in every string, keys included, and whether all repaired.

    Run it exactly once, right after JSON parsing: text that is already correct passes through,
    but Latin-1 text that happens to be valid UTF-8 would be garbled by a second pass.
    """
    if isinstance(obj, str):
        return repair_mojibake(obj)
    if isinstance(obj, list):
        items = [repair_deep(v) for v in obj]
        return [v for v, _ in items], all(ok for _, ok in items)
    if isinstance(obj, dict):
        pairs = [(repair_deep(k), repair_deep(v)) for k, v in obj.items()]
        return {k: v for (k, _), (v, _) in pairs}, all(a and b for (_, a), (_, b) in pairs)
    return obj, True


_URL_RE = re.compile(r"https?://[^\s<>\"'«»]+")


def text_fields(text: str, *more_urls: str | None) -> dict[str, tuple[str, ...]]:
    """Hashtags, mentions and links of a text; `more_urls` (links kept beside it) join the links."""
    urls = [m.group(0).rstrip(".,;:!?)]}") for m in _URL_RE.finditer(text)] + [u for u in more_urls if u]
    return {"hashtags": extract_hashtags(text), "mentions": extract_mentions(text), "urls": tuple(dict.fromkeys(urls))}


def as_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def unix_time(ctx: ParseContext, path: str, position: str, value: Any, *,
              millis: bool = False) -> tuple[datetime | None, str | None, tuple[str, ...]]:
    """(UTC time or None, raw value as text, flags). Bad values are reported, never turned into 1970."""
    if value is None:
        return None, None, ()
    raw = str(value)[:100]
    if isinstance(value, bool) or not isinstance(value, int | float | str) or (
            isinstance(value, str) and not re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value)):
        ctx.report(path, position, f"timestamp {raw!r} is not a number", code="bad_time")
        return None, raw, ("bad_time",)
    if isinstance(value, str):
        ctx.warn(path, position, f"timestamp is a string ({raw!r}); read as a number", code="string_timestamp")
    if float(value) == 0:  # Meta writes 0 for "no time"; never read it as 1970
        ctx.count("time_zero")
        return None, raw, ("time_unknown",)
    try:
        return from_unix(value, millis=millis), raw, ()
    except TimestampError as exc:
        future = float(value) / (1000 if millis else 1) > time.time()
        ctx.report(path, position, f"time in the future: {raw}" if future else exc.reason, code="bad_time")
        return None, raw, ("time_in_future" if future else "bad_time",)


def synthetic_id(scope: str, stamp: Any, *parts: str | None) -> str:
    """`<scope>/<time>/<16 hex>` for items that Meta exports without an id.

    Built only from what a later, overlapping export repeats (never from file positions or
    paths, which move between export layouts), so the same item gets the same id again.
    """
    if isinstance(stamp, float) and stamp.is_integer():
        stamp = int(stamp)
    stamp = stamp if isinstance(stamp, int | float) or (isinstance(stamp, str) and stamp.isdigit()) else "notime"
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{scope}/{stamp}/{digest[:16]}"


_EXT_KIND: dict[str, MediaKind] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "webp", "heic", "bmp"), "image"),
    **dict.fromkeys(("mp4", "mov", "m4v", "webm", "3gp"), "video"),
    **dict.fromkeys(("m4a", "aac", "mp3", "ogg", "opus", "wav"), "audio"), "gif": "gif"}


def media_kind(uri: str, default: MediaKind = "other") -> MediaKind:
    return _EXT_KIND.get(uri.rsplit(".", 1)[-1].lower(), default) if "." in uri else default


def media_names(items: list[MediaItem]) -> list[str]:
    """Base names: what identifies a media file across export layouts (its folder moves, its name does not)."""
    return [PurePosixPath(m.path or str(m.extra.get("raw_path", ""))).name for m in items]


# -- localised string_map_data labels (README §1.3) ----------------------------------------------------

# Verified label sets, one per export language (English, Dutch). Add a language by adding its names.
COMMENT_LABELS: dict[str, tuple[str, ...]] = {
    "text": ("Comment", "Opmerking"), "owner": ("Media Owner", "Media-eigenaar"), "time": ("Time", "Tijd")}


class LabelledComment(NamedTuple):
    """A comment's fields, and whether they were told apart by shape because no label was known."""

    text: str
    owner: str | None
    timestamp: Any
    by_shape: bool


def comment_fields(smd: dict[str, Any]) -> LabelledComment | None:
    """Comment, media owner and time from `string_map_data`: by known label, else by shape, else None."""
    found = {role: smd[n] for role, names in COMMENT_LABELS.items() for n in names if isinstance(smd.get(n), dict)}
    if isinstance(found.get("text", {}).get("value"), str):
        return LabelledComment(found["text"]["value"], as_str(found.get("owner", {}).get("value")),
                               found.get("time", {}).get("timestamp"), False)
    # Shape: the entry with a timestamp and no value is the time; of two values, the handle is the owner.
    entries = [e for e in smd.values() if isinstance(e, dict)]
    times = [e["timestamp"] for e in entries if "timestamp" in e and "value" not in e]
    values = [e["value"] for e in entries if isinstance(e.get("value"), str)]
    owners = [v for v in values if valid_handle(v.strip().lstrip("@").lower())]
    if len(values) != 2 or len(owners) != 1 or len(times) > 1:
        return None
    return LabelledComment(values[values.index(owners[0]) ^ 1], owners[0], times[0] if times else None, True)


# -- which platform a member belongs to; reading files ------------------------------------------------

_IG_FILES = re.compile(r"(followers(_\d+)?|following|personal_information|post_comments(_\d+)?|reels_comments"
                       r"|posts_\d+)\.json")
_FB_FILES = re.compile(r"(comments|your_posts(_\d+|__check_ins__photos_and_videos_\d+)|who_you(?:'|_)ve_followed"
                       r"|profile_information|group_posts_and_comments|your_comments_in_groups)\.json")
_DIRS = {"your_instagram_activity": "instagram", "your_facebook_activity": "facebook",
         "your_activity_across_facebook": "facebook"}


def tree_platform(tree: ExportTree) -> str | None:
    """'instagram' or 'facebook' when the export says which (by its name or its files), else None."""
    for plat in ("instagram", "facebook"):
        if tree.name.startswith(f"{plat}-"):
            return plat
    bases = [m.path.rsplit("/", 1)[-1] for m in tree.members()]
    ig, fb = any(_IG_FILES.fullmatch(b) for b in bases), any(_FB_FILES.fullmatch(b) for b in bases)
    return "instagram" if ig and not fb else "facebook" if fb and not ig else None


def platform_of(path: str, default: str | None) -> str | None:
    """The platform a member belongs to, by its folders first (combined Meta exports nest both)."""
    for part in reversed(path.split("/")[:-1]):
        plat = _DIRS.get(part) or next((p for p in ("instagram", "facebook") if part.startswith(f"{p}-")), None)
        if plat:
            return plat
    return default


def head(tree: ExportTree, path: str) -> str:
    return tree.head(path, 4096).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


class _Counter:
    """Bytes read, for error messages. A plain `read` only: ijson's C backend calls `readinto` on an
    `io.RawIOBase`, which `base._ByteCounter` lacks, so `ParseContext.iter_json` fails on any file."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner, self.offset = inner, 0

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n)
        self.offset += len(data)
        return data


def iter_json(ctx: ParseContext, path: str, prefix: str) -> Iterator[tuple[int, Any]]:
    """What `ParseContext.iter_json` promises: the items of the array at `prefix`, streamed, indexed."""
    with ctx.tree.open(path) as fh:
        counter = _Counter(fh)
        try:
            yield from enumerate(ijson.items(counter, prefix, use_float=True))
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            why = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc).split("\n", 1)[0][:80]
            raise HimayaParseError(f"invalid JSON or UTF-8, or a truncated file, near byte {counter.offset:,} ({why})",
                                   path=path) from None


# -- Messenger / Instagram direct threads (README §1.3 message_N.json) -----------------------------------

_REACTED = re.compile(r"Reacted (.{1,24}) to your message ?", re.S)
_SYSTEM_ENDS = (" in the poll.", "'s poll has multiple updates.", "This poll is no longer available.")
_MEDIA_KEYS: tuple[tuple[str, MediaKind], ...] = (
    ("photos", "image"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "gif"))


def classify(content: str | None, msg: dict[str, Any]) -> tuple[PostType, dict[str, Any]]:
    """Reactions, polls and calls that Meta writes as message text are not something anyone typed."""
    if msg.get("call_duration") is not None:
        return "system", {"call_duration": msg["call_duration"]}
    m = _REACTED.fullmatch(content or "")
    if m:
        return "reaction", {"reaction": m.group(1)}
    # The trailing space is Meta's own quirk: typed text that ends in "to your message" has none.
    if content and (content.endswith(" to your message ") or (content.endswith(" liked a message") and len(content) < 120)):
        return "reaction", {}
    if content and ("created a poll: " in content or content.endswith(_SYSTEM_ENDS)):
        return "system", {}
    return "message", {}


def _thread_header(ctx: ParseContext, path: str, need_path: bool) -> tuple[list[str], str | None]:
    """Participant names and (for a file given alone) `thread_path`, read ahead of the messages."""
    names: list[str] = []
    thread_path: str | None = None
    try:
        with ctx.tree.open(path) as fh:
            for prefix, event, value in ijson.parse(fh):
                if event == "string" and prefix in ("participants.item.name", "thread_path"):
                    if prefix == "thread_path":
                        thread_path = repair_mojibake(value)[0]
                    else:
                        names.append(repair_mojibake(value)[0])
                elif prefix == "participants" and event == "end_array" and not need_path:
                    break
    except (ijson.JSONError, UnicodeDecodeError):  # the message pass reports the file properly
        pass
    return names, thread_path


def parse_thread(ctx: ParseContext, path: str, platform: Platform, owner: AccountRef | None) -> Iterator[Post]:
    """One message_N.json, streamed. Ids: `synthetic_id(thread folder, timestamp_ms, sender, content…)`."""
    p = PurePosixPath(path)
    folder, box = p.parent.name, p.parent.parent.name
    names, thread_path = _thread_header(ctx, path, need_path=not folder)
    if not folder:  # a file given alone: the thread's own record of where it lived
        tp = PurePosixPath(thread_path or p.stem)
        folder, box = tp.name, tp.parent.name
    # In a two-person thread the folder is named after the other party's username (letters and digits only).
    hint = folder.rsplit("_", 1)[0] if len(names) == 2 and owner and owner.display_name in names else None
    refs: dict[str, AccountRef] = {owner.display_name: owner} if owner and owner.display_name else {}
    seen: dict[str, int] = {}
    for i, raw in iter_json(ctx, path, "messages.item"):
        if not isinstance(raw, dict):
            ctx.report(path, f"/messages/{i}", "message is not a JSON object", code="invalid_message")
            continue
        msg, repaired = repair_deep(raw)
        sender = as_str(msg.get("sender_name"))
        author = (refs.get(sender) or refs.setdefault(sender, AccountRef(platform=platform, display_name=sender))
                  if sender else None)
        post = _message(ctx, path, f"/messages/{i}", msg, platform, author, folder)
        n = seen[post.post_id] = seen.get(post.post_id, 0) + 1
        extra = {**post.extra, "box": box, **({"folder_name_hint": hint} if hint and author is not owner else {})}
        yield post.model_copy(update={"extra": extra, "flags": post.flags + ((MOJIBAKE_FLAG,) if not repaired else ()),
                                      "post_id": post.post_id if n == 1 else f"{post.post_id}#{n}"})


def _message(ctx: ParseContext, path: str, pos: str, msg: dict[str, Any], platform: Platform,
             author: AccountRef | None, folder: str) -> Post:
    at, raw, tflags = unix_time(ctx, path, f"{pos}/timestamp_ms", msg.get("timestamp_ms"), millis=True)
    content = as_str(msg.get("content"))
    share: dict[str, Any] = msg["share"] if isinstance(msg.get("share"), dict) else {}
    base = str(PurePosixPath(path).parent)
    found = [(f"{key}/{j}", kind, m) for key, kind in _MEDIA_KEYS for j, m in enumerate(msg.get(key) or [])]
    found += [("sticker", "sticker", msg["sticker"])] if "sticker" in msg else []
    media = [ctx.media(as_str(m.get("uri")), base=base, kind=media_kind(str(m.get("uri")), kind),
                       position=f"{pos}/{where}", source_path=path) for where, kind, m in found if isinstance(m, dict)]
    post_type, extra = classify(content, msg)
    text = content or ""
    if share:
        extra["share"] = share
        if not text and as_str(share.get("share_text")):  # a forwarded post: its text is the evidence
            text, extra["text_source"] = share["share_text"], "share_text"
    if isinstance(msg.get("reactions"), list):
        extra["reactions"] = msg["reactions"]
    flags = [*unsafe_flags(author.display_name if author else None), *tflags]
    flags += [key[3:] for key in ("is_unsent", "is_taken_down") if msg.get(key) is True]
    link = as_str(share.get("link"))
    return Post(provenance=ctx.provenance(path, pos), flags=tuple(flags), platform=platform, post_type=post_type,
                post_id=synthetic_id(folder, msg.get("timestamp_ms"), as_str(msg.get("sender_name")), content, link,
                                     *media_names(media)),
                author=author, created_at=at, created_at_raw=raw, text=text, thread_id=folder, media=tuple(media),
                forward_of=as_str(share.get("original_content_owner")), extra=extra, **text_fields(text, link))
