"""The Answer: a few cited sentences that answer the question first, and the figures table behind them.

A researcher reading a report wants "how much, under which conditions, at what
cost, and where the papers disagree" before any list of quotes. Without an LM the
answer is assembled from reported figures (`synth.synthesize.figures`): each method's
headline figures from its own paper, re-measurements by other papers labelled as
such, disagreements, then the costs and quality findings of the verified claims,
and finally what the question asks that no retrieved paper answers. Every sentence
cites the claims or the pages it rests on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

from synth.claims.extract.extractive import reject_reason
from synth.claims.extract.subject import introduced_names, recase, system_name
from synth.claims.gates import claim_defect
from synth.claims.subject import subject_of
from synth.core.escape import escape_markdown
from synth.core.facets import facet_mentioned, facets
from synth.core.run import CitedSentence, PaperRef, ReportClaim, ReportRun
from synth.corpus.tables import CELLS_MARKER
from synth.synthesize.figures import (
    MethodSummary,
    ReportedFigure,
    Role,
    SourceSentence,
    baseline_key,
    by_method,
    cross_check,
    dedupe,
    figures_in,
    hardware_of,
    method_key,
    span_text,
    with_setup,
)
from synth.synthesize.themes import STATED_COST, theme_of
from synth.synthesize.topic import subject_phrases, uncovered
from synth.verify.align import is_cell, sentences_of

# How a gain moves with the setting: "the speedup ratio diminishes with increasing batch size", "as the batch size
# increases, … a reduction in the acceleration effect". A gain word, a trend word and a condition, in either order.
_GAIN_WORD = (
    r"(?:speed-?ups?|speedup ratios?|acceleration(?: effect)?|throughput gains?|gains?|benefits?|savings?|"
    r"improvements?)"
)
_TREND_WORD = (
    r"(?:decreas\w*|diminish\w*|drops?|dropp\w*|shrinks?|shrinking|declin\w*|falls?|fell|reduc\w*|degrad\w*|"
    r"increas\w*|grows?|growing|rises?|rising|vanish\w*|disappear\w*)"
)
_SETTING_WORD = (
    r"(?:batch[- ]sizes?|(?:sampling )?temperatures?|sequence lengths?|context lengths?|model sizes?|model scales?|"
    r"acceptance rates?|draft lengths?|size gap)"
)
_DEPENDENCE = re.compile(
    rf"\b{_GAIN_WORD}\b[^.;]{{0,80}}\b{_TREND_WORD}\b[^.;]{{0,60}}\b{_SETTING_WORD}\b|"
    rf"\b{_SETTING_WORD}\b[^.;]{{0,60}}\b{_TREND_WORD}\b[^.;]{{0,80}}\b{_GAIN_WORD}\b",
    re.I,
)
# What happens to output quality: kept ("lossless", "without compromising quality", "the output distribution is
# unchanged") or traded ("trade quality and acceptance rate", "quality degradation").
_QUALITY_STATEMENT = re.compile(
    r"\blossless(?:ly)?\b|\bwithout (?:compromising|sacrificing|degrading|hurting|any (?:loss|degradation)|loss)\b|"
    r"\b(?:trades?|trading)\s+(?:off\s+)?(?:\w+\s+)?quality\b|\bquality\s+(?:loss|degradation|drops?|trade-?offs?)\b|"
    r"\b(?:output|generated|target)\s+(?:text\s+)?distributions?\b[^.;]{0,40}\b(?:unchanged|preserv\w*|identical|"
    r"maintain\w*|same)\b|\b(?:maintain\w*|preserv\w*)\b[^.;]{0,30}\b(?:output|generation)\s+(?:quality|distribution)\b",
    re.I,
)
# The outcome itself, stated of the method ("lossless acceleration", "trade off quality for higher speedup
# ratios", "the distribution of the generated text remains unchanged"), before a quality word said in passing.
_QUALITY_OUTCOME = re.compile(
    r"\blossless(?:ly)?\b|\b(?:trades?|trading)\s+(?:off\s+)?(?:\w+\s+)?quality\b|"
    r"\bdistributions?\b[^.;]{0,40}\b(?:unchanged|preserv\w*|identical)\b",
    re.I,
)
_LEAD_IN = re.compile(
    r"^(?:(?:however|moreover|furthermore|in addition|additionally|notably|also|thus|therefore)\s*,\s*|"
    r"as (?:shown|demonstrated|illustrated|seen|reported) in (?:table|figure|fig\.)\s*\d+\w*\s*,\s*|"
    r"(?:our|these|the) (?:evaluations?|experiments?|results?|analys[ie]s) (?:show|demonstrate|indicate|reveal)s? "
    r"that\s+)+",
    re.I,
)


_PERSON = re.compile(r"^[A-Z][a-z]+(?:[-\s][A-Z][a-z]*\.?)*\s(?:[a-z]{2,3}\s)?[A-Z][A-Za-z'-]+$")


def short_title(paper: PaperRef) -> str:
    """The paper's system name, else its first author ("Xia et al. (2024)", how a reader cites a survey), else its
    title's head ("Unlocking Efficiency in Large Language…")."""
    name = system_name(paper.title, " ".join(h.text for h in paper.passages[:1]))
    if name:
        return name
    first = paper.authors[0].strip() if paper.authors else ""
    if _PERSON.match(first):  # a person's name, not a title line read as one ("LOSSLESS LANGUAGE MODEL …")
        year = f" ({paper.year})" if paper.year else ""
        return f"{first.split()[-1]} et al.{year}" if len(paper.authors) > 1 else f"{first.split()[-1]}{year}"
    head = paper.title.split(":", 1)[0].strip()
    words = head.split()
    return " ".join(words[:5]) + ("…" if len(words) > 5 else "")


_SURVEY = re.compile(r"\b(?:survey|overview|review|tutorial|taxonomy)\b", re.I)
TITLE_NAME_WORDS = 5  # a title head this short is how readers name the work ("LLM in a flash")


