"""Plots of a report run as inline SVG strings, for the self-contained HTML report.

Each plot function takes a `ReportRun` and returns an `<svg>` element (no XML prolog,
no DOCTYPE, no metadata, ids prefixed so several plots can share one page), or None
when the run has nothing to plot. Numbers come only from the run: a result without
pass@k is never placed on an accuracy axis, a check that was not measured gets no
measured bar.

matplotlib is imported inside the functions (the CLI must stay fast to import) and
used without pyplot: each figure is a bare `Figure` on an explicit SVG canvas, so no
global backend is selected and no figure manager keeps figures alive. Text is drawn
as paths (`svg.fonttype = "path"`), so it renders the same with no font installed;
the rcParams are set in an `rc_context` that restores them afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import io
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.core.bench_result import RANDOM_WEIGHTS_LABEL, BenchResult, Stat

if TYPE_CHECKING:
    from synth.core.run import ReportRun

VERDICT_COLOURS = {
    "SUPPORTED": "#2e7d32",
    "NOT_ENOUGH_INFO": "#9e9e9e",
    "REFUTED": "#c62828",
    "UNVERIFIED": "#d7ccc8",
}
EMPIRICAL_COLOURS = {"CONSISTENT": "#2e7d32", "INCONSISTENT": "#c62828", "INCONCLUSIVE": "#f9a825"}
CLAIMED_COLOUR = "#90a4ae"
POINT_COLOURS = ["#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e", "#283593"]
# Throughput read from a result, first available: one answer per prompt counts SC/CAD fairly (the seed paper's
# throughput), end-to-end is what papers usually call throughput, decode is the last resort.
THROUGHPUT_METRICS = (
    ("per_sample_tokens_per_s", "per answer"),
    ("end_to_end_tokens_per_s", "end-to-end"),
    ("decode_tokens_per_s", "decode"),
)
STYLE: dict[str, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: no font needed where the page is opened
    "svg.hashsalt": "synth-report",  # deterministic clip-path ids
    "text.parse_math": False,  # a "$" in a label is a dollar sign
    "font.family": "DejaVu Sans",  # ships with matplotlib
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": True,
    "grid.color": "#e0e0e0",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}


# ---------------------------------------------------------------- data (no matplotlib)


@dataclass(frozen=True)
class BenchPoint:
    """One benchmark configuration, deduplicated by spec across the run's empirical checks."""

    label: str
    throughput: float | None
    throughput_std: float
    metric: str | None = None
    accuracy: float | None = None
    dataset: str = ""
    random_weights: bool = False
    claims: tuple[int, ...] = ()


@dataclass(frozen=True)
class RatioBar:
    """One empirical check: the ratio the claim states and the ratio measured here (B/A)."""

    label: str
    claim: int
    claimed: float | None
    claimed_low: float | None
    claimed_high: float | None
    measured: float | None
    measured_std: float | None
    verdict: str | None
    note: str = ""


def config_label(result: BenchResult) -> str:
    """'qwen2.5-coder-0.5b-instruct int4' plus technique and batch when they are not the defaults."""
    spec = result.spec
    parts = [spec.model.name.rstrip("/").rsplit("/", 1)[-1], spec.precision]
    tech = spec.technique
    if tech.name != "vanilla":
        parts.append(tech.name if tech.name in ("cot", "rag") else f"{tech.name} ({tech.implementation})")
    if spec.batch_size > 1:
        parts.append(f"batch {spec.batch_size}")
    return " ".join(parts)


def throughput_of(result: BenchResult) -> tuple[float, float, str] | None:
    """(mean, std, which) of the first throughput the result has: per answer, end-to-end, decode."""
    m = result.measurements
    for field, name in THROUGHPUT_METRICS:
        stat = getattr(m, field, None)
        if isinstance(stat, Stat) and stat.mean > 0:
            return stat.mean, stat.std, name
    return None


def pass_at_1(result: BenchResult) -> float | None:
    """pass@1 when the run scored programs (HumanEval/MBPP); None for speed-only runs."""
    m = result.measurements
    if m is None or not m.pass_at:
        return None
    return m.pass_at.get("1", m.pass_at.get("pass@1"))


