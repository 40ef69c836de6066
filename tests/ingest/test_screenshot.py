"""Screenshots: both samples, the display copy (§12), EXIF hints, hostile pictures, and OCR (skipped without tesseract)."""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from himaya.config import ArchiveLimits
from himaya.ingest import screenshot
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.screenshot import ImageError, ScreenshotParser, display_copy, sniff_image
from himaya.ingest.tree import open_tree
from himaya.records import MediaItem, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

SHOTS = FORMATS / "screenshots"
SAMPLES = sorted(p.name for p in SHOTS.glob("*.png")) if SHOTS.is_dir() else []
EXIF_SAMPLE = "screenshot_tiktok_comment_fa_exif.png"
NO_OCR = ParseOptions(ocr=False)
HAS_TESSERACT = shutil.which("tesseract") is not None


def run(path: Path, options: ParseOptions = NO_OCR) -> tuple[list[Record], list[Problem], ParseContext]:
    """`sniff.parse_path` with this parser only (the registry needs every other parser importable)."""
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=options)
        parser = ScreenshotParser()
        return list(parser.parse(tree, parser.claim(tree), ctx)), ctx.problems, ctx
    finally:
        tree.close()


def one(path: Path, options: ParseOptions = NO_OCR) -> tuple[MediaItem, ParseContext]:
    records, problems, ctx = run(path, options)
    assert [p for p in problems if p.severity != "warning"] == []
    [item] = records
    assert isinstance(item, MediaItem)
    return item, ctx


def chunks(png: bytes) -> list[str]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        out.append(kind.decode("ascii"))
        pos += 12 + length
    return out


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def jpeg(size: tuple[int, int] = (40, 20), **save: object) -> bytes:
    im = Image.new("RGB", size, (200, 30, 30))
    im.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", **save)
    return buf.getvalue()


def swapped_profile() -> bytes:
    """A matrix/TRC RGB ICC profile whose red and green primaries are sRGB's swapped: clearly not sRGB."""
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", 5) + b"swap\0" + b"\0" * 12 + b"\0" * 67
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),
            (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve), (b"cprt", b"text\0\0\0\0none\0\0\0\0")]
    offset, table, data = 128 + 4 + 12 * len(tags), b"", b""
    for sig, body in tags:
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    header = struct.pack(">I4sI4s4s4s12s4s", 128 + 4 + len(table) + len(data), b"\0" * 4, 0x02100000, b"mntr",
                         b"RGB ", b"XYZ ", b"\0" * 12, b"acsp") + b"\0" * 24 + struct.pack(">3i", 63190, 65536, 54061)
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


@pytest.fixture
def shots(formats: Path) -> Path:
    return formats / "screenshots"


# -- golden files over every sample ------------------------------------------------------------------------
# OCR is off (its output varies with tesseract versions), and the display copy's hash is left out: the PNG
# encoder's bytes depend on the Pillow and zlib builds. Its content is checked below instead.

def stable(records: list[Record]) -> list[Record]:
    drop = ("display_sha256", "display_size")
    return [r.model_copy(update={"extra": {k: v for k, v in r.extra.items() if k not in drop}})
            if isinstance(r, MediaItem) else r for r in records]


@pytest.mark.parametrize("name", SAMPLES)
def test_golden(shots: Path, name: str) -> None:
    records, problems, _ = run(shots / name)
    check_golden("screenshot_" + Path(name).stem.removeprefix("screenshot_"), stable(records), problems)


def test_golden_folder(shots: Path) -> None:
    records, problems, _ = run(shots)
    check_golden("screenshot_folder", stable(records), problems)
    assert len(records) == len(SAMPLES) == 2


# -- §12 expected facts ----------------------------------------------------------------------------------------

