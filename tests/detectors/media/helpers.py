"""Media files the tests generate: pictures in every format, animations, videos (PyAV encoders)."""

from __future__ import annotations

import io

import av
import numpy as np
from PIL import Image

from himaya.detectors.media.transforms import picture


def image_bytes(seed: int, fmt: str, size: tuple[int, int] = (384, 288)) -> bytes:
    buf = io.BytesIO()
    im = picture(seed, size)
    if fmt == "GIF":
        im = im.convert("P", palette=Image.Palette.ADAPTIVE)
    im.save(buf, format=fmt)
    return buf.getvalue()


def animated_gif(seeds: list[int], duration_ms: int = 500, size: tuple[int, int] = (96, 72)) -> bytes:
    frames = [picture(s, size).convert("P", palette=Image.Palette.ADAPTIVE) for s in seeds]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=duration_ms, loop=0)
    return buf.getvalue()


def scene_frames(seed: int, seconds: int, fps: int, size: tuple[int, int] = (192, 144)) -> list[np.ndarray]:
    """A new scene every second, each slowly panning: what a short clip looks like to vPDQ."""
    out = []
    for s in range(seconds):
        big = np.asarray(picture(seed * 1000 + s, (size[0] + 40, size[1])))
        for f in range(fps):
            x = f * 40 // fps
            out.append(np.ascontiguousarray(big[:, x:x + size[0]]))
    return out


def video_bytes(frames: list[np.ndarray], fps: int, container: str = "mp4", codec: str = "mpeg4",
                scale: float = 1.0, bit_rate: int = 400_000) -> bytes:
    buf = io.BytesIO()
    out = av.open(buf, mode="w", format=container)
    h, w = frames[0].shape[:2]
    stream = out.add_stream(codec, rate=fps)
    assert isinstance(stream, av.VideoStream)
    stream.width, stream.height = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
    stream.pix_fmt = "yuv420p"
    stream.bit_rate = bit_rate
    for rgb in frames:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(width=stream.width, height=stream.height)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return buf.getvalue()