def benchmark_points(run: ReportRun) -> list[BenchPoint]:
    """Every ok benchmark result of the run's checks, once per spec, with throughput and pass@1 when measured."""
    seen: dict[str, tuple[BenchResult, list[int]]] = {}
    for claim in run.claims:
        for check in claim.empirical:
            for result in check.results:
                if result.status != "ok" or result.measurements is None:
                    continue
                key = result.spec.model_dump_json()
                _, numbers = seen.setdefault(key, (result, []))
                if claim.number not in numbers:
                    numbers.append(claim.number)
    points = []
    for result, numbers in seen.values():
        speed, accuracy = throughput_of(result), pass_at_1(result)
        if speed is None and accuracy is None:
            continue
        prompts = result.spec.prompts
        dataset = "" if prompts.kind == "synthetic" else prompts.kind + (f"[:{prompts.limit}]" if prompts.limit else "")
        points.append(
            BenchPoint(
                label=config_label(result),
                throughput=speed[0] if speed else None,
                throughput_std=speed[1] if speed else 0.0,
                metric=speed[2] if speed else None,
                accuracy=accuracy,
                dataset=dataset,
                random_weights=RANDOM_WEIGHTS_LABEL in result.labels,
                claims=tuple(numbers),
            )
        )
    return points


def _short(text: str, width: int = 22) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def ratio_bars(run: ReportRun) -> list[RatioBar]:
    """One bar group per empirical check that states or measured a ratio, in claim order."""
    bars = []
    for claim in run.claims:
        checks = claim.empirical
        for i, check in enumerate(checks):
            ct, verdict = check.claim_type, check.verdict
            relation = ct.relation
            claimed = relation.ratio if relation is not None else None
            measured = verdict.measured if verdict is not None else None
            ratio = measured.ratio if measured is not None else None
            if claimed is None and ratio is None:
                continue
            suffix = "abcdefghijklmnopqrstuvwxyz"[i] if len(checks) > 1 and i < 26 else ""
            label = f"[{claim.number}{suffix}] {ct.quantity or ct.type.value.replace('_', ' ')}"
            if ct.arm_a is not None and ct.arm_b is not None:
                label += f"\n{_short(ct.arm_b.label)} / {_short(ct.arm_a.label.split(' (')[0])}"
            note = ""
            if ratio is None:
                note = "compared as B − A" if measured is not None else "not measured"
            bars.append(
                RatioBar(
                    label=label, claim=claim.number, claimed=claimed,
                    claimed_low=relation.low if relation is not None else None,
                    claimed_high=relation.high if relation is not None else None,
                    measured=ratio, measured_std=measured.std if measured is not None else None,
                    verdict=verdict.verdict.value if verdict is not None else None, note=note,
                )
            )  # fmt: skip
    return bars