def test_original_kept_with_hash_and_hints(shots: Path) -> None:
    item, _ = one(shots / EXIF_SAMPLE)
    raw = (shots / EXIF_SAMPLE).read_bytes()
    assert item.kind == "screenshot" and item.status == "present" and item.mime == "image/png"
    assert item.sha256 == hashlib.sha256(raw).hexdigest() and item.size == len(raw) and item.path == EXIF_SAMPLE
    assert item.extra["original_name"] == EXIF_SAMPLE and (item.extra["width"], item.extra["height"]) == (720, 260)
    hints = item.extra["exif_hints"]
    assert hints["Make"] == "SampleCam" and hints["Model"] == "Example Phone 1"
    assert hints["DateTime"] == "2025:03:10 23:15:00" and hints["gps_present"] is True
    assert item.extra["metadata_keys"] == ["Author", "Comment"] and "gps_metadata" in item.flags


def test_display_copy_has_only_pixels(shots: Path) -> None:
    raw = (shots / EXIF_SAMPLE).read_bytes()
    assert {"eXIf", "tEXt"} <= set(chunks(raw))
    copy = display_copy(raw)
    assert set(chunks(copy)) == {"IHDR", "IDAT", "IEND"} and chunks(copy)[0] == "IHDR" and chunks(copy)[-1] == "IEND"
    assert Image.open(io.BytesIO(copy)).tobytes() == Image.open(io.BytesIO(raw)).convert("RGB").tobytes()
    item, _ = one(shots / EXIF_SAMPLE)
    assert item.extra["display_sha256"] == hashlib.sha256(copy).hexdigest() == hashlib.sha256(display_copy(raw)).hexdigest()


def test_plain_sample_has_no_hints(shots: Path) -> None:
    item, _ = one(shots / "screenshot_x_reply_ar.png")
    assert item.extra["exif_hints"] == {} and item.flags == ()


def test_exif_orientation_applied_then_dropped(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[274] = 6  # rotate 90° clockwise to display
    exif[271] = "SampleCam"
    path = tmp_path / "rotated.jpg"
    path.write_bytes(jpeg((40, 20), exif=exif.tobytes()))
    item, _ = one(path)
    copy = Image.open(io.BytesIO(display_copy(path.read_bytes())))
    assert copy.size == (20, 40) and not copy.info.get("exif") and item.extra["exif_hints"]["Orientation"] == "6"
    assert item.mime == "image/jpeg" and item.extra["format"] == "JPEG"


def test_icc_profile_converted_to_srgb_then_dropped(tmp_path: Path) -> None:
    profile = swapped_profile()
    ImageCms.ImageCmsProfile(io.BytesIO(profile))  # lcms accepts it
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buf, format="PNG", icc_profile=profile)
    assert "iCCP" in chunks(buf.getvalue())
    copy = display_copy(buf.getvalue())
    assert set(chunks(copy)) == {"IHDR", "IDAT", "IEND"}
    r, g, _ = Image.open(io.BytesIO(copy)).getpixel((4, 4))  # type: ignore[misc]
    assert g > 200 and r < 100  # "red" in the swapped space is sRGB green: the profile was applied


# -- hostile pictures built here -------------------------------------------------------------------------------

def test_pixel_flood_png_is_reported_not_decoded(tmp_path: Path) -> None:
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    flood = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + png_chunk(b"IEND", b"")
    path = tmp_path / "flood.png"
    path.write_bytes(flood)
    records, problems, _ = run(path)
    assert records == [] and [(p.code, p.severity) for p in problems] == [("bad_image", "error")]
    assert "decompression bomb" in problems[0].message
    with pytest.raises(ImageError):
        display_copy(flood)


