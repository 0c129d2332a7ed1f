"""Who a claim is about: the system's name from the paper, and first-person subjects rewritten to it.

A claim read outside its paper must name what it is about: "We achieve 2x"
is useless in a synthesis of ten papers, "EAGLE-2 achieves 2x" is not. The
rules here are deliberately narrow (reporting frames are stripped, "we" is
replaced only before verbs whose agent is the system, "our method" is
replaced by the name); a sentence that still speaks in the first person
afterwards is dropped rather than guessed at. All functions are pure.
"""

from __future__ import annotations

import re
from collections import Counter

# A name-like token: internal capital (vLLM, FlexGen, QLoRA), letters with digits (Step-3, EAGLE-2),
# or an acronym (EAGLE, GQA, PEARL); hyphenated parts are kept together.
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:[-‑][A-Za-z0-9]+)*(?![\w-])")

# Acronyms and names that appear in many abstracts without being the paper's system.
GENERIC_TOKENS = {
    "LLM", "LLMS", "LM", "LMS", "AI", "GPU", "GPUS", "CPU", "CPUS", "TPU", "KV", "API", "APIS", "NLP", "ML", "RL",
    "SOTA", "FLOPS", "FLOP", "MOE", "RAM", "DRAM", "HBM", "SSD", "NVME", "PCIE", "RDMA", "CUDA", "FP8", "FP16",
    "BF16", "INT8", "INT4", "TTFT", "TPOT", "SLO", "SLOS", "QA", "COT", "RAG", "SFT", "RLHF", "MLP", "FFN", "IO",
    "GPT", "GPT-3", "GPT-4", "GPT-4O", "CHATGPT", "LLAMA", "LLAMA-2", "LLAMA2", "LLAMA-3", "LLAMA3", "LLAMA2-CHAT",
    "VICUNA", "MISTRAL", "MIXTRAL", "QWEN", "PALM", "OPT", "BERT", "T5", "CLAUDE", "GEMINI",
    "HUMANEVAL", "MBPP", "GSM8K", "MMLU", "MT-BENCH", "ALPACA", "SVAMP", "AQUA", "MATH", "BBH", "ARC",
    "ORCA", "FASTERTRANSFORMER", "HUGGINGFACE", "PYTORCH", "USA", "US", "UK", "ID", "II", "III", "IV", "URL",
    "ARXIV", "PREPRINT", "DOI", "ICML", "ICLR", "NEURIPS", "ACL", "EMNLP", "PMLR", "IEEE", "ACM",  # a page's header
}  # fmt: skip

_TITLE_STOP_START = re.compile(
    r"^(towards?|on|a|an|the|understanding|rethinking|revisiting|when|why|how|what|is|are|do|does|can|exploring)\b",
    re.I,
)
_TITLE_VERB = re.compile(
    r"\s+(is|are|reduces?|enables?|elicits?|improves?|requires?|makes?|breaks?|boosts?|scales?|beats?|"
    r"outperforms?|achieves?|accelerates?|unlocks?|meets?|helps?|lets?)\b",
    re.I,
)
_PAREN_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,20})\)")
_INTRO_VERB = re.compile(
    r"\b(?:we|this (?:paper|work))\s+(?:\w+\s+){0,2}?(?:propose|present|introduce|develop|design|build|call)\w*\s", re.I
)
_INTRO_SCAN_WORDS = 12  # a name follows its introducing verb closely: "we propose a new method, Active-Prompt"


def is_name_like(token: str) -> bool:
    """True for tokens that read as a system's name rather than an English word."""
    if token.upper() in GENERIC_TOKENS or len(token) < 2:
        return False
    core = token.replace("-", "").replace("‑", "")
    if not core.isalnum():
        return False
    has_digit = any(c.isdigit() for c in core) and any(c.isalpha() for c in core)
    inner_capital = any(c.isupper() for c in core[1:])
    return has_digit or inner_capital


def _is_system_token(token: str) -> bool:
    return is_name_like(token) or (token.isupper() and len(token) >= 3 and token not in GENERIC_TOKENS)


def recase(name: str, text: str) -> str:
    """A name read from an upper-case title ("QLORA") in the spelling the text uses ("QLoRA")."""
    if not name.isupper() or not text:
        return name
    spellings = Counter(m.group(0) for m in re.finditer(re.escape(name), text, re.I))
    return spellings.most_common(1)[0][0] if spellings else name


