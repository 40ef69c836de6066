"""Messenger-format threads, shared by the Instagram and Facebook writers (formats README §1.3)."""

from __future__ import annotations

from typing import Any


def message(sender: str, ts_ms: int, *, content: str | None = None, photos: list[tuple[str, int]] | None = None,
            share: dict[str, str] | None = None, reactions: list[dict[str, Any]] | None = None,
            unsent: bool = False) -> dict[str, Any]:
    """One message, keys in the order Meta writes them."""
    m: dict[str, Any] = {"sender_name": sender, "timestamp_ms": ts_ms}
    if content is not None:
        m["content"] = content
    if photos:
        m["photos"] = [{"uri": uri, "creation_timestamp": ts} for uri, ts in photos]
    if share:
        m["share"] = share
    if reactions:
        m["reactions"] = reactions
    if unsent:
        m["is_unsent"] = True
    m["is_geoblocked_for_viewer"] = False
    m["is_unsent_image_by_messenger_kid_parent"] = False
    return m


def thread(participants: list[str], messages: list[dict[str, Any]], title: str, thread_path: str) -> dict[str, Any]:
    """A `message_1.json`: messages newest first, as Meta writes them."""
    ordered = sorted(messages, key=lambda m: m["timestamp_ms"], reverse=True)
    return {"participants": [{"name": n} for n in participants], "messages": ordered, "title": title,
            "is_still_participant": True, "thread_path": thread_path, "magic_words": []}


def folder_name(handle: str, suffix: str) -> str:
    """`<letters and digits of the username>_<digits>`, as in `inbox/nadiaexample_1784…`."""
    return "".join(c for c in handle.lower() if c.isascii() and c.isalnum()) + "_" + suffix
