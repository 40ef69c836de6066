"""Content detector benchmarks (figures go to docs/benchmarks.md, section "Content").

  1. Load: constructing the detector (lexicon + shipped model + language detectors) in a fresh
     process; target ≤ 2 s.
  2. Throughput of lexicon + shipped model: N messages (default 50,000; synthetic ar/fa/en, Arabizi,
     Finglish, about one in five hostile), one process and W worker processes (default 2);
     target ≥ 5,000 messages/s on 2 cores. Peak RSS per process (VmHWM); target ≤ 1 GB.
  3. Transformer layer on CPU (and GPU when present): a randomly initialised BERT-base-sized model
     (12 layers, hidden 768, the size of MARBERT/ParsBERT; random weights cost the same to run),
     T messages (default 256), batch 32, max 128 tokens. Skipped without torch.

  4. With --real: the 14,883 public test texts of ../shared/data (a real vocabulary, long tweets),
     which the synthetic corpus's repeated phrases flatter, in one process and in W worker processes.

The synthetic inputs are generated here.
Run: .venv/bin/python bench/bench_content.py [--messages N] [--workers W] [--transformer-messages T] [--real] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import hwm_mib

BENIGN = [
    "صباح الخير يا جماعة، اجتماعنا الساعة عشرة في المكتب", "شكرا لكل من وقف معنا هذا الأسبوع",
    "الورشة القادمة عن الأمان الرقمي يوم الخميس", "سلام علیکم، جلسه فردا ساعت ده برگزار می‌شود",
    "گزارش هفتگی آماده است، لطفاً بخوانید", "Thanks everyone for coming to the workshop today",
    "The next training on digital safety is on Thursday", "Please share the new guide with your networks",
    "ana bhebak ya 7abibti, shu akhbarik", "salam khoobi? farda miaym", "Nice photo from the march yesterday",
    "هل رأيتِ التقرير الجديد عن حقوق النساء؟", "برنامه‌ی کارگاه را در کانال گذاشتیم",
]


def corpus(n: int, seed: int = 7) -> list[str]:
    from himaya.synth.texts import LINES

    hostile = [line.text.replace("{phone}", "+964 770 000 0123").replace("{handle}", "banafsha") for line in LINES.values()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = rng.choice(hostile) if rng.random() < 0.2 else rng.choice(BENIGN)
        out.append(f"{base} {i % 97}" if rng.random() < 0.5 else base)  # not all identical: caches must earn their keep
    return out


def _worker(texts: list[str]) -> tuple[int, float, float]:
    from himaya.detectors.content.detector import ContentDetector
    from himaya.nlp.langid import warm_up

    detector = ContentDetector()
    warm_up()  # loading lingua is part of the load figure, not of the throughput
    detector.classify(texts[:50])
    start = time.perf_counter()
    flagged = 0
    for i in range(0, len(texts), 2000):
        flagged += sum(1 for r in detector.classify(texts[i : i + 2000]) if r.flagged)
    return flagged, time.perf_counter() - start, hwm_mib()


def bench_load() -> dict[str, Any]:
    code = ("import time; t=time.perf_counter(); from himaya.detectors.content.detector import ContentDetector; "
            "from himaya.nlp.langid import warm_up; d=ContentDetector(); warm_up(); d.classify(['hello']); "
            "print(time.perf_counter()-t)")
    seconds = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(3)]
    return {"load_s_runs": [round(s, 3) for s in seconds], "load_s": round(min(seconds), 3), "target_s": 2.0}


def _single_and_parallel(texts: list[str], workers: int) -> dict[str, Any]:
    """The texts in this process, then split across ``workers`` fresh processes (as `detect content --workers`)."""
    n = len(texts)
    flagged, seconds, rss = _worker(texts)
    single = {"messages": n, "seconds": round(seconds, 2), "messages_per_s": round(n / seconds), "flagged": flagged,
              "peak_rss_mib": round(rss)}
    chunks = [texts[i::workers] for i in range(workers)]
    start = time.perf_counter()
    with mp.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_worker, chunks)
    wall = time.perf_counter() - start
    slowest = max(p[1] for p in parts)
    return {"single_process": single,
            "parallel": {"workers": workers, "messages": n, "classify_seconds": round(slowest, 2),
                         "messages_per_s": round(n / slowest), "wall_seconds_incl_start": round(wall, 2),
                         "flagged": sum(p[0] for p in parts), "peak_rss_mib_per_worker": round(max(p[2] for p in parts))},
            "target_messages_per_s": 5000, "target_rss_mib": 1024}


def bench_throughput(n: int, workers: int) -> dict[str, Any]:
    return _single_and_parallel(corpus(n), workers)


def bench_real_texts(workers: int) -> dict[str, Any]:
    """Throughput on the public test texts, one process and ``workers``: real vocabulary, so the word caches earn less."""
    from himaya.detectors.content.datasets import default_data_root, load_examples

    root = default_data_root()
    if not (root / "SOURCES.md").is_file():
        return {"skipped": f"{root} not found"}
    return _single_and_parallel([e.text for e in load_examples(root) if e.split == "test"], workers)


def bench_transformer(n: int) -> dict[str, Any]:
    try:
        import torch
        from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast
    except ImportError:
        return {"skipped": "torch/transformers not installed (pip install 'himaya[transformer]')"}
    from himaya.detectors.content.transformer import TransformerBackend

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    labels = ["threat_of_violence", "sexual_violence_threat", "insult", "misogyny"]
    results: dict[str, Any] = {"model": "random BERT-base size (12 layers, hidden 768)", "messages": n,
                               "torch_threads": torch.get_num_threads()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        chars = sorted({c for t in corpus(500) for c in t.lower() if not c.isspace()})
        (out / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n", encoding="utf-8")
        BertTokenizerFast(vocab_file=str(out / "vocab.txt")).save_pretrained(out)
        config = BertConfig(vocab_size=len(chars) + 5, num_labels=len(labels), id2label=dict(enumerate(labels)),
                            label2id={v: k for k, v in enumerate(labels)}, problem_type="multi_label_classification")
        BertForSequenceClassification(config).save_pretrained(out, safe_serialization=True)
        texts = corpus(n)
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        for device in devices:
            backend = TransformerBackend(out, batch_size=32, max_length=128, device=device)
            backend.predict(texts[:32])
            start = time.perf_counter()
            backend.predict(texts)
            results[device] = {"messages_per_s": round(n / (time.perf_counter() - start), 1)}
            if device == "cuda":
                results[device]["gpu"] = torch.cuda.get_device_name(0)
    return results


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--transformer-messages", type=int, default=256)
    parser.add_argument("--real", action="store_true", help="also time the public test texts of ../shared/data")
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    args = parser.parse_args()
    summary = {"machine": machine(), "load": bench_load(), "throughput": bench_throughput(args.messages, args.workers),
               "real_texts": bench_real_texts(args.workers) if args.real else None,
               "transformer": bench_transformer(args.transformer_messages) if args.transformer_messages else None}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
