from __future__ import annotations

from pathlib import Path

from himaya.detectors.coordination.detect import detect
from himaya.detectors.coordination.explain import sentences, shared_items
from himaya.detectors.coordination.media import MediaRef, media_identities
from himaya.detectors.coordination.report import write_campaigns_report
from tests.detectors.coordination.helpers import network, post

PDQ = "f" * 64


def test_shared_items_lists_exact_items_with_times() -> None:
    a = [post("a", 0, "the activist is a paid agent of foreign embassies", urls=("https://s.example/1?utm_source=a",)),
         post("a", 5000, reply_to="t9"), post("a", 9000, media=(MediaRef("m1", None, PDQ),))]
    b = [post("b", 14, "the activist is a paid agent of foreign embassies 😡", urls=("https://m.s.example/1",)),
         post("b", 5030, reply_to="t9"), post("b", 9100, media=(MediaRef("m2", None, PDQ[:-1] + "e"),))]
    items = shared_items(a, b, window=60)
    got = {(i.channel, i.gap) for i in items}
    assert ("url", 14) in got and ("text", 14) in got and ("reply", 30) in got
    assert not any(i.channel == "media" for i in items)             # 100 s apart: outside Δt
    assert not any(i.identical for i in items if i.channel == "text")  # same words, but an emoji more: near-identical
    same = shared_items([post("a", 0, "الناشطة عميلة للسفارات الأجنبية")], [post("b", 3, "الناشطه عميله للسفارات الاجنبيه")])
    assert [(i.channel, i.identical) for i in same] == [("text", True)]  # identical once letter variants are folded
    lines = sentences(items, "@a", "@b")
    assert any("both linked 's.example/1' within 14 s on 2025-03-03" in line for line in lines)


def test_near_pdq_hashes_are_one_image_far_ones_are_not() -> None:
    near = "0" * 63 + "7"           # 3 bits from all zeros
    far = "0" * 32 + "f" * 32       # 128 bits away
    ids = media_identities([MediaRef("a", None, "0" * 64), MediaRef("b", None, near), MediaRef("c", None, far),
                            MediaRef("d", "ab" * 32), MediaRef("e", "ab" * 32)])
    assert ids[0] == ids[1] != ids[2]
    assert ids[3] == ids[4] == "sha256:" + "ab" * 32


def test_report_escapes_text_and_runs_nothing(tmp_path: Path) -> None:
    members = [f"n{i}" for i in range(8)]
    posts = network(members, waves=6)
    hostile = "<script>alert(1)</script> the activist is a paid agent of foreign embassies <img src=x onerror=y>"
    posts += [post(m, 40_000 + i, hostile) for i, m in enumerate(members)]
    result = detect(posts)
    camp = result.campaigns[0].as_json()
    camp["narratives"].insert(0, {"text": hostile, "posts": 8, "accounts": 8, "first_seen": "2025-03-03T00:00:00Z"})
    out = write_campaigns_report(tmp_path / "r.html", [{**camp, "status": "open", "case": "c"}], result.surges, case="c")
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    assert 'dir="auto"' in html and "<bdi" in html
    assert html.count("data:image/svg+xml;base64,") == 2             # timeline and network
    assert out.stat().st_mode & 0o077 == 0                           # readable by its owner only