def is_survey(paper: PaperRef) -> bool:
    """The paper surveys others' methods (its title or abstract says so): its own voice reports their results."""
    abstract = " ".join(h.text for h in paper.passages if h.section == "abstract")
    return bool(_SURVEY.search(paper.title) or re.search(r"\b(?:this|our)\s+(?:\w+\s+)?(?:survey|overview)\b",
                                                          abstract, re.I))  # fmt: skip


def untitled_name(paper: PaperRef) -> str:
    """The name of a paper that names no system of its own: its title's head when short ("LLM in a flash"),
    else its first author ("Gloeckle et al. (2024)")."""
    head = paper.title.split(":", 1)[0].strip()
    return head if len(head.split()) <= TITLE_NAME_WORDS else short_title(paper)


def paper_systems(paper: PaperRef, claims: Sequence[ReportClaim]) -> tuple[str, ...]:
    """The names a paper gives its own system: from its title and opening passage, and the subject most of its
    claims open with (the extractor writes the system's name for "we"): FlexGen for "High-throughput Generative
    Inference of Large Language Models with a Single GPU"."""
    abstract = " ".join(h.text for h in paper.passages if h.section == "abstract") or " ".join(
        h.text for h in paper.passages[:1]
    )
    # The title's name, then the one the abstract introduces ("we build vLLM" for a PagedAttention title).
    names = [n for n in (system_name(paper.title, abstract), *introduced_names(abstract)) if n]
    spelt = " ".join([*(c.claim.text for c in claims), *(h.text for h in paper.passages)])
    names = [recase(n, spelt) for n in names]  # "(COVE)" in the abstract, "CoVe" everywhere else
    subjects = Counter(s for c in claims if (s := _subject(c.claim.text)))
    if subjects:  # a survey's claims open with many systems: none is its own
        top, count = subjects.most_common(1)[0]
        if count >= 2 and count >= 0.6 * sum(subjects.values()):
            names.append(top)
    # The name its claims use most first: a figure the paper states of its own system without naming it goes
    # to the first, and "Chain-of-Verification 28%" beside "CoVe 2x" would list one method twice.
    texts = " \n".join(c.claim.text for c in claims)
    used = {n: len(re.findall(rf"(?<![\w-]){re.escape(n)}(?![\w-])", texts, re.I)) for n in names}
    return tuple(sorted(dict.fromkeys(names), key=lambda n: -used[n]))


def systems_by_paper(run: ReportRun, usable: Sequence[ReportClaim]) -> dict[str, tuple[str, ...]]:
    """Each retrieved paper's names for its own system (`paper_systems`), by doc id."""
    papers = run.retrieval.papers if run.retrieval else []
    return {
        p.doc_id: paper_systems(p, [c for c in usable if c.claim.provenance and c.claim.provenance.doc_id == p.doc_id])
        for p in papers
    }


def _subject(text: str) -> str | None:
    subject = subject_of(text)
    if subject is None:
        return None
    start = text.lower().find(subject)
    return text[start : start + len(subject)] if start >= 0 else None


def _passage_sentences(text: str) -> list[str]:
    """Prose sentences that could be claims, and a table chunk's cells (read with their row and column)."""
    prose, _, cells = text.partition(CELLS_MARKER)
    out = [s for s in sentences_of(prose) if not reject_reason(s) and not claim_defect(s)]
    out += [s for s in sentences_of(cells) if is_cell(s)]
    return out


def source_sentences(run: ReportRun, usable: Sequence[ReportClaim]) -> list[SourceSentence]:
    """The report's usable claims and the sentences of the passages retrieved for the question."""
    assert run.retrieval is not None
    papers = {p.doc_id: p for p in run.retrieval.papers}
    # A paper that gives its method no name still reports its own results ("our method … 4-5x"): they are the
    # paper's, named as a reader cites it ("LLM in a flash"). A survey's first person is no method of its own.
    systems = {
        d: s or ((untitled_name(papers[d]),) if not is_survey(papers[d]) else ())
        for d, s in systems_by_paper(run, usable).items()
    }
    names = {d: (systems[d][0] if systems[d] else short_title(p)) for d, p in papers.items()}
    out: list[SourceSentence] = []
    for c in usable:
        prov = c.claim.provenance
        if prov is None or prov.doc_id not in papers:
            continue
        paper = papers[prov.doc_id]
        out.append(
            SourceSentence(
                c.claim.text, prov.doc_id, prov.page, systems[prov.doc_id], names[prov.doc_id], paper.arxiv_id,
                paper.number, c.number, prov.section,
            )
        )  # fmt: skip
    for paper in run.retrieval.papers:
        if not paper.on_topic:
            continue
        for hit in paper.passages:
            for sentence in _passage_sentences(hit.text):
                out.append(
                    SourceSentence(
                        sentence, paper.doc_id, hit.page_start, systems[paper.doc_id], names[paper.doc_id],
                        paper.arxiv_id, paper.number, section=hit.section,
                    )
                )  # fmt: skip
    return out


def collect_figures(run: ReportRun, usable: Sequence[ReportClaim]) -> list[ReportedFigure]:
    """Every reported figure of the usable claims and retrieved passages, deduplicated and cross-checked."""
    if run.retrieval is None:
        return []
    sentences = source_sentences(run, usable)
    known = frozenset(method_key(n) for s in sentences for n in s.paper_systems)
    setups = {p.doc_id: p.setup for p in run.retrieval.papers}
    figures = [with_setup(f, setups.get(f.doc_id)) for s in sentences for f in figures_in(s, known)]
    return cross_check(dedupe(figures))


# ---------------------------------------------------------------- the answer's sentences


def _where(f: ReportedFigure) -> str:
    return f"R{f.paper}, p. {f.page}" if f.page else f"R{f.paper}"


