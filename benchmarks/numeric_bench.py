"""Numeric checker benchmark on real sentences from the shared corpus.

For every sentence of the given papers that states a measurable number (%, x,
tokens/s, s, GB), the sentence is checked against itself (must MATCH: the
false-alarm side) and against a copy with its first such number perturbed
(x1.3, or +7 points for percentages; must be a MISMATCH: the detection side).
This is the issue's "claims whose evidence contains the number" setting, with
perturbations made by the script rather than hand-labelled.

Usage: python benchmarks/numeric_bench.py [--papers ../shared/corpus/papers] [--limit 12]
Prints the figures and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth.corpus.chunking import split_sentences  # noqa: E402
from synth.corpus.readers import read_document  # noqa: E402
from synth.corpus.text import collapse_ws  # noqa: E402
from synth.verify.numeric import NumericOutcome, check_numbers, extract_numbers  # noqa: E402

MEASURABLE = {"%", "x", "tokens/s", "s", "GB"}


def perturb(sentence: str) -> str | None:
    """Change the first measurable number's digits (x1.3, or +7 points for a percentage), keeping its unit."""
    for number in extract_numbers(sentence):
        literal = re.search(r"\d+(?:,\d{3})*(?:\.\d+)?", number.text)
        if number.unit not in MEASURABLE or number.low is not None or literal is None:
            continue
        old = float(literal.group(0).replace(",", ""))
        new = old + 7 if number.unit == "%" else old * 1.3
        decimals = len(literal.group(0).split(".")[1]) if "." in literal.group(0) else 0
        at = number.start + literal.start()
        return sentence[:at] + f"{new:.{decimals}f}" + sentence[at + len(literal.group(0)) :]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=Path, default=ROOT.parent / "shared" / "corpus" / "papers")
    parser.add_argument("--limit", type=int, default=12, help="Papers to read (sorted by name).")
    args = parser.parse_args()
    sentences: list[str] = []
    for pdf in sorted(args.papers.glob("*.pdf"))[: args.limit]:
        for page in read_document(pdf).pages:
            for s in split_sentences(page.text):
                text = collapse_ws(s.text)
                if 6 <= len(text.split()) <= 60 and any(n.unit in MEASURABLE for n in extract_numbers(text)):
                    sentences.append(text)
    start = time.perf_counter()
    same = detected = perturbed_total = 0
    misses: list[str] = []
    for sentence in sentences:
        same += check_numbers(sentence, sentence).outcome is NumericOutcome.MATCH
        changed = perturb(sentence)
        if changed and changed != sentence:
            perturbed_total += 1
            if check_numbers(changed, sentence).outcome is NumericOutcome.MISMATCH:
                detected += 1
            elif len(misses) < 5:
                misses.append(changed)
    elapsed = time.perf_counter() - start
    for miss in misses:
        print("missed:", miss[:160])
    figures = {
        "sentences": len(sentences),
        "identity_match_rate": round(same / len(sentences), 3),
        "perturbed": perturbed_total,
        "mismatch_detection_rate": round(detected / max(1, perturbed_total), 3),
        "pairs_per_s": round((len(sentences) + perturbed_total) / elapsed, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
