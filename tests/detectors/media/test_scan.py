"""Known lists in a real store: mark, hash, match across platforms, findings linked to posts and accounts."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from himaya.config import Settings
from himaya.detectors.media.scan import hash_store, match_store, save_matches
from himaya.detectors.media.signals import hash_bytes
from himaya.detectors.media.store import (
    KnownMediaError,
    add_known,
    list_views,
    load_hashes,
    load_known,
    log_view,
    stored_blob,
)
from himaya.findings import load_findings, set_status
from himaya.ingest.base import ParseOptions
from himaya.store.db import Store, open_store
from himaya.store.importer import Importer
from himaya.synth import build_scenario
from himaya.synth.media import copies, write_facebook, write_telegram, write_whatsapp

CASE = "case-media"
OPTIONS = ParseOptions(timezone=ZoneInfo("Asia/Baghdad"), ocr=False)


def ingest(store: Store, path: Path, case: str = CASE) -> None:
    Importer(store, case=case, options=OPTIONS).run(path)


@pytest.fixture
def exports(tmp_path: Path) -> list[Path]:
    sc = build_scenario(7)
    return [write_telegram(tmp_path / "tg", sc), write_facebook(tmp_path / "fb", sc), write_whatsapp(tmp_path / "wa", sc)]


def original_key() -> str:
    return "sha256:" + hashlib.sha256(copies()["original"]).hexdigest()


def test_every_copy_is_found_on_three_platforms(store: Store, exports: list[Path]) -> None:
    for p in exports:
        ingest(store, p)
    blob = stored_blob(store, original_key())
    known_id, created = add_known(store, CASE, hash_bytes(store.blobs.read_bytes(blob), reference=True),
                                  source="stored", category="defamation", media_key=original_key(), blob=blob,
                                  label="the staged picture", added_by="ana")
    assert created and add_known(store, CASE, hash_bytes(store.blobs.read_bytes(blob), reference=True),
                                 source="stored", category="defamation")[1] is False
    report = hash_store(store, workers=1)
    assert report.hashed == 8 and report.failed == [] and report.reused == 0  # 6 pictures, 2 videos
    assert hash_store(store, workers=1).reused == 8  # hashed once, by sha256

    matches = match_store(store, CASE)
    assert len(matches) == 6  # original, resized, screenshot (Telegram), captioned, cropped (Facebook), WhatsApp
    by_platform = {p["platform"] for m in matches for p in m.posts}
    assert by_platform == {"telegram", "facebook", "whatsapp"}
    kinds = {m.media_key: m.match.matcher for m in matches}
    assert kinds[original_key()] == "sha256" and set(kinds.values()) <= {"sha256", "pdq", "pdq_crop"}
    assert all(m.posts and all(p["account"] for p in m.posts) for m in matches)

    assert save_matches(store, matches, [CASE]) == {CASE: 6}
    found = load_findings(store, CASE, detector="media", kind="media_match")
    assert len(found) == 6
    f = next(x for x in found if x.finding.subject_key == original_key())
    assert f.finding.score == 1.0 and f.finding.band == "remove" and f.finding.platform == "telegram"
    assert f.finding.evidence["known"][0] == {"id": known_id, "kind": "sha256", "distance": 0, "query_pct": 100.0,
                                              "compared_pct": 100.0, "category": "defamation"}
    assert "by telegram|" in " ".join(f.finding.reasons)

    # An analyst's decision survives a re-run; nothing is duplicated.
    set_status(store, f.id, "confirmed", "ana")
    save_matches(store, match_store(store, CASE), [CASE])
    again = load_findings(store, CASE, detector="media")
    assert len(again) == 6 and next(x for x in again if x.id == f.id).status == "confirmed"
    assert load_known(store, CASE)[0].label == "the staged picture"


def test_a_later_ingest_is_matched(store: Store, exports: list[Path]) -> None:
    ingest(store, exports[0])
    add_known(store, CASE, hash_bytes(copies()["original"], reference=True), source="upload", category="defamation")
    hash_store(store, workers=1)
    assert len(match_store(store)) == 3
    ingest(store, exports[1], case="another-case")  # copies in another case's export are still found
    assert hash_store(store, workers=1).hashed == 2
    assert len(match_store(store)) == 5


def test_organisations_are_isolated(store: Store, store_settings: Settings, exports: list[Path]) -> None:
    for p in exports:
        ingest(store, p)
    add_known(store, CASE, hash_bytes(copies()["original"], reference=True), source="upload", category="defamation")
    hash_store(store, workers=1)
    other = open_store(store_settings, org_id=store.org_id + "-other")
    try:
        assert load_known(other) == [] and match_store(other) == [] and load_hashes(other) == {}
        with pytest.raises(KnownMediaError, match="no stored media item"):
            stored_blob(other, original_key())
        ingest(other, exports[0], case=CASE)
        hash_store(other, workers=1)
        assert match_store(other) == []  # the first organisation's known list is not the other's
    finally:
        other.close()


def _whatsapp_with(tmp_path: Path, attachment: bytes, name: str) -> Path:
    chat = ("[14/06/2025, 21:40:00] Nadia Example: look\r\n"
            f"\u200e[14/06/2025, 21:41:00] Nadia Example: \u200e<attached: {name}>\r\n")
    path = tmp_path / "WhatsApp Chat - Broken (sample).zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", chat.encode("utf-8"))
        zf.writestr(name, attachment)
    return path


def test_unreadable_media_is_reported_and_does_not_stop_the_others(store: Store, tmp_path: Path,
                                                                    exports: list[Path]) -> None:
    ingest(store, exports[2])
    ingest(store, _whatsapp_with(tmp_path, b"\xff\xd8\xff\xe0" + b"\x00" * 64, "00000001-PHOTO-2025-06-14.jpg"))
    add_known(store, CASE, hash_bytes(copies()["original"], reference=True), source="upload", category="defamation")
    report = hash_store(store, workers=1)
    assert report.hashed == 2 and len(report.failed) == 1
    assert report.failed[0]["code"] == "corrupt" and report.failed[0]["media_key"].startswith("sha256:")
    assert len(match_store(store)) == 1
    rows = load_hashes(store)
    assert sorted(r.status for r in rows.values()) == ["corrupt", "ok", "ok"]


def test_views_are_audit_logged(store: Store) -> None:
    log_view(store, subject="sha256:abc", view="original", viewer="ana", reason="needed for the police report")
    log_view(store, subject="sha256:abc", view="blurred", viewer="bo")
    views = list_views(store, "sha256:abc")
    assert [(v["view"], v["viewer"]) for v in views] == [("original", "ana"), ("blurred", "bo")]
    assert views[0]["reason"] == "needed for the police report"


def test_the_video_and_its_reencode_are_matched_by_vpdq(store: Store, exports: list[Path]) -> None:
    from himaya.synth.media import video

    for p in exports:
        ingest(store, p)
    add_known(store, CASE, hash_bytes(video(), reference=True), source="upload", category="defamation")
    hash_store(store, workers=1)
    matches = match_store(store, CASE)
    assert sorted((m.match.matcher, m.posts[0]["platform"]) for m in matches) == [
        ("sha256", "telegram"), ("vpdq", "whatsapp")]
    reencode = next(m for m in matches if m.match.matcher == "vpdq")
    assert reencode.match.query_pct == 100.0 and reencode.match.compared_pct == 100.0