def _name_from_head(head: str) -> str | None:
    """A title's head ("EAGLE-2", "Plan-and-Solve Prompting", "Step-3 is Large ...") as a name, or None."""
    head = head.strip(" .,:;")
    verb = _TITLE_VERB.search(head)
    if verb:
        head = head[: verb.start()]
    words = head.split()
    if not words or len(words) > 4 or _TITLE_STOP_START.match(head):
        return None
    if len(words) == 1 and words[0][0].isalpha():
        return words[0] if words[0].upper() not in GENERIC_TOKENS else None
    # Several words make a name only when one of them is clearly not plain English.
    if any(is_name_like(w) or "-" in w[1:] for w in words):
        return " ".join(words)
    return None


def introduced_names(abstract: str) -> list[str]:
    """Every name the text introduces ("we propose PagedAttention …", "we build vLLM …"), in order."""
    out: list[str] = []
    for match in _INTRO_VERB.finditer(abstract):
        following = abstract[match.end() :].split()[:_INTRO_SCAN_WORDS]
        for i, word in enumerate(following):
            token = word.strip(".,;:()\"'")
            if _is_system_token(token):
                # "the Chain-of-Verification (COVE) method": the acronym after it is the same system's name
                after = following[i + 1].strip(".,;:\"'") if i + 1 < len(following) else ""
                acronym = after[1:-1] if after.startswith("(") and after.endswith(")") else ""
                for name in (token, acronym):
                    if name and _is_system_token(name) and name not in out:
                        out.append(name)
                break
            if word.endswith("."):
                break
    return out


def system_name(title: str | None, abstract: str = "") -> str | None:
    """The name a paper gives its system, method or model; None when it gives none.

    Tried in order: an acronym in parentheses in the title ("... (vLLM)"), the title's head
    before a colon or verb ("EAGLE-2: ...", "Chain-of-Verification Reduces ..."), a name
    introduced in the abstract ("we propose vLLM, ..."), then the most frequent name-like
    token of the abstract (at least three times).
    """
    title = " ".join((title or "").split())
    for match in _PAREN_ACRONYM.finditer(title):
        if _is_system_token(match.group(1)):
            return recase(match.group(1), abstract)
    if title:
        head = title.split(":", 1)[0] if ":" in title else title
        name = _name_from_head(head)
        if name:
            return recase(name, abstract)
    introduced = introduced_names(abstract)
    if introduced:
        return introduced[0]
    counts = Counter(t for t in _TOKEN.findall(abstract) if _is_system_token(t))
    if counts:
        name, n = counts.most_common(1)[0]
        if n >= 3:
            return name
    return None


# --- rewriting ------------------------------------------------------------------------------------

FIRST_PERSON = re.compile(r"\b(?:we|our|ours|ourselves)\b|\bus\b|\b(?:this|the present) (?:paper|work|study)\b", re.I)

