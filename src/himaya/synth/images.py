"""The scenario's synthetic pictures, drawn with Pillow (no network, no font files beyond Pillow's own).

* Photo A, the "forged" picture the attackers repost on every platform (IG message request,
  Telegram forward, WhatsApp attachment, X reply);
* Photo A small, a resized and re-encoded copy of A (different sha256, close perceptual hash);
* Photo B and C, the collective's own post pictures.

Every picture says SYNTHETIC on its face. The bytes are fixed for a given Pillow build.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality, optimize=False, progressive=False)
    return buf.getvalue()


def _banner(draw: ImageDraw.ImageDraw, w: int, h: int, text: str) -> None:
    draw.rectangle((0, h - 16, w, h), fill=(20, 20, 20))
    draw.text((w // 2, h - 8), text, fill=(255, 230, 0), font=_font(11), anchor="mm")


@cache
def _photo_a_image() -> Image.Image:
    w = h = 96
    im = Image.new("RGB", (w, h), (150, 28, 40))
    d = ImageDraw.Draw(im)
    d.ellipse((10, 8, 50, 48), fill=(245, 200, 60))           # a "flash" of light
    d.rectangle((44, 20, 88, 70), fill=(235, 235, 235))       # a "document"
    for y in range(28, 64, 7):
        d.line((50, y, 82, y), fill=(90, 90, 90), width=2)
    d.polygon([(8, 78), (30, 56), (52, 78)], fill=(40, 90, 160))
    _banner(d, w, h, "SYNTHETIC")
    return im


@cache
def photo_a() -> bytes:
    return _jpeg(_photo_a_image(), 88)


@cache
def photo_a_small() -> bytes:
    """Photo A scaled to 72 px and saved again at a lower quality: what a repost looks like."""
    small = Image.open(io.BytesIO(photo_a())).convert("RGB").resize((72, 72), Image.Resampling.LANCZOS)
    return _jpeg(small, 70)


@cache
def photo_b() -> bytes:
    w = h = 96
    im = Image.new("RGB", (w, h), (92, 52, 140))
    d = ImageDraw.Draw(im)
    for cx, cy in ((48, 30), (30, 46), (66, 46), (38, 64), (58, 64)):
        d.ellipse((cx - 13, cy - 13, cx + 13, cy + 13), fill=(170, 130, 220))
    d.ellipse((40, 40, 56, 56), fill=(250, 220, 90))
    _banner(d, w, h, "SAMPLE")
    return _jpeg(im, 85)


@cache
def photo_c() -> bytes:
    """A bar chart for the weekly report post: accounts that followed per hour."""
    w, h = 128, 96
    im = Image.new("RGB", (w, h), (245, 245, 240))
    d = ImageDraw.Draw(im)
    for i, v in enumerate((4, 6, 3, 5, 62, 7, 4)):
        x = 10 + i * 16
        d.rectangle((x, 76 - min(v, 60), x + 10, 76), fill=(200, 40, 60) if v > 20 else (90, 90, 160))
    _banner(d, w, h, "SYNTHETIC")
    return _jpeg(im, 85)