# ---------------------------------------------------------------- SVG output

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def _inline(svg: str, name: str, title: str) -> str:
    """matplotlib's SVG file → an element to paste into HTML: no prolog, metadata or comments; ids prefixed."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    ids = set(_ID.findall(svg))
    svg = _REF.sub(lambda m: m.group(1) + (f"{name}-{m.group(2)}" if m.group(2) in ids else m.group(2)), svg)
    label = html.escape(title, quote=True)
    head = f'<svg class="plot-svg" id="{name}" role="img" aria-label="{label}"'
    return svg.replace("<svg", head, 1).replace(">", f"><title>{label}</title>", 1).strip()


def _render(name: str, title: str, size: tuple[float, float], draw: Callable[[Any], None]) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(fig)
        draw(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    fig.clear()
    return _inline(buffer.getvalue(), name, title)


_SVG_CACHE: dict[str, Path | None] = {"dir": None}


@contextlib.contextmanager
def svg_cache(directory: Path | None) -> Iterator[None]:
    """Keep drawn SVGs in `directory` (a run directory's `plots/`) while rendering.

    NOTE: `synth render RUNDIR` must take under 3 s; importing matplotlib and drawing three
    figures is half of that. The files are named by a hash of the plotted values, so a
    re-render reuses them and a changed run draws afresh.
    """
    previous = _SVG_CACHE["dir"]
    _SVG_CACHE["dir"] = directory
    try:
        yield
    finally:
        _SVG_CACHE["dir"] = previous


@functools.lru_cache(maxsize=32)
def _plot(kind: str, data: tuple[Any, ...]) -> str:
    """The SVG of plot `kind` for `data` (frozen values): the output is a pure function of them, so re-rendering
    a run (resumed, or in several formats) draws each figure once."""
    directory = _SVG_CACHE["dir"]
    if directory is None:
        return _DRAWERS[kind](data)
    digest = hashlib.sha256(f"{kind}:{data!r}".encode()).hexdigest()[:20]
    path = Path(directory) / f"{kind}-{digest}.svg"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    svg = _DRAWERS[kind](data)
    from synth.io import atomic_write_text

    atomic_write_text(path, svg)
    return svg


# ---------------------------------------------------------------- the plots


def confidence_histogram(run: ReportRun) -> str | None:
    """Histogram of verdict confidence in tenths, stacked by verdict label; None when no claim is verified."""
    verified = [c for c in run.claims if c.verdict is not None]
    if not verified:
        return None
    counts = {label: [0] * 10 for label in VERDICT_COLOURS}
    for c in verified:
        counts[c.label][min(int(round(c.confidence * 10, 9)), 9)] += 1
    return _plot("confidence", tuple((label, tuple(n)) for label, n in counts.items() if sum(n)))


def _draw_confidence(data: tuple[tuple[str, tuple[int, ...]], ...]) -> str:
    total = sum(sum(counts) for _, counts in data)
    title = f"Verifier confidence of {total} claims"

    def draw(fig: Any) -> None:
        from matplotlib.ticker import MaxNLocator

        ax = fig.add_subplot()
        centres = [i / 10 + 0.05 for i in range(10)]
        bottom = [0] * 10
        for label, counts in data:
            ax.bar(centres, counts, width=0.092, bottom=bottom, color=VERDICT_COLOURS[label],
                   label=f"{label} ({sum(counts)})", edgecolor="white", linewidth=0.6)  # fmt: skip
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_xlim(0, 1)
        ax.set_xticks([i / 10 for i in range(11)])
        ax.set_ylim(0, max(bottom) * 1.15 + 0.3)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", visible=False)
        ax.set_xlabel("confidence that the verdict is right (calibrated probability)")
        ax.set_ylabel("claims")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left")

    return _render("plot-confidence", title, (6.4, 3.0), draw)


def _scatter(ax: Any, points: list[BenchPoint]) -> None:
    several = len({p.dataset for p in points}) > 1
    for i, p in enumerate(points):
        assert p.throughput is not None and p.accuracy is not None
        colour = POINT_COLOURS[i % len(POINT_COLOURS)]
        ax.errorbar(p.throughput, p.accuracy, xerr=p.throughput_std or None, fmt="o", color=colour, ms=6,
                    capsize=3, elinewidth=1)  # fmt: skip
        text = f"{p.label} ({p.dataset})" if several and p.dataset else p.label
        ax.annotate(text, (p.throughput, p.accuracy), xytext=(6, 5), textcoords="offset points", fontsize=7.5,
                    color=colour)  # fmt: skip
    metrics = sorted({p.metric for p in points if p.metric})
    ax.set_xlabel(f"throughput, tokens/s ({', '.join(metrics)})")
    ax.set_ylabel("pass@1")
    ax.set_ylim(0, 1.05)
    top = max((p.throughput or 0) + p.throughput_std for p in points)
    ax.set_xlim(0, top * 1.45)  # room for the labels right of the points
    datasets = ", ".join(sorted({p.dataset for p in points if p.dataset}))
    ax.set_title("Accuracy vs throughput" + (f" ({datasets})" if datasets else ""), loc="left")


def _throughput_bars(ax: Any, points: list[BenchPoint], title: str) -> None:
    """Horizontal bars of tokens/s (± std), one per configuration, value written at the bar's end."""
    mixed = len({p.random_weights for p in points}) > 1
    labels = [p.label + (" (random weights)" if mixed and p.random_weights else "") for p in points]
    values = [p.throughput or 0.0 for p in points]
    stds = [p.throughput_std for p in points]
    ys = list(range(len(points)))[::-1]
    ax.barh(ys, values, xerr=stds, color="#5c6bc0", height=0.55, capsize=3, error_kw={"elinewidth": 1})
    for y, v, s in zip(ys, values, stds, strict=True):
        ax.text(v + s, y, f"  {v:.1f}", va="center", fontsize=7.5)
    ax.set_xlim(0, max(v + s for v, s in zip(values, stds, strict=True)) * 1.2)
    ax.set_yticks(ys, [textwrap.fill(label, 24) for label in labels])
    ax.grid(axis="y", visible=False)
    metrics = sorted({p.metric for p in points if p.metric})
    ax.set_xlabel(f"tokens/s ({', '.join(metrics)})")
    ax.set_title(title, loc="left")


def accuracy_vs_throughput(run: ReportRun) -> str | None:
    """pass@1 against tokens/s per benchmark configuration, like the seed paper's Figures 2-3.

    Configurations with no accuracy (random weights measure speed only) are drawn as a throughput bar chart
    beside the scatter, or alone (titled so) when no result has accuracy. None when nothing was measured.
    """
    points = tuple(p for p in benchmark_points(run) if p.throughput is not None)
    return _plot("accuracy", points) if points else None


def _draw_accuracy(points: tuple[BenchPoint, ...]) -> str:
    scatter = [p for p in points if p.accuracy is not None]
    speed_only = [p for p in points if p.accuracy is None]
    random = all(p.random_weights for p in speed_only)
    bars_title = "Throughput only:\n" + ("random weights, no accuracy" if random else "no accuracy measured")
    if not scatter:
        title = "Throughput per configuration (no accuracy measured)"
        size = (6.4, 1.2 + 0.45 * len(speed_only))
        return _render("plot-accuracy", title, size, lambda fig: _throughput_bars(fig.add_subplot(), speed_only, title))
    title = "Accuracy vs throughput" + ("; " + bars_title.replace(":\n", ": ").lower() if speed_only else "")

    def draw(fig: Any) -> None:
        if not speed_only:
            _scatter(fig.add_subplot(), scatter)
            return
        left, right = fig.subplots(1, 2, width_ratios=[3, 2])
        _scatter(left, scatter)
        _throughput_bars(right, speed_only, bars_title)

    return _render("plot-accuracy", title, (8.6 if speed_only else 6.4, 3.4), draw)


def claimed_vs_measured(run: ReportRun) -> str | None:
    """Grouped bars per empirical check: the claimed ratio (range as whiskers) and the measured one (± std).

    Measured bars are coloured by the empirical verdict, which is written above each group. None when no
    check states or measured a ratio.
    """
    bars = tuple(ratio_bars(run))
    return _plot("ratios", bars) if bars else None


def _draw_ratios(bars: tuple[RatioBar, ...]) -> str:
    title = "Claimed vs measured ratios (B / A)"

    def draw(fig: Any) -> None:
        from matplotlib.patches import Patch

        ax = fig.add_subplot()
        width = 0.36
        tops = []
        for i, b in enumerate(bars):
            top = 1.0
            if b.claimed is not None:
                low = b.claimed - b.claimed_low if b.claimed_low is not None else 0.0
                high = b.claimed_high - b.claimed if b.claimed_high is not None else 0.0
                err = [[max(low, 0.0)], [max(high, 0.0)]] if (low or high) else None
                ax.bar(i - width / 2, b.claimed, width, color=CLAIMED_COLOUR, yerr=err, capsize=3)
                ax.text(i - width / 2, b.claimed + (high or 0), f"{b.claimed:.2f}×", ha="center", va="bottom",
                        fontsize=7.5)  # fmt: skip
                top = max(top, b.claimed + (high or 0))
            colour = EMPIRICAL_COLOURS.get(b.verdict or "", "#bdbdbd")
            if b.measured is not None:
                std = b.measured_std or 0.0
                ax.bar(i + width / 2, b.measured, width, color=colour, yerr=std or None, capsize=3)
                ax.text(i + width / 2, b.measured + std, f"{b.measured:.2f}×", ha="center", va="bottom",
                        fontsize=7.5)  # fmt: skip
                top = max(top, b.measured + std)
            else:
                ax.text(i + width / 2, 0.04, b.note.replace(" ", "\n", 1), ha="center", va="bottom", fontsize=7,
                        color="#616161", style="italic")  # fmt: skip
            tops.append(top)
        ceiling = max(tops) * 1.22
        for i, (b, top) in enumerate(zip(bars, tops, strict=True)):
            if b.verdict:
                ax.text(i, top + ceiling * 0.06, b.verdict, ha="center", va="bottom", fontsize=7.5, weight="bold",
                        color=EMPIRICAL_COLOURS.get(b.verdict, "#616161"))  # fmt: skip
        ax.axhline(1.0, color="#616161", linestyle="--", linewidth=0.8)
        ax.set_ylim(0, ceiling * 1.12)
        ax.set_xticks(range(len(bars)), [b.label for b in bars])
        ax.grid(axis="x", visible=False)
        ax.set_ylabel("ratio B / A (1 = no change)")
        ax.set_title(title, loc="left")
        handles = [Patch(color=CLAIMED_COLOUR, label="claimed")]
        verdicts = [v for v in EMPIRICAL_COLOURS if any(b.verdict == v and b.measured is not None for b in bars)]
        handles += [Patch(color=EMPIRICAL_COLOURS[v], label=f"measured: {v}") for v in verdicts]
        ax.legend(handles=handles, loc="upper right", fontsize=7.5)

    width_in = min(10.0, max(5.2, 1.5 * len(bars) + 2.0))
    return _render("plot-ratios", title, (width_in, 3.4), draw)


def reported_figures(run: ReportRun, max_methods: int = 14) -> str | None:
    """Range/dot plot of the multipliers papers report, one row per method: own paper filled, re-measured
    open, a range as a bar; each point links to its source in the report. None under two methods."""
    s = run.synthesis
    if s is None:
        return None
    rows: dict[str, list[tuple[float, float, bool, str, str]]] = {}
    for f in s.figures:
        if f.unit != "x" or f.role != "gain" or f.span[1] <= 1.0:
            continue
        low, high = f.span
        link = f"#claim-{f.claim}" if f.claim else f"#ref-{f.paper}"
        conditions = f.conditions()
        label = f"{f.method}: {f.shown_change()} (R{f.paper}, p. {f.page}" + (f"; {conditions})" if conditions else ")")
        rows.setdefault(f.method, []).append((low, high, f.primary, link, label))
    if len(rows) < 2:
        return None
    ordered = sorted(rows.items(), key=lambda kv: -max(h for _, h, *_ in kv[1]))[:max_methods]
    return _plot("figures", tuple((m, tuple(points)) for m, points in ordered))


def _draw_figures(data: tuple[tuple[str, tuple[tuple[float, float, bool, str, str], ...]], ...]) -> str:
    title = "Reported speed-ups per method"

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, (_, points) in enumerate(reversed(data)):
            for low, high, primary, link, label in points:
                if high > low:
                    ax.plot([low, high], [i, i], color=CLAIMED_COLOUR, linewidth=3, alpha=0.6, solid_capstyle="round")
                dot = ax.scatter([high], [i], s=34, zorder=3, edgecolors="#1f4e79", linewidths=1.2,
                                 facecolors="#1f4e79" if primary else "white")  # fmt: skip
                dot.set_urls([link])
                dot.set_gid(label)
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

        ax.axvline(1.0, color="#616161", linestyle="--", linewidth=0.8)
        ax.set_yticks(range(len(data)), [_short(m, 28) for m, _ in reversed(data)])
        ax.set_xscale("log")
        top = max(h for _, points in data for _, h, *_ in points)
        ticks = [t for t in (1, 1.5, 2, 3, 4, 6, 10, 15, 20, 30, 50, 100, 200) if t <= top * 1.3]
        ax.xaxis.set_major_locator(FixedLocator(ticks))  # plain labels: mathtext "10^0" is unreadable here
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("reported multiplier (log scale; 1x = no change)")
        ax.set_title(title, loc="left")

    return _render("plot-figures", title, (7.0, 0.9 + 0.32 * len(data)), draw)


_DRAWERS: dict[str, Callable[[Any], str]] = {
    "confidence": _draw_confidence,
    "accuracy": _draw_accuracy,
    "ratios": _draw_ratios,
    "figures": _draw_figures,
}
