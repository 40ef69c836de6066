"""MediaSignals: every hash Himaya keeps for one file, and how they are computed.

* `sha256` for exact copies;
* `pdq` (+ quality) of the picture, or of an animation's or video's first frame;
* `content`: PDQ of the picture's content box, the largest block of rows and columns that are not
  flat, which strips screenshot borders, phone status bars and caption bands;
* `windows` (reference side only, i.e. known media): PDQ of the picture turned by -2.5°, 0° and
  +2.5°, each with 0, 4 or 8 % cut from each side: 243 variants. PDQ moves by ~75 bits under a
  5 % crop and ~45 under a 3° turn, so a cropped or tilted copy is matched against the variant
  that did roughly what the copier did (measured in docs/detectors/media.md);
* `mirror`: PDQ of the left–right mirror (reference side);
* `frames`: vPDQ features of an animation or video (1 per second, consecutive near-duplicates
  collapsed; see vpdq.py).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from himaya.detectors.media import pdq
from himaya.detectors.media.decode import Decoded, decode
from himaya.detectors.media.vpdq import FrameHash, hash_frames

WINDOW_TRIMS = (0.0, 0.04, 0.08)
WINDOW_ANGLES = (0.0, -2.5, 2.5)
_WINDOWS = tuple(itertools.product(WINDOW_TRIMS, repeat=4))
WINDOW_SIDE = 256       # windows are hashed from a copy this size: 80 PDQs stay cheap
_FLAT_STD = 3.0         # a row/column whose grey levels vary less than this is border, not picture
_MIN_CONTENT = 0.25     # a content box under a quarter of the picture is not the picture
_BORDER_COLOUR = 12     # grey levels a border line may differ from a border colour
_BOX_SIDE = 192


@dataclass(frozen=True)
class MediaSignals:
    sha256: str
    size: int
    kind: str                     # image, animated, video
    format: str
    width: int
    height: int
    pdq: bytes | None = None
    quality: int = 0
    content: bytes | None = None
    mirror: bytes | None = None
    windows: tuple[bytes, ...] = ()
    frames: tuple[FrameHash, ...] = ()
    duration_s: float = 0.0
    truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pdq_hex(self) -> str | None:
        return None if self.pdq is None else self.pdq.hex()

    def to_json(self) -> dict[str, Any]:
        """Everything but sha256/kind/pdq/quality (which have their own columns)."""
        return {
            "format": self.format, "width": self.width, "height": self.height, "size": self.size,
            "content": self.content.hex() if self.content else None,
            "mirror": self.mirror.hex() if self.mirror else None,
            "windows": [w.hex() for w in self.windows],
            "frames": [[f.pdq.hex(), f.quality, round(f.ts, 3)] for f in self.frames],
            "duration_s": round(self.duration_s, 3), "truncated": self.truncated,
        }

    @classmethod
    def from_json(cls, sha256: str, kind: str, pdq_hex: str | None, quality: int | None,
                  d: dict[str, Any]) -> MediaSignals:
        return cls(
            sha256=sha256, size=int(d.get("size") or 0), kind=kind, format=str(d.get("format") or ""),
            width=int(d.get("width") or 0), height=int(d.get("height") or 0),
            pdq=bytes.fromhex(pdq_hex) if pdq_hex else None, quality=int(quality or 0),
            content=bytes.fromhex(d["content"]) if d.get("content") else None,
            mirror=bytes.fromhex(d["mirror"]) if d.get("mirror") else None,
            windows=tuple(bytes.fromhex(w) for w in d.get("windows") or ()),
            frames=tuple(FrameHash(bytes.fromhex(h), int(q), float(t)) for h, q, t in d.get("frames") or ()),
            duration_s=float(d.get("duration_s") or 0.0), truncated=bool(d.get("truncated")))


def hash_bytes(data: bytes, name: str = "", *, reference: bool = False) -> MediaSignals:
    """All signals of one file. `reference=True` (known media) adds the mirror and the crop windows."""
    decoded = decode(data, name)
    return signals_of(decoded, hashlib.sha256(data).hexdigest(), len(data), reference=reference)


def signals_of(decoded: Decoded, sha256: str, size: int, *, reference: bool = False) -> MediaSignals:
    first = decoded.frames[0].rgb if decoded.frames else None
    frames = hash_frames(decoded.frames) if decoded.kind != "image" else ()
    if first is None:
        return MediaSignals(sha256, size, decoded.kind, decoded.format, decoded.width, decoded.height,
                            frames=frames, duration_s=decoded.duration_s, truncated=decoded.truncated)
    h, quality = pdq.compute(first)
    box = content_box(first)
    content = pdq.compute(first[box[1]:box[3], box[0]:box[2]])[0] if box is not None else None
    mirror = pdq.compute_mirror(first) if reference else None
    windows = crop_windows(first) if reference else ()
    return MediaSignals(sha256, size, decoded.kind, decoded.format, decoded.width, decoded.height, h, quality,
                        content, mirror, windows, frames, decoded.duration_s, decoded.truncated)


def crop_windows(rgb: np.ndarray) -> tuple[bytes, ...]:
    from PIL import Image

    small = _shrink(rgb, WINDOW_SIDE)
    out = []
    for angle in WINDOW_ANGLES:
        base = small if angle == 0 else np.asarray(Image.fromarray(small).rotate(
            angle, resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0)))
        hh, ww = base.shape[:2]
        for left, top, right, bottom in _WINDOWS:
            x0, y0 = round(ww * left), round(hh * top)
            x1, y1 = ww - round(ww * right), hh - round(hh * bottom)
            out.append(pdq.compute(base[y0:y1, x0:x1])[0])
    return tuple(out)


def content_box(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the picture inside borders, or None when it is (nearly) the whole image.

    A row (column) is border when it is flat and has a border colour: white, black, or the colour
    of a flat row (column) at the image's edge. Flat rows of another colour (a clear sky, a
    gradient) stay part of the picture. Of what is left, the longest run is the picture: status
    bars and caption text sit apart from it, across border rows.
    """
    h, w = rgb.shape[:2]
    step = max(1, max(h, w) // _BOX_SIDE)   # found on a subsample: borders are many pixels wide
    small = rgb[::step, ::step]
    rows = _longest_run(~_border_lines(small))
    if rows is None:
        return None
    cols = _longest_run(~_border_lines(small[rows[0]:rows[1]].transpose(1, 0, 2)))
    if cols is None:
        return None
    y0, y1 = rows[0] * step, min(h, rows[1] * step)
    x0, x1 = cols[0] * step, min(w, cols[1] * step)
    area = (x1 - x0) * (y1 - y0)
    if area >= 0.97 * h * w or area < _MIN_CONTENT * h * w or min(x1 - x0, y1 - y0) < 16:
        return None
    return x0, y0, x1, y1


def _border_lines(rgb: np.ndarray) -> np.ndarray:
    """For each row of `rgb`: is it a flat line in a border colour?"""
    pixels = rgb.astype(np.float32)
    flat = pixels.mean(axis=2).std(axis=1) < _FLAT_STD
    colour = pixels.mean(axis=1)                                   # (rows, 3)
    edge = max(1, len(colour) // 20)
    ends = np.r_[0:edge, len(colour) - edge:len(colour)]
    palette = np.vstack([[[255.0, 255.0, 255.0], [0.0, 0.0, 0.0]], colour[ends][flat[ends]]])
    near = (np.abs(colour[:, None, :] - palette[None, :, :]).max(axis=2) <= _BORDER_COLOUR).any(axis=1)
    out: np.ndarray = flat & near
    return out


def _longest_run(active: np.ndarray) -> tuple[int, int] | None:
    """[start, end) of the longest run of True, bridging gaps of up to 1 % of the length."""
    n = len(active)
    if not active.any():
        return None
    gap = max(1, n // 100)
    best = (0, 0)
    start = None
    last_on = -10**9
    for i, on in enumerate(active):
        if on:
            if start is None or i - last_on > gap + 1:
                start = i
            last_on = i
            if i + 1 - start > best[1] - best[0]:
                best = (start, i + 1)
    return best if best[1] > best[0] else None


def _shrink(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if max(h, w) <= side:
        return rgb
    from PIL import Image

    im = Image.fromarray(rgb)
    im.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(im)
