"""WhatsApp's "Export chat" text, Android or iOS, alone, in a folder or in the export ZIP (README §4).

The file is read twice. The first pass learns what only the whole file can tell: its header style,
whether dates are day- or month-first, and authors whose name seems to contain ": ". The second
pass builds the posts. WhatsApp exports carry no time zone and no message ids: the user gives the
zone (`--timezone`), and ids are hashes of what a later export of the same chat repeats.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from himaya.errors import HimayaParseError, TimestampError
from himaya.ingest.base import ParseContext, ParseOptions, Parser
from himaya.ingest.text import extract_hashtags, extract_mentions, unsafe_flags
from himaya.ingest.timeparse import localize
from himaya.ingest.tree import ExportTree
from himaya.ingest.whatsapp_grammar import DateSurvey, Header, Style, match_header, naive_time, split_author
from himaya.records import AccountRef, MediaItem, MediaKind, Post, Record

MAX_LINE = 64 * 1024  # WhatsApp lines; ParseOptions.max_line_bytes overrides it when set away from its default
_CHAT_NAME = [re.compile(p) for p in (r"WhatsApp Chat (?:with|-) (.+)\.(?:txt|zip)",
                                      r"Chat WhatsApp s uživatelem (.+)\.(?:txt|zip)",
                                      r"Чат WhatsApp с (?:контактом )?(.+)\.(?:txt|zip)")]
_MARKS = "\u200e\u200f\u202a\u202c\ufeff"
_ENCRYPTION = re.compile("Messages and calls are end-to-end encrypted|Messages to this group are now secured|"
                         "الرسائل والمكالمات مشفرة تمامًا|پیام‌ها و تماس‌ها سرتاسر رمزگذاری")
_SYSTEM = re.compile(r" (?:added|removed|left|joined using|created group|changed (?:the subject|this group|the group|"
                     r"their phone number)|security code|were added|is now an admin)| أضاف| غادر| أنشأ")
_DELETED = re.compile(r"(?:This message was deleted|You deleted this message|تم حذف هذه الرسالة|"
                      r"لقد حذَفت هذه الرسالة|أنت حذفت هذه الرسالة|این پیام حذف شد)\.?")
_OMITTED: dict[str, MediaKind] = {"image omitted": "image", "video omitted": "video", "audio omitted": "audio",
                                  "sticker omitted": "sticker", "GIF omitted": "gif", "document omitted": "document",
                                  "Contact card omitted": "document", "<Media omitted>": "other",
                                  "لم يتم إدراج الصورة": "image"}
_ATTACHED = re.compile(r"<(?:attached|المُرفق): ([^>]+)>")
_FILE_ATTACHED = re.compile(r"(.+?) \((?:file attached|الملف مرفق)\)")
_EDITED = " <This message was edited>"
_URL = re.compile(r"https?://[^\s<>\"']+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,}[0-9]")
_EXT_KIND: dict[str, MediaKind] = {**dict.fromkeys(("jpg", "jpeg", "png", "heic"), "image"), "webp": "sticker",
                                   **dict.fromkeys(("mp4", "mov", "3gp"), "video"), "gif": "gif",
                                   **dict.fromkeys(("opus", "m4a", "aac", "mp3", "ogg"), "audio")}


def _kind(name: str) -> MediaKind:
    return _EXT_KIND.get(name.rsplit(".", 1)[-1].lower(), "document") if "." in name else "other"


def looks_like_chat(head: bytes) -> bool:
    """Whether a file starts like a WhatsApp chat: its first non-empty line is a header."""
    for line in head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[:5]:
        if line.strip():
            return match_header(line) is not None
    return False


def line_cap(options: ParseOptions) -> int:
    return options.max_line_bytes if options.max_line_bytes != ParseOptions().max_line_bytes else MAX_LINE


class WhatsAppParser(Parser):
    """Messages, system events and attachments of one WhatsApp chat export per .txt file."""

    name = "whatsapp"
    label = "WhatsApp 'Export chat' text (.txt, alone, in a folder or in the export ZIP)"
    platform: ClassVar[str] = "whatsapp"

    def claim(self, tree: ExportTree) -> list[str]:
        return [m.path for m in tree.members() if m.path.lower().endswith(".txt")
                and looks_like_chat(tree.head(m.path, 4096))]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        for path in paths:
            with ctx.guard(path):
                yield from _Chat(ctx, path).posts()


@dataclass
class _Message:
    line: int
    header: Header
    lines: list[str]
    flags: list[str] = field(default_factory=list)
    size: int = 0


class _Chat:
    def __init__(self, ctx: ParseContext, path: str) -> None:
        self.ctx, self.path, self.cap = ctx, path, line_cap(ctx.options)
        self.base = path.rsplit("/", 1)[0] if "/" in path else ""
        self.prefixes: dict[str, tuple[str | None, int]] = {}  # author → ("X" of the "X: " all bodies start with, n)
        self.warned: set[str] = set()
        self.seen: Counter[str] = Counter()
        self.seen_time = ""

    def _lines(self) -> Iterator[tuple[int, int, bytes, bool]]:
        """(line number, byte offset, bytes without the line end, cut short?), at most `cap` bytes a line."""
        with self.ctx.tree.open(self.path) as fh:
            lineno = offset = 0
            while line := fh.readline(self.cap + 1):
                lineno, start, cut = lineno + 1, offset, len(line) > self.cap and not line.endswith(b"\n")
                offset += len(line)
                while cut and (more := fh.readline(self.cap + 1)):  # skip the rest of an over-long line
                    offset += len(more)
                    if more.endswith(b"\n"):
                        break
                line = line.rstrip(b"\n").removesuffix(b"\r")
                if cut:  # do not leave half a character at the cut
                    line = line[:self.cap]
                    while line and line[-1] & 0xC0 == 0x80:
                        line = line[:-1]
                    line = line[:-1] if line and line[-1] >= 0xC0 else line
                yield lineno, start, line, cut

    def _survey(self) -> tuple[Style, DateSurvey, str | None]:
        styles: dict[Style, tuple[int, DateSurvey]] = {}
        notice_author = None
        for _, _, raw, _ in self._lines():
            text = raw.decode("utf-8", "replace").lstrip("\ufeff")
            if (h := match_header(text)) is None:
                continue
            n, survey = styles.get(h.style, (0, DateSurvey()))
            survey.add(h)
            styles[h.style] = (n + 1, survey)
            author, body = split_author(text[h.end:], self.ctx.options.participants)
            if author is not None:
                if notice_author is None and _ENCRYPTION.search(body[:80]):
                    notice_author = author
                plain = ": " in body[:60] and not body.startswith(("\u200e", "\u200f", "<"))
                first = body.split(": ", 1)[0] if plain else None
                before, n = self.prefixes.get(author, (first, 0))
                self.prefixes[author] = (first if before == first else None, n + 1)
        if not styles:
            raise HimayaParseError("no WhatsApp message header found", path=self.path)
        style = max(styles, key=lambda s: styles[s][0])
        return style, styles[style][1], notice_author

    def posts(self) -> Iterator[Post]:
        opts = self.ctx.options
        if opts.timezone is None:
            raise HimayaParseError("WhatsApp exports carry no time zone: pass --timezone ZONE (the phone's zone, "
                                   "e.g. Asia/Baghdad); nothing was read", path=self.path)
        self.tz = opts.timezone
        style, survey, notice_author = self._survey()
        order, how, why = survey.decide(opts.date_order)
        if order is None:
            raise HimayaParseError(f"cannot tell whether dates are day- or month-first ({why}): pass --date-order "
                                   "dmy or --date-order mdy; nothing was read", path=self.path)
        if how == "inferred":  # strong evidence: said once, not flagged on every record
            self.ctx.note(f"{self.path}: dates read as {order}, inferred ({why}); --date-order overrides it")
        elif how == "assumed":
            self.ctx.warn(self.path, "", f"dates read as {order}, assumed from the locale's spelling ({why}); pass "
                          "--date-order if that is wrong", code="date_order_assumed")
        elif how == "certain" and opts.date_order and opts.date_order != order:
            self.ctx.warn(self.path, "", f"--date-order {opts.date_order} ignored: the dates are {order} ({why})",
                          code="date_order_overridden")
        self.order, self.order_flag = order, ("date_order_assumed",) if how == "assumed" else ()
        self.thread = self._thread(notice_author)
        msg: _Message | None = None
        for lineno, offset, raw, cut in self._lines():
            try:
                text, bad = raw.decode("utf-8"), -1
            except UnicodeDecodeError as exc:
                text, bad = raw.decode("utf-8", "replace"), offset + exc.start
            text = text.lstrip("\ufeff") if lineno == 1 else text
            h = match_header(text)
            if h is not None and h.style == style:
                if msg is not None:
                    yield self._post(msg)
                msg = _Message(lineno, h, [text[h.end:]])
            elif msg is None:
                if not text.strip():
                    continue
                self.ctx.report(self.path, f"line {lineno}", "text before the first message header: skipped",
                                severity="warning", code="orphan_line")
                continue
            elif msg.size + len(text) > self.cap * 16:
                if "message_truncated" not in msg.flags:
                    msg.flags.append("message_truncated")
                    self.ctx.warn(self.path, f"line {lineno}", f"message longer than {self.cap * 16:,} characters: "
                                  "the rest is left out", code="message_truncated")
                continue
            else:
                msg.lines.append(text)
            msg.size += len(text)
            if bad >= 0:
                msg.flags.append("invalid_utf8")
                self.ctx.report(self.path, f"line {lineno}", f"invalid UTF-8 at byte {bad:,}: the bad bytes are "
                                "replaced with U+FFFD in this message", code="invalid_utf8")
            if cut:
                msg.flags.append("line_truncated")
                self.ctx.warn(self.path, f"line {lineno}", f"line longer than {self.cap:,} bytes: cut there",
                              code="line_truncated")
        if msg is not None:
            yield self._post(msg)

    def _thread(self, notice_author: str | None) -> str:
        """The chat's name: from the file or ZIP name, else the iOS encryption notice's author, else the file name."""
        name = self.path.rsplit("/", 1)[-1]
        for candidate in (name, self.ctx.tree.name):
            for pattern in _CHAT_NAME:
                if m := pattern.fullmatch(candidate):
                    return m.group(1)
        return notice_author or name.rsplit(".", 1)[0]

    def _post(self, msg: _Message) -> Post:
        h, pos, flags = msg.header, f"line {msg.line}", [*msg.flags, *self.order_flag]
        author_raw, body = split_author(msg.lines[0], self.ctx.options.participants)
        if author_raw is not None and _SYSTEM.search(author_raw):  # 'X changed the subject to "a: b"'
            author_raw, body = None, msg.lines[0]
        full = "\n".join([body, *msg.lines[1:]])
        text, media, extra = self._body(full, body, msg.lines[1:], pos)
        bare = body.strip(_MARKS)
        system = author_raw is None or bool(_ENCRYPTION.match(bare)) or (
            not extra and body.startswith(("\u200e", "\u200f")) and bool(_SYSTEM.search(body)))
        if system and author_raw is not None:  # the encryption notice, older iOS events: written with an author
            extra["written_author"], author_raw = author_raw, None
        author = None
        if author_raw is not None:
            author, more = self._author(author_raw)
            flags += more
            extra.update({"author_raw": author_raw} if author.handle else {})
        if full.strip() == "null" and author is not None:
            extra, text, system = {"call_record": True}, "", True
        created_at, tz_flags = None, tuple[str, ...]()
        try:
            created_at, tz_flags = localize(naive_time(h, self.order), self.tz, h.raw)
        except (ValueError, TimestampError) as exc:
            self.ctx.report(self.path, pos, f"time {h.raw!r}: {exc}; time left unknown", code="bad_time")
            flags.append("bad_time")
        if h.raw != self.seen_time:  # the occurrence counter only has to tell apart repeats of one minute
            self.seen, self.seen_time = Counter(), h.raw
        key = "\x1f".join((self.thread, h.raw, author_raw or extra.get("written_author", ""), full))
        self.seen[key] += 1
        digest = hashlib.sha256(f"{key}\x1f{self.seen[key]}".encode("utf-8", "surrogatepass")).hexdigest()
        if text != full:
            extra["body"] = full
        return Post(provenance=self.ctx.provenance(self.path, pos), platform="whatsapp", post_id=f"wa:{digest[:32]}",
                    post_type="system" if system else "message", author=author, created_at=created_at,
                    created_at_raw=h.raw, tz_assumed=created_at is not None, text=text, thread_id=self.thread,
                    hashtags=extract_hashtags(text), mentions=extract_mentions(text),
                    urls=tuple(dict.fromkeys(u.rstrip(".,;:!?)") for u in _URL.findall(text))),
                    media=tuple(media), flags=tuple(dict.fromkeys([*flags, *tz_flags])), extra=extra,
                    partial=bool({"line_truncated", "message_truncated"} & set(flags)))

    def _body(self, full: str, first: str, rest: list[str], pos: str) -> tuple[str, list[MediaItem], dict[str, Any]]:
        """(text, media, extra): WhatsApp's own annotations taken out of the text and recorded."""
        extra: dict[str, Any] = {}
        if full.endswith(_EDITED):
            full, first, extra["edited"] = full[:-len(_EDITED)], first.removesuffix(_EDITED), True
        bare = first.strip(_MARKS + " ")
        if not rest and _DELETED.fullmatch(bare):
            return "", [], {**extra, "deleted": True}
        if not rest and bare in _OMITTED:
            kind = _OMITTED[bare]
            return "", [self.ctx.media(None, kind=kind, position=pos, source_path=self.path)], {**extra, "omitted": kind}
        if m := _ATTACHED.search(first):  # iOS: the tag, maybe after the document's name and size
            name, caption = m.group(1), (first[:m.start()] + first[m.end():]).strip(_MARKS + " ")
        elif m := _FILE_ATTACHED.fullmatch(bare):  # Android: the caption follows on the next line
            name, caption = m.group(1), ""
        else:
            return full, [], extra
        item = self.ctx.media(name.strip(), base=self.base, kind=_kind(name), position=pos, source_path=self.path)
        return "\n".join([caption, *rest]).strip("\n"), [item], extra

    def _author(self, raw: str) -> tuple[AccountRef, tuple[str, ...]]:
        bare = " ".join(raw.strip(_MARKS).replace("\u00a0", " ").replace("\u202f", " ").split())
        if _PHONE.fullmatch(bare):  # iOS wraps numbers in LRE…PDF with NBSPs; Android in LRE…PDF or nothing
            inner = raw.removeprefix("\u202a").removesuffix("\u202c")
            return AccountRef(platform="whatsapp", handle=bare), unsafe_flags(inner)
        prefix, n = self.prefixes.get(raw, (None, 0))
        # W4: "Dr: Noor Sample: hi" splits as "Dr". Suspect it when all of an author's messages start with the
        # same "X: ", and X, for an author seen once, looks like the rest of a name (capitalised words).
        if (prefix and len(prefix) <= 40 and (n > 1 or all(w[:1].isupper() for w in prefix.split()[:4]))
                and raw not in self.warned and raw not in self.ctx.options.participants):
            self.warned.add(raw)
            self.ctx.warn(self.path, "", f"author {raw!r}: every message starts with {prefix + ': '!r}, so the name "
                          f"may be {raw + ': ' + prefix!r} (split at the first ': '); pass --participant to "
                          "resolve it", code="ambiguous_author")
        return AccountRef(platform="whatsapp", display_name=raw), unsafe_flags(raw)
