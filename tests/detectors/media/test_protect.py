"""Analyst protection: thumbnails blurred everywhere, reports escape hostile text and embed no original."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from himaya.detectors.media.protect import THUMB_SIDE, blurred_thumbnail
from himaya.detectors.media.report import write_media_report
from himaya.detectors.media.signals import content_box, hash_bytes
from himaya.detectors.media.store import add_known, list_views
from himaya.detectors.media.transforms import picture, screenshot
from himaya.store.db import Store
from tests.detectors.media.helpers import image_bytes


def _detail(rgb: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels: what blurring takes away."""
    g = rgb.astype(np.float32).mean(axis=2)
    return float(np.abs(np.diff(g, axis=1)).mean() + np.abs(np.diff(g, axis=0)).mean())


def test_thumbnails_are_small_and_blurred() -> None:
    data = image_bytes(8, "PNG", (800, 600))
    thumb = Image.open(io.BytesIO(blurred_thumbnail(data, "x.png")))
    assert thumb.format == "JPEG" and max(thumb.size) <= THUMB_SIDE and not thumb.info.get("exif")
    sharp = Image.open(io.BytesIO(data)).convert("RGB")
    sharp.thumbnail((THUMB_SIDE, THUMB_SIDE))
    assert _detail(np.asarray(thumb)) < 0.4 * _detail(np.asarray(sharp))


def test_content_box_cuts_borders_but_keeps_flat_sky() -> None:
    import random

    pic = picture(9)
    shot = np.asarray(screenshot(pic, random.Random(1)))
    box = content_box(shot)
    assert box is not None
    _, y0, _, y1 = box
    assert y0 >= 60 and (y1 - y0) / shot.shape[0] < 0.85  # status bar and caption line cut off
    sky = np.zeros((300, 400, 3), dtype=np.uint8)
    sky[:, :, 2] = np.linspace(120, 250, 300, dtype=np.uint8)[:, None]   # flat rows of a gradient sky
    sky[150:, :, :] = np.asarray(picture(10, (400, 150)))
    box = content_box(sky)
    assert box is None or box[1] <= 0.15 * 300  # the sky is picture: at most its flat top edge is cut


def test_report_escapes_hostile_text_and_embeds_no_original(store: Store, tmp_path: Path) -> None:
    data = image_bytes(11, "JPEG")
    hostile = '<script>alert(1)</script> \u202eevil'
    add_known(store, "case-p", hash_bytes(data, reference=True), source="upload", category="harassment",
              blob=store.blobs.put_bytes(data)[1], label=hostile)
    out = write_media_report(store, "case-p", tmp_path / "r.html", viewer="ana")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html and 'dir="auto"' in html
    import base64

    assert base64.b64encode(data[:60]).decode()[:40] not in html  # the original bytes are not in the page
    assert 'class="thumb blurred"' in html and (out.stat().st_mode & 0o077) == 0
    assert [v["view"] for v in list_views(store, "report:case-p")] == ["report"]