def _conditions(
    figures: Sequence[ReportedFigure],
    limit: int = 3,
    method: str = "",
    datasets: bool = True,
    skip: Collection[str | None] = (),
) -> str:
    """The models, machines, settings and benchmarks named with the figures; never the method itself ("DeepSeek-R1
    90.8% (DeepSeek-R1, …)" says nothing) nor its baseline ("over DeepSeek 67B (DeepSeek 67B)")."""
    terms: list[str] = []
    for f in figures:
        for t in [*f.models, *f.hardware, *f.setting, *(f.dataset if datasets else [])]:
            if t not in terms and t not in skip and not (method and method_key(t) == method_key(method)):
                terms.append(t)
    return ", ".join(terms[:limit])


def _method_phrase(m: MethodSummary, figures: Sequence[ReportedFigure]) -> str:
    baselines = {baseline_key(f.baseline): f.baseline for f in figures if f.baseline}
    baseline = next(iter(baselines.values())) if len(baselines) == 1 else None  # a range over one baseline only
    conditions = _conditions(figures, method=m.method)
    where = "; ".join(dict.fromkeys(_where(f) for f in figures))
    text = f"{m.method} {span_text(figures)}"
    if baseline:
        text += f" over {baseline}"
    if conditions:
        text += f" ({conditions})"
    return f"{text} [{where}]"


def _claims_of(figures: Sequence[ReportedFigure]) -> list[int]:
    return sorted({f.claim for f in figures if f.claim is not None})


_METRIC_WORDS = {"speedup": "speed-up", "throughput": "throughput", "latency": "latency", "memory": "memory",
                 "cost": "cost"}  # fmt: skip


def headline(figures: Sequence[ReportedFigure], want: Sequence[tuple[str, str]] = ()) -> list[ReportedFigure]:
    """A method's headline: the figures of its best sentence, not a range pooled over sentences that measure
    different things. Best: stating the kind of result the question asks (`want`: role and unit pairs; a gain,
    not a page-one cost, when it asks for gains), then on its first page (the abstract), of the very unit asked,
    from a verified claim, with a baseline, with the most figures; the asked figures first."""
    wanted = set(want)
    roles = {role for role, _ in want}
    first = want[0][0] if want else None  # the role the question asks for first: its gains before its costs

    def asked(f: ReportedFigure) -> bool:
        return (f.role, f.unit) in wanted

    def key(f: ReportedFigure) -> tuple[bool, bool, bool, bool, bool, bool, int, int]:
        same = [g for g in figures if g.quote == f.quote]
        return (not any(g.role in roles for g in same), not any(g.role == first for g in same), f.page != 1,
                not any(asked(g) for g in same), f.claim is None, f.baseline is None, -len(same),
                f.page or 10_000)  # fmt: skip

    best = min(figures, key=key)
    same = (f for f in figures if f.quote == best.quote)
    return sorted(same, key=lambda f: (f.role not in roles, not asked(f)))[:3]


_COMPARATIVE = re.compile(r"\b(?:faster|slower|higher|lower|better|worse|cheaper|smaller|larger|fewer)\b", re.I)


def _figure_phrase(f: ReportedFigure) -> str:
    """'2.3–2.8x speed-up'; a figure the paper states as a comparison keeps its word ('20–40% faster', not
    '20–40% latency')."""
    comparative = _COMPARATIVE.search(f.text)
    word = _METRIC_WORDS.get(f.metric, "")
    if f.multiplies and f.multiplies.startswith("of "):
        return f.shown()  # "about 40% of computations": the share says what it is of
    if f.start:  # "memory from over 780 GB to under 48 GB": the end of a change alone reads as a level
        end = "under " + f.shown().removeprefix("up to ") if f.bound == "le" else f.shown()
        return f"{word} from {f.start} to {end}".strip()
    if comparative:
        said = comparative.group(0).lower()
        # "up to 5% higher latency", not "up to 5% higher": what is higher, unless the word says it ("faster")
        named = word and said in ("higher", "lower", "larger", "smaller") and f.metric != "speedup"
        return f"{f.shown()} {said}" + (f" {word}" if named and not f.multiplies else "")
    changed = f.unit == "%" or (f.unit not in ("x", "") and not f.absolute)  # "prefill gains of 1.5 seconds"
    if changed and word and f.role in ("gain", "cost") and not f.multiplies:
        # "55% lower latency", "20% higher throughput", "1.5 s lower latency": a change of the metric
        less_is_better = f.metric in ("latency", "memory", "cost")
        return f"{f.shown()} {'lower' if (f.role == 'gain') == less_is_better else 'higher'} {word}"
    if f.role == "cost" and word:
        word += " cost"
    if f.metric == "accuracy" and f.unit == "%" and f.role in ("gain", "cost"):
        word = "increase" if f.role == "gain" else "decrease"  # "FACTSCORE increases 28%": not a 28% score
    return f"{f.shown()} {word}".strip()


def _against(phrase: str) -> str:
    """'20–40% faster than EAGLE-1', '55% lower latency than the baseline', '2.7x speed-up over vanilla decoding',
    'about 40% of computations compared with LLaMA2 7B'."""
    if re.search(r"% of (?:the |its )?[\w\s-]+$", phrase):
        return "compared with"
    return "than" if _COMPARATIVE.search(phrase) else "over"


