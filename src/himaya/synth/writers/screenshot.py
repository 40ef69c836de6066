"""Screenshots of a hostile reply, rendered with Pillow's default font (formats README §12).

A mock of an attacker's X reply under the collective's statement (Arabizi and English, since
Pillow's own font has Latin glyphs only), with the forged Photo A pasted in and a SYNTHETIC
banner. `png` has no metadata chunks at all; `jpeg_exif` is the same picture as a phone would
save it, with EXIF camera, time and an obviously fake GPS position (0° N, 0° E), so that
display copies can be checked for stripped metadata.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from himaya.synth._util import MONTHS, local
from himaya.synth.scenario import Scenario

W, H = 640, 360


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def render(sc: Scenario) -> Image.Image:
    who = sc.attackers[0]
    im = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, W, 28), fill=(200, 30, 45))
    d.text((12, 6), "SYNTHETIC SAMPLE - not a real post (Himaya test data)", fill=(255, 255, 255), font=_font(15))
    d.ellipse((16, 44, 64, 92), fill=(150, 150, 160))
    d.text((76, 46), f"{who.x_handle.split('_')[0].title()} (sample)", fill=(15, 20, 25), font=_font(17))
    ts = sc.at(2 * 3600 + 602)
    when = f"{MONTHS[int(local(ts, sc.tz_offset, '%m')) - 1]} {int(local(ts, sc.tz_offset, '%d'))}"
    d.text((76, 68), f"@{who.x_handle} · {when}", fill=(100, 110, 120), font=_font(15))
    d.text((76, 96), f"Replying to @{sc.collective.x_handle}", fill=(29, 155, 240), font=_font(15))
    body = [sc.text("threat_arabizi").replace(" 🤬", ""), sc.text("threat_en"), "#ReportBanafsha"]
    for i, line in enumerate(body):
        d.text((76, 124 + 26 * i), line, fill=(15, 20, 25), font=_font(18))
    photo = Image.open(io.BytesIO(sc.photo_a)).convert("RGB").resize((128, 128), Image.Resampling.NEAREST)
    im.paste(photo, (76, 206))
    d.text((230, 300), "12 Reposts   30 Likes   410 Views", fill=(100, 110, 120), font=_font(15))
    d.line((0, H - 6, W, H - 6), fill=(230, 230, 235), width=2)
    return im


def png_bytes(sc: Scenario) -> bytes:
    buf = io.BytesIO()
    render(sc).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def jpeg_exif_bytes(sc: Scenario) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SampleCam"                       # Make
    exif[0x0110] = "Example Phone 7"                 # Model
    exif[0x0131] = "Himaya synthetic generator"      # Software
    exif[0x0132] = local(sc.at(2 * 3600 + 900), sc.tz_offset, "%Y:%m:%d %H:%M:%S")  # DateTime (device-local)
    gps = exif.get_ifd(0x8825)
    gps.update({0: b"\x02\x02\x00\x00", 1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)})
    buf = io.BytesIO()
    render(sc).save(buf, format="JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def write(out_dir: Path, scenario: Scenario, *, variant: Literal["png", "jpeg_exif"] = "png") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    if variant == "png":
        path = out_dir / "screenshot_x_reply_arabizi.png"
        path.write_bytes(png_bytes(scenario))
    else:
        path = out_dir / "screenshot_x_reply_arabizi_exif.jpg"
        path.write_bytes(jpeg_exif_bytes(scenario))
    return path
