"""Every accepted format hashes; bad input is reported with the file's name, never crashes or hangs."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image, features

from himaya.detectors.media import decode as dec
from himaya.detectors.media.decode import CorruptMedia, EmptyMedia, MediaTooLarge, UnsupportedMedia, decode
from himaya.detectors.media.signals import hash_bytes
from tests.detectors.media.helpers import animated_gif, image_bytes


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"])
def test_every_picture_format_gives_the_same_picture_hash(fmt: str) -> None:
    ref = hash_bytes(image_bytes(1, "PNG"))
    got = hash_bytes(image_bytes(1, fmt), f"pic.{fmt.lower()}")
    assert got.kind == "image" and got.format == fmt and got.quality >= 50
    assert ref.pdq is not None and got.pdq is not None
    from himaya.detectors.media.pdq import distance

    assert distance(ref.pdq, got.pdq) <= 31, fmt


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow build has no AVIF codec")
def test_avif() -> None:
    assert hash_bytes(image_bytes(2, "AVIF")).format == "AVIF"


def test_animated_gif_first_frame_and_frames() -> None:
    data = animated_gif([10, 11, 12, 13], duration_ms=1000)
    s = hash_bytes(data, "anim.gif")
    first = hash_bytes(image_bytes(10, "PNG", (96, 72)))
    from himaya.detectors.media.pdq import distance

    assert s.kind == "animated" and s.format == "GIF" and len(s.frames) == 4
    assert s.pdq is not None and first.pdq is not None and distance(s.pdq, first.pdq) <= 31
    assert [round(f.ts) for f in s.frames] == [0, 1, 2, 3]


def test_thousands_of_frames_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [Image.new("P", (8, 8), i % 200) for i in range(4000)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=20, optimize=False)
    started = time.perf_counter()
    d = decode(buf.getvalue(), "many.gif")
    assert d.truncated and len(d.frames) <= dec.MAX_FRAMES_KEPT
    assert time.perf_counter() - started < 20
    big = [Image.new("P", (1000, 1000), i % 200) for i in range(3)]
    monkeypatch.setattr(dec, "MAX_ANIMATION_PIXELS", 2_000_000)
    buf = io.BytesIO()
    big[0].save(buf, format="GIF", save_all=True, append_images=big[1:], duration=2000)
    assert decode(buf.getvalue(), "big.gif").truncated  # stopped by the pixel budget after 2 frames


def test_zero_byte_file() -> None:
    with pytest.raises(EmptyMedia, match=r"empty\.jpg: empty file"):
        decode(b"", "empty.jpg")


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0" + b"\x00" * 40, image_bytes(3, "PNG")[:200],
                                  b"GIF89a" + b"\x01" * 30])
def test_corrupt_pictures_are_reported(data: bytes) -> None:
    with pytest.raises(CorruptMedia, match=r"broken\.bin"):
        decode(data, "broken.bin")


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat)))


def test_decompression_bomb_is_refused_on_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MediaTooLarge, match=r"bomb\.png: decompression bomb"):
        decode(_png_header(40_000, 40_000), "bomb.png")
    # Our own limit, checked on the header, whatever Pillow's global is set to.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(MediaTooLarge, match=r"bomb\.png: 10000×7000 pixels is over the 64,000,000-pixel limit"):
        decode(_png_header(10_000, 7_000), "bomb.png")


def test_heic() -> None:
    heif = pytest.importorskip("pillow_heif", reason="pillow-heif not installed: HEIC is reported as unsupported")
    heif.register_heif_opener()
    buf = io.BytesIO()
    Image.open(io.BytesIO(image_bytes(5, "PNG"))).save(buf, format="HEIF", quality=90)
    s = hash_bytes(buf.getvalue(), "photo.heic")
    from himaya.detectors.media.pdq import distance

    ref = hash_bytes(image_bytes(5, "PNG")).pdq
    assert s.format == "HEIC" and s.pdq is not None and ref is not None and distance(s.pdq, ref) <= 31
    with pytest.raises(CorruptMedia, match=r"photo\.heic"):
        decode(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "photo.heic")


def test_unknown_formats_are_unsupported() -> None:
    with pytest.raises(UnsupportedMedia, match=r"notes\.pdf"):
        decode(b"%PDF-1.7\n" + b"x" * 100, "notes.pdf")


def test_video_without_a_video_stream_is_unsupported() -> None:
    import av

    buf = io.BytesIO()
    out = av.open(buf, mode="w", format="matroska")
    stream = out.add_stream("pcm_s16le", rate=8000)
    frame = av.AudioFrame(format="s16", layout="mono", samples=800)
    frame.sample_rate = 8000
    for p in stream.encode(frame):
        out.mux(p)
    for p in stream.encode():
        out.mux(p)
    out.close()
    with pytest.raises(UnsupportedMedia, match=r"voice\.mkv: the WEBM file has no video stream"):
        decode(buf.getvalue(), "voice.mkv")


def test_corrupt_video_is_reported() -> None:
    with pytest.raises(CorruptMedia, match=r"clip\.mp4"):
        decode(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 24 + b"garbage" * 50, "clip.mp4")


def test_large_pictures_are_hashed_at_reduced_size() -> None:
    d = decode(image_bytes(4, "JPEG", (2048, 1536)), "big.jpg")
    assert (d.width, d.height) == (2048, 1536) and max(d.frames[0].rgb.shape[:2]) <= dec.HASH_SIDE
