"""The import path end to end on real SQLite and PostgreSQL: idempotence, overlap, rollback, isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from himaya.errors import HimayaError, UnsupportedFormatError
from himaya.store import schema
from himaya.store.db import Store, open_store
from himaya.store.importer import Importer, NothingUsable
from himaya.store.queries import stats
from tests.store.helpers import blob_listing, generic_row, table_counts, write_jsonl


def test_reingest_adds_no_rows_and_overlap_adds_only_new(store: Store, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [generic_row(i) for i in range(20)])
    first = Importer(store).run(a)
    assert first.processed["post"] == 20 and first.new["post"] == 20 and first.rejected == 0
    after_first = table_counts(store)

    again = Importer(store).run(a)
    assert again.reused_import_id == first.import_id
    counts = table_counts(store)
    for table in ("accounts", "posts", "follows", "media", "sightings", "post_media"):
        assert counts[table] == after_first[table], table

    forced = Importer(store, reparse=True).run(a)
    assert forced.new == {"account": 0, "post": 0, "follow": 0, "media": 0}
    assert table_counts(store)["sightings"] == after_first["sightings"]

    later = write_jsonl(tmp_path / "a2.jsonl", [generic_row(i) for i in range(22)])
    overlap = Importer(store).run(later)
    assert overlap.new["post"] == 2 and overlap.processed["post"] == 22
    # each record's first file is in its row; sightings hold the other files: the 20 shared
    # records were seen again in the later file, the 2 new ones only there
    with store.engine.connect() as conn:
        s = schema.sightings
        again = conn.execute(sa.select(sa.func.count()).select_from(s).where(
            s.c.org_id == store.org_id, s.c.kind == "post")).scalar_one()
        p, f = schema.posts, schema.files
        firsts = conn.execute(sa.select(f.c.sha256, sa.func.count()).join(f, f.c.id == p.c.src_file).where(
            p.c.org_id == store.org_id).group_by(f.c.sha256)).all()
    assert again == 20
    assert sorted(n for _, n in firsts) == [2, 20]


def test_bad_record_reported_good_ones_kept(store: Store, tmp_path: Path) -> None:
    rows = [generic_row(1), {**generic_row(2), "created_at": "2025-03-10 19:40:00"}, generic_row(3)]
    result = Importer(store).run(write_jsonl(tmp_path / "mixed.jsonl", rows))
    assert result.processed["post"] == 2
    assert [p.position for p in result.problems if p.severity == "error"] == ["line 2"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(schema.problems.c.severity).where(
            schema.problems.c.org_id == store.org_id)).scalars().all() == ["error"]


def test_failed_import_leaves_store_exactly_as_before(store: Store, tmp_path: Path) -> None:
    Importer(store).run(write_jsonl(tmp_path / "ok.jsonl", [generic_row(1)]))
    before, blobs_before = table_counts(store), blob_listing(store)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{**generic_row(i), "created_at": "yesterday"} for i in range(5)])
    with pytest.raises(NothingUsable):
        Importer(store).run(bad)
    assert table_counts(store) == before and blob_listing(store) == blobs_before


def test_unknown_format_names_what_is_supported(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"not a supported export.*instagram"):
        Importer(store).run(f)


def test_nul_and_hostile_text_import_identically(store: Store, tmp_path: Path) -> None:
    text = "before\x00after \u202eevil\u202c می\u200cدانیم"
    rows = [generic_row(1, text=text, author_handle="nul_sample")]
    Importer(store).run(write_jsonl(tmp_path / "nul.jsonl", rows))
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(schema.posts).where(schema.posts.c.org_id == store.org_id)).mappings().one()
    assert store.cipher.open(row["text"], "posts.text", f"x|{row['post_id']}") == text


def test_organisations_are_isolated(store: Store, store_settings, tmp_path: Path) -> None:
    Importer(store).run(write_jsonl(tmp_path / "a.jsonl", [generic_row(i) for i in range(3)]))
    other = open_store(store_settings, org_id=store.org_id + "-other")
    try:
        assert stats(other)["totals"] == {}
        assert stats(store)["totals"]["post"] == 3
        with pytest.raises(HimayaError):
            # the other organisation's key cannot open this organisation's values
            with store.engine.connect() as conn:
                blob = conn.execute(sa.select(schema.posts.c.text).where(
                    schema.posts.c.org_id == store.org_id).limit(1)).scalar_one()
            other.cipher.open(blob, "posts.text", "x|1001")
    finally:
        other.close()


def test_encryption_at_rest_canary(backend: str, store_settings, tmp_path: Path) -> None:
    """T34 in small: no canary in the database files or blobs with encryption on; a control run sees them."""
    if backend != "sqlite":
        pytest.skip("file-level canary scan is for the SQLite store")
    canary = "CANARY-4f1c9e ناشطة-سرية"
    rows = [generic_row(1, text=f"{canary} lives at 12 Example St", author_name=canary)]
    src = write_jsonl(tmp_path / "c.jsonl", rows)

    def scan(settings) -> int:
        store = open_store(settings)
        Importer(store).run(src)
        store.engine.dispose()
        hits = 0
        needles = [canary.encode(), canary.encode("utf-16-le"), "ناشطة-سرية".encode()]
        for p in settings.home.rglob("*"):
            if p.is_file():
                data = p.read_bytes()
                hits += sum(data.count(n) for n in needles)
        return hits

    assert scan(store_settings) == 0
    control = store_settings.model_copy(update={"home": tmp_path / "plain", "encrypt": False})
    assert scan(control) > 0


def _follow_row(i: int) -> dict[str, object]:
    return {"schema_version": "himaya.generic/1", "platform": "instagram", "record_type": "follow",
            "post_id": f"follow:f{i}_sample>rayhana_sample", "created_at": f"2025-03-10T19:40:{i % 60:02d}Z",
            "author_handle": f"f{i}_sample", "target_handle": "rayhana_sample"}


def test_follow_sightings_across_overlapping_exports(store: Store, tmp_path: Path) -> None:
    """Who was seen in which export: the follows path (batched through JSON on SQLite) keeps sightings too."""
    a = write_jsonl(tmp_path / "a.jsonl", [_follow_row(i) for i in range(30)])
    first = Importer(store).run(a)
    assert first.new["follow"] == 30 and first.new["account"] == 31
    Importer(store, reparse=True).run(a)
    b = write_jsonl(tmp_path / "b.jsonl", [_follow_row(i) for i in range(10, 40)])  # 10 gone, 10 new
    later = Importer(store).run(b)
    assert later.new["follow"] == 10 and later.processed["follow"] == 30
    with store.engine.connect() as conn:
        s, f, files = schema.sightings, schema.follows, schema.files
        seen_again = conn.execute(sa.select(sa.func.count()).select_from(s).where(
            s.c.org_id == store.org_id, s.c.kind == "follow")).scalar_one()
        b_file = conn.execute(sa.select(files.c.id).where(files.c.org_id == store.org_id).order_by(
            files.c.id.desc()).limit(1)).scalar_one()
        # follows present in export b: first seen there, or seen there again
        in_b = {r[0] for r in conn.execute(sa.select(f.c.follower_key).where(
            f.c.org_id == store.org_id, f.c.src_file == b_file))}
        in_b |= {r[0].rsplit("|", 1)[1] for r in conn.execute(sa.select(s.c.record_key).where(
            s.c.org_id == store.org_id, s.c.file_id == b_file))}
        everyone = {r[0] for r in conn.execute(sa.select(f.c.follower_key).where(f.c.org_id == store.org_id))}
    assert seen_again == 20
    assert everyone - in_b == {f"h:f{i}_sample" for i in range(10)}  # the ten who unfollowed
