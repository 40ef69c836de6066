"""vPDQ, reimplemented on PyAV + pdqhash (the `vpdq` wheel needs ffmpeg headers we do not ship).

As Meta's vPDQ defines it (ThreatExchange `vpdq/`, `threatexchange.extensions.vpdq`):

* hash one frame per second with PDQ, keeping each frame's quality and timestamp;
* consecutive frames whose hashes are near-identical are collapsed into the first;
* to compare two videos, drop frames under quality 50 and de-duplicate identical hashes; the
  query match percentage is the share of the query's hashes within distance 31 of any of the
  other video's hashes, the compared match percentage the same the other way round;
* a match needs ≥ 80 % of the query's frames (and ≥ 0 % of the compared video's).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from himaya.detectors.media import pdq
from himaya.detectors.media.decode import (
    HASH_SIDE,
    MAX_FRAMES_KEPT,
    SAMPLE_INTERVAL_S,
    CorruptMedia,
    Decoded,
    Frame,
    UnsupportedMedia,
)

QUALITY_THRESHOLD = 50
DISTANCE_THRESHOLD = 31
QUERY_MATCH_PERCENT = 80.0
COMPARED_MATCH_PERCENT = 0.0
COLLAPSE_DISTANCE = 2     # consecutive frames this close are one scene: keep the first


@dataclass(frozen=True, slots=True)
class FrameHash:
    pdq: bytes
    quality: int
    ts: float


def hash_frames(frames: Sequence[Frame]) -> tuple[FrameHash, ...]:
    """PDQ of every sampled frame, consecutive near-duplicates collapsed."""
    out: list[FrameHash] = []
    for f in frames:
        h, q = pdq.compute(f.rgb)
        if out and pdq.distance(out[-1].pdq, h) <= COLLAPSE_DISTANCE:
            continue
        out.append(FrameHash(h, q, f.ts))
    return tuple(out)


def match_percentages(query: Sequence[FrameHash], compared: Sequence[FrameHash],
                      distance: int = DISTANCE_THRESHOLD,
                      quality: int = QUALITY_THRESHOLD) -> tuple[float, float]:
    """(query %, compared %) as vPDQ's brute-force matcher computes them."""
    q = _usable(query, quality)
    c = _usable(compared, quality)
    if not q or not c:
        return 0.0, 0.0
    qw, cw = pdq.as_words(q), pdq.as_words(c)
    d = np.bitwise_count(qw[:, None, :] ^ cw[None, :, :]).sum(axis=2)
    close = d <= distance
    return 100.0 * float(close.any(axis=1).mean()), 100.0 * float(close.any(axis=0).mean())


def is_match(query_pct: float, compared_pct: float) -> bool:
    return query_pct >= QUERY_MATCH_PERCENT and compared_pct >= COMPARED_MATCH_PERCENT


def _usable(frames: Sequence[FrameHash], quality: int) -> list[bytes]:
    return list(dict.fromkeys(f.pdq for f in frames if f.quality >= quality))


def decode_video(data: bytes, label: str, fmt: str) -> Decoded:
    """Frames at 1 fps from an MP4/MOV/WebM; an undecodable codec is reported, not fatal."""
    import av

    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptMedia(f"{label}: cannot open the {fmt} container ({exc})") from None
    try:
        if not container.streams.video:
            raise UnsupportedMedia(f"{label}: the {fmt} file has no video stream")
        stream = container.streams.video[0]
        name = stream.codec_context.name if stream.codec_context else "unknown"
        stream.thread_type = "AUTO"
        width, height = stream.codec_context.width, stream.codec_context.height
        scale = min(1.0, HASH_SIDE / max(width, height, 1))
        tw, th = max(2, int(width * scale)), max(2, int(height * scale))
        frames: list[Frame] = []
        next_sample, last_ts, truncated = 0.0, 0.0, False
        for frame in container.decode(stream):
            ts = float(frame.time) if frame.time is not None else last_ts
            last_ts = ts
            if ts + 1e-6 < next_sample:
                continue
            rgb = frame.to_ndarray(format="rgb24", width=tw, height=th)
            frames.append(Frame(np.ascontiguousarray(rgb), ts))
            next_sample = (int(ts / SAMPLE_INTERVAL_S) + 1) * SAMPLE_INTERVAL_S
            if len(frames) >= MAX_FRAMES_KEPT:
                truncated = True
                break
        if not frames:
            raise CorruptMedia(f"{label}: no decodable frame in the {fmt} file (codec {name})")
        duration = float(container.duration / 1_000_000) if container.duration else last_ts
        return Decoded("video", fmt, width, height, tuple(frames), duration, truncated)
    except av.error.DecoderNotFoundError:
        raise UnsupportedMedia(f"{label}: no decoder for this {fmt} video's codec") from None
    except av.FFmpegError as exc:
        raise CorruptMedia(f"{label}: the {fmt} video is damaged ({exc})") from None
    finally:
        container.close()
