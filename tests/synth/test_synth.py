"""The synthetic export generator: deterministic, valid, in each platform's byte layout, and fictional."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from himaya.synth import MARKERS, Generated, build_scenario, generate_all
from himaya.synth._util import local, meta_json, telegram_json
from himaya.synth.texts import LINES

ZWNJ, ARABIC = "\u200c", re.compile(r"[\u0600-\u06ff]")
PHONE = re.compile(r"\+964[\s\u00a0]*(7\d0)[\s\u00a0]*(\d{3})")
FULL_PHONE = re.compile(r"\+964[ \u00a0]7\d0[ \u00a0]000[ \u00a0]\d{4}")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_all(tmp_path_factory.mktemp("synth") / "exports", seed=7)


def files_of(p: Path) -> list[Path]:
    return sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]


def digest_tree(root: Path) -> dict[str, str]:
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files_of(root)}


def members(g: Generated) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file in an output: ZIP members, folder files, or the file itself."""
    for f in files_of(g.path):
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as zf:
                for info in zf.infolist():
                    yield info.filename, zf.read(info)
        else:
            yield str(f.relative_to(g.path)) if g.path.is_dir() else f.name, f.read_bytes()


def demojibake(obj: Any) -> Any:
    if isinstance(obj, str):
        return obj.encode("latin-1").decode("utf-8")
    if isinstance(obj, list):
        return [demojibake(v) for v in obj]
    if isinstance(obj, dict):
        return {demojibake(k): demojibake(v) for k, v in obj.items()}
    return obj


def load(name: str, data: bytes) -> list[Any]:
    """Every JSON document in a member (several for JSONL/NDJSON), Meta mojibake undone."""
    if name.endswith((".jsonl", ".ndjson")):
        return [json.loads(line) for line in data.decode("utf-8").split("\n") if line]
    if name.endswith(".js"):
        return [json.loads(data.decode("utf-8").split("=", 1)[1])]
    if name.endswith(".json"):
        doc = json.loads(data.decode("utf-8"))
        return [demojibake(doc) if data.isascii() and b"\\u00" in data else doc]
    return []


# -- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate_all(tmp_path / "a", seed=11)
    generate_all(tmp_path / "b", seed=11)
    a, b = digest_tree(tmp_path / "a"), digest_tree(tmp_path / "b")
    assert len(a) >= 13 and a == b
    generate_all(tmp_path / "c", seed=12)
    assert digest_tree(tmp_path / "c") != a


def test_one_output_per_format(out: dict[str, Generated]) -> None:
    for key in ("instagram", "facebook", "x_archive", "x_api", "telegram", "whatsapp", "zeeschuimer", "generic",
                "screenshot"):
        assert out[key].path.exists(), key
    assert out["whatsapp"].cli_options == ("--timezone", "Asia/Baghdad")
    assert out["telegram"].cli_options == () and out["instagram"].timezone is None


# -- validity and byte layout --------------------------------------------------------------------


def test_every_json_document_parses(out: dict[str, Generated]) -> None:
    parsed = 0
    for g in out.values():
        for name, data in members(g):
            parsed += len(load(name, data))
    assert parsed >= 30


@pytest.mark.parametrize("key", ["instagram", "facebook"])
def test_meta_json_is_ascii_mojibake(out: dict[str, Generated], key: str) -> None:
    jsons = [(n, d) for n, d in members(out[key]) if n.endswith(".json")]
    assert jsons
    texts: list[str] = []
    for name, data in jsons:
        assert data.isascii(), name
        assert not re.search(rb"\\u0[1-9a-f][0-9a-f]{2}", data), f"{name}: an escape above \\u00ff is not Meta's"
        assert data.startswith((b"[\n", b"{\n")) and not data.endswith(b"\n"), name
        fixed = demojibake(json.loads(data))  # raises if any string is not Latin-1-encoded UTF-8
        assert meta_json(fixed) == data, f"{name}: not in Meta's layout"
        texts.append(json.dumps(fixed, ensure_ascii=False))
    blob = "".join(texts)
    assert ARABIC.search(blob) and "😡" in blob
    if key == "instagram":
        assert ZWNJ in blob and "\\u00d8\\u00a7" in "".join(d.decode() for _, d in jsons)
        assert b'"media_list_data": [\n      \n    ]' in dict(jsons)["connections/followers_and_following/followers_1.json"]


