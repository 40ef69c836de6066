"""open_tree and the ExportTree views (SECURITY.md T26 folder symlinks, T27 odd containers, T30 path property).

ZIPs are recognised by their first bytes, never by their extension; a folder's symbolic links are
noted and skipped, never followed; `resolve` only ever answers with a member of the tree.
"""

from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.errors import HimayaError, IngestError, UnsafeArchiveError
from himaya.ingest.archive import safe_member_name
from himaya.ingest.tree import ExportTree, FileTree, FolderTree, ZipTree, open_tree
from tests.ingest.test_archive import Entry, raw_zip, read_all, write

LIMITS = ArchiveLimits()
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + bytes(64) + b"\xff\xd9"


# ---------------------------------------------------------------------------------------------
# Dispatch by content (T27).
# ---------------------------------------------------------------------------------------------

def test_folder_file_and_zip_dispatch(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "_chat.txt").write_text("hi\n")
    assert isinstance(open_tree(folder, LIMITS), FolderTree)
    single = write(tmp_path / "posts.json", b"[]")
    tree = open_tree(single, LIMITS)
    assert isinstance(tree, FileTree)
    assert read_all(tree) == {"posts.json": b"[]"}
    assert tree.originals() == [(single, "posts.json")]
    z = write(tmp_path / "export.zip", raw_zip([Entry("_chat.txt", b"hi\n")]))
    assert isinstance(open_tree(z, LIMITS), ZipTree)


def test_json_that_is_really_a_zip_is_opened_as_a_zip(tmp_path: Path) -> None:
    p = write(tmp_path / "message_1.json", raw_zip([Entry("inner.json", b'{"a": 1}')]))
    tree = open_tree(p, LIMITS)
    assert isinstance(tree, ZipTree)
    assert read_all(tree) == {"inner.json": b'{"a": 1}'}
    assert tree.archive_sha256 is not None and len(tree.archive_sha256) == 64


def test_zip_appended_to_a_jpeg_is_read_as_the_jpeg(tmp_path: Path) -> None:
    """A polyglot: the first bytes say JPEG, so it is one file (kept whole as evidence), not an archive."""
    data = JPEG + raw_zip([Entry("../../evil.txt", b"pwned")])
    p = write(tmp_path / "photo.jpg", data)
    assert zipfile.is_zipfile(p)  # plain zipfile would have treated it as an archive
    tree = open_tree(p, LIMITS)
    assert isinstance(tree, FileTree)
    assert [m.path for m in tree.members()] == ["photo.jpg"]
    assert read_all(tree) == {"photo.jpg": data}


def test_json_starting_with_a_zip_signature_is_a_himaya_error(tmp_path: Path) -> None:
    p = write(tmp_path / "posts.json", b'PK\x03\x04[{"id": "1", "text": "hello"}]\n')
    with pytest.raises(UnsafeArchiveError, match="not a readable ZIP"):
        open_tree(p, LIMITS)


@pytest.mark.parametrize("data", [b"", b"P", b"PK", b"PK\x03"], ids=["empty", "1", "2", "3"])
def test_tiny_files_are_single_files(tmp_path: Path, data: bytes) -> None:
    tree = open_tree(write(tmp_path / "x.bin", data), LIMITS)
    assert isinstance(tree, FileTree)
    assert read_all(tree) == {"x.bin": data}


def test_empty_zip_is_a_tree_with_no_members(tmp_path: Path) -> None:
    p = tmp_path / "empty.zip"
    zipfile.ZipFile(p, "w").close()
    tree = open_tree(p, LIMITS)
    assert isinstance(tree, ZipTree) and tree.members() == []


@pytest.mark.parametrize(("case", "words"), [
    ("encrypted", "encrypted"),
    ("truncated", "not a readable ZIP"),
    ("multi-disk", "multi-disk"),
    ("deflate64", "compression method 9"),
    ("garbage-after-signature", "not a readable ZIP"),
])
def test_odd_containers_give_himaya_errors(tmp_path: Path, case: str, words: str) -> None:
    good = raw_zip([Entry("_chat.txt", b"12/03/2025, 10:13 - A: hi\n" * 50)])
    data = {
        "encrypted": raw_zip([Entry("_chat.txt", b"secret", flags=0x1)]),
        "truncated": good[: len(good) * 2 // 3],
        "multi-disk": raw_zip([Entry("_chat.txt", b"hi")], disk=3),
        "deflate64": raw_zip([Entry("_chat.txt", b"hi", method=9)]),
        "garbage-after-signature": b"PK\x03\x04" + os.urandom(2000),
    }[case]
    with pytest.raises(UnsafeArchiveError, match=words):
        open_tree(write(tmp_path / "odd.zip", data), LIMITS)


def test_missing_and_broken_paths_are_ingest_errors(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        open_tree(tmp_path / "nope.zip", LIMITS)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(IngestError, match="broken symbolic link"):
        open_tree(tmp_path / "dangling", LIMITS)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(IngestError):
        open_tree(fifo, LIMITS)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), zip_head=st.booleans())
