"""Procedural test pictures and the alterations copies go through on their way across platforms.

The pictures have structure (gradients, overlapping shapes, lines, text, noise), not flat colour,
so their PDQ hashes are spread like those of real photos; every one is drawn from a seed, nothing
is downloaded. The transforms are what reposting does: resize, recompress, crop, rotate a little,
caption, watermark, recolour, mirror, screenshot.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

_WORDS = ("SYNTHETIC", "SAMPLE", "EXAMPLE", "mithal", "nemuneh", "test", "صورة", "نمونه", "2025", "violet")
_fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if size not in _fonts:
        _fonts[size] = ImageFont.load_default(size=size)
    return _fonts[size]


def picture(seed: int, size: tuple[int, int] = (384, 288)) -> Image.Image:
    """A structured RGB picture, different for every seed."""
    rng = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    w, h = size
    npr = np.random.default_rng(seed)
    # Background: a two-colour gradient along a random direction.
    c0, c1 = npr.integers(0, 256, 3), npr.integers(0, 256, 3)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    bg = (c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]).astype(np.uint8)
    im = Image.fromarray(bg)
    d = ImageDraw.Draw(im)
    for _ in range(rng.randint(6, 14)):
        x0, y0 = rng.randrange(-w // 4, w), rng.randrange(-h // 4, h)
        x1, y1 = x0 + rng.randrange(w // 10, w // 2), y0 + rng.randrange(h // 10, h // 2)
        fill = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.randrange(4)
        if shape == 0:
            d.ellipse((x0, y0, x1, y1), fill=fill)
        elif shape == 1:
            d.rectangle((x0, y0, x1, y1), fill=fill)
        elif shape == 2:
            d.polygon([(rng.randrange(w), rng.randrange(h)) for _ in range(3)], fill=fill)
        else:
            d.line((x0, y0, x1, y1), fill=fill, width=rng.randrange(2, 10))
    for _ in range(rng.randint(1, 3)):
        d.text((rng.randrange(w // 2), rng.randrange(h - 30)), rng.choice(_WORDS),
               fill=tuple(rng.randrange(256) for _ in range(3)), font=font(rng.randrange(14, 40)))
    arr = np.asarray(im).astype(np.int16) + npr.normal(0, 6, (h, w, 3)).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def encode(im: Image.Image, fmt: str = "JPEG", quality: int = 90) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        im.convert("RGB").save(buf, format="JPEG", quality=quality)
    else:
        im.save(buf, format=fmt)
    return buf.getvalue()


def _jpeg(quality: int) -> Callable[[Image.Image, random.Random], Image.Image]:
    def f(im: Image.Image, _rng: random.Random) -> Image.Image:
        return Image.open(io.BytesIO(encode(im, "JPEG", quality))).convert("RGB")
    return f


def resize(im: Image.Image, rng: random.Random) -> Image.Image:
    s = rng.choice((0.4, 0.6, 1.5))
    return im.resize((max(16, int(im.width * s)), max(16, int(im.height * s))), Image.Resampling.BICUBIC)


def crop(im: Image.Image, rng: random.Random) -> Image.Image:
    """Up to 10 % of the width and of the height cut, split at random between the two sides."""
    w, h = im.size
    cw, ch = int(w * rng.uniform(0.03, 0.10)), int(h * rng.uniform(0.03, 0.10))
    left, top = rng.randint(0, cw), rng.randint(0, ch)
    return im.crop((left, top, w - (cw - left), h - (ch - top)))


def rotate(im: Image.Image, rng: random.Random) -> Image.Image:
    return im.rotate(rng.choice((-3, -2, 2, 3)), resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))


def caption(im: Image.Image, rng: random.Random) -> Image.Image:
    """A meme band with text above (or below) the picture."""
    w, h = im.size
    band = int(h * 0.18)
    out = Image.new("RGB", (w, h + band), (255, 255, 255))
    top = rng.random() < 0.5
    out.paste(im, (0, band if top else 0))
    ImageDraw.Draw(out).text((w // 2, band // 2 if top else h + band // 2), "فضيحة!! SHARE before deleted",
                             fill=(0, 0, 0), font=font(max(10, band // 3)), anchor="mm")
    return out


def watermark(im: Image.Image, rng: random.Random) -> Image.Image:
    out = im.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    size = max(12, im.height // 10)
    d.text((rng.randrange(im.width // 2), rng.randrange(max(1, im.height - size))), "@haqiqa_news_sample",
           fill=(255, 255, 255, 140), font=font(size))
    return Image.alpha_composite(out, layer).convert("RGB")


def colour(im: Image.Image, rng: random.Random) -> Image.Image:
    out = ImageEnhance.Color(im).enhance(rng.choice((0.0, 0.5, 1.6)))
    return ImageEnhance.Brightness(out).enhance(rng.choice((0.85, 1.15)))


def mirror(im: Image.Image, _rng: random.Random) -> Image.Image:
    return ImageOps.mirror(im)


def screenshot(im: Image.Image, rng: random.Random) -> Image.Image:
    """The picture inside a phone screenshot: status bar, borders, a caption line under it."""
    w = int(im.width * rng.uniform(1.05, 1.25))
    pic_h = int(im.height * (w * 0.9 / im.width))
    pic = im.resize((int(w * 0.9), pic_h), Image.Resampling.BILINEAR)
    h = pic_h + 140
    bg = (255, 255, 255) if rng.random() < 0.5 else (18, 18, 18)
    ink = (0, 0, 0) if bg[0] > 128 else (240, 240, 240)
    out = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(out)
    d.rectangle((0, 0, w, 28), fill=(40, 40, 40))
    d.text((8, 6), "21:47", fill=(255, 255, 255), font=font(14))
    d.text((w - 60, 6), "87% ▮", fill=(255, 255, 255), font=font(14))
    d.text((10, 40), "Haqiqa News (sample)", fill=ink, font=font(16))
    out.paste(pic, ((w - pic.width) // 2, 72))
    d.text((10, 72 + pic_h + 20), "♡ 1.2K   💬 340   ↗ share", fill=ink, font=font(14))
    return out


TRANSFORMS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "resize": resize,
    "jpeg_q80": _jpeg(80),
    "jpeg_q50": _jpeg(50),
    "jpeg_q20": _jpeg(20),
    "crop": crop,
    "rotate": rotate,
    "caption": caption,
    "watermark": watermark,
    "colour": colour,
    "mirror": mirror,
    "screenshot": screenshot,
}


def altered(im: Image.Image, name: str, seed: int) -> bytes:
    """`im` through transform `name`, then saved as a platform would (JPEG, quality 85)."""
    out = TRANSFORMS[name](im, random.Random(seed))  # noqa: S311 - reproducible alterations
    return encode(out, "JPEG", 85)