def test_zip_member_names_are_safe(out: dict[str, Generated]) -> None:
    zips = [f for g in out.values() for f in files_of(g.path) if zipfile.is_zipfile(f)]
    assert len(zips) >= 4
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            names = [i.filename for i in zf.infolist()]
            assert len(names) == len(set(names)), z
            for i in zf.infolist():
                assert not i.filename.startswith(("/", "\\")) and ".." not in i.filename.split("/"), i.filename
                assert "\\" not in i.filename and ":" not in i.filename.split("/")[0]
                assert (i.external_attr >> 16) & 0o170000 != 0o120000, f"symlink {i.filename}"
                assert i.date_time[0] == 2025


def test_x_archive_layout(out: dict[str, Generated]) -> None:
    files = dict(members(out["x_archive"]))
    assert files["data/tweets.js"].startswith(b"window.YTD.tweets.part0 = [\n  {\n    \"tweet\" : {")
    assert files["data/manifest.js"].startswith(b"window.__THAR_CONFIG = {")
    assert "Your archive.html" in files and any(n.startswith("data/tweets_media/") for n in files)
    tweets = load("tweets.js", files["data/tweets.js"])[0]
    for item in tweets:
        t = item["tweet"]
        assert isinstance(t["favorite_count"], str) and isinstance(t["id_str"], str)
        text = t["full_text"]
        for tag in t["entities"]["hashtags"]:
            a, b = map(int, tag["indices"])
            assert text[a:b] == "#" + tag["text"]
        for m in t["entities"]["user_mentions"]:
            a, b = map(int, m["indices"])
            assert text[a:b] == "@" + m["screen_name"]
    assert any("&amp;" in i["tweet"]["full_text"] for i in tweets)
    assert b"[ ]" in files["data/tweets.js"]


def test_telegram_layout_and_local_dates(out: dict[str, Generated]) -> None:
    raw = (out["telegram"].path / "result.json").read_bytes()
    doc = json.loads(raw)
    assert telegram_json(doc) == raw and raw.startswith(b'{\n "name": ')
    for m in doc["messages"]:
        assert m["date"] == local(int(m["date_unixtime"]), 3 * 3600)  # Asia/Baghdad wall clock
        if "text_entities" in m:
            text = m["text"] if isinstance(m["text"], str) else "".join(
                p if isinstance(p, str) else p["text"] for p in m["text"])
            assert text == "".join(e["text"] for e in m["text_entities"])
    photo = next(m["photo"] for m in doc["messages"] if "photo" in m)
    assert (out["telegram"].path / photo).read_bytes() == build_scenario(7).photo_a
    assert any(m.get("from", "") is None for m in doc["messages"])


def test_whatsapp_headers(out: dict[str, Generated]) -> None:
    android = out["whatsapp_android"].path.read_text(encoding="utf-8")
    assert re.match(r"\d{1,2}/\d{1,2}/\d\d, \d{1,2}:\d\d\u202f[AP]M - ", android) and "\r" not in android
    ios = dict(members(out["whatsapp"]))["_chat.txt"].decode("utf-8")
    assert ios.startswith("[") and ios.endswith("\r\n") and "\u200e<attached: " in ios
    assert re.search(r"[^\r]\n", ios), "a multi-line message keeps a bare LF inside"
    assert any(n.endswith(".jpg") for n, _ in members(out["whatsapp"]))


