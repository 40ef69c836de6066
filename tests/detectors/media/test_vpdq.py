"""vPDQ as Meta defines it: 1 fps, collapsed duplicates, match percentages; across containers and codecs."""

from __future__ import annotations

import numpy as np
import pytest

from himaya.detectors.media import vpdq
from himaya.detectors.media.matcher import Known, KnownMatcher
from himaya.detectors.media.signals import hash_bytes
from himaya.detectors.media.vpdq import FrameHash, match_percentages
from tests.detectors.media.helpers import scene_frames, video_bytes

FPS = 10


@pytest.fixture(scope="module")
def clip() -> list[np.ndarray]:
    return scene_frames(1, seconds=6, fps=FPS)


@pytest.fixture(scope="module")
def original(clip: list[np.ndarray]) -> bytes:
    return video_bytes(clip, FPS, "mp4", "mpeg4", bit_rate=800_000)


def test_one_frame_per_second(original: bytes) -> None:
    s = hash_bytes(original, "clip.mp4")
    assert s.kind == "video" and s.format == "MP4"
    assert len(s.frames) == 6 and [round(f.ts) for f in s.frames] == [0, 1, 2, 3, 4, 5]
    assert all(f.quality >= 50 for f in s.frames) and 5.5 <= s.duration_s <= 6.5


def test_a_still_video_collapses_to_one_frame(clip: list[np.ndarray]) -> None:
    still = video_bytes([clip[0]] * (4 * FPS), FPS)
    assert len(hash_bytes(still, "still.mp4").frames) == 1


@pytest.mark.parametrize(("container", "codec", "scale"), [("webm", "libvpx", 0.75), ("mov", "libx264", 1.5),
                                                            ("mp4", "libx264", 0.5)])
def test_reencoded_copy_matches(original: bytes, clip: list[np.ndarray], container: str, codec: str,
                                scale: float) -> None:
    copy = video_bytes(clip, FPS, container, codec, scale=scale, bit_rate=200_000)
    known = hash_bytes(original, "clip.mp4", reference=True)
    query = hash_bytes(copy, f"copy.{container}")
    qp, cp = match_percentages(query.frames, known.frames)
    assert qp >= 80 and cp >= 80
    hits = KnownMatcher([Known(7, known)]).match(query)
    assert [(h.known_id, h.matcher) for h in hits] == [(7, "vpdq")]


def test_a_trimmed_copy_matches_as_query(original: bytes, clip: list[np.ndarray]) -> None:
    """A copy holding 3 of the 6 seconds: all of its frames are in the original (query 100 %, compared 50 %)."""
    part = video_bytes(clip[2 * FPS:5 * FPS], FPS)
    qp, cp = match_percentages(hash_bytes(part).frames, hash_bytes(original).frames)
    assert qp >= 80 and 30 <= cp <= 70 and vpdq.is_match(qp, cp)


def test_unrelated_video_does_not_match(original: bytes) -> None:
    other = video_bytes(scene_frames(2, seconds=5, fps=FPS), FPS)
    qp, _ = match_percentages(hash_bytes(other).frames, hash_bytes(original).frames)
    assert qp < 20
    assert KnownMatcher([Known(1, hash_bytes(original, reference=True))]).match(hash_bytes(other)) == []


def test_low_quality_frames_are_ignored() -> None:
    good = FrameHash(bytes(32), 90, 0.0)
    flat = FrameHash(bytes(32), 10, 1.0)
    assert match_percentages([flat], [good]) == (0.0, 0.0)
    assert match_percentages([good, flat], [good]) == (100.0, 100.0)


def test_a_known_picture_shown_in_a_video_is_found_frame_by_frame() -> None:
    from himaya.detectors.media.transforms import picture

    still = np.asarray(picture(40, (192, 144)))
    clip = scene_frames(3, seconds=2, fps=FPS) + [still] * (2 * FPS) + scene_frames(4, seconds=2, fps=FPS)
    known = hash_bytes(image_bytes_png(still), "known.png", reference=True)
    hits = KnownMatcher([Known(3, known)]).match(hash_bytes(video_bytes(clip, FPS), "news.mp4"))
    assert [(h.known_id, h.matcher) for h in hits] == [(3, "pdq_frame")]


def image_bytes_png(rgb: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()
