"""Screenshots as evidence (formats README §12): PNG or JPEG, kept byte-for-byte.

Some evidence exists only as a picture (Instagram comments, stories, deleted posts). The
original is never re-saved: its sha256 is the evidence. What analysts and reports see is a
*display copy* with the EXIF orientation applied and every metadata block (EXIF with GPS, XMP,
ICC, PNG text chunks) gone, because the pixels are re-encoded from raw bytes. EXIF fields are
shown only as hints: a screenshot's EXIF time is device-local with no zone. OCR text (optional,
tesseract) is a search aid, never evidence.

A tree is claimed only when every member is a picture (or a Zeeschuimer capture taken alongside),
so the photos inside a platform export stay with that export's parser.
"""

from __future__ import annotations

import hashlib
import io
import os
import resource
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image, ImageCms, ImageOps

from himaya.errors import HimayaParseError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.tree import ExportTree
from himaya.ingest.zeeschuimer import is_capture
from himaya.records import MediaItem, Record

MAX_PIXELS = 64_000_000  # a 50k×50k "pixel flood" PNG is 2.5 gigapixels
MAX_BYTES = 64 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ACCEPTED = {"png": "PNG", "jpeg": "JPEG"}
_JUNK = (".DS_Store", "Thumbs.db", "desktop.ini")
_MAGIC = ((b"\x89PNG\r\n\x1a\n", 0, "png"), (b"\xff\xd8\xff", 0, "jpeg"), (b"GIF87a", 0, "GIF"), (b"GIF89a", 0, "GIF"),
          (b"WEBP", 8, "WebP"), (b"%PDF-", 0, "PDF"), (b"II*\x00", 0, "TIFF"), (b"MM\x00*", 0, "TIFF"))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis")
_EXIF_TAGS = {271: "Make", 272: "Model", 305: "Software", 306: "DateTime", 274: "Orientation"}
_TECHNICAL = {"exif", "icc_profile", "dpi", "gamma", "transparency", "jfif", "jfif_version", "jfif_unit", "jfif_density",
              "progressive", "progression", "srgb", "aspect", "interlace", "chromaticity"}
_EXIF_SUB = {36867: "DateTimeOriginal", 36868: "DateTimeDigitized", 36880: "OffsetTime"}


def sniff_image(head: bytes) -> str | None:
    """'png', 'jpeg', another picture type by name, or None: by magic bytes, never by extension."""
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIC/AVIF"
    return next((name for magic, at, name in _MAGIC if head[at:at + len(magic)] == magic), None)


class ImageError(HimayaParseError):
    """A picture that cannot be decoded safely (truncated, too many pixels, not what it claims)."""


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])
            if im.width * im.height > MAX_PIXELS:
                raise ImageError(f"{im.width}×{im.height} pixels is over the {MAX_PIXELS:,}-pixel limit "
                                 "(a decompression bomb?): not decoded")
            im.load()
            return im
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"too many pixels (a decompression bomb?): {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # Pillow's ways of saying "truncated or corrupt"
        raise ImageError(f"the picture cannot be decoded ({str(exc)[:120]}): truncated or corrupt?") from None


