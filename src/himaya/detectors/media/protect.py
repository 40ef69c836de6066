"""Protecting the analysts: abusive pictures are shown blurred unless someone asks for the original.

Thumbnails are small, heavily blurred and pixelated JPEGs with no metadata: enough to tell two
copies apart or see that it is a photo of a person, not enough to take in the abuse. Videos and
animations use their first frame. The original is only handed out by `himaya media show
--original`, and every view (blurred or original) is written to the media view audit log.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

from himaya.detectors.media.decode import MediaError, decode

THUMB_SIDE = 160
BLUR_RADIUS = 9
_PIXEL = 12   # pixelate to this many blocks across before blurring


def blurred_thumbnail(data: bytes, name: str = "") -> bytes:
    """A blurred JPEG thumbnail of a picture or video's first frame; MediaError if it cannot be read."""
    decoded = decode(data, name)
    if not decoded.frames:
        raise MediaError(f"{name or 'media'}: no frame to show")
    return blur_rgb_image(Image.fromarray(decoded.frames[0].rgb))


def blur_rgb_image(im: Image.Image) -> bytes:
    im = im.convert("RGB")
    im.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BILINEAR)
    w, h = im.size
    small = im.resize((max(1, _PIXEL), max(1, round(_PIXEL * h / max(w, 1)))), Image.Resampling.BILINEAR)
    im = small.resize((w, h), Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=70)   # Pillow writes no EXIF unless asked
    return buf.getvalue()


def placeholder() -> bytes:
    """A grey tile for media that cannot be decoded (nothing of the original shows)."""
    buf = io.BytesIO()
    Image.new("RGB", (THUMB_SIDE, THUMB_SIDE), (200, 200, 205)).save(buf, format="JPEG", quality=70)
    return buf.getvalue()