def test_any_bytes_open_or_raise_a_himaya_error(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                zip_head: bool) -> None:
    p = tmp_path_factory.getbasetemp() / "any.bin"
    p.write_bytes((b"PK\x03\x04" if zip_head else b"") + data)
    try:
        tree = open_tree(p, LIMITS)
        read_all(tree)
    except HimayaError:
        pass


# ---------------------------------------------------------------------------------------------
# Folders: symbolic links are noted and skipped, never followed (T26).
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the server's secret\n")
    (outside / "dir").mkdir()
    (outside / "dir" / "also-secret.txt").write_text("more\n")
    root = tmp_path / "export"
    (root / "media").mkdir(parents=True)
    (root / "_chat.txt").write_text("12/03/2025, 10:13 - A: <attached: secret.txt>\n")
    (root / "media" / "IMG-1.jpg").write_bytes(JPEG)
    (root / "media" / "secret.txt").symlink_to(outside / "secret.txt")
    (root / "linked-dir").symlink_to(outside / "dir", target_is_directory=True)
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "dangling").symlink_to(root / "nowhere")
    os.mkfifo(root / "fifo")
    return root, outside


def test_folder_symlinks_are_skipped_and_noted(hostile_folder: tuple[Path, Path]) -> None:
    root, _ = hostile_folder
    tree = open_tree(root, LIMITS)
    assert isinstance(tree, FolderTree)
    assert sorted(m.path for m in tree.members()) == ["_chat.txt", "media/IMG-1.jpg"]
    notes = " | ".join(tree.notes)
    for skipped in ("media/secret.txt", "linked-dir", "passwd", "dangling", "fifo"):
        assert skipped in notes, (skipped, notes)
    contents = read_all(tree)
    assert all(b"the server's secret" not in v and v != b"more\n" for v in contents.values())
    assert sorted(name for _, name in tree.originals()) == ["_chat.txt", "media/IMG-1.jpg"]
    for disk_path, _ in tree.originals():
        assert not disk_path.is_symlink() and disk_path.resolve().is_relative_to(root.resolve())


def test_folder_refuses_paths_that_are_not_members(hostile_folder: tuple[Path, Path]) -> None:
    root, _ = hostile_folder
    tree = open_tree(root, LIMITS)
    for ref in ("media/secret.txt", "linked-dir/also-secret.txt", "../outside/secret.txt", "passwd", "/etc/passwd"):
        with pytest.raises(KeyError):
            tree.open(ref)
        assert not tree.has(ref)
    assert tree.resolve("secret.txt") is None
    assert tree.resolve("also-secret.txt", "linked-dir") is None
    assert tree.resolve("../outside/secret.txt") is None
    assert tree.escapes("../outside/secret.txt") and tree.escapes("/etc/passwd")
    assert tree.resolve("IMG-1.jpg") == "media/IMG-1.jpg"


def test_folder_given_through_a_symlink_is_read_at_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.json").write_text("[]")
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    tree = open_tree(tmp_path / "alias", LIMITS)
    assert [m.path for m in tree.members()] == ["a.json"]


# ---------------------------------------------------------------------------------------------
# resolve(): references found inside an export.
# ---------------------------------------------------------------------------------------------

MEMBERS = [
    "_chat.txt",
    "media/IMG-20250312-WA0001.jpg",
    "your_instagram_activity/messages/inbox/rayhana_1/message_1.json",
    "your_instagram_activity/messages/inbox/rayhana_1/photos/photo_a.jpg",
    "data/tweets.js",
    "data/tweets_media/1899-a.jpg",
    "photos/photo_a.jpg",
    "گزارش/می\u200cدانیم.txt",
]


def make_trees(root: Path) -> list[ExportTree]:
    folder = root / "folder"
    for m in MEMBERS:
        (folder / m).parent.mkdir(parents=True, exist_ok=True)
        (folder / m).write_bytes(m.encode())
    z = write(root / "export.zip", raw_zip([Entry(m, m.encode()) for m in MEMBERS]))
    return [FolderTree(folder), ZipTree(z, LIMITS)]