def test_twarc_and_zeeschuimer_lines(out: dict[str, Generated]) -> None:
    twarc = out["x_api"].path.read_bytes()
    assert twarc.isascii() and all('"__twarc"' in ln for ln in twarc.decode().splitlines())
    for key in ("zeeschuimer", "zeeschuimer_tiktok"):
        raw = out[key].path.read_bytes()
        assert raw.endswith(b"\n") and b", " not in raw.split(b'"data"')[0]
        for line in raw.decode("utf-8").split("\n")[:-1]:
            env = json.loads(line)
            assert list(env)[:2] == ["nav_index", "item_id"] and list(env)[-2:] == ["data", "id"]
    replies = [json.loads(ln) for ln in out["zeeschuimer"].path.read_text(encoding="utf-8").splitlines()]
    numeric = [e for e in replies if isinstance(e["item_id"], int)]
    assert len(numeric) == 3 and all(e["item_id"] != int(e["data"]["rest_id"]) for e in numeric)


def test_scenario_story_covers_the_languages_and_tactics() -> None:
    sc = build_scenario(7)
    kinds = {ln.kind for ln in LINES.values()}
    assert {"threat", "foreign_agent", "gender_narrative", "mass_report", "doxing"} <= kinds
    langs = {ln.lang for ln in LINES.values()}
    assert {"ar", "fa", "en", "ar-Latn", "fa-Latn"} <= langs
    assert {"Iraqi", "Levantine", "Gulf"} <= {ln.dialect for ln in LINES.values()}
    assert any(ZWNJ in ln.text for ln in LINES.values() if ln.lang == "fa")
    assert re.fullmatch(r"\+964 770 000 0\d{3}", sc.phone) and sc.phone in sc.text("dox_ar")
    times = [t for _, t in sc.wave]
    assert len(times) >= 10 and max(times) - min(times) < 240
    assert sc.photo_a != sc.photo_a_small and sc.photo_a[:3] == sc.photo_a_small[:3] == b"\xff\xd8\xff"


# -- everyone is fictional -----------------------------------------------------------------------

NAME_KEYS = {"name", "sender_name", "actor", "from", "author", "username", "screen_name", "unique_id", "nickname",
             "author_handle", "author_name", "forwarded_from", "accountDisplayName", "userName", "displayName",
             "in_reply_to_screen_name", "original_content_owner", "members", "target_handle", "full_name"}


def names_in(obj: Any, parent: str = "") -> Iterator[str]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if parent in ("readmeInfo", "profile_v2") and k == "name" and not isinstance(v, dict):
                continue
            if k in NAME_KEYS or (k == "value" and parent in ("Media Owner", "Username", "Name", "string_list_data")) \
                    or (k == "title" and parent == "relationships_following"):
                yield from (x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str) and x)
            yield from names_in(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from names_in(v, parent)


def fictional(s: str) -> bool:
    return any(m in s.lower() for m in MARKERS) or bool(FULL_PHONE.fullmatch(s.strip("\u202a\u202c")))


def test_every_handle_and_name_is_marked_fictional(out: dict[str, Generated]) -> None:
    seen = 0
    for key, g in out.items():
        for name, data in members(g):
            for doc in load(name, data):
                for s in names_in(doc):
                    seen += 1
                    assert fictional(s), f"{key}/{name}: {s!r}"
            if name.endswith(".txt"):
                text = data.decode("utf-8")
                for author in re.findall(r"(?m)^\u200e?\[[^\]]+\] ([^:\r\n]+): |^[\d/]+, [\d:]+\u202f[AP]M - ([^:\n]+): ",
                                         text):
                    who = "".join(author)
                    seen += 1
                    assert fictional(who.replace("\u00a0", " ")), f"{key}: author {who!r}"
        if g.path.suffix == ".csv":
            for row in csv.DictReader(io.StringIO(g.path.read_text(encoding="utf-8"), newline="")):
                for col in ("author_handle", "author_name", "target_handle"):
                    assert not row[col] or fictional(row[col]), row[col]
    assert seen > 150
    sc = build_scenario(7)
    assert all(fictional(p.handle) and fictional(p.name) and fictional(p.x_handle) for p in sc.people())


def test_every_phone_number_is_in_a_000_block(out: dict[str, Generated]) -> None:
    found = 0
    for g in out.values():
        for name, data in members(g):
            docs = load(name, data)
            text = json.dumps(docs, ensure_ascii=False) if docs else data.decode("utf-8", "replace")
            for m in PHONE.finditer(text):
                found += 1
                assert m.group(2) == "000", m.group(0)
    assert found >= 5
