"""Posts in, co-action items out: what each post *did* that another account could do too.

Every post is reduced to the items it touched, in six channels: a near-duplicate text group,
a canonical URL, a media identity, a hashtag set, the post it replied to and the post it shared.
Items from every channel share one integer id space, so the windowed join in `coaction` runs
once over all of them. Everything downstream works on these numpy arrays, with or without a store.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.coordination.media import MediaRef, media_identities
from himaya.detectors.coordination.textsig import WordIds, normalize
from himaya.detectors.coordination.urls import canonical_url

CHANNELS: tuple[str, ...] = ("text", "url", "media", "hashtags", "reply", "share")
TEXT, URL, MEDIA, HASHTAGS, REPLY, SHARE = range(6)


@dataclass(frozen=True, slots=True)
class PostInput:
    """The fields of a post that coordination looks at. `author` is 'platform|account_key'."""

    platform: str
    post_id: str
    author: str
    time: float | None  # Unix seconds (UTC); None when the source gave no time
    text: str = ""
    handle: str | None = None
    author_id: str | None = None
    post_type: str = "post"
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    reply_to: str | None = None
    forward_of: str | None = None
    quote_of: str | None = None
    media: tuple[MediaRef, ...] = ()


@dataclass
class Actions:
    """Posts and the items they touched, as arrays. Post indices refer to the timed posts only."""

    accounts: list[str]
    handles: list[str | None]
    author_ids: list[str | None]
    account_platform: list[str]
    post_author: NDArray[np.int64]
    post_time: NDArray[np.int64]
    entry_post: NDArray[np.int64]
    entry_item: NDArray[np.int64]
    item_channel: NDArray[np.int8]
    item_label: list[str]
    term_post: NDArray[np.int64]  # hashtags per post, for surges
    term_id: NDArray[np.int64]
    term_label: list[str]
    untimed_posts: int = 0
    anonymous_posts: int = 0
    # Texts, deduplicated: per timed post the index of its distinct text (-1: none); per distinct text
    # its normalised words as ids into `vocab` (`text_words[text_starts[t]:text_starts[t + 1]]`).
    post_text: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    text_words: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    text_starts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vocab: list[str] = field(default_factory=list)

    @property
    def n_posts(self) -> int:
        return len(self.post_time)

    @cached_property
    def posts_by_author(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Post indices sorted by (author, time), and where each author's run starts (one sort for all campaigns)."""
        order = np.lexsort((self.post_time, self.post_author))
        return order, np.searchsorted(self.post_author[order], np.arange(len(self.accounts) + 1))

    @cached_property
    def entries_by_author(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Entry indices sorted by author (stable), and where each author's run starts."""
        author = self.post_author[self.entry_post]
        order = np.argsort(author, kind="stable")
        return order, np.searchsorted(author[order], np.arange(len(self.accounts) + 1))


def runs_of(index: tuple[NDArray[np.int64], NDArray[np.int64]], accounts: NDArray[np.int64]) -> NDArray[np.int64]:
    """The rows of `accounts` from a (`order`, `starts`) index such as `Actions.posts_by_author`, run after run."""
    order, starts = index
    lo = starts[accounts]
    length = starts[accounts + 1] - lo
    offsets = np.arange(int(length.sum()), dtype=np.int64) - np.repeat(np.cumsum(length) - length, length)
    rows: NDArray[np.int64] = order[np.repeat(lo, length) + offsets]
    return rows


@lru_cache(maxsize=200_000)
def _tag(raw: str) -> str:
    return normalize(raw.lstrip("#＃")).strip()


def _np(a: array[int]) -> NDArray[np.int64]:
    return np.frombuffer(a, dtype=np.int64).copy() if len(a) else np.zeros(0, dtype=np.int64)


class _Builder:
    """Accumulates one post at a time into compact arrays (10 million posts must fit in a few GB)."""

    def __init__(self) -> None:
        self.account_index: dict[str, int] = {}
        self.accounts: list[str] = []
        self.handles: list[str | None] = []
        self.author_ids: list[str | None] = []
        self.platforms: list[str] = []
        self.p_author = array("q")
        self.p_time = array("q")
        self.e_post = array("q")
        self.e_item = array("q")
        self.t_post = array("q")
        self.t_id = array("q")
        self.item_ids: dict[tuple[int, str], int] = {}
        self.item_channel: list[int] = []
        self.item_label: list[str] = []
        self.canonical_links: dict[str, str] = {}  # raw URL -> canonical form, "-" for none
        self.terms: dict[str, int] = {}
        self.term_labels: list[str] = []
        # Texts are deduplicated by hash; only each distinct text's words (as ids) and raw form are kept.
        self.text_ids: dict[int, int] = {}
        self.text_words = WordIds()
        self.text_raw: list[str] = []
        self.text_of_post = array("q")
        self.media_posts: list[int] = []
        self.media_refs: list[MediaRef] = []
        self.untimed = self.anonymous = 0

    def item(self, channel: int, key: str) -> int:
        k = (channel, key)
        got = self.item_ids.get(k)
        if got is None:
            got = self.item_ids[k] = len(self.item_channel)
            self.item_channel.append(channel)
            self.item_label.append(key)
        return got

    def _canonical(self, raw: str) -> str:
        if len(self.canonical_links) >= 1_000_000:
            self.canonical_links.clear()
        got = self.canonical_links[raw] = canonical_url(raw) or "-"
        return got

    def entry(self, post: int, channel: int, key: str) -> None:
        self.e_post.append(post)
        self.e_item.append(self.item(channel, key))

    def account(self, p: PostInput) -> int:
        a = self.account_index.get(p.author)
        if a is None:
            a = self.account_index[p.author] = len(self.accounts)
            self.accounts.append(p.author)
            self.handles.append(p.handle)
            self.author_ids.append(p.author_id)
            self.platforms.append(p.platform)
        return a

    def text(self, text: str) -> int:
        if not text:
            return -1
        h = hash(text)
        t = self.text_ids.get(h)
        if t is None:
            t = self.text_ids[h] = self.text_words.add_text(text)
            self.text_raw.append(text if len(text) <= 280 else text[:279] + "…")
        return t

    def add_all(self, posts: Iterable[PostInput]) -> None:
        """The per-post loop, with everything it touches bound to locals: it runs ten million times."""
        account_index, text_ids = self.account_index, self.text_ids
        author_append, time_append, text_append = self.p_author.append, self.p_time.append, self.text_of_post.append
        untimed = anonymous = 0
        i = len(self.p_time)
        for p in posts:
            t = p.time
            if t is None:
                untimed += 1
                continue
            author = p.author
            if not author:
                anonymous += 1
                continue
            a = account_index.get(author)
            author_append(self.account(p) if a is None else a)
            time_append(int(t))
            text = p.text
            if text:
                known = text_ids.get(hash(text))
                text_append(self.text(text) if known is None else known)
            else:
                text_append(-1)
            if p.urls or p.hashtags or p.reply_to or p.forward_of or p.quote_of or p.media:
                self.items(i, p)
            i += 1
        self.untimed += untimed
        self.anonymous += anonymous

    def items(self, i: int, p: PostInput) -> None:
        shared = p.forward_of or p.quote_of
        cache = self.canonical_links
        links = [c for c in (cache.get(u) or self._canonical(u) for u in p.urls) if c != "-"]
        if not shared and p.post_type == "share" and links:
            shared, links = "url:" + links[0], links[1:]  # a share known only by its link shares that link
        if shared:
            self.entry(i, SHARE, shared if shared.startswith("url:") else f"{p.platform}|{shared}")
        if p.reply_to:
            self.entry(i, REPLY, f"{p.platform}|{p.reply_to}")
        for link in dict.fromkeys(links) if len(links) > 1 else links:
            self.entry(i, URL, link)
        if p.hashtags:
            self.hashtags(i, p.hashtags)
        for m in p.media:
            self.media_posts.append(i)
            self.media_refs.append(m)

    def hashtags(self, i: int, raw_tags: tuple[str, ...]) -> None:
        tags: dict[str, None] = {}
        for raw in raw_tags:
            norm = _tag(raw)
            if not norm or norm in tags:
                continue
            tags[norm] = None
            t = self.terms.get(norm)
            if t is None:
                t = self.terms[norm] = len(self.term_labels)
                self.term_labels.append(raw.lstrip("#＃"))  # shown as first written, matched normalised
            self.t_post.append(i)
            self.t_id.append(t)
        if len(tags) >= 2:  # one hashtag is what a trend is, not a sign of coordination
            self.entry(i, HASHTAGS, "#" + " #".join(sorted(tags)))

    def finish(self, min_words: int, text_threshold: float) -> Actions:
        for i, ident in zip(self.media_posts, media_identities(self.media_refs), strict=True):
            self.entry(i, MEDIA, ident)
        groups = self.text_words.groups(min_words=min_words, threshold=text_threshold)
        text_of_post = _np(self.text_of_post)
        has_group = text_of_post >= 0
        has_group[has_group] = groups[text_of_post[has_group]] >= 0
        posts = np.flatnonzero(has_group)
        post_group = groups[text_of_post[posts]]
        uniq, first = np.unique(post_group, return_index=True)
        base = len(self.item_channel)
        for g, f in zip(uniq.tolist(), first.tolist(), strict=True):
            self.item(TEXT, f"text group {g}")
            self.item_label[-1] = self.text_raw[int(text_of_post[posts[f]])]  # the group's first text stands for it
        text_items = base + np.searchsorted(uniq, post_group)
        return Actions(self.accounts, self.handles, self.author_ids, self.platforms, _np(self.p_author),
                       _np(self.p_time), np.concatenate([_np(self.e_post), posts]),
                       np.concatenate([_np(self.e_item), text_items]), np.asarray(self.item_channel, dtype=np.int8),
                       self.item_label, _np(self.t_post), _np(self.t_id), self.term_labels, self.untimed,
                       self.anonymous, text_of_post, _np(self.text_words.ids), _np(self.text_words.starts),
                       list(self.text_words.vocab))


def build_actions(posts: Iterable[PostInput], *, min_words: int = 4, text_threshold: float = 0.5) -> Actions:
    """Featurise posts. Posts without a time are counted and left out: co-action needs a time."""
    builder = _Builder()
    builder.add_all(posts)
    return builder.finish(min_words, text_threshold)