def _headline_phrase(method: str, figures: Sequence[ReportedFigure], want: Sequence[tuple[str, str]]) -> str:
    top = headline(figures, want)
    # Each baseline right after the figures measured against it: "4.43x over autoregressive decoding, 1.5x over
    # vanilla speculative decoding"; "up to 1.91x over standard SD, 124 tokens/s" (the rate has no baseline);
    # "1.7x, up to 2.08x over vanilla decoding" (a run of figures, the last one naming it).
    # "90.8% on MMLU, 84.0% on MMLU-Pro": scores each on its own benchmark say where each was scored
    each = len({d for f in top for d in f.dataset}) > 1 and all(len(f.dataset) == 1 for f in top)
    parts = []
    for i, f in enumerate(top):
        phrase = _figure_phrase(f) + (f" on {f.dataset[0]}" if each else "")
        later = top[i + 1] if i + 1 < len(top) else None
        if f.multiplies and later and later.multiplies == f.multiplies and not f.baseline:
            phrase = phrase.removesuffix(f" {f.multiplies}")  # "36%, 53%, 64% reduction in GPU time"
        if f.baseline and not (later and baseline_key(later.baseline) == baseline_key(f.baseline)):
            phrase += f" {_against(phrase)} {f.baseline}"
        parts.append(phrase)
    text = f"{method} {', '.join(parts)}"
    conditions = _conditions(top, limit=2, method=method, datasets=not each, skip={f.baseline for f in top})
    if conditions:
        text += f" ({conditions})"
    return f"{text} [{_where(top[0])}]"


def own_figures(figures: Sequence[ReportedFigure]) -> list[tuple[str, list[ReportedFigure]]]:
    """Each method's figures from its own paper, methods in the order their papers were retrieved; no figure of
    role 'other' (a latency quoted to motivate the work is no result)."""
    groups: dict[str, list[ReportedFigure]] = {}
    names: dict[str, str] = {}
    for f in figures:
        if f.primary and f.role != "other" and not (f.unit == "x" and f.role == "gain" and f.span[1] <= 1.0):
            key = method_key(f.method)
            groups.setdefault(key, []).append(f)
            names.setdefault(key, f.method)
    ordered = sorted(groups.items(), key=lambda kv: min(f.paper or 10_000 for f in kv[1]))
    return [(names[k], v) for k, v in ordered]


def headline_sentences(
    figures: Sequence[ReportedFigure], want: Sequence[tuple[str, str]], per_sentence: int = 4
) -> list[CitedSentence]:
    """'Headline results, each from the method's own paper: EAGLE-3 up to 6.5x speed-up over …; …', at most
    two sentences of `per_sentence` methods."""
    roles = [role for role, _ in want]
    # Methods with a figure of the role the question asks for first, then of another role it asks for, each group
    # in retrieval order: a 2-4x throughput gain answers "what gains" as well as a percentage does.
    ranked = sorted(
        own_figures(figures),
        key=lambda mf: (
            not any(f.role == roles[0] for f in mf[1]) if roles else False,
            not any(f.role in roles for f in mf[1]),
        ),  # fmt: skip
    )
    methods = ranked[: 2 * per_sentence]
    out = []
    for i in range(0, len(methods), per_sentence):
        part = methods[i : i + per_sentence]
        lead = "Headline results, each from the method's own paper: " if i == 0 else "Also reported: "
        text = lead + "; ".join(_headline_phrase(m, fs, want) for m, fs in part) + "."
        used = [f for _, fs in part for f in headline(fs, want)]
        out.append(CitedSentence(text=text, claims=_claims_of(used)))
    return out


# A baseline that is plain decoding, however a paper words it: "vanilla auto-regressive decoding", "standard
# decoding", "non-speculative inference"; not another acceleration method ("vanilla speculative decoding", "SI").
_PLAIN_BASELINE = re.compile(
    r"auto[-\s]?regressive|non[-\s]?speculative|without\s+speculat|target\s+model\s+alone|"
    r"^(?:the\s+)?(?:vanilla|standard|naive|plain|conventional|regular|normal)\s+(?:decoding|generation|inference)$",
    re.I,
)


_OTHER_METHOD = re.compile(r"(?<!non-)(?<!non )speculative\s+(?:decoding|sampling|inference)|\bSD\b|\bSI\b")


def plain_baseline(baseline: str | None) -> bool:
    """No baseline named, or plain decoding: the speed-ups one may range over together."""
    return baseline is None or (_PLAIN_BASELINE.search(baseline) is not None and not _OTHER_METHOD.search(baseline))


def _machines_of(picked: Sequence[tuple[str, Sequence[ReportedFigure]]]) -> str:
    """Where the methods measured their headline figures (their sentences or their papers' stated setups): "A100
    for PEARL, PipeSpec; RTX 4090 for PyramidSD; 4 name none; ", or "" when none says."""
    by_machine: dict[str, list[str]] = {}
    unnamed = 0
    for method, fs in picked:
        machines = list(dict.fromkeys(h for f in fs for h in hardware_of(f)))
        if not machines:
            unnamed += 1
        for machine in machines[:2]:
            by_machine.setdefault(machine, []).append(method)
    if not by_machine:
        return ""
    groups = "; ".join(f"{machine} for {', '.join(methods)}" for machine, methods in by_machine.items())
    return groups + (f"; {unnamed} name{'s' if unnamed == 1 else ''} none" if unnamed else "") + "; "


def typical_sentence(figures: Sequence[ReportedFigure], want: Sequence[tuple[str, str]]) -> CitedSentence | None:
    """'How much, typically': the span of the methods' own headline speed-ups over plain decoding, their median
    and where most lie, when at least three methods report one. An expert answer opens with the typical range;
    the per-method headlines follow. Only multipliers over plain decoding (or no stated baseline) from each
    method's own paper are ranged together: "1.5x over vanilla speculative decoding" or "1.4x over EAGLE-2"
    measure against another accelerator, and a survey's re-measurement has its own sentence."""
    if not want or tuple(want[0]) != ("gain", "x"):
        return None  # a question that asks first for memory, cost or scores is not answered by a speed-up range
    picked: list[tuple[str, list[ReportedFigure]]] = []
    for method, own in own_figures(figures):
        plain = [
            f for f in own
            if f.role == "gain" and f.unit == "x" and f.metric in ("speedup", "throughput") and f.span[1] > 1.0
            and plain_baseline(f.baseline)
        ]  # fmt: skip
        if plain:
            picked.append((method, headline(plain, [("gain", "x")])))
    named = sum(any(f.baseline for f in fs) for _, fs in picked)
    if len(picked) < 3 or named < 2:  # "over plain decoding" must be what the papers say, not only what none denies
        return None
    tops = sorted(((max(f.span[1] for f in fs), m) for m, fs in picked))
    lows = sorted(((min(f.span[0] for f in fs), m) for m, fs in picked))
    values = [t for t, _ in tops]
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    text = (
        f"Typical speed-up over standard decoding, in the methods' own papers: {lows[0][0]:g}x ({lows[0][1]}) to "
        f"{tops[-1][0]:g}x ({tops[-1][1]}) across {len(picked)} methods; median of their top figures "
        f"{round(median, 2):g}x"
    )
    if len(values) >= 5:  # the middle, without the lowest and the highest method
        text += f", {len(values) - 2} of {len(values)} top out between {values[1]:g}x and {values[-2]:g}x"
    used = [f for _, fs in picked for f in fs]
    refs = ", ".join(f"R{n}" for n in sorted({f.paper for f in used if f.paper is not None}))
    text += f" (setups differ: {_machines_of(picked)}models, batch size and decoding are in the figures table)"
    text += f" [{refs}]." if refs else "."
    return CitedSentence(text=text, claims=_claims_of(used))


