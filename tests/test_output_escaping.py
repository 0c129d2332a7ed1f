"""Text from papers and input reports cannot add HTML or a `javascript:` link to any output (issue 15, case 4).

Each report is built by hand with hostile text in every field that comes from a paper or an audited report,
rendered, and the result parsed with a CommonMark renderer (markdown-it-py, tables on) whose own link filter is
turned off, so the test checks synth's escaping, not markdown-it's. The only HTML a report may hold is synth's
own claim anchors; the only links, synth's own (claim anchors, relative files, http(s)). The hostile text must
still be readable as text. Ordinary reports render as before: figures, citations, tables.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from synth.core.claims import Evidence, Provenance, Verdict, VerdictLabel
from synth.core.run import CitedSentence, Paragraph
from synth.synthesize.figures import ReportedFigure
from tests.report_fixtures import sample_run

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

# One payload per way into HTML or a script link; `HOSTILE` is all of them in one string.
PAYLOADS = [
    "<script>alert(1)</script>",
    '<b onmouseover="alert(2)">hover</b>',
    "[click](javascript:alert(3))",
    "[case](JaVaScRiPt:alert(4))",
    "[entity](&#106;avascript:alert(5))",
    "[tab](java&#9;script:alert(6))",
    "<javascript:alert(7)>",
    "![img](javascript:alert(8))",
    "<!-- comment --><img src=x onerror=alert(9)>",
    "\\<script>alert(10)\\</script>",  # a backslash of its own, to cancel ours
    "`code` <i>x</i> ``y``",
    "&#x3C;script&#x3E;alert(11)&lt;/script&gt;",
    "cell | <s>split</s> | table",
]
HOSTILE = " ".join(PAYLOADS)
# Block-level forms: only where a value keeps its newlines (introduction, audit reasons).
BLOCKS = "Intro.\n\n<script>alert(12)</script>\n\n[ref]: javascript:alert(13)\n\nSee [ref].\n# heading\n- item\n"
JS_URL = "javascript:alert(14)"


def renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.validateLink = lambda url: True  # a permissive renderer: links are only as safe as synth makes them
    return md


def tokens(markdown: str) -> list[Token]:
    out: list[Token] = []
    for t in renderer().parse(markdown):
        out.append(t)
        out.extend(t.children or [])
    return out


def visible(markdown: str) -> str:
    """What a reader sees: the rendered HTML without its tags, entities decoded, whitespace folded."""
    rendered = renderer().render(markdown)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


OWN_HTML = re.compile(r'^(<a id="claim-\d+">|</a>)$')


def assert_inert(markdown: str) -> None:
    """No HTML but synth's claim anchors, no link but synth's own, nothing script-like in the rendered HTML."""
    for t in tokens(markdown):
        if t.type in ("html_inline", "html_block"):
            assert OWN_HTML.match(t.content.strip()), f"raw HTML from data: {t.content!r}"
        for attr in ("href", "src"):
            # as a browser would read it, and then some: decoded, with controls and spaces dropped
            url = re.sub(r"[\x00-\x20]", "", html.unescape(unquote(str(t.attrGet(attr) or ""))))
            if re.match(r"[a-z][a-z0-9+.\-]*:", url, re.I):
                assert re.match(r"https?://", url, re.I), f"a link to {url!r}"
    rendered = renderer().render(markdown).lower()
    for bad in ("<script", "<b ", "<img", "<i>", "<s>", "<!--", 'href="javascript', 'src="javascript'):
        assert bad not in rendered, bad
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", rendered), "an event handler attribute"


def table_widths(markdown: str) -> list[tuple[int, list[int]]]:
    """Per rendered table: its header cell count and each body row's cell count (hostile `|` must add none)."""
    out = []
    for table in re.findall(r"<table>.*?</table>", renderer().render(markdown), re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
        out.append((len(re.findall(r"<th[ >]", table)), [len(re.findall(r"<td[ >]", row)) for row in rows]))
    return out


def fold(text: str) -> str:
    return " ".join(text.split())


def test_the_check_catches_raw_hostile_text() -> None:
    """The assertions are not vacuous: each of the first nine payloads, copied raw, fails them (the last four
    are harmless raw; they attack the escaping itself: a backslash of their own, backticks, entities, pipes)."""
    for payload in PAYLOADS[:9] + [BLOCKS]:
        with pytest.raises(AssertionError):
            assert_inert(payload)


TRICKY = [
    "*a* _b_ __c__ **d** ~~e~~ ~2x", "# h", "## h ##", "1. one", "2) two", "- dash", "+ plus", "---", "===", "> quote",
    "a\\", "\\", "end!", "![", "[a]: /b", "[a][b]", "<http://x.y>", "&amp; &copy; &#42;", "`", "``a``", "| a | b |",
    "foo  \nbar", "x\n    indented", "line\u2028# next", "<", "a<b>c", "<?php ?>", "<![CDATA[x]]>", "<!DOCTYPE html>",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY + PAYLOADS + [BLOCKS])
def test_escaped_text_renders_as_itself(text: str) -> None:
    from synth.core.escape import escape_markdown

    md = escape_markdown(text)
    assert_inert(md)
    assert " ".join(html.unescape(re.sub(r"<[^>]+>", "", renderer().render(md))).split()) == fold(text)


def test_ordinary_text_is_not_escaped() -> None:
    from synth.core.escape import escape_markdown

    text = 'EAGLE is 2.4x faster (p. 3) on x86_64, +0.15 vs. -3% (e.g. 1.5-1.6x, 2.1–3.8×); it\'s "lossless".'
    assert escape_markdown(text) == text


# ---------------------------------------------------------------- the report: md and txt


def hostile_run():  # noqa: ANN201
    """The sample run with hostile text wherever a paper (or the user's question) supplies it."""
    run = sample_run()
    run.question = f"Is it fast? {HOSTILE}"
    papers = run.retrieval.papers
    papers[0].title = f"Medusa {HOSTILE}"
    papers[0].authors = [HOSTILE, "Tri Dao"]
    papers[1].url = JS_URL
    papers[2].url = None
    papers[2].path = "papers/`x` <script>alert(15)</script> | [p](javascript:alert(16)).pdf"
    first = run.claims[0]
    first.claim.text = f"MEDUSA-1 reaches 2.2x. {HOSTILE}"
    first.verdict.evidence[0].quote = f"Our quote {HOSTILE}"
    first.verdict.reason = HOSTILE
    refuted = run.claim(8)
    refuted.claim.text = f"Refuted {HOSTILE}"
    refuted.verdict.reason = HOSTILE
    run.claims[5].empirical[0].claim_text = HOSTILE
    run.claims[5].empirical[0].verdict.reason = HOSTILE
    run.measurement.notes = [HOSTILE]
    s = run.synthesis
    s.title = f"Speed {HOSTILE}"
    s.answer = [
        CitedSentence(text=f"Medusa is 2.2x faster {HOSTILE}.", claims=[1]),
        CitedSentence(text=f"HiSpec 1.28x [1]; PEARL 4.43x [4] {HOSTILE}", claims=[1, 4]),
    ]
    s.abstract.append(CitedSentence(text=f"Abstract {HOSTILE}!", claims=[2]))
    s.introduction = BLOCKS
    s.methodology = HOSTILE
    s.results.append(Paragraph(heading=HOSTILE, sentences=[CitedSentence(text=HOSTILE, claims=[3])]))
    s.conflicts[0].description = HOSTILE
    s.limitations.append(HOSTILE)
    s.notes.append(HOSTILE)
    s.figures = [
        ReportedFigure(
            method=f"Medusa {HOSTILE}", metric="speedup", role="gain", value=2.4, unit="x", text="2.4x",
            baseline=HOSTILE, models=[HOSTILE], doc_id="2401.10774", paper=1, page=3, quote=HOSTILE, claim=1,
            check="contradicted", check_note=HOSTILE,
        )
    ]  # fmt: skip
    run.review.reviews[0].reviewer = HOSTILE
    run.review.reviews[0].aspect = HOSTILE
    run.review.reviews[1].rationale = HOSTILE
    run.review.method = HOSTILE
    run.environment["platform"] = HOSTILE
    return run


def test_report_markdown_has_no_html_or_script_link_from_data() -> None:
    from synth.render.markdown import render_markdown

    md = render_markdown(hostile_run())
    assert_inert(md)
    seen = visible(md)
    assert seen.count(fold(HOSTILE)) >= 15  # title, question, claims, answer, figures, reviewers, references, …
    assert fold(BLOCKS) in seen  # the introduction, newlines and all, is text
    assert "papers/`x` <script>alert(15)</script> | [p](javascript:alert(16)).pdf" in seen  # a path, verbatim
    assert JS_URL in seen  # the bad reference URL is shown, not linked
    # synth's own links survive: citations (appended and inline), the claims table, the reviewer panel
    hrefs = [t.attrGet("href") for t in tokens(md) if t.type == "link_open"]
    assert {"#claim-1", "#claim-2", "#claim-3", "#claim-4", "#reviewer-panel"} <= set(hrefs)
    assert "https://arxiv.org/abs/2401.10774" in hrefs and not any("javascript" in str(h).lower() for h in hrefs)
    assert "Medusa is 2.2x faster " in md and "[\\[1\\]](#claim-1)." in md
    assert "HiSpec 1.28x [\\[1\\]](#claim-1); PEARL 4.43x [\\[4\\]](#claim-4)" in md


def test_report_markdown_tables_keep_their_columns_with_hostile_cells() -> None:
    from synth.render.markdown import render_markdown

    for header, rows in table_widths(render_markdown(hostile_run())):
        assert rows and all(n == header for n in rows)


def test_report_txt_is_inert_as_markdown_and_still_parses_as_a_seed_report() -> None:
    from synth.claims.seed_report import parse_seed_report
    from synth.render.txt import render_txt

    run = hostile_run()
    txt = render_txt(run)
    assert_inert(txt)
    assert "‹script›alert(1)‹/script›" in txt and "[click] (javascript:alert(3))" in txt  # visible, honest
    assert '‹b onmouseover="alert(2)"›hover‹/b›' in txt
    assert "\\‹script›alert(10)" in txt and "\\\\" not in txt  # the paper's backslash, none added
    seed = parse_seed_report(txt)
    assert len(seed.claims) == len(run.claims) and seed.has_claims_table
    assert [c.confidence is not None for c in seed.claims] == [True] * len(run.claims)
    assert seed.claims[1].text == " ".join(run.claims[1].claim.text.split())  # ordinary text round-trips
    assert seed.claims[0].text.startswith("MEDUSA-1 reaches 2.2x. ‹script›alert(1)‹/script›")
    assert {"Introduction", "Methodology", "Results", "Limitations"} <= set(seed.sections)
    assert [r.arxiv_id for r in seed.references][:1] == ["2401.10774"] and seed.references[1].url is None
    assert seed.title.startswith("Speed ‹script›")


def test_report_json_answer_and_html_links_are_inert() -> None:
    """report.json's `answer` is Markdown too (escaped, claim marks kept); the HTML links only http(s) URLs."""
    import json

    from synth.render.html import render_html
    from synth.render.reports import RENDERERS

    run = hostile_run()
    answer = json.loads(RENDERERS["json"](run))["answer"]
    assert_inert(answer)
    assert fold(HOSTILE) in visible(answer)
    assert "HiSpec 1.28x [1]; PEARL 4.43x [4]" in answer and answer.startswith("- Medusa is 2.2x faster ")
    page = render_html(run)
    assert 'href="javascript' not in page.lower() and JS_URL not in page  # not linked (the id is shown)
    assert 'href="https://arxiv.org/abs/2401.10774"' in page


def test_check_claims_markdown_is_inert() -> None:
    """`synth check-claims` (and the audit's measurement section) copies claim text into a table and details."""
    from synth.render.empirical import render_markdown

    check = hostile_run().claims[5].empirical[0]
    md = render_markdown([check], title=f"Checks of {HOSTILE}")
    assert_inert(md)
    assert visible(md).count(fold(HOSTILE)) >= 3  # title, table cell, details quote
    [(header, rows)] = table_widths(md)
    assert header == 7 and rows and all(n == 7 for n in rows)


def test_ordinary_report_renders_as_before() -> None:
    """No escaping shows in an ordinary report: figures, pages, citations and tables as written."""
    from synth.render.markdown import render_markdown
    from synth.render.txt import render_txt

    run = sample_run()
    run.synthesis.figures = [
        ReportedFigure(
            method="EAGLE", metric="speedup", role="gain", value=2.4, unit="x", text="2.4x", doc_id="2401.15077",
            paper=2, page=3, quote="EAGLE is 2.4x faster.", claim=2, baseline="vanilla decoding",
            models=["LLaMA2-Chat 70B"], hardware=["A100"],
        )
    ]  # fmt: skip
    md = render_markdown(run)
    assert (
        "| EAGLE | 2.4x | speedup (gain) | vanilla decoding | LLaMA2-Chat 70B, A100 | R2, p. 3 [\\[2\\]](#claim-2)"
        in md
    )
    assert "2.2-2.8×" in md and "\\" not in md.replace("[\\[", "").replace("\\]]", "")  # no stray backslash
    assert "Linux-6.1.0-28-cloud-amd64-x86_64-with-glibc2.36" in md and "**Run:** `20250614-101512-spec-decoding`" in md
    assert "<https://arxiv.org/abs/2401.10774>" in md
    assert_inert(md)
    hrefs = {t.attrGet("href") for t in tokens(md) if t.type == "link_open"}
    assert {"#claim-1", "#claim-2", "#claim-7"} <= hrefs
    assert "‹" not in render_txt(run)


# ---------------------------------------------------------------- the audit


def hostile_audit():  # noqa: ANN201
    from synth.core.audit import (
        AuditedClaim,
        AuditOutcome,
        AuditReport,
        AuditSummary,
        Reference,
        ResolvedSource,
        SourceStatus,
    )

    run = sample_run()
    check = run.claims[5].empirical[0].model_copy(deep=True)
    check.claim_text = HOSTILE
    check.verdict.reason = HOSTILE
    evidence = Evidence(doc_id="2401.10774", page=2, quote=f"Quoted {HOSTILE}", score=0.8, title=HOSTILE)
    claims = []
    for row, outcome in enumerate(AuditOutcome, 1):
        verdict = Verdict(
            claim_id=f"c{row}", label=VerdictLabel.SUPPORTED, confidence=0.8, evidence=[evidence], reason=BLOCKS
        )
        claims.append(AuditedClaim(
            row=row, text=f"Claim {row} {HOSTILE}", reported_verified=True, reported_confidence=0.9,
            verdict=verdict, outcome=outcome, needs_measurement=["throughput"], note=HOSTILE,
            provenance=Provenance(doc_id="d", page=4, section=HOSTILE),
        ))  # fmt: skip
    source = ResolvedSource(
        reference=Reference(raw=f"[1] {HOSTILE}", url=JS_URL), status=SourceStatus.OFFLINE, title=HOSTILE,
        note=HOSTILE,
    )  # fmt: skip
    # claims-table problems quote the input's cells (a field of newer AuditReports)
    problems = {"input_problems": [HOSTILE]} if "input_problems" in AuditReport.model_fields else {}
    return AuditReport(
        **problems,
        input_path="reports/`in` <script>alert(17)</script>.md", input_sha256="0" * 64, kind="markdown-report",
        title=f"Audited {HOSTILE}", question=f"Why? {HOSTILE}", created="2025-06-14T10:15:12+00:00",
        checks=["nli", HOSTILE], notes=[HOSTILE], sources=[source], claims=claims,
        summary=AuditSummary(claims=len(claims)), empirical=[check],
        measurement=run.measurement.model_copy(update={"hardware": HOSTILE, "notes": [HOSTILE]}),
    )  # fmt: skip


def test_audit_markdown_has_no_html_or_script_link_from_data() -> None:
    from synth.render.audit import render_markdown

    md = render_markdown(hostile_audit())
    assert_inert(md)
    seen = visible(md)
    assert seen.count(fold(HOSTILE)) >= 15
    assert fold(BLOCKS) in seen and "reports/`in` <script>alert(17)</script>.md" in seen
    assert not [t for t in tokens(md) if t.type == "link_open"]  # the audit links nothing
    assert all(n == header for header, rows in table_widths(md) for n in rows)


# ---------------------------------------------------------------- the digest


def hostile_digest():  # noqa: ANN201
    from synth.core.digest import ClaimChange, ClaimState, DigestReport, Drift, NewPaper

    def state(i: int, label: str = "SUPPORTED", confidence: float = 0.8) -> ClaimState:
        return ClaimState(claim_id=f"c{i}", text=f"Claim {i} {HOSTILE}", label=label, confidence=confidence,
                          doc_id=f"doc {HOSTILE}", page=2)  # fmt: skip

    drift = Drift(
        first_run=False, threshold=0.1, new=[state(1)], disappeared=[state(3)], unchanged=4,
        changed=[ClaimChange(before=state(2), after=state(2, "REFUTED"))],
    )  # fmt: skip
    papers = [
        NewPaper(doc_id="sha-1", title=f"Paper {HOSTILE}", path="papers/`x` | <script>alert(18)</script>.pdf"),
        NewPaper(doc_id=HOSTILE, title=HOSTILE, arxiv_id=f"2401.1 {HOSTILE}", source="arxiv"),
    ]
    return DigestReport(
        digest="sd`<b onmouseover=x>`", question=f"Fast? {HOSTILE}", cron="0 7 * * 1",
        started="2025-06-16T07:00:00+00:00", finished="2025-06-16T07:05:00+00:00", online=True,
        previous_run="2025-06-09T07:00:00+00:00", previous_digest="../20250609-070000/digest.md",
        papers_scanned=3, new_papers=papers, drift=drift, claims=3,
        report_files=["report.md", JS_URL, "[x](javascript:alert(19))"], notes=[HOSTILE],
    )  # fmt: skip


def test_digest_markdown_has_no_html_or_script_link_from_data() -> None:
    from synth.render.digest import render_markdown

    md = render_markdown(hostile_digest())
    assert_inert(md)
    seen = visible(md)
    assert seen.count(fold(HOSTILE)) >= 6
    assert "sd`<b onmouseover=x>`" in seen and "papers/`x` | <script>alert(18)</script>.pdf" in seen
    assert "0 7 * * 1" in seen and "Claim 2 " in seen
    hrefs = [t.attrGet("href") for t in tokens(md) if t.type == "link_open"]
    # a file named like a javascript: URL is not linked; one named like a Markdown link is, as a relative file
    assert hrefs == ["report.md", "%5Bx%5D%28javascript%3Aalert%2819%29%29", "../20250609-070000/digest.md"]
    assert "[report.md](report.md)" in md and "[../20250609-070000/digest.md](../20250609-070000/digest.md)" in md
    assert all(n == header for header, rows in table_widths(md) for n in rows)


# ---------------------------------------------------------------- the one template environment


def test_every_template_environment_comes_from_synth_render_environment(tmp_path: Path) -> None:
    """One module builds the jinja2 environments, every renderer lives in synth/render, and the escaping holds for
    any template: one from another folder (`templates=`) prints data Markdown-escaped in the audit and digest."""
    from jinja2 import PackageLoader

    import synth
    from synth.core.escape import escape_markdown
    from synth.render.audit import render_markdown as audit_markdown
    from synth.render.digest import render_markdown as digest_markdown
    from synth.render.environment import template_environment

    package = Path(synth.__file__).resolve().parent
    assert [p.relative_to(package) for p in package.rglob("*.py") if "Loader(" in p.read_text()] == [
        Path("render/environment.py")
    ]
    assert [p.relative_to(package) for p in package.rglob("render.py")] == []
    for kind in ("markdown", "html", "text"):
        assert isinstance(template_environment(kind).loader, PackageLoader)
    assert template_environment("html").autoescape is True and template_environment("text").finalize is None

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "audit.md.j2").write_text("audit {{ r.title }}\n")
    (folder / "digest.md.j2").write_text("digest {{ r.question }} {{ r.started | when }}\n")
    audit, digest = hostile_audit(), hostile_digest()
    assert audit_markdown(audit, templates=folder) == f"audit {escape_markdown(audit.title)}\n"
    expected = f"digest {escape_markdown(digest.question)} 2025-06-16 07:00 UTC\n"
    assert digest_markdown(digest, templates=folder) == expected