_REPORT_VERBS = (
    r"(?:show|find|found|observe|observed|demonstrate|demonstrated|confirm|confirmed|verify|verified|reveal|"
    r"revealed|indicate|indicated|suggest|suggested|note|noted|see|saw|shows|demonstrates|reveals|indicates|"
    r"suggests|confirms|illustrates?|highlights?)"
)
_EVIDENCE = (
    r"(?:results?|experiments?|evaluations?|analys[ie]s|findings?|studies|study|measurements?|tests?|ablations?)"
)
_WHERE = r"(?:table|tab\.|figure|fig\.|section|sec\.)\s*[\dA-Z][\w.]*(?:\s*\([a-z]\))?"
# Openers that carry nothing a claim needs; removed repeatedly from the front.
_LEAD_FRAMES = [
    re.compile(
        r"^(?:in|across|throughout|from|based on|according to)\s+(?:all\s+(?:of\s+)?)?(?:this|our|these)\s+"
        r"(?:paper|work|study|experiments?|evaluations?|tests?|analys[ie]s|results?|benchmarks?|settings?)\s*,\s*",
        re.I,
    ),
    re.compile(
        r"^(?:across|on|in|for|over)\s+[^,]{1,60}?\s+we\s+(?:tested|evaluated|used|considered|studied)\s*,\s*", re.I
    ),
    re.compile(
        r"^(?:note|recall|notice)\s+that\s+|^it\s+is\s+(?:worth\s+noting|notable|important\s+to\s+note)\s+that\s+", re.I
    ),
    re.compile(
        rf"^(?:as\s+)?(?:shown|seen|illustrated|depicted|reported|listed|summari[sz]ed|presented)\s+in\s+{_WHERE}\s*,\s*",
        re.I,
    ),
    # "As we can see in Figure 2, S" / "We can see in Figure 2 S" -> S
    re.compile(
        rf"^(?:as\s+)?(?:we|one)\s+can\s+(?:see|observe|find)\s+(?:in|from)\s+{_WHERE}\s*,?\s*(?:that\s+)?", re.I
    ),
    # "Results are shown in Table 4 where we see that S" -> S
    re.compile(
        rf"^(?:the\s+)?(?:\w+\s+)?(?:results?|numbers)\s+(?:are|is)\s+(?:shown|reported|given|listed|presented)\s+in\s+"
        rf"{_WHERE}\s*,?\s*(?:where|and)\s+(?:we|one)\s+(?:can\s+)?{_REPORT_VERBS}\s+that\s+",
        re.I,
    ),
    re.compile(
        r"^(?:overall|in summary|in conclusion|to summarize|to sum up|finally|moreover|furthermore|however|therefore|"
        r"thus|hence|consequently|additionally|in addition|notably|specifically|importantly|in particular|in practice|"
        r"empirically|experimentally|as a result|in contrast|by contrast|meanwhile|further|also|"
        r"similarly|likewise|for example|for instance|in comparison|on the other hand|interestingly|indeed)\s*,\s*",
        re.I,
    ),
]
# "We show that S" / "Our results demonstrate that S" / "Table 3 shows that S" -> S
_REPORTING = re.compile(
    rf"^(?:we|(?:our|the)\s+(?:\w+\s+)?{_EVIDENCE}(?:\s+(?:in|of)\s+{_WHERE})?|(?:\w+\s+)?{_EVIDENCE}"
    rf"(?:\s+(?:in|of)\s+{_WHERE})?|{_WHERE})"
    rf"\s+(?:also\s+|further\s+|empirically\s+|experimentally\s+|clearly\s+|consistently\s+|will\s+)?{_REPORT_VERBS}"
    rf"\s+that\s*,?\s+",
    re.I,
)
# "We propose X, a ..." / "This paper presents X, which ..." -> "X is a ..." / "X ..."
_INTRO = re.compile(
    r"^(?:(?:in\s+)?this\s+(?:paper|work)\s*,?\s*we|we|this\s+(?:paper|work))\s+(?:therefore\s+|thus\s+|further\s+)?"
    r"(?:propose|present|introduce|develop|design|build|describe)s?\s+",
    re.I,
)
_SELF_NOUN = (
    r"(?:proposed\s+|new\s+|novel\s+|full\s+)?(?:method|approach|system|framework|model|technique|algorithm|design|"
    r"solution|scheme|implementation|prototype|engine|architecture|strategy|pipeline)s?"
)
_OUR_SELF = re.compile(rf"\b(?:our|the\s+proposed)\s+(?:[A-Za-z0-9-]+\s+)?{_SELF_NOUN}\b", re.I)
# Verbs whose agent may be the system: "we achieve 2x" is "EAGLE-2 achieves 2x". Setup verbs
# ("we use", "we train") are absent on purpose: their agent is the authors, not the system.
_AGENT_BASES = [
    "achieve", "attain", "obtain", "reach", "reduce", "improve", "outperform", "accelerate", "speed", "deliver",
    "increase", "surpass", "enable", "boost", "yield", "get", "gain", "save", "cut", "lower", "raise", "exceed",
    "support", "provide", "maintain", "preserve", "match", "beat", "sustain", "serve", "handle", "keep",
    "eliminate", "avoid", "allow", "generate", "produce",
]  # fmt: skip
_PAST = {"got", "had", "was", "kept", "saw", "did"}
_AGENT_VERBS = (
    set(_AGENT_BASES)
    | {b + "d" if b.endswith("e") else b + "ed" for b in _AGENT_BASES}
    | {"got", "kept", "can", "could", "will", "would", "may", "might", "should", "must", "are", "were", "have", "had"}
)
_GERUNDS = {(b[:-1] if b.endswith("e") else b) + "ing": b for b in _AGENT_BASES}
_ADVERBS = {
    "also", "further", "consistently", "significantly", "substantially", "still", "thus", "therefore",
    "additionally", "even", "now", "only", "then", "largely", "greatly", "dramatically", "effectively",
}  # fmt: skip
_IRREGULAR = {"are": "is", "were": "was", "have": "has", "do": "does", "go": "goes"}
_MODALS = {"can", "could", "will", "would", "may", "might", "should", "must"}


