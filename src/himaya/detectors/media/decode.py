"""Bytes → RGB frames for hashing, with every limit explicit.

Images open through Pillow restricted to the formats we accept, with the decompression-bomb limit
set here on purpose (`MAX_PIXELS`) and checked on the header before a pixel is decoded. Large
images are decoded at reduced size (JPEG DCT scaling) and scaled to at most `HASH_SIDE` pixels: the
reference PDQ hasher does the same for throughput, and the hash is computed from a 64 × 64
downsample anyway. Animated GIF/WebP frames and video frames are sampled at one per second (vPDQ's
rate), and the frames read, the pixels decoded and the frames kept are all bounded, so a
10,000-frame GIF costs no more than a short clip.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from himaya.errors import HimayaError

MAX_PIXELS = 64_000_000          # a 50-megapixel phone photo is fine; a 30,000² PNG bomb is not
MAX_BYTES = 512 * 1024 * 1024    # one file
HASH_SIDE = 512                  # longest side frames are scaled to before hashing
MAX_FRAMES_READ = 3000           # frames of an animation decoded at most
MAX_FRAMES_KEPT = 600            # sampled frames (seconds) hashed at most: ten minutes of video
MAX_ANIMATION_PIXELS = 600_000_000  # pixels decoded across an animation's frames (a few seconds of work)
SAMPLE_INTERVAL_S = 1.0          # vPDQ hashes one frame per second
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIC", "BMP", "TIFF")
_PILLOW_NAME = {"HEIC": "HEIF"}   # pillow-heif registers HEIC/HEIF pictures as "HEIF"

# Pillow warns above its global MAX_IMAGE_PIXELS and refuses above twice that. We do not rely on
# that global (ingest sets it too, to the same 64 MP): `_open` checks our own limit on the header
# before a pixel is decoded, and turns Pillow's warning into a refusal as a second line of defence.


class MediaError(HimayaError):
    """A media file that cannot be hashed; `code` is stable (stored, shown in --json)."""

    code = "corrupt"


class EmptyMedia(MediaError):
    code = "empty"


class UnsupportedMedia(MediaError):
    code = "unsupported"


class CorruptMedia(MediaError):
    code = "corrupt"


class MediaTooLarge(MediaError):
    code = "too_large"


class UnreadableMedia(MediaError):
    """The file itself could not be read (missing, a folder, permissions)."""

    code = "unreadable"


@dataclass(frozen=True, slots=True)
class Frame:
    rgb: np.ndarray      # (h, w, 3) uint8, longest side ≤ HASH_SIDE
    ts: float            # seconds from the start (0 for a still image)


@dataclass(frozen=True, slots=True)
class Decoded:
    kind: str            # image, animated, video
    format: str          # JPEG, PNG, GIF, WEBP, MP4, MOV, WEBM, ...
    width: int
    height: int
    frames: tuple[Frame, ...]
    duration_s: float = 0.0
    truncated: bool = False   # more frames than we read or keep


def sniff(data: bytes) -> str:
    """The container by its first bytes: JPEG, PNG, GIF, WEBP, HEIC, AVIF, MP4, MOV, WEBM, BMP, TIFF or ''."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WEBM"
    if head[:2] == b"BM":
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return "MOV" if brand == b"qt  " else "MP4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "MOV"
    return ""


def decode(data: bytes, name: str = "") -> Decoded:
    """Frames to hash from one file's bytes; raises a MediaError subclass that names `name`."""
    label = name or "media"
    if not data:
        raise EmptyMedia(f"{label}: empty file (0 bytes)")
    if len(data) > MAX_BYTES:
        raise MediaTooLarge(f"{label}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    fmt = sniff(data)
    if fmt in ("MP4", "MOV", "WEBM"):
        from himaya.detectors.media.vpdq import decode_video

        return decode_video(data, label, fmt)
    if fmt == "HEIC" and not _heif_decoder():
        raise UnsupportedMedia(f"{label}: HEIC images are not supported in this build (pillow-heif is not installed)")
    if fmt not in IMAGE_FORMATS:
        raise UnsupportedMedia(f"{label}: not an image or video format Himaya hashes (first bytes {data[:8].hex()})")
    return _decode_image(data, label, fmt)


@cache
def _heif_decoder() -> bool:
    """pillow-heif (a wheel bundling libheif) registered with Pillow, if it is installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _open(data: bytes, label: str, fmt: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=[_PILLOW_NAME.get(fmt, fmt)])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaTooLarge(f"{label}: decompression bomb refused ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptMedia(f"{label}: cannot read the {fmt} header ({exc})") from None
    w, h = im.size
    if w <= 0 or h <= 0:
        raise CorruptMedia(f"{label}: image has no pixels ({w}×{h})")
    if w * h > MAX_PIXELS:
        raise MediaTooLarge(f"{label}: {w}×{h} pixels is over the {MAX_PIXELS:,}-pixel limit (decompression bomb?)")
    return im


def to_rgb(im: Image.Image, side: int = HASH_SIDE) -> np.ndarray:
    """RGB pixels, transparency composed over white, longest side at most `side`."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(base, rgba).convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if max(im.size) > side:
        im = im.copy()
        im.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(im, dtype=np.uint8)


def _decode_image(data: bytes, label: str, fmt: str) -> Decoded:
    im = _open(data, label, fmt)
    w, h = im.size
    try:
        if getattr(im, "is_animated", False):
            frames, duration, truncated = _animation(im)
            return Decoded("animated", fmt, w, h, tuple(frames), duration, truncated)
        if fmt == "JPEG":
            # DCT scaling: decode at 1/2, 1/4 or 1/8 size while the longest side stays ≥ HASH_SIDE.
            im.draft("RGB", (max(1, HASH_SIDE * w // max(w, h)), max(1, HASH_SIDE * h // max(w, h))))
        im = ImageOps.exif_transpose(im) or im
        return Decoded("image", fmt, w, h, (Frame(to_rgb(im), 0.0),))
    except MediaError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise CorruptMedia(f"{label}: the {fmt} data is damaged ({exc})") from None


def _animation(im: Image.Image) -> tuple[list[Frame], float, bool]:
    """Frame 0 always, then the first frame of every following second; bounded."""
    frames: list[Frame] = []
    t = 0.0
    next_sample = 0.0
    read = 0
    truncated = False
    for read, frame in enumerate(_iter_frames(im), start=1):
        if t >= next_sample:
            frames.append(Frame(to_rgb(frame), t))
            next_sample = (int(t / SAMPLE_INTERVAL_S) + 1) * SAMPLE_INTERVAL_S
        t += max(float(frame.info.get("duration", 100) or 100), 10.0) / 1000.0
        if (read >= MAX_FRAMES_READ or len(frames) >= MAX_FRAMES_KEPT
                or read * im.width * im.height >= MAX_ANIMATION_PIXELS):
            truncated = True
            break
    return frames, t, truncated


def _iter_frames(im: Image.Image) -> Iterator[Image.Image]:
    i = 0
    while True:
        try:
            im.seek(i)
        except EOFError:
            return
        yield im
        i += 1
