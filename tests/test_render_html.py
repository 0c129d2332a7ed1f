"""The self-contained HTML report and its SVG plots; the page is checked in headless Chromium too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from synth.core.bench_result import BenchResult
from synth.core.run import ReportOptions, ReportRun
from synth.render import plots
from synth.render.html import render_html
from tests.report_fixtures import QUESTION, sample_run

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def run() -> ReportRun:
    return sample_run()


@pytest.fixture(scope="module")
def page(run: ReportRun) -> str:
    return render_html(run)


def bare_run() -> ReportRun:
    """A run that has only started: options, no stage done."""
    return ReportRun(run_id="r0", question=QUESTION, created="2025-06-14T10:15:12+00:00",
                     options=ReportOptions(question=QUESTION))  # fmt: skip


def _results(run: ReportRun) -> list[BenchResult]:
    return [r for c in run.claims for check in c.empirical for r in check.results]


class _Assets(HTMLParser):
    """Everything in a page that would make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "srcset", "data", "poster", "background"):
            if a.get(name) and not str(a[name]).startswith("data:"):
                self.fetches.append(f"<{tag} {name}={a[name]}>")
        if tag == "link" and not str(a.get("href", "")).startswith("data:"):
            self.fetches.append(f"<link rel={a.get('rel')} href={a.get('href')}>")
        for name in ("href", "xlink:href"):
            if tag in ("use", "image", "feimage") and a.get(name) and not str(a[name]).startswith(("#", "data:")):
                self.fetches.append(f"<{tag} {name}={a[name]}>")
        if a.get("style"):
            self.styles.append(str(a["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


# ---------------------------------------------------------------- plots


def test_plots_are_inline_svg_with_unique_ids(run: ReportRun) -> None:
    svgs = {f.__name__: f(run) for f in (plots.confidence_histogram, plots.accuracy_vs_throughput,
                                          plots.claimed_vs_measured)}  # fmt: skip
    ids: list[str] = []
    for name, svg in svgs.items():
        assert svg is not None and svg.startswith("<svg"), name
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg and "<!--" not in svg
        assert svg.rstrip().endswith("</svg>") and "<title>" in svg
        ids += re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids)), "ids must not collide when the plots share a page"
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', "".join(s for s in svgs.values() if s)))
    assert refs <= set(ids)
    plots._plot.cache_clear()  # drawn again, not taken from the cache
    assert plots.confidence_histogram(run) == svgs["confidence_histogram"], "output is deterministic"


def test_benchmark_points_come_from_the_results_deduplicated(run: ReportRun) -> None:
    points = plots.benchmark_points(run)
    results = _results(run)
    assert len(points) == len(results) == 4
    by_label = {p.label: p for p in points}
    qwen = by_label["qwen2.5-coder-0.5b-instruct int4"]
    assert qwen.accuracy == 0.4 and qwen.dataset == "humaneval[:10]" and not qwen.random_weights
    assert qwen.throughput == pytest.approx(results[3].measurements.per_sample_tokens_per_s.mean)  # type: ignore[union-attr]
    llama = by_label["llama-3.2-1b bf16"]
    assert llama.accuracy is None and llama.random_weights and llama.claims == (6,)

    # The same spec measured for a second claim is one point that names both claims.
    shared = run.model_copy(deep=True)
    shared.claims[1].empirical = [shared.claims[5].empirical[0]]
    points = plots.benchmark_points(shared)
    assert len(points) == 4
    assert {p.label: p.claims for p in points}["llama-3.2-1b int4"] == (2, 6)


def test_accuracy_plot_falls_back_to_throughput_without_accuracy(run: ReportRun) -> None:
    speed_only = run.model_copy(deep=True)
    for result in _results(speed_only):
        assert result.measurements is not None
        result.measurements.pass_at = None
    svg = plots.accuracy_vs_throughput(speed_only)
    assert svg is not None and 'aria-label="Throughput per configuration (no accuracy measured)"' in svg
    assert "Accuracy vs throughput; throughput only" in (plots.accuracy_vs_throughput(run) or "")
    failed = run.model_copy(deep=True)
    for result in _results(failed):
        result.status, result.measurements = "failed", None
    assert plots.accuracy_vs_throughput(failed) is None


def test_ratio_bars_claimed_vs_measured(run: ReportRun) -> None:
    bars = {b.claim: b for b in plots.ratio_bars(run)}
    assert set(bars) == {1, 6, 7}
    assert bars[1].claimed == 2.2 and bars[1].measured is None and bars[1].note == "not measured"
    assert bars[6].claimed == 4.0 and bars[6].verdict == "INCONSISTENT"
    assert bars[6].measured == pytest.approx(9.0133 / 14.26, abs=1e-3) and bars[6].measured_std
    assert bars[7].verdict == "CONSISTENT" and bars[7].measured == pytest.approx(0.8)


def test_plots_are_none_when_there_is_nothing_to_plot() -> None:
    empty = bare_run()
    assert plots.confidence_histogram(empty) is None
    assert plots.accuracy_vs_throughput(empty) is None
    assert plots.claimed_vs_measured(empty) is None


# ---------------------------------------------------------------- the page


def test_page_is_self_contained(page: str) -> None:
    assets = _Assets()
    assets.feed(page)
    assert assets.fetches == []
    assert not any("@import" in s or re.search(r"url\(\s*['\"]?(?!#|data:)", s) for s in assets.styles)
    assert 'src="http' not in page and "<link rel=stylesheet" not in page.lower().replace('"', "")
    assert "default-src 'none'" in page and "<script src" not in page
    assert page.count("<svg") == 3 and page.count('class="plot-svg"') == 3


def test_page_shows_every_part_of_the_run(run: ReportRun, page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>{run.synthesis.title}</title>" in page  # type: ignore[union-attr]
    for c in run.claims:
        assert f'<tr id="claim-{c.number}">' in page
        assert c.claim.text.split(",")[0].replace("'", "&#39;") in page
    # A confidence only for an independent check; a sentence matched against its own page is "quoted".
    independent = [c for c in run.claims if c.independent]
    assert page.count('data-key="confidence" data-value="0.') == len(independent)
    assert all(c.checked in page for c in run.claims)
    assert '<a href="#claim-7" title="claim 7">7</a>' in page  # citations link to the table rows
    assert "6.6<small>/10</small>" in page and page.count('class="reviewer"') == 5
    assert "Conflicts between sources (3)" in page and "random weights — speed and memory only" in page
    assert "0.63x ± 0.01" in page and "INCONSISTENT" in page
    assert 'href="https://arxiv.org/abs/2401.10774"' in page
    unused = page[page.index('id="unused"') : page.index('id="limitations"')]
    assert 'href="#claim-6"' in unused and 'href="#claim-8"' in unused and 'href="#claim-1"' not in unused


def test_everything_from_the_run_is_escaped(run: ReportRun) -> None:
    hostile = run.model_copy(deep=True)
    hostile.claims[0].claim.text = "Medusa <script>alert(1)</script> is fast & lossless"
    assert hostile.claims[0].verdict is not None
    hostile.claims[0].verdict.evidence[0].quote = '<img src=x onerror="alert(2)">'
    hostile.question = "Is <b>bold</b> faster?"
    page = render_html(hostile)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert "Medusa &lt;script&gt;alert(1)&lt;/script&gt; is fast &amp; lossless" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    assert page.count("<script") == 1  # ours, allowed by its hash


@pytest.mark.parametrize("stage", ["bare", "claims only", "dry run", "no review", "no measurement", "no synthesis"])
def test_a_run_renders_at_any_stage(run: ReportRun, stage: str) -> None:
    partial = {
        "bare": bare_run(),
        "claims only": bare_run().model_copy(update={"claims": [
            c.model_copy(update={"verdict": None, "empirical": []}) for c in run.claims]}),
        "dry run": run.model_copy(update={"claims": [c.model_copy(update={"empirical": [
            e.model_copy(update={"verdict": None, "results": []}) for e in c.empirical]}) for c in run.claims]}),
        "no review": run.model_copy(update={"review": None}),
        "no measurement": run.model_copy(update={
            "measurement": None, "claims": [c.model_copy(update={"empirical": []}) for c in run.claims]}),
        "no synthesis": run.model_copy(update={"synthesis": None}),
    }[stage]  # fmt: skip
    page = render_html(partial)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert QUESTION.split(",")[0] in page
    if stage == "bare":
        assert "Not reviewed yet" in page and "No claims yet." in page and "<svg" not in page
        assert "Not measured: the measurement stage has not run." in page and "No papers retrieved yet." in page
    if stage == "claims only":
        assert "No claim has been verified yet." in page and page.count("not verified</span>") == len(run.claims)
    if stage == "dry run":
        assert page.count('class="badge b-not_run">NOT RUN</span>') == 6  # measurement table + claims table
        assert "B: llama-3.2-1b int4, cpu, 150-token prompts → 32 tokens" in page
        assert "nothing was measured on this machine" in page and page.count("<svg") == 2
    if stage == "no review":
        assert "Not reviewed yet" in page and "<svg" in page
    if stage == "no measurement":
        assert "nothing was measured on this machine" in page and page.count("<svg") == 1
    if stage == "no synthesis":
        assert "Not synthesized yet" in page and 'href="#claim-6"' in page  # NEI listed from the verdicts


# ---------------------------------------------------------------- in a real browser


def _column(page, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        f'#claims-table tbody td[data-key="{key}"]', "cells => cells.map(c => c.getAttribute('data-value'))"
    )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
def test_page_in_headless_chromium_loads_clean_and_sorts(page: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            tab.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
            tab.goto(path.as_uri(), wait_until="load")
            assert tab.eval_on_selector_all("svg.plot-svg", "s => s.map(e => e.getBoundingClientRect().width)")
            assert all(w > 100 for w in tab.eval_on_selector_all("svg.plot-svg", "s => s.map(e => e.clientWidth)"))

            confidence = tab.locator('#claims-table th[data-key="confidence"]')
            confidence.locator("button").click()
            assert confidence.get_attribute("aria-sort") == "ascending"
            values = [float(v) for v in _column(tab, "confidence") if v]  # quoted claims show no confidence
            assert values and values == sorted(values)
            confidence.locator("button").click()
            assert confidence.get_attribute("aria-sort") == "descending"
            assert [float(v) for v in _column(tab, "confidence") if v] == sorted(values, reverse=True)

            number = tab.locator('#claims-table th[data-key="number"]')
            assert number.get_attribute("aria-sort") == "none"
            number.locator("button").click()
            assert number.get_attribute("aria-sort") == "ascending"
            assert [int(v) for v in _column(tab, "number")] == list(range(1, 9))
            number.locator("button").click()
            assert number.get_attribute("aria-sort") == "descending"
            assert [int(v) for v in _column(tab, "number")] == list(range(8, 0, -1))
            assert confidence.get_attribute("aria-sort") == "none"

            verdict = tab.locator('#claims-table th[data-key="verdict"]')
            verdict.locator("button").click()
            labels = _column(tab, "verdict")
            assert labels == sorted(labels) and labels[0] == "NOT_ENOUGH_INFO"
            # The table rows keep their anchors: a citation still lands on its claim after sorting.
            assert tab.eval_on_selector("#claim-3", "row => row.cells[0].textContent.trim()") == "3"
        finally:
            browser.close()
    assert problems == []


def test_the_figures_plot_labels_each_point_with_its_conditions_and_its_papers_setup() -> None:
    """A reader hovering a point sees what it was measured under, the paper's stated setup marked as such."""
    from synth.core.figures import ReportedFigure
    from synth.render.plots import reported_figures

    run = sample_run().model_copy(deep=True)
    assert run.synthesis is not None
    run.synthesis.figures = [
        ReportedFigure(method="EAGLE", metric="speedup", role="gain", value=2.1, low=1.8, high=2.4, unit="x",
                       text="1.8x-2.4x", doc_id="d", paper=1, page=8, quote="q", setting=["greedy"],
                       setup=["RTX 3090", "Spec-Bench"], setup_page=14),
        ReportedFigure(method="Medusa", metric="speedup", role="gain", value=2.5, unit="x", text="2.5x", doc_id="m",
                       paper=2, page=1, quote="q"),
    ]  # fmt: skip
    svg = reported_figures(run)
    assert svg is not None
    assert "EAGLE: 1.8–2.4x (R1, p. 8; greedy; paper's setup (p. 14): RTX 3090, Spec-Bench)" in svg
    assert "Medusa: 2.5x (R2, p. 1)" in svg