@pytest.mark.parametrize("kind", [0, 1], ids=["folder", "zip"])
def test_resolve_examples(tmp_path: Path, kind: int) -> None:
    tree = make_trees(tmp_path)[kind]
    assert tree.resolve("_chat.txt") == "_chat.txt"
    assert tree.resolve("IMG-20250312-WA0001.jpg") == "media/IMG-20250312-WA0001.jpg"
    assert tree.resolve("./media//IMG-20250312-WA0001.jpg") == "media/IMG-20250312-WA0001.jpg"
    assert tree.resolve("media\\IMG-20250312-WA0001.jpg") == "media/IMG-20250312-WA0001.jpg"
    inbox = "your_instagram_activity/messages/inbox/rayhana_1"
    assert tree.resolve(f"{inbox}/photos/photo_a.jpg") == f"{inbox}/photos/photo_a.jpg"
    assert tree.resolve("photos/photo_a.jpg", inbox) == "photos/photo_a.jpg"  # the root wins over base
    assert tree.resolve("photo_a.jpg") is None  # two members end in it: ambiguous, not guessed
    assert tree.resolve("1899-a.jpg", "data/tweets_media") == "data/tweets_media/1899-a.jpg"
    assert tree.resolve("گزارش/می\u200cدانیم.txt") == "گزارش/می\u200cدانیم.txt"
    for bad in ("", ".", "/", "../_chat.txt", "/etc/passwd", "C:\\x", "．．／_chat.txt", "a\x00b",
                "media/../../_chat.txt"):
        assert tree.resolve(bad) is None, bad
    assert tree.resolve("_chat.txt", "../..") == "_chat.txt"  # base cannot move the root
    assert tree.resolve("x.txt", "../../etc") is None


def test_resolve_matches_nfd_and_fullwidth_folder_names(tmp_path: Path) -> None:
    """A folder unzipped on macOS (HFS+) holds NFD names; the chat mentions them in NFC."""
    root = tmp_path / "export"
    root.mkdir()
    nfd = unicodedata.normalize("NFD", "café-أحمد.jpg")
    assert nfd != unicodedata.normalize("NFC", nfd)
    (root / nfd).write_bytes(JPEG)
    (root / "ｐｈｏｔｏ.jpg").write_bytes(JPEG)
    tree = open_tree(root, LIMITS)
    assert tree.resolve(unicodedata.normalize("NFC", nfd)) == nfd
    assert tree.resolve(nfd) == nfd
    assert tree.resolve("photo.jpg") == "ｐｈｏｔｏ.jpg"
    assert tree.sha256(tree.resolve("photo.jpg") or "") == tree.sha256("ｐｈｏｔｏ.jpg")


def test_resolve_does_not_guess_between_colliding_folder_names(tmp_path: Path) -> None:
    root = tmp_path / "export"
    root.mkdir()
    (root / "caf\u00e9.jpg").write_bytes(b"1")
    (root / "cafe\u0301.jpg").write_bytes(b"2")
    tree = open_tree(root, LIMITS)
    assert tree.resolve("caf\u00e9.jpg") == "caf\u00e9.jpg"  # an exact member still wins
    assert tree.resolve("x/cafe\u0301.jpg") is None


PIECES = [*"./\\:aCm_", "media", "photos", "..", "．", "／", "＼", "‥", "\u2024", "\ufe30", "\x00",
          "IMG-20250312-WA0001.jpg", "photo_a.jpg", "_chat.txt", "\u200c", "گزارش"]
PATHISH = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)
ANY_REF = st.one_of(PATHISH, st.text(max_size=40))


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> list[ExportTree]:
    return make_trees(tmp_path_factory.mktemp("trees"))


@settings(max_examples=2000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(ref=ANY_REF, base=ANY_REF)
@example(ref="..", base="").via("regression")
@example(ref="IMG-20250312-WA0001.jpg", base="../../..").via("regression")
@example(ref="‥/_chat.txt", base="media").via("regression")
def test_resolve_answers_only_members_inside_the_root(trees: list[ExportTree], ref: str, base: str) -> None:
    for tree in trees:
        got = tree.resolve(ref, base)
        if got is None:
            continue
        assert got in {m.path for m in tree.members()}
        assert tree.has(got)
        if isinstance(tree, FolderTree):
            root = tree._root
            real = (root / got).resolve()
            assert real.is_relative_to(root) and real.is_file() and not (root / got).is_symlink()


@settings(max_examples=2000, deadline=None, database=None)
@given(name=ANY_REF)
@example(name="\ufe30/x").via("regression")  # PRESENTATION FORM FOR TWO DOT LEADER: NFKC gives '..'
@example(name="a/\u2025").via("regression")
@example(name="./C:x").via("regression")  # a drive prefix revealed once "." segments are dropped
def test_safe_member_name_never_escapes(name: str) -> None:
    out = safe_member_name(name)
    if out is None:
        return
    assert not out.startswith("/")
    assert ".." not in out.split("/")
    assert "\\" not in out and "\x00" not in out
    assert not (len(out) > 1 and out[1] == ":")
    assert safe_member_name(out) == out  # a clean name is a fixed point
