"""The optional transformer layer, with a tiny randomly initialised model built here (no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from himaya.detectors.content.detector import ContentDetector
from himaya.detectors.content.transformer import TransformerBackend, TransformerError, available

pytestmark = pytest.mark.skipif(not available(), reason="torch and transformers are not installed "
                                                         "(pip install 'himaya[transformer]')")

LABELS = ["threat_of_violence", "insult", "not_ours"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    out = tmp_path_factory.mktemp("tiny-bert")
    chars = sorted(set("abcdefghijklmnopqrstuvwxyz0123456789اأبتثجحخدذرزسشصضطظعغفقكلمنهويةىپچژگکی"))
    (out / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(chars) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, num_labels=len(LABELS),
                        id2label=dict(enumerate(LABELS)), label2id={v: k for k, v in enumerate(LABELS)},
                        problem_type="multi_label_classification")
    BertForSequenceClassification(config).save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out


def test_backend_scores_our_labels_in_batches(tiny_model: Path) -> None:
    backend = TransformerBackend(tiny_model, batch_size=2, max_length=32, device="cpu")
    assert backend.labels == ["threat_of_violence", "insult"]
    texts = ["kill you", "هقتلك", "hello", "x" * 5000, ""]
    probs = backend.predict(texts)
    assert probs.shape == (5, 2) and np.all((probs >= 0) & (probs <= 1))
    assert np.allclose(backend.predict(texts[:2]), probs[:2], atol=1e-5)  # batching does not change scores


def test_detector_uses_the_transformer_for_its_labels(tiny_model: Path) -> None:
    backend = TransformerBackend(tiny_model, device="cpu")
    detector = ContentDetector(transformer=backend)
    assert backend.version in detector.version
    (r,) = detector.classify(["hello there friend"])
    probs = backend.predict(["hello there friend"])[0]
    assert r.layers["model"]["insult"] == pytest.approx(float(probs[1]), abs=1e-5)
    (threat,) = detector.classify(["هقتلك"])
    assert "threat_of_violence" in threat.flagged  # the lexicon floor still holds


def test_not_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(TransformerError, match=r"no config\.json"):
        TransformerBackend(tmp_path)
