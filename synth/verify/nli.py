"""Optional NLI cross-encoder checker for users who have one (any Hugging Face
sequence-classification folder whose labels name entailment and contradiction).

No NLI model ships with synth (none is on PyPI), so this checker is off unless
`verify.nli_model` points at a local folder.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from synth.errors import UserError
from synth.models.offline import stay_offline


class NLIChecker:
    def __init__(self, model_dir: Path, device: str = "cpu", batch_size: int = 16) -> None:
        if not Path(model_dir).is_dir():
            raise UserError(f"NLI model folder {model_dir} not found: set verify.nli_model to a local HF folder")
        self.model_dir = Path(model_dir)
        self.device = device
        self.batch_size = batch_size

    @cached_property
    def _model(self) -> tuple[Any, Any, int, int]:
        stay_offline()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(self.model_dir, local_files_only=True).eval()
        model.to(self.device)
        labels = {i: str(name).lower() for i, name in model.config.id2label.items()}
        entail = next((i for i, n in labels.items() if n.startswith("entail")), None)
        contra = next((i for i, n in labels.items() if n.startswith("contradict")), None)
        if entail is None or contra is None:
            raise UserError(
                f"NLI model {self.model_dir} has labels {sorted(labels.values())}: it needs 'entailment' and "
                "'contradiction' labels (config.id2label)"
            )
        return tokenizer, model, entail, contra

    def score(self, claim: str, windows: list[str]) -> list[tuple[float, float]]:
        """(P(entailment), P(contradiction)) of each window as premise and the claim as hypothesis."""
        import torch

        tokenizer, model, entail, contra = self._model
        out: list[tuple[float, float]] = []
        for i in range(0, len(windows), self.batch_size):
            batch = windows[i : i + self.batch_size]
            enc = tokenizer(batch, [claim] * len(batch), truncation=True, padding=True, return_tensors="pt")
            with torch.inference_mode():
                probs = model(**enc.to(self.device)).logits.float().softmax(-1)
            out.extend((float(p[entail]), float(p[contra])) for p in probs)
        return out