def test_truncated_jpeg_is_reported(tmp_path: Path) -> None:
    full = jpeg((256, 256), quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(full[: len(full) // 2])
    records, problems, _ = run(path)
    assert records == [] and [p.code for p in problems] == ["bad_image"] and "truncated" in problems[0].message


def test_gif_given_as_screenshot_asks_for_png_or_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "looks_like.png"  # the extension lies; the magic bytes decide
    Image.new("RGB", (4, 4)).save(path, format="GIF")
    records, problems, _ = run(path)
    assert records == [] and [p.code for p in problems] == ["unsupported_image"]
    assert "GIF" in problems[0].message and "use PNG or JPEG" in problems[0].message
    with pytest.raises(ImageError):
        display_copy(path.read_bytes())


def test_jpeg_with_appended_zip_is_a_jpeg(tmp_path: Path) -> None:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("payload.txt", "not evidence")
    path = tmp_path / "polyglot.zip"
    path.write_bytes(jpeg() + zbuf.getvalue())
    item, _ = one(path)
    assert item.mime == "image/jpeg" and item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "trailing_data" in item.flags and item.extra["trailing_bytes"] == len(zbuf.getvalue())


@pytest.mark.parametrize(("head", "name"), [(b"GIF89a", "GIF"), (b"RIFF\0\0\0\0WEBPVP8 ", "WebP"),
                                            (b"\0\0\0\x18ftypheic", "HEIC/AVIF"), (b"%PDF-1.7", "PDF"),
                                            (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff\xe0", "jpeg"), (b"{}", None)])
def test_sniff_by_magic(head: bytes, name: str | None) -> None:
    assert sniff_image(head) == name


def test_pdf_and_webp_are_refused_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    (tmp_path / "b.webp").write_bytes(b"RIFF\0\0\0\0WEBPVP8 " + b"0" * 100)
    records, problems, _ = run(tmp_path)
    assert records == [] and sorted(p.message.split(" file")[0] for p in problems) == ["a PDF", "a WebP"]


def test_claim_only_trees_of_pictures(shots: Path, tmp_path: Path) -> None:
    parser = ScreenshotParser()
    shutil.copy(shots / EXIF_SAMPLE, tmp_path)
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert parser.claim(open_tree(tmp_path, ArchiveLimits())) == [EXIF_SAMPLE]
    capture = '{"source_platform":"tiktok.com","data":{"id":"1"}}\n'
    (tmp_path / "capture.ndjson").write_text(capture)  # captures and screenshots of one browsing session
    assert parser.claim(open_tree(tmp_path, ArchiveLimits())) == [EXIF_SAMPLE]
    (tmp_path / "posts_1.json").write_text("[]")  # an export: its photos belong to its own parser
    assert parser.claim(open_tree(tmp_path, ArchiveLimits())) == []


# -- OCR -------------------------------------------------------------------------------------------------------

def test_ocr_unavailable_is_a_note_and_the_item_is_kept(shots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    item, ctx = one(shots / EXIF_SAMPLE, ParseOptions(ocr=True))
    assert "ocr" not in item.extra
    assert ctx.notes == [screenshot.OCR_ADVICE] and "tesseract-ocr-fas" in ctx.notes[0]


def test_ocr_timeout_keeps_the_item(shots: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\nif [ "$1" = "--list-langs" ]; then printf \'List of "%s" (3):\\nara\\nfas\\neng\\n\' /nowhere\n'
                    'elif [ "$1" = "--version" ]; then echo "tesseract 0.fake"\nelse exec sleep 5; fi\n')
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake))
    item, ctx = one(shots / EXIF_SAMPLE, ParseOptions(ocr=True, ocr_timeout_s=0.3))
    assert "ocr" not in item.extra and not ctx.notes
    assert [(p.code, p.severity) for p in ctx.problems] == [("ocr_timeout", "warning")]
    assert "OCR timed out" in ctx.problems[0].message


@pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract is not installed (apt-get install tesseract-ocr "
                    "tesseract-ocr-ara tesseract-ocr-fas tesseract-ocr-eng)")
def test_ocr_with_tesseract(shots: Path) -> None:
    exe = shutil.which("tesseract")
    if exe is None or screenshot._probe(exe) is None:
        pytest.skip("tesseract lacks the ara, fas or eng language data")
    item, ctx = one(shots / "screenshot_x_reply_ar.png", ParseOptions(ocr=True, ocr_timeout_s=60))
    ocr = item.extra["ocr"]
    assert ocr["engine"].startswith("tesseract") and ocr["languages"] == "ara+fas+eng"
    assert "SYNTHETIC" in ocr["text"] and "search aid" in ocr["note"]
    assert all(v is None or len(v) == 64 for v in ocr["language_data_sha256"].values())
    assert not ctx.notes
