"""Derived copies kept beside an original: for screenshots, a metadata-free display copy.

The original is never re-saved; the derived copy is its own blob whose sha256 is recorded next
to the original's, so a report can show the picture without its EXIF, GPS or ICC metadata.
"""

from __future__ import annotations

from himaya.errors import HimayaError
from himaya.ingest.tree import ExportTree
from himaya.records import MediaItem

DISPLAY_LIMIT = 64 * 1024 * 1024


def display_copy_for(m: MediaItem, tree: ExportTree) -> bytes | None:
    if m.kind != "screenshot" or not m.path or not tree.has(m.path):
        return None
    from himaya.ingest.screenshot import display_copy

    try:
        copy: bytes = display_copy(tree.read_bytes(m.path, DISPLAY_LIMIT))
        return copy
    except (HimayaError, OSError, ValueError):
        return None
