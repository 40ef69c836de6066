"""The defamatory picture of the media-matching demo, its altered copies, and three exports carrying them.

The picture (a staged "reception" with the collective's banner, SYNTHETIC across it) is drawn with
Pillow; the copies are what happens as it travels: resized, recompressed, cropped, captioned,
screenshotted. They turn up in:

* `telegram_media`: the Haqiqa News channel's own export (the original post, then the
  screenshot and the resized copy reposted);
* `facebook_media`: Huda Mithal's Facebook export, a Messenger thread where an attacker sends
  the captioned and the cropped copies;
* `whatsapp_media`: a WhatsApp family group (iOS ZIP) where the recompressed copy is forwarded.

A four-second video made from the picture (`video()`: MPEG-4 Part 2 in MP4) is posted in the
channel too, and a smaller H.264 re-encode of it (`video_copy()`) forwarded in the WhatsApp group,
for vPDQ. Same seed, same bytes for a given Pillow and PyAV build (their encoders are
deterministic for fixed input and settings, single-threaded).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from himaya.synth._util import alnum, digits, local, meta_json, telegram_json, write_tree, write_zip
from himaya.synth.scenario import Scenario
from himaya.synth.writers._meta import folder_name, message, thread
from himaya.synth.writers.telegram import text_fields

COPIES = ("original", "resized", "recompressed", "cropped", "captioned", "screenshot")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, format="JPEG", quality=quality, optimize=False, progressive=False)
    return buf.getvalue()


@cache
def _picture() -> Image.Image:
    w, h = 480, 360
    im = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(im)
    for y in range(h):  # warm room light fading to a dark floor
        d.line((0, y, w, y), fill=(120 + y // 6, 80 + y // 8, 60 + y // 10))
    d.rectangle((40, 30, 440, 110), fill=(90, 40, 120))                  # the collective's banner
    d.text((240, 70), "BANAFSHA (sample)", fill=(250, 230, 250), font=_font(30), anchor="mm")
    d.rectangle((330, 140, 470, 300), fill=(200, 200, 210))              # a flag stand
    d.polygon([(340, 150), (460, 150), (460, 210), (340, 210)], fill=(30, 60, 150))
    for i, x in enumerate((70, 150, 230)):                               # three figures
        tone = (210 - 25 * i, 170 - 20 * i, 140 - 15 * i)
        d.ellipse((x - 22, 150, x + 22, 194), fill=tone)
        d.rounded_rectangle((x - 38, 196, x + 38, 330), radius=18, fill=(40 + 50 * i, 40, 70 + 30 * i))
    d.rectangle((120, 300, 300, 315), fill=(180, 150, 90))               # a table
    d.text((240, 250), "SYNTHETIC", fill=(255, 255, 0), font=_font(44), anchor="mm")
    return im


@cache
def copies() -> dict[str, bytes]:
    """The picture and its altered copies, as JPEG bytes, keyed by what was done to it."""
    im = _picture()
    w, h = im.size
    original = _jpeg(im, 92)
    resized = _jpeg(im.resize((320, 240), Image.Resampling.LANCZOS), 80)
    recompressed = _jpeg(Image.open(io.BytesIO(original)), 35)
    cropped = _jpeg(im.crop((int(w * 0.07), int(h * 0.04), w - int(w * 0.02), h - int(h * 0.03))), 85)
    band = 64
    cap = Image.new("RGB", (w, h + band), (255, 255, 255))
    cap.paste(im, (0, band))
    ImageDraw.Draw(cap).text((w // 2, band // 2), "بالصور: ناشطات بنفسج في السفارة!", fill=(0, 0, 0),
                             font=_font(24), anchor="mm")
    shot = Image.new("RGB", (400, 520), (18, 18, 18))
    sd = ImageDraw.Draw(shot)
    sd.rectangle((0, 0, 400, 26), fill=(0, 0, 0))
    sd.text((10, 5), "21:47", fill=(255, 255, 255), font=_font(14))
    sd.text((330, 5), "87% ▮", fill=(255, 255, 255), font=_font(14))
    sd.text((12, 40), "Haqiqa News (sample)", fill=(240, 240, 240), font=_font(16))
    shot.paste(im.resize((376, 282), Image.Resampling.BILINEAR), (12, 80))
    sd.text((12, 400), "1.2K views   ↗ share", fill=(200, 200, 200), font=_font(14))
    return {"original": original, "resized": resized, "recompressed": recompressed, "cropped": cropped,
            "captioned": _jpeg(cap, 85), "screenshot": _jpeg(shot, 88)}


def _scenes() -> list[Image.Image]:
    """Four one-second scenes: the picture, its banner, its figures, a title card."""
    im = _picture()
    card = Image.new("RGB", im.size)
    cd = ImageDraw.Draw(card)
    for x in range(im.width):   # a left-to-right gradient: flat cards hash unstably under resizing
        cd.line((x, 0, x, im.height), fill=(20 + x // 3, 10 + x // 8, 90 - x // 8))
    # Big letters only: thin glyph strokes alias differently at each size and move PDQ by ~40 bits.
    cd.text((240, 180), "SYNTHETIC", fill=(250, 200, 60), font=_font(72), anchor="mm")
    for i, x in enumerate(range(0, 480, 80)):
        cd.rectangle((x, 270 + 15 * (i % 3), x + 60, 360), fill=(90 + 25 * i, 50, 170 - 15 * i))
    cd.ellipse((30, 20, 130, 120), fill=(200, 40, 60))
    return [im, im.crop((20, 10, 460, 340)).resize(im.size), im.crop((0, 120, 320, 360)).resize(im.size), card]


def _encode_video(size: tuple[int, int], codec: str, bit_rate: int) -> bytes:
    import av
    import numpy as np

    fps = 10
    buf = io.BytesIO()
    out = av.open(buf, mode="w", format="mp4")
    stream = out.add_stream(codec, rate=fps)
    assert isinstance(stream, av.VideoStream)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.bit_rate = bit_rate
    stream.thread_count = 1
    for scene in _scenes():
        for f in range(fps):   # a slow pan inside each scene
            frame = scene.crop((f * 2, f, f * 2 + 460, f + 345)).resize(size, Image.Resampling.BILINEAR)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")):
                out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return buf.getvalue()


@cache
def video() -> bytes:
    return _encode_video((320, 240), "mpeg4", 600_000)


@cache
def video_copy() -> bytes:
    """The video as a messenger re-encodes it: smaller, H.264, lower bit rate."""
    return _encode_video((240, 180), "libx264", 300_000)


def write_telegram(out_dir: Path, sc: Scenario) -> Path:
    c = copies()
    ch = sc.channel
    t = sc.at(-30 * 60)
    photos = {"original": f"photos/photo_1@{local(t, sc.tz_offset, '%d-%m-%Y_%H-%M-%S')}.jpg",
              "screenshot": f"photos/photo_2@{local(t + 5400, sc.tz_offset, '%d-%m-%Y_%H-%M-%S')}.jpg",
              "resized": f"photos/photo_3@{local(t + 86400, sc.tz_offset, '%d-%m-%Y_%H-%M-%S')}.jpg"}
    texts = {"original": ["🚨 ", ("bold", "بالصور:"), " ناشطات «بنفسج» في ضيافة السفارة!"],
             "screenshot": ["انتشرت الصورة، شاركوا قبل الحذف ", ("hashtag", "#افضحوا_بنفسج")],
             "resized": ["Again for those who missed it 👇"]}
    msgs = []
    for i, (key, when) in enumerate((("original", t), ("screenshot", t + 5400), ("resized", t + 86400)), start=1):
        msgs.append({"id": 100 + i, "type": "message", "date": local(when, sc.tz_offset), "date_unixtime": str(when),
                     "from": ch.name, "from_id": f"channel{ch.tg_id.removeprefix('user')}",
                     "photo": photos[key], "photo_file_size": len(c[key]), "width": 480, "height": 360,
                     **text_fields(texts[key])})  # type: ignore[arg-type]
    clip = "video_files/banafsha_embassy.mp4"
    vt = t + 7200
    msgs.append({"id": 104, "type": "message", "date": local(vt, sc.tz_offset), "date_unixtime": str(vt),
                 "from": ch.name, "from_id": f"channel{ch.tg_id.removeprefix('user')}", "file": clip,
                 "file_name": "banafsha_embassy.mp4", "file_size": len(video()), "media_type": "video_file",
                 "mime_type": "video/mp4", "duration_seconds": 4, "width": 320, "height": 240,
                 **text_fields(["🎥 الفيديو الكامل"])})
    result = {"name": ch.name, "type": "public_channel", "id": int(ch.tg_id.removeprefix("user")), "messages": msgs}
    folder = f"ChatExport_{sc.export_date}_channel"
    return write_tree(out_dir / folder, [("result.json", telegram_json(result)),
                                         *((photos[k], c[k]) for k in ("original", "screenshot", "resized")),
                                         (clip, video())])


def write_facebook(out_dir: Path, sc: Scenario) -> Path:
    c = copies()
    rng = sc.rng("facebook-media")
    huda, attacker = sc.huda, sc.attackers[7]
    folder = folder_name(attacker.handle, "1022" + digits(rng, 13, "0123456789"))
    act = "your_facebook_activity"
    t = sc.at(4 * 3600)
    uris = {k: f"{act}/messages/inbox/{folder}/photos/74{digits(rng, 14)}.jpg" for k in ("captioned", "cropped")}
    msgs = [
        message(attacker.name, t * 1000, content=sc.text("photos_ar")),
        message(attacker.name, (t + 40) * 1000, photos=[(uris["captioned"], t + 40)]),
        message(attacker.name, (t + 95) * 1000, photos=[(uris["cropped"], t + 95)]),
        message(huda.name, (t + 300) * 1000, content=sc.text("reported_en")),
    ]
    profile = {"profile_v2": {"name": {"full_name": huda.name, "first_name": "Huda", "middle_name": "",
                                       "last_name": "Mithal"},
                              "registration_timestamp": huda.created, "username": "hudamithal"}}
    members = [
        ("personal_information/profile_information/profile_information.json", meta_json(profile)),
        (f"{act}/messages/inbox/{folder}/message_1.json",
         meta_json(thread([attacker.name, huda.name], msgs, attacker.name, f"inbox/{folder}"))),
        (uris["captioned"], c["captioned"]),
        (uris["cropped"], c["cropped"]),
    ]
    name = f"facebook-hudamithal-{sc.export_date}-{alnum(sc.rng('facebook-media-name'), 8)}"
    return write_zip(out_dir / f"{name}.zip", members, sc.zip_time)


def write_whatsapp(out_dir: Path, sc: Scenario) -> Path:
    c = copies()
    group = "Family (sample) 🌿"
    s = sc.shirin.name
    cousin = "Maryam Nemuneh"
    t = sc.at(26 * 3600)
    lrm = "\u200e"
    name = f"00000012-PHOTO-{local(t + 60, sc.tz_offset, '%Y-%m-%d-%H-%M-%S')}.jpg"

    def head(ts: int) -> str:
        return f"[{local(ts, sc.tz_offset, '%d/%m/%Y, %H:%M:%S')}] "

    clip = f"00000013-VIDEO-{local(t + 120, sc.tz_offset, '%Y-%m-%d-%H-%M-%S')}.mp4"
    lines = [
        f"{head(t - 86400)}{group}: {lrm}Messages and calls are end-to-end encrypted. No one outside of this chat, "
        "not even WhatsApp, can read or listen to them.",
        f"{head(t)}{cousin}: Shirin, is this you?? it is everywhere",
        f"{lrm}{head(t + 60)}{cousin}: {lrm}<attached: {name}>",
        f"{lrm}{head(t + 120)}{cousin}: {lrm}<attached: {clip}>",
        f"{head(t + 300)}{s}: It is fake. Please do not forward it, we are reporting it.",
    ]
    chat = "\r\n".join(lines) + "\r\n"
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_zip(out_dir / f"WhatsApp Chat - {group}.zip",
                     [("_chat.txt", chat.encode("utf-8")), (name, c["recompressed"]), (clip, video_copy())],
                     sc.zip_time)
