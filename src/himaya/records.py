"""The normalised records every stage shares: Account, Post, Follow, MediaItem.

Parsers turn platform exports into these; the store persists them; detectors read them.
They are frozen so that a record, once parsed, is the same object everywhere, and every one
carries its provenance: which file (by sha256), where inside the export, and where in that file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Platform = Literal[
    "instagram", "facebook", "x", "telegram", "whatsapp", "tiktok", "youtube",
    "threads", "bluesky", "snapchat", "signal", "web", "other",
]
PLATFORMS: tuple[str, ...] = Platform.__args__  # type: ignore[attr-defined]

PostType = Literal["post", "comment", "reply", "message", "share", "reaction", "system"]
MediaKind = Literal["image", "video", "audio", "gif", "sticker", "document", "screenshot", "other"]
MediaStatus = Literal["present", "missing", "rejected", "remote"]


_ZERO = timedelta(0)


def _require_utc(v: datetime | None) -> datetime | None:
    if v is not None and v.tzinfo is not UTC and (v.tzinfo is None or v.utcoffset() != _ZERO):
        raise ValueError("times must be timezone-aware UTC")
    return v


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(_Frozen):
    """Where a record came from, precisely enough to find it again in the original."""

    source_sha256: str = Field(description="sha256 of the file the record was read from")
    path: str = Field(description="path of that file inside the export (posix), or its file name")
    position: str = Field(description="line, row or JSON pointer inside the file, e.g. 'line 12' or '/3/string_list_data/0'")
    archive_sha256: str | None = Field(default=None, description="sha256 of the ZIP the file was inside, if any")


class AccountRef(_Frozen):
    """Enough to name an account: whichever of id, handle and name the source gives."""

    platform: Platform
    platform_id: str | None = None
    handle: str | None = None
    display_name: str | None = None

    @property
    def key(self) -> str:
        """Identity inside one platform: the id when known, else the handle, else the name.

        Sources disagree on what they reveal (X archives give ids only, Instagram handles only,
        WhatsApp names or phone numbers), so one person can appear under two keys; merging
        them is left to detectors, which can see both.
        """
        if self.platform_id:
            return f"id:{self.platform_id}"
        if self.handle:
            return f"h:{self.handle.lower()}"
        if self.display_name:
            return f"n:{self.display_name}"
        return "unknown"


class _Record(_Frozen):
    provenance: Provenance
    flags: tuple[str, ...] = Field(default=(), description="problems kept with the record, e.g. 'bidi_override'")


class MediaItem(_Record):
    kind: MediaKind = "other"
    path: str | None = Field(default=None, description="path inside the export, resolved from its root")
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    status: MediaStatus = "missing"
    mime: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Account(_Record):
    ref: AccountRef
    profile: dict[str, Any] = Field(default_factory=dict, description="profile fields when the source has them")


class Post(_Record):
    """Any message: post, comment, reply, DM, channel post, chat line."""

    platform: Platform
    post_id: str
    post_type: PostType = "post"
    author: AccountRef | None = None
    created_at: datetime | None = Field(default=None, description="UTC; None when unknown")
    created_at_raw: str | None = None
    tz_assumed: bool = False
    text: str = ""
    language: str | None = None
    reply_to: str | None = None
    thread_id: str | None = None
    quote_of: str | None = None
    forward_of: str | None = Field(default=None, description="id or, where only that is known, name of the original author")
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    media: tuple[MediaItem, ...] = ()
    url: str | None = None
    collected_at: datetime | None = None
    partial: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created_at", "collected_at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return _require_utc(v)


class Follow(_Record):
    platform: Platform
    follower: AccountRef
    followed: AccountRef
    followed_at: datetime | None = None
    followed_at_raw: str | None = None
    relation: Literal["follower", "following", "follow_request", "unfollowed", "blocked"] = "follower"

    @field_validator("followed_at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return _require_utc(v)


Record = Account | Post | Follow | MediaItem


class Problem(_Frozen):
    """A record or file that could not be read as it should: reported, never silently dropped."""

    path: str
    position: str = ""
    severity: Literal["error", "warning", "file_error"] = "error"
    code: str = "invalid"
    message: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.path, self.position) if p)
        return f"{where}: {self.message}"