def _setup_of(figures: Sequence[ReportedFigure]) -> str:
    """The stated setup the figures share (their papers' `PaperSetup`, kinds their sentences do not name):
    "RTX 3090, Spec-Bench, batch size 1"; "" when they share none."""
    shared = [t for t in figures[0].setup if all(t in f.setup for f in figures[1:])] if figures else []
    return ", ".join(shared)


def _below_own(m: MethodSummary) -> tuple[str, list[ReportedFigure]] | None:
    """Where another paper's figures for a method, against the same baseline, top out well below the method's own
    (EAGLE's 1.5x over Medusa is not compared with a 1.8-2.4x over autoregressive decoding): "below the
    2.1–3.8x over vanilla autoregressive decoding its own paper reports (A100) [R15, p. 9]". Not "disagree": the
    ranges may still overlap (the figures table then says corroborated); the top ends differ."""
    for base in dict.fromkeys(baseline_key(f.baseline) for f in m.primary if f.baseline):
        own = [f for f in m.primary if baseline_key(f.baseline) == base]
        others = [f for f in m.secondary if baseline_key(f.baseline) == base]
        if others and max(f.span[1] for f in others) < 0.8 * max(f.span[1] for f in own):
            setup = _setup_of(own)
            where = "; ".join(dict.fromkeys(_where(f) for f in own))
            text = f"below the {span_text(own)} over {own[0].baseline} its own paper reports" + (
                f" ({setup})" if setup else ""
            )
            return f"{text} [{where}]", own
    return None


def remeasured_sentence(summaries: Sequence[MethodSummary]) -> CitedSentence | None:
    """Figures other papers measured for a method, under the measuring paper's stated setup, and where they fall
    below the method's own ('Re-measured by Xia et al. (2024) (RTX 3090, Spec-Bench, batch size 1): EAGLE
    1.8–2.4x …, below the 2.1–3.8x … its own paper reports')."""
    rows = [m for m in summaries if m.secondary][:4]
    if not rows:
        return None
    groups: list[tuple[str, str, list[str]]] = []  # (measured by, its setup, method phrases): each said once
    used: list[ReportedFigure] = []
    for m in rows:
        by = ", ".join(dict.fromkeys(f.source for f in m.secondary))
        setup = _setup_of(m.secondary)
        phrase = _method_phrase(m, m.secondary)
        below = _below_own(m)
        if below is not None:
            phrase += ", " + below[0]
            used += below[1]
        used += m.secondary
        if groups and groups[-1][:2] == (by, setup):
            groups[-1][2].append(phrase)
        else:
            groups.append((by, setup, [phrase]))
    parts = [f"by {by}" + (f" ({setup})" if setup else "") + ": " + "; ".join(phrases) for by, setup, phrases in groups]
    text = "Re-measured " + "; and ".join(parts) + "."
    if any(f.primary for f in used):
        text = text[:-1] + " (setups differ: compare the conditions in the figures table)."
    return CitedSentence(text=text, claims=_claims_of(used))


def _clip(text: str, words: int = 40) -> str:
    tokens = text.split()
    clipped = " ".join(tokens[:words]) + ("…" if len(tokens) > words else "")
    return clipped.rstrip(".")


# A cost word a benefit qualifies: "improved cost-quality tradeoffs", "reduces memory", "lower cost". A cost's
# size is still a cost ("no training overhead", "negligible overhead"): the costs line is where a reader looks.
_BENEFIT_BEFORE = re.compile(
    r"\b(?:improv\w*|better|lower\w*|reduc\w*|sav\w*|cuts?|cutting|cheaper|favou?rable)\s+(?:[\w-]+\s+){0,2}$|"
    # "using only 28.5% (maybe even 18.2%) of computations": the share it needs, a saving
    r"\b(?:only|just|merely)\s+(?:[^.;]|\.(?=\d)){0,30}?\bof\s+(?:the\s+|its\s+)?$",
    re.I,
)


def stated_cost(text: str) -> bool:
    """The sentence names a cost of something, not a saving of one ("for improved cost-quality tradeoffs", "using
    only 28.5% of computations")."""
    return any(not _BENEFIT_BEFORE.search(text[max(0, m.start() - 50) : m.start()]) for m in STATED_COST.finditer(text))


