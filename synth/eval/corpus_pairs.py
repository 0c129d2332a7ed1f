"""Labelled claim/evidence pairs made from any indexed corpus, for fitting the verifier's no-judge label model.

The public 3-way sets are biomedical and carry almost no numbers, so a label
model fitted on them alone learns nothing from the numeric checker — yet in
quantitative ML papers a matching or contradicted figure is the strongest
signal there is. These pairs teach it, from the user's own corpus:

* SUPPORTED: a sentence stating a figure, against the chunk it was printed in;
* REFUTED: the same sentence with that figure changed (scaled by a factor a
  careless summary might produce), against the same chunk;
* NOT_ENOUGH_INFO: the sentence against the most similar chunk of another paper.

Pure over the chunks given; `make_pairs` reads them from the catalog and a retriever.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from synth.corpus.chunking import split_sentences
from synth.verify.numeric import extract_numbers

FACTORS = (0.5, 0.6, 0.75, 1.5, 2.0, 3.0)
MIN_WORDS, MAX_WORDS = 10, 45
_TABLEISH = re.compile(r"(?:\d+(?:\.\d+)?\s+){4,}")


def numeric_sentences(text: str) -> list[str]:
    """Sentences of a chunk that state a figure with a unit, read as prose (not table rows)."""
    out = []
    for s in split_sentences(text):
        words = s.text.split()
        if not MIN_WORDS <= len(words) <= MAX_WORDS or _TABLEISH.search(s.text):
            continue
        if any(n.unit for n in extract_numbers(s.text)):
            out.append(s.text.strip())
    return out


def perturb(sentence: str, rng: random.Random) -> str | None:
    """The sentence with one figure changed by a factor; None when no figure can be rewritten in place."""
    numbers = [n for n in extract_numbers(sentence) if n.unit and n.low is None and n.value != 0]
    if not numbers:
        return None
    n = rng.choice(numbers)
    factor = rng.choice(FACTORS)
    value = n.value * factor
    decimals = len(n.text.split(".")[1].rstrip("%x× ").split()[0]) if "." in n.text else 0
    new_number = f"{value:.{max(decimals, 1 if value < 10 and value != int(value) else 0)}f}"
    old_number = re.search(r"\d+(?:[.,]\d+)*", n.text)
    if old_number is None:
        return None
    span = n.text[: old_number.start()] + new_number + n.text[old_number.end() :]
    start = sentence.find(n.text)
    if start < 0 or new_number == old_number.group(0):
        return None
    return sentence[:start] + span + sentence[start + len(n.text) :]


def build_pairs(
    chunks: Sequence[tuple[str, str]],
    neighbour: Callable[[str, str], str | None],
    per_label: int,
    seed: int = 0,
) -> list[dict[str, str]]:
    """`chunks`: (doc_id, text); `neighbour(sentence, doc_id)`: the most similar chunk of another document."""
    rng = random.Random(seed)
    candidates = [(doc, text, s) for doc, text in chunks for s in numeric_sentences(text)]
    rng.shuffle(candidates)
    pairs: list[dict[str, str]] = []
    counts = {"SUPPORTED": 0, "REFUTED": 0, "NOT_ENOUGH_INFO": 0}
    for i, (doc, text, sentence) in enumerate(candidates):
        if min(counts.values()) >= per_label:
            break
        role = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")[i % 3]
        if counts[role] >= per_label:
            continue
        if role == "SUPPORTED":
            pairs.append({"claim": sentence, "label": role, "evidence": text, "doc_id": doc})
        elif role == "REFUTED":
            changed = perturb(sentence, rng)
            if changed is None:
                continue
            pairs.append({"claim": changed, "label": role, "evidence": text, "doc_id": doc})
        else:
            other = neighbour(sentence, doc)
            if not other:
                continue
            pairs.append({"claim": sentence, "label": role, "evidence": other, "doc_id": doc})
        counts[role] += 1
    return pairs


def make_pairs(retriever: Any, per_label: int, seed: int = 0) -> list[dict[str, str]]:
    catalog = retriever.catalog
    chunks = [(c.doc_id, c.text) for c in catalog.chunks() if c.section not in {"references", "bibliography"}]

    def neighbour(sentence: str, doc_id: str) -> str | None:
        hits = [h for h in retriever.search(sentence, k=6, per_doc_cap=1) if h.doc_id != doc_id]
        return hits[0].text if hits else None

    return build_pairs(chunks, neighbour, per_label, seed)