def third_person(verb: str) -> str:
    """The verb as it follows a singular name: achieve -> achieves, reach -> reaches, are -> is."""
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low in _MODALS or low in _PAST or low.endswith("ed"):
        return verb
    if re.search(r"(s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def _capitalise(text: str) -> str:
    """Upper-case the first letter, except in a name spelled with a lower-case start (vLLM, vAttention)."""
    if not text or re.match(r"^[a-z]+[A-Z]", text):
        return text
    return text[:1].upper() + text[1:]


def strip_frames(text: str) -> str:
    """Remove openers ("In this paper,", "As shown in Table 3,", "We find that") until none is left."""
    for _ in range(4):  # frames nest: "In this paper, we show that ..."
        before = text
        for frame in _LEAD_FRAMES:
            text = frame.sub("", text)
        text = _capitalise(_REPORTING.sub("", text))
        if text == before:
            break
    return text


def _rewrite_we(text: str, name: str) -> str:
    """Replace "we VERB" by "NAME VERBs" where the verb's agent may be the system."""

    def repl(match: re.Match[str]) -> str:
        adverbs, verb = match.group(1) or "", match.group(2)
        if verb.lower() not in _AGENT_VERBS:
            return match.group(0)
        return f"{name} {adverbs}{third_person(verb)}"

    adverb_alt = "|".join(sorted(_ADVERBS))
    pattern = re.compile(rf"\b[Ww]e\s+((?:(?:{adverb_alt})\s+)*)([A-Za-z]+)\b")
    return pattern.sub(repl, text)


def _rewrite_with_gerund(text: str, name: str) -> str:
    """ "We ran evaluations on six tasks, with X achieving 3x" -> "In evaluations on six tasks, X achieves 3x"."""
    match = re.match(
        rf"^We\s+(?:\w+ly\s+)?(?:conducted|conduct|performed|perform|ran|run|carried out)\s+(.+?),\s+with\s+"
        rf"({re.escape(name)})\s+(\w+ing)\b",
        text,
    )
    if not match or match.group(3).lower() not in _GERUNDS:
        return text
    verb = third_person(_GERUNDS[match.group(3).lower()])
    return f"In {match.group(1)}, {name} {verb}{text[match.end() :]}"


def rewrite_subject(sentence: str, name: str | None) -> str | None:
    """The sentence with first-person framing removed and its subject named; None if that fails.

    >>> rewrite_subject("We show that EAGLE-2 is 3.5x faster than vanilla decoding.", "EAGLE-2")
    'EAGLE-2 is 3.5x faster than vanilla decoding.'
    >>> rewrite_subject("Our method achieves a speedup of 3.05x-4.26x.", "EAGLE-2")
    'EAGLE-2 achieves a speedup of 3.05x-4.26x.'
    """
    text = strip_frames(" ".join(sentence.split()))
    if name:
        intro = _INTRO.match(text)
        if intro:
            text = _rewrite_intro(text[intro.end() :], name)
        text = _rewrite_with_gerund(text, name)
        text = _OUR_SELF.sub(name, text)
        text = re.sub(rf"^(?:The|the)\s+{re.escape(name)}\b", name, text)
        text = _rewrite_we(text, name)
        text = re.sub(rf"\b{re.escape(name)}\s+{re.escape(name)}\b", name, text)
    text = _capitalise(text.strip())
    if not text or FIRST_PERSON.search(text):
        return None
    return text


def _rewrite_intro(rest: str, name: str) -> str:
    """What follows "We propose": "X, a ..." -> "X is a ...", "X, which ..." -> "X ...", "a Y" -> "NAME is a Y"."""
    rest = rest.strip()
    lead = re.match(r"^(?:(?:a|an|the)\s+)?(?:[\w-]+,?\s+){0,6}?(?:called|named|dubbed)\s+", rest, re.I)
    if lead:
        rest = rest[lead.end() :]
    if rest.startswith(name):
        after = rest[len(name) :]
        appositive = re.match(r"^\s*(?:\([^)]*\))?\s*,\s*(a|an|the)\s+", after)
        if appositive:
            return f"{name} is {appositive.group(1)} {after[appositive.end() :]}"
        relative = re.match(r"^\s*(?:\([^)]*\))?\s*,?\s*(?:which|that)\s+", after)
        if relative:
            return f"{name} {after[relative.end() :]}"
        return f"{name} is proposed{after}" if not after.startswith(",") else f"{name}{after}"
    article = re.match(r"^(a|an)\s+", rest, re.I)
    if article:
        return f"{name} is {article.group(1).lower()} {rest[article.end() :]}"
    return f"{name} introduces {rest}"