def theme_sentence(
    claims: Sequence[ReportClaim],
    theme: str,
    lead: str,
    limit: int = 2,
    systems: dict[str, tuple[str, ...]] | None = None,
) -> CitedSentence | None:
    """The best verified claims of a theme, stated as they are, cited: those of the papers that match the
    question best first (a passing remark of the tenth paper is not the answer's cost).

    Costs are each method's own, one per paper: a claim that names its paper's system (`systems`: doc id → the
    names it gives its system) and names a cost ("at the cost of increased computational expense") first, then
    other named costs (a remark about other work, "most prior works focus only on drafting", comes after), then
    contrasts ("but"); one with a figure ("trainable within 1-2 days on an A100") before one without."""

    def own(c: ReportClaim) -> bool:
        prov = c.claim.provenance
        names = (systems or {}).get(prov.doc_id, ()) if prov else ()
        return any(re.search(rf"(?<![\w-]){re.escape(n)}", c.claim.text, re.I) for n in names)

    def key(c: ReportClaim) -> tuple[bool | int, ...]:
        if theme != "costs":
            return (False, False, False, c.paper or 10_000, c.number)
        stated = stated_cost(c.claim.text)
        return (not (own(c) and stated), not stated, not c.claim.numbers, c.paper or 10_000, c.number)

    members: list[ReportClaim] = []
    for c in sorted((c for c in claims if theme_of(c.claim) == theme), key=key):
        if theme == "costs" and any(m.paper == c.paper for m in members):
            continue  # one cost per method's paper
        members.append(c)
    members = members[:limit]
    if not members:
        return None
    text = lead + " " + "; ".join(_clip(c.claim.text) for c in members) + "."
    return CitedSentence(text=text, claims=[c.number for c in members])


# What a method achieves, in its abstract's words: "enable ... by trading off latency", "decreases hallucinations".
_EFFECT = re.compile(
    r"\b(?:enabl|allow|reduc|decreas|increas|improv|lower|cut|sav|boost|accelerat|outperform|eliminat|mitigat)\w*"
    r"|\bspeeds?\s+up\b|\btrad(?:e|es|ing)\s+off\b",
    re.I,
)
# A sentence about the paper's own work that does not name it: "These techniques enable …", "We show …".
_OWN_WORK = re.compile(
    r"^(?:[^,]{0,40},\s*)?(?:(?:these|our|this)\s+(?:methods?|techniques?|approach\w*|system|framework|design|"
    r"paper|work)\b|we\s+(?:show|find|demonstrate)\b)",
    re.I,
)
_NUMBER = re.compile(r"\d")
_LINK = re.compile(r"https?://|github\.com|\bcode (?:is|are)\b", re.I)
_ABSTRACT_HEAD = re.compile(r"^abstract(?:\s*[—–:.]\s*|\s+(?:-\s+)?)(?=[A-Z])", re.I)  # not "Abstract-Level …"
# An opening that points back at the sentence before ("On top of it, we build vLLM"): dropped when quoted alone.
_BACK_REFERENCE = re.compile(
    r"^(?:on top of (?:it|this|that)|to (?:this|that) end|based on (?:this|these|those)(?: \w+)?|in this (?:paper|work)"
    r"|in response|as a result|building on (?:it|this|that))\s*,\s*",
    re.I,
)


def method_effect(abstract: str, names: Sequence[str], max_words: int = 45) -> str | None:
    """The abstract sentence that says what the paper's own method achieves: it names the method (or opens on
    "These techniques", "We show") and an effect ("enable", "reduces", "trading off"); one without figures
    first, since the headline already gives them. None when no sentence does (a survey, a misread abstract)."""

    def usable(sentence: str) -> bool:
        if not 8 <= len(sentence.split()) <= max_words or not _EFFECT.search(sentence) or _LINK.search(sentence):
            return False
        if _OWN_WORK.match(sentence):  # "These techniques …": a pronoun subject, read beside the method's name
            return claim_defect(sentence) in (None, "pronoun subject", "unnamed subject ('the method')")
        named = any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", sentence, re.I) for n in names)
        return named and claim_defect(sentence) is None

    found = [_BACK_REFERENCE.sub("", _ABSTRACT_HEAD.sub("", s)) for s in sentences_of(abstract)]
    found = [s[:1].upper() + s[1:] for s in found]
    found = [s for s in found if usable(s)]
    found.sort(key=lambda s: _NUMBER.search(s) is not None)
    return found[0] if found else None


def methods_sentence(
    run: ReportRun, usable: Sequence[ReportClaim], systems: dict[str, tuple[str, ...]], limit: int = 3
) -> CitedSentence | None:
    """'What the methods do, in their abstracts: …': an expert answer says what each method is and achieves
    (CoVe "decreases hallucinations", FlexGen raises throughput "by trading off latency"), not only its figures.
    The first `limit` papers on topic that gave a claim and name a method of their own, in retrieval order;
    each sentence quoted with its page."""
    papers = run.retrieval.papers if run.retrieval else []
    with_claims = {c.paper for c in usable}
    parts = []
    for paper in papers:
        names = systems.get(paper.doc_id, ())
        if not paper.on_topic or paper.number not in with_claims:
            continue
        abstract = [h for h in paper.passages if h.section == "abstract"]
        effect = method_effect(" ".join(h.text for h in abstract), names) if abstract else None
        if effect:
            name = names[0] if names else short_title(paper) if is_survey(paper) else untitled_name(paper)
            parts.append(f"{name}: {effect.rstrip('.')} [R{paper.number}, p. {abstract[0].page_start}]")
        if len(parts) == limit:
            break
    if not parts:
        return None
    return CitedSentence(text="What the methods do, in their own abstracts: " + "; ".join(parts) + ".")


def unseen_papers_sentence(claims: Sequence[ReportClaim], used: set[int], limit: int = 3) -> CitedSentence | None:
    """The best finding of each paper the answer has not cited yet ("Also found: FACTSCORE increases 28% …"):
    a question about reinforcement learning or self-verification is not answered by the RL paper alone. A claim
    that states a figure is preferred; papers in retrieval order."""
    cited = {c.paper for c in claims if c.number in used}
    best: dict[int | None, ReportClaim] = {}
    for c in sorted(claims, key=lambda c: (not c.claim.numbers, c.number)):
        if c.paper not in cited and c.number not in used:
            best.setdefault(c.paper, c)
    picked = sorted(best.values(), key=lambda c: (c.paper or 10_000, c.number))[:limit]
    if not picked:
        return None
    text = "Also found: " + "; ".join(_clip(c.claim.text) for c in picked) + "."
    return CitedSentence(text=text, claims=[c.number for c in picked])