def _to_srgb(im: Image.Image) -> tuple[Image.Image, str | None]:
    """Pixels converted from an embedded ICC profile (Display P3 from phones) to sRGB before it is dropped."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im, None
    try:
        if im.mode not in ("RGB", "RGBA", "CMYK", "L"):
            im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
        out = ImageCms.profileToProfile(im, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                                        outputMode="RGBA" if im.mode == "RGBA" else "RGB")
        return (out or im), None
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        return im, f"ICC profile not applied ({str(exc)[:80]}); colours may differ slightly"


def _display(im: Image.Image) -> tuple[bytes, str | None]:
    """Orientation first (it reads EXIF), then colours, then only the raw RGB pixels into a new PNG."""
    try:
        t, problem = _to_srgb(ImageOps.exif_transpose(im) or im)
        t = t.convert("RGB")
        # frombytes: a new image from raw pixels carries no `info`, so no EXIF/XMP/ICC/text chunk can follow it
        clean = Image.frombytes("RGB", t.size, t.tobytes())
        buf = io.BytesIO()
        clean.save(buf, format="PNG")
        return buf.getvalue(), problem
    except (OSError, ValueError, TypeError, MemoryError) as exc:
        raise ImageError(f"no display copy could be made ({str(exc)[:120]})") from None


def display_copy(data: bytes) -> bytes:
    """The metadata-free PNG the UI and reports show; the store keeps it as a derived blob.

    Raises `ImageError` (a HimayaParseError) for anything that is not a decodable PNG or JPEG.
    """
    if sniff_image(data[:16]) not in ACCEPTED:
        raise ImageError("not a PNG or JPEG picture")
    return _display(_open(data))[0]


def _trailing(data: bytes, kind: str) -> int:
    """Bytes after the end of the picture (a polyglot: a ZIP appended to a JPEG), or 0 if unknown."""
    pos, n = (8, len(data)) if kind == "png" else (2, len(data))
    while pos + 4 <= n:
        if kind == "png":
            length, ctype = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
            pos += 12 + length
            if ctype == b"IEND":
                return max(0, n - pos)
            continue
        if data[pos] != 0xFF:
            return 0
        marker = data[pos + 1]
        if marker == 0xD9:
            return n - pos - 2
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:
            pos += 1 if marker == 0xFF else 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not FF00 or a restart
            while (pos := data.find(b"\xff", pos)) != -1 and pos + 1 < n and (
                    data[pos + 1] == 0 or 0xD0 <= data[pos + 1] <= 0xD7):
                pos += 2
            if pos == -1:
                return 0
    return 0


def _text(v: Any) -> str | None:
    s = v.decode("utf-8", "replace") if isinstance(v, bytes) else "" if v is None else str(v)
    return s.replace("\x00", "").strip()[:200] or None


def exif_hints(im: Image.Image) -> dict[str, Any]:
    """Camera, times and whether GPS is present: hints for the analyst, never the time of the post."""
    try:
        exif = im.getexif()
        sub, gps = exif.get_ifd(0x8769), exif.get_ifd(0x8825)
    except Exception:
        return {"unreadable": True}
    hints: dict[str, Any] = {name: t for tag, name in _EXIF_TAGS.items() if (t := _text(exif.get(tag)))}
    hints.update({name: t for tag, name in _EXIF_SUB.items() if (t := _text(sub.get(tag)))})
    if exif or gps:
        hints["gps_present"] = bool(gps)
    return hints


def inspect(data: bytes, kind: str, name: str) -> tuple[bytes, dict[str, Any], tuple[str, ...]]:
    """(display copy, extra, flags) of a PNG or JPEG; raises ImageError."""
    im = _open(data)
    display, icc_problem = _display(im)
    hints, trailing = exif_hints(im), _trailing(data, kind)
    extra = {"original_name": name, "format": ACCEPTED[kind], "width": im.width, "height": im.height,
             "exif_hints": hints, "metadata_keys": sorted(k for k in im.info if k not in _TECHNICAL),
             "icc_profile": bool(im.info.get("icc_profile")), "display_sha256": hashlib.sha256(display).hexdigest(),
             "display_size": len(display), "trailing_bytes": trailing or None, "display_note": icc_problem}
    flags = (("trailing_data",) if trailing else ()) + (("gps_metadata",) if hints.get("gps_present") else ())
    return display, {k: v for k, v in extra.items() if v is not None}, flags


# -- OCR: optional, sandboxed, a search aid only ------------------------------------------------------------------

OCR_LANGS = "ara+fas+eng"
OCR_ADVICE = ("OCR unavailable: install Debian's tesseract-ocr tesseract-ocr-ara tesseract-ocr-fas tesseract-ocr-eng "
              "to extract text from screenshots")


@cache
def _probe(exe: str) -> dict[str, Any] | None:
    """Engine version and language data (sha256 of each .traineddata) if ara, fas and eng are all there."""
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=20, check=False, text=True)  # noqa: S603
        version = subprocess.run([exe, "--version"], capture_output=True, timeout=20, check=False, text=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    lines = langs.stdout.splitlines()
    if not set(OCR_LANGS.split("+")) <= {x.strip() for x in lines[1:]}:
        return None
    folder = Path(lines[0].split('"')[1]) if lines and lines[0].count('"') >= 2 else None
    data = {}
    for lang in OCR_LANGS.split("+"):
        f = folder / f"{lang}.traineddata" if folder else None
        data[lang] = hashlib.sha256(f.read_bytes()).hexdigest() if f and f.is_file() else None
    engine = (version.stdout or version.stderr).strip().splitlines()[:1]
    return {"engine": engine[0] if engine else "tesseract", "languages": OCR_LANGS, "language_data_sha256": data}


def _limits(timeout: float) -> Any:
    def apply() -> None:  # in the child, before exec: 1 GiB of address space, bounded CPU seconds
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        cpu = int(timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    return apply


@dataclass
class OcrOutcome:
    result: dict[str, Any] | None = None
    note: str | None = None
    problem: str | None = None
    code: str = "ocr_failed"


def run_ocr(png: bytes, timeout: float) -> OcrOutcome:
    """`tesseract <file> - -l ara+fas+eng` on the display copy: no shell, a private temp dir, limits, a timeout."""
    exe = shutil.which("tesseract")
    info = _probe(exe) if exe else None
    if exe is None or info is None:
        return OcrOutcome(note=OCR_ADVICE)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1",
           **{k: v for k, v in os.environ.items() if k == "TESSDATA_PREFIX"}}
    with tempfile.TemporaryDirectory(prefix="himaya-ocr-") as tmp:  # created 0700
        src = Path(tmp) / "screenshot.png"
        src.write_bytes(png)
        try:
            proc = subprocess.run([exe, str(src), "-", "-l", OCR_LANGS], capture_output=True, timeout=timeout,  # noqa: S603
                                  check=False, stdin=subprocess.DEVNULL, cwd=tmp, env=env, preexec_fn=_limits(timeout))
        except subprocess.TimeoutExpired:
            return OcrOutcome(problem=f"OCR timed out after {timeout:g} s (ocr_timeout_s); the screenshot is kept",
                              code="ocr_timeout")
        except OSError as exc:
            return OcrOutcome(problem=f"OCR could not start ({exc})")
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()[-200:]
        return OcrOutcome(problem=f"OCR failed (exit {proc.returncode}): {err}; the screenshot is kept")
    text = proc.stdout.decode("utf-8", "replace").strip()
    return OcrOutcome(result={**info, "text": text, "note": "OCR text is a search aid, never evidence"})


class ScreenshotParser(Parser):
    """PNG and JPEG screenshots given on their own or as a folder or ZIP of pictures."""

    name = "screenshot"
    label = "Screenshots (PNG or JPEG)"

    def claim(self, tree: ExportTree) -> list[str]:
        found: list[str] = []
        for m in tree.members():
            base = PurePosixPath(m.path).name
            if base in _JUNK or base.startswith("._") or m.path.startswith("__MACOSX/"):
                continue
            if m.size >= 8 and sniff_image(tree.head(m.path, 16)) is not None:
                found.append(m.path)
            elif not is_capture(tree, m.path):  # captures sit beside screenshots; an export's photos are its own
                return []
        return found

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        for path in paths:
            with ctx.guard(path):
                item = self._one(tree, path, ctx)
                if item is not None:
                    yield item

    def _one(self, tree: ExportTree, path: str, ctx: ParseContext) -> MediaItem | None:
        kind = sniff_image(tree.head(path, 16))
        if kind not in ACCEPTED:
            ctx.report(path, "", f"a {kind or 'unknown'} file is not accepted as a screenshot: use PNG or JPEG "
                       "(export or re-save the picture as PNG or JPEG)", code="unsupported_image")
            return None
        data = tree.read_bytes(path, MAX_BYTES)
        try:
            display, extra, flags = inspect(data, kind, PurePosixPath(path).name)
        except ImageError as exc:
            ctx.report(path, "", exc.reason, code="bad_image")
            return None
        if ctx.options.ocr:
            ocr = run_ocr(display, ctx.options.ocr_timeout_s)
            if ocr.note:
                ctx.note(ocr.note)
            if ocr.problem:
                ctx.warn(path, "", ocr.problem, code=ocr.code)
            if ocr.result:
                extra["ocr"] = ocr.result
        return MediaItem(provenance=ctx.provenance(path, "whole file"), kind="screenshot", path=path, status="present",
                         sha256=tree.sha256(path), size=tree.size(path), mime=f"image/{kind}", flags=flags, extra=extra)
