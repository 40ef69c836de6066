"""Optional transformer backend: a fine-tuned sequence classifier (XLM-R, MARBERT, ParsBERT...) from a
local Hugging Face directory the user names. Nothing is downloaded; weights load from safetensors only.

The model's ``config.id2label`` says which of our labels it scores (names must match the taxonomy;
others are ignored). Multi-label models (``problem_type = multi_label_classification``) give a sigmoid
per label; single-label ones a softmax. Batched, on the GPU when one is present.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.content.taxonomy import LABELS
from himaya.errors import HimayaError


class TransformerError(HimayaError):
    exit_code = 2


def available() -> bool:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


class TransformerBackend:
    def __init__(self, directory: Path, *, batch_size: int = 32, max_length: int = 256, device: str | None = None) -> None:
        if not available():
            raise TransformerError("the transformer backend needs torch and transformers: pip install 'himaya[transformer]'")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if not (directory / "config.json").is_file():
            raise TransformerError(f"{directory}: not a Hugging Face model directory (no config.json)")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(str(directory), local_files_only=True,
                                                                            use_safetensors=True)
        except (OSError, ValueError) as exc:
            raise TransformerError(f"{directory}: cannot load the model: {exc}") from None
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device).eval()
        id2label = {int(k): str(v) for k, v in self.model.config.id2label.items()}
        self.columns = [i for i in sorted(id2label) if id2label[i] in LABELS]
        self.labels = [id2label[i] for i in self.columns]
        if not self.labels:
            raise TransformerError(f"{directory}: config.json id2label names none of our labels ({', '.join(LABELS)})")
        self.multi_label = self.model.config.problem_type == "multi_label_classification"
        self.batch_size, self.max_length = batch_size, max_length
        weights = sorted(directory.glob("*.safetensors"))
        digest = hashlib.sha256(b"".join(p.name.encode() + str(p.stat().st_size).encode() for p in weights))
        digest.update((directory / "config.json").read_bytes())
        self.version = f"transformer-{directory.name}-{digest.hexdigest()[:8]}"

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """(messages, len(self.labels)) probabilities."""
        import torch

        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                enc = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
                logits = self.model(**{k: v.to(self.device) for k, v in enc.items()}).logits.float()
                probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
                out[start : start + len(batch)] = probs[:, self.columns].cpu().numpy()
        return out


def describe(backend: Any) -> dict[str, Any]:
    return {"version": backend.version, "labels": backend.labels, "device": backend.device}
