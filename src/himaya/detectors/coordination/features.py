"""Posts in, co-action items out: what each post *did* that another account could do too.

Every post is reduced to the items it touched, in six channels: a near-duplicate text group,
a canonical URL, a media identity, a hashtag set, the post it replied to and the post it shared.
Items from every channel share one integer id space, so the windowed join in `coaction` runs
once over all of them. Everything downstream works on these numpy arrays, with or without a store.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.coordination.media import MediaRef, media_identities
from himaya.detectors.coordination.textsig import WordIds, normalize, words
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

    @property
    def n_posts(self) -> int:
        return len(self.post_time)


_canonical = lru_cache(maxsize=200_000)(canonical_url)


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
            t = self.text_ids[h] = self.text_words.add(words(text))
            self.text_raw.append(text if len(text) <= 280 else text[:279] + "…")
        return t

    def add(self, p: PostInput) -> None:
        if p.time is None:
            self.untimed += 1
            return
        if not p.author:
            self.anonymous += 1
            return
        i = len(self.p_time)
        self.p_author.append(self.account(p))
        self.p_time.append(int(p.time))
        self.text_of_post.append(self.text(p.text))
        shared = p.forward_of or p.quote_of
        links = [c for c in map(_canonical, p.urls) if c]
        if not shared and p.post_type == "share" and links:
            shared, links = "url:" + links[0], links[1:]  # a share known only by its link shares that link
        if shared:
            self.entry(i, SHARE, shared if shared.startswith("url:") else f"{p.platform}|{shared}")
        if p.reply_to:
            self.entry(i, REPLY, f"{p.platform}|{p.reply_to}")
        for link in dict.fromkeys(links):
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
                       self.anonymous)


def build_actions(posts: Iterable[PostInput], *, min_words: int = 4, text_threshold: float = 0.5) -> Actions:
    """Featurise posts. Posts without a time are counted and left out: co-action needs a time."""
    builder = _Builder()
    for p in posts:
        builder.add(p)
    return builder.finish(min_words, text_threshold)