def _after_preamble(text: str, pattern: re.Pattern[str]) -> str:
    """The sentence from the colon that opens what `pattern` found ("We present two levels of fine-tuning
    procedures …: MEDUSA-1: MEDUSA is directly fine-tuned …, enabling lossless inference acceleration" →
    "…MEDUSA-1: MEDUSA is directly fine-tuned …"), a short label before it kept; the whole sentence when the
    match is not past a colon."""
    match = pattern.search(text)
    if match is None:
        return text
    colons = [m.start() for m in re.finditer(r":\s", text[: match.start()])]
    if not colons:
        return text
    start = colons[-1] + 2
    if len(colons) > 1 and len(text[colons[-2] + 2 : colons[-1]].split()) <= 3:
        start = colons[-2] + 2  # "MEDUSA-1: …": the label names what the rest is about
    return "…" + text[start:].lstrip()


def stated_sentence(
    run: ReportRun,
    usable: Sequence[ReportClaim],
    pattern: re.Pattern[str],
    lead: str,
    limit: int = 2,
    prefer: re.Pattern[str] | None = None,
) -> CitedSentence | None:
    """What the papers say of one aspect (`pattern`), in their words: the usable claims that say it, then the
    sentences of the passages retrieved from papers on the subject (a paper's shortest such sentence, the most
    direct), one per paper, in retrieval order; each quoted with its citation. Sentences that also match `prefer`
    come first ("speculative sampling methods can achieve lossless acceleration, but they can also trade off
    quality" before "without compromising accuracy" said in passing). How the gains depend on the setting ("the
    speedup ratio diminishes with increasing batch size") and what happens to output quality are rarely stated
    with a figure, so a claim list built around figures misses them."""
    found: dict[int | None, tuple[bool, str, list[int], str]] = {}

    def better(paper: int | None, preferred: bool) -> bool:
        return paper not in found or (preferred and not found[paper][0])

    for c in sorted(usable, key=lambda c: (c.paper or 10_000, c.number)):
        preferred = bool(prefer and prefer.search(c.claim.text))
        if pattern.search(c.claim.text) and better(c.paper, preferred):
            found[c.paper] = (preferred, c.claim.text, [c.number], "")
    for paper in run.retrieval.papers if run.retrieval else []:
        if not paper.on_topic:
            continue
        stated = [(t, hit.page_start) for hit in paper.passages for t in _passage_sentences(hit.text)]
        stated = [(t, page) for t, page in stated if pattern.search(t)]
        if not stated:
            continue
        sentence, page = min(
            stated, key=lambda tp: (not (prefer and prefer.search(tp[0])), len(_LEAD_IN.sub("", tp[0])))
        )
        preferred = bool(prefer and prefer.search(sentence))
        if better(paper.number, preferred):
            found[paper.number] = (preferred, sentence, [], f" [R{paper.number}, p. {page}]")
    picked = sorted(found.items(), key=lambda kv: (not kv[1][0], kv[0] or 10_000))[:limit]
    if not picked:
        return None
    parts = []
    for _, (_, text, _claims, where) in picked:
        text = _after_preamble(_LEAD_IN.sub("", text), pattern)
        parts.append(_clip(text[:1].upper() + text[1:]) + where)
    claims = sorted(n for _, (_, _, numbers, _) in picked for n in numbers)
    return CitedSentence(text=f"{lead} " + "; ".join(parts) + ".", claims=claims)


def coverage_sentence(question: str, texts: Sequence[str]) -> CitedSentence | None:
    """The facets of the question that no verified claim, figure or passage the Answer quotes mentions."""
    corpus = " ".join(texts)
    missing = [facet for facet in facets(question) if not facet_mentioned(facet, corpus)]
    if not missing:
        return None
    return CitedSentence(
        text=f"Not answered by the retrieved papers: {', '.join(missing)} "
        "(no verified claim, figure or quoted passage mentions it).",
        kind="meta",
    )


_FOCUS: list[tuple[re.Pattern[str], list[tuple[Role, str, str]]]] = [
    (re.compile(r"\baccura|\bquality\b|\bscores?\b|pass@|\bfactual|\breasoning\b", re.I),
     [("quality", "%", "scores"), ("gain", "%", "improvements")]),
    (re.compile(r"\bspeed|\bfaster\b|\blatency\b|\bthroughput\b|tokens?/s", re.I),
     [("gain", "x", "speed-ups"), ("gain", "%", "improvements")]),
    (re.compile(r"\bmemory\b|\bcompute\b|\bcosts?\b|\bparameters\b|\bsav", re.I),
     [("gain", "%", "savings and improvements"), ("cost", "%", "costs"), ("gain", "x", "speed-ups")]),
]  # fmt: skip
_DEFAULT_FOCUS: list[tuple[Role, str, str]] = [("gain", "x", "speed-ups"), ("gain", "%", "improvements"),
                                               ("quality", "%", "scores")]  # fmt: skip


def focus(question: str) -> list[tuple[Role, str, str]]:
    """Which figures answer the question, in the order it asks for them: 'more accurate' wants scores first,
    'how much faster' multipliers; every kind follows as a fallback."""
    order: list[tuple[Role, str, str]] = []
    hits = sorted((m.start(), kinds) for pattern, kinds in _FOCUS if (m := pattern.search(question)))
    for _, kinds in hits:
        order += [k for k in kinds if k not in order]
    return order + [k for k in _DEFAULT_FOCUS if k not in order]


def coverage_of(run: ReportRun) -> tuple[list[str], list[str]]:
    """(the question's subject phrases, those no retrieved paper names)."""
    papers = run.retrieval.papers if run.retrieval else []
    texts = [p.title + " " + " ".join(h.text for h in p.passages) for p in papers]
    if not texts:
        return [], []
    return subject_phrases(run.question, texts), uncovered(run.question, texts)


def off_topic(run: ReportRun) -> bool:
    """No retrieved paper names anything the question is about."""
    subject, missing = coverage_of(run)
    return bool(subject) and len(missing) == len(subject)


def build_answer(
    run: ReportRun, usable: Sequence[ReportClaim], figures: Sequence[ReportedFigure]
) -> list[CitedSentence]:
    """3–6 sentences that answer the question; when no retrieved paper names what the question is about, one
    sentence saying so (no claim about something else is presented as a finding)."""
    subject, missing = coverage_of(run)
    if subject and len(missing) == len(subject):
        titles = "; ".join(p.title for p in (run.retrieval.papers if run.retrieval else [])[:3])
        return [
            CitedSentence(
                text=f"The corpus does not cover this question: none of the retrieved papers names "
                f"{' or '.join(missing)}; the closest papers are about other things ({titles}), so their claims "
                "are listed below as retrieved, not as an answer.",
                kind="meta",
            )
        ]
    if not usable and not figures:
        return [
            CitedSentence(
                text="The corpus does not answer this question: no retrieved paper yielded a verified claim or a "
                "reported figure about it.",
                kind="meta",
            )
        ]
    want = [(role, unit) for role, unit, _ in focus(run.question)]
    gains: list[MethodSummary] = []
    for role, unit in want:
        gains = by_method([f for f in figures if unit != "x" or f.span[1] > 1.0], role, unit)
        if gains:
            break
    typical = typical_sentence(figures, want[:2])
    headlines = headline_sentences(figures, want[:2])
    dependence = stated_sentence(run, usable, _DEPENDENCE, "How the gains depend on the setting:")
    heads = ([typical] if typical else []) + headlines[:1] + ([dependence] if dependence else [])
    # Kept when the answer is cut to six: the typical range, the first headline line and what the gains depend on.
    core = [s for s in (typical, *headlines[:1], dependence) if s is not None]
    out = list(heads)
    remeasured = remeasured_sentence(gains)
    out += [remeasured] if remeasured is not None else []
    out += headlines[1:]  # a second list of headline figures goes before any core line when the answer is cut
    used = {n for s in out for n in s.claims}
    rest = [c for c in usable if c.number not in used]
    systems = systems_by_paper(run, usable)
    quality_asked = any("quality" in f.lower() for f in facets(run.question))
    for theme, lead in (("costs", "Costs and limits:"), ("quality", "Output quality:")):
        sentence = None
        if theme == "quality" and quality_asked:  # what the papers say of quality, claim or passage
            sentence = stated_sentence(run, rest, _QUALITY_STATEMENT, lead, prefer=_QUALITY_OUTCOME)
        sentence = sentence or theme_sentence(rest, theme, lead, systems=systems)
        if sentence is not None:
            out.append(sentence)
            used |= set(sentence.claims)
            if theme == "costs" or quality_asked:
                core.append(sentence)  # the question's "at what cost" is not cut for a second list of figures
    methods = methods_sentence(run, usable, systems) if len(out) < 5 else None
    if methods is not None:
        out.insert(len(heads), methods)  # what the methods are, beside their figures
    unseen = unseen_papers_sentence(usable, used) if len(out) < 5 else None
    if unseen is not None:
        out.append(unseen)
        used |= set(unseen.claims)
    if len(out) < 3:
        extra = theme_sentence([c for c in usable if c.number not in used], "gains", "Findings:", 3)
        extra = extra or theme_sentence([c for c in usable if c.number not in used], "method", "How it works:")
        if extra is not None:
            out.append(extra)
    # What the Answer says counts too: its "Output quality: … without sacrificing performance", read from a passage,
    # answers "how much quality is lost" though the passage never says "quality" (a labelled line is there only
    # when something was found for it).
    said = [s.text for s in out if s.kind != "meta"]
    coverage = coverage_sentence(run.question, [c.claim.text for c in usable] + [f.quote for f in figures] + said)
    if missing:
        text = f"Only part of the question is covered: no retrieved paper names {' or '.join(missing)}."
        out.append(CitedSentence(text=text, kind="meta"))
    elif coverage is not None:
        out.append(coverage)
    return _cut(out, core)


def _cut(sentences: list[CitedSentence], core: Sequence[CitedSentence], limit: int = 6) -> list[CitedSentence]:
    """At most `limit` sentences: the latest ones outside `core` go first, a closing note on coverage stays."""
    keep = {id(s) for s in core}
    if sentences and sentences[-1].kind == "meta":
        keep.add(id(sentences[-1]))
    dropped: set[int] = set()
    for i in range(len(sentences) - 1, -1, -1):
        if len(sentences) - len(dropped) <= limit:
            break
        if id(sentences[i]) not in keep:
            dropped.add(i)  # by position: two equal sentences are still two
    return [s for i, s in enumerate(sentences) if i not in dropped]


def answer_bullets(sentences: Sequence[CitedSentence], markdown: bool = True) -> str:
    """The answer as bullets, each with its claim citations ([3]).

    `markdown=True` (report.json's `answer`, rendered by whoever reads it): the paper text is Markdown-escaped and
    only the claim marks synth put there stay live brackets. `markdown=False`: the plain text, for reading it
    (the answer reviewer matches words and citations in it)."""
    lines = []
    for s in sentences:
        text = " ".join(s.text.split())
        marks = "".join(f"[{n}]" for n in s.claims if f"[{n}]" not in text)
        stop = text[-1] if text.endswith(".") else ""
        body = text[: len(text) - len(stop)]
        if markdown:
            body = escape_markdown(body)
            for n in s.claims:
                body = body.replace(f"\\[{n}\\]", f"[{n}]")
        lines.append(f"- {body} {marks}{stop}" if marks else f"- {body}{stop}")
    return "\n".join(lines)
