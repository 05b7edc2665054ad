"""The static HTML report, built from a real warehouse and opened in headless Chromium with
the network cut: every chart drawn, nothing requested beyond the report's folder, no console
error, Chinese rendered, and a chart whose mart is empty, missing or broken replaced by a
message while the others are still drawn."""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import duckdb
import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for browser
from browser import PageLog, connect, open_page  # noqa: E402

from orchestration.publish.report import CHARTS, INDEX, PLOTLY_JS, ReportResult, build_report  # noqa: E402

FIGURE_CHARTS = [chart.name for chart in CHARTS if chart.name != "whats_new"]  # whats_new is a table
# A drawn plotly chart: plotly.js adds the class and its SVG once it has rendered.
DRAWN_PLOTS = ".js-plotly-plot svg.main-svg"


@dataclass(frozen=True)
class Loaded:
    result: ReportResult
    log: PageLog
    drawn_plots: int
    sections: dict[str, str]  # chart name -> data-status
    text: str


@pytest.fixture(scope="session")
def report(report_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        return build_report(con, tmp_path_factory.mktemp("report") / "report")
    finally:
        con.close()


@pytest.fixture(scope="session")
def broken_report(report_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The report of a copy where four charts lose their input in four ways."""
    copy = tmp_path_factory.mktemp("broken") / "warehouse.duckdb"
    shutil.copyfile(report_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("DELETE FROM marts.fct_entity_profile")  # empty
        con.execute("DROP TABLE marts.fct_list_changes")  # missing
        con.execute("DELETE FROM marts.fct_filings WHERE series = 'deep_synthesis'")  # nothing to draw
        # A renamed column: the chart's query fails.
        con.execute("ALTER TABLE marts.fct_active_filings_by_series_period "
                    "RENAME COLUMN active TO still_active")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return build_report(con, tmp_path_factory.mktemp("broken_report") / "report")
    finally:
        con.close()


@pytest.fixture(scope="session")
def loaded(chromium_endpoint: str, report: ReportResult, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    screenshot = tmp_path_factory.mktemp("screenshots") / "report-full.png"
    with connect(chromium_endpoint) as browser:
        return open_report(browser, report, screenshot)


@pytest.fixture(scope="session")
def loaded_broken(chromium_endpoint: str, broken_report: ReportResult,
                  tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    screenshot = tmp_path_factory.mktemp("screenshots") / "broken-report-full.png"
    with connect(chromium_endpoint) as browser:
        return open_report(browser, broken_report, screenshot)


def open_report(browser: Browser, result: ReportResult, screenshot: Path) -> Loaded:
    """Open the report offline, wait until plotly has drawn every figure it will, save a
    full-page screenshot (a test artifact) and collect what the page did."""
    with open_page(browser, offline=True) as (page, log):
        page.goto(result.path.as_uri(), wait_until="load")
        page.wait_for_function(
            f"document.querySelectorAll('{DRAWN_PLOTS}').length >= {result.chart_count}", timeout=30_000)
        page.wait_for_timeout(200)  # a late error or request would still be caught
        page.screenshot(path=str(screenshot), full_page=True)
        print(f"\nreport screenshot: {screenshot}")
        drawn = page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')]"
            ".filter(plot => plot.querySelector('svg.main-svg')).length")
        sections = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('section.chart')]"
            ".map(s => [s.id, s.dataset.status]))")
        text = page.inner_text("body")
        return Loaded(result, log, drawn, sections, text)


def test_every_chart_is_drawn(loaded: Loaded) -> None:
    assert loaded.result.chart_count == len(FIGURE_CHARTS)
    assert loaded.result.empty_charts == () and loaded.result.failed_charts == ()
    assert loaded.drawn_plots == loaded.result.chart_count
    assert loaded.sections == {chart.name: "drawn" for chart in CHARTS}
    assert "No data" not in loaded.text and "could not be drawn" not in loaded.text


def test_no_console_errors_and_nothing_leaves_the_machine(loaded: Loaded) -> None:
    assert loaded.log.console_errors == []
    assert loaded.log.blocked == []
    assert all(url.startswith("file://") for url in loaded.log.requests), loaded.log.requests
    folder = loaded.result.path.parent
    assert sorted(loaded.log.requests) == sorted((folder / name).as_uri() for name in (INDEX, PLOTLY_JS))


def test_html_refers_to_nothing_remote(report: ReportResult) -> None:
    """Every src and href of the page is relative or an in-page anchor; plotly.js is the
    installed package's own file."""
    page = report.path.read_text(encoding="utf-8")
    collector = _Links()
    collector.feed(page)
    assert collector.links, "the page should load plotly.min.js"
    # In-page anchors, a file beside index.html, or the look-up `beian serve` serves on this
    # machine (a link, never loaded): no other scheme, host or path.
    assert [link for link in collector.links if not (link.startswith("#") or re.fullmatch(r"[\w.-]+", link)
                                                     or link.startswith("http://127.0.0.1:8001/beian"))] == []
    assert "http://127.0.0.1:8001/beian/lookup" in collector.links
    assert collector.scripts == [PLOTLY_JS]
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page), "remote CSS"
    import plotly
    bundled = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    assert (report.path.parent / PLOTLY_JS).read_bytes() == bundled.read_bytes()
    assert report.bytes == report.path.stat().st_size


def test_header_footer_and_summary(report: ReportResult, loaded: Loaded) -> None:
    assert report.data_as_of and re.fullmatch(r"\d{4}-\d{2}", report.data_as_of)
    assert f"数据截至: {report.data_as_of}" in loaded.text
    assert re.search(r"Generated 生成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", loaded.text)
    summary = report.summary_markdown()
    lines = summary.splitlines()
    assert lines[0].startswith("| Chart") and len(lines) == 2 + len(CHARTS)
    for chart in CHARTS:
        assert chart.title in summary
    cumulative = dict(report.headlines)[CHARTS[0].title]
    assert re.search(r"备案 [\d,]+ listed / [\d,]+ stated", cumulative), cumulative


def test_chinese_renders(browser: Browser, report: ReportResult, loaded: Loaded) -> None:
    """The page and the charts' SVG carry Chinese, the screenshot is not blank, and Chinese
    glyphs are drawn from a font rather than as missing-glyph boxes."""
    assert "备案" in loaded.text and "服务提供者" in loaded.text
    with open_page(browser, offline=True) as (page, log):
        page.goto(report.path.as_uri(), wait_until="load")
        page.wait_for_selector(f"#deep_synthesis_roles {DRAWN_PLOTS}")
        legend = page.locator("#deep_synthesis_roles .legendtext").all_text_contents()
        assert "服务提供者" in legend and "服务技术支持者" in legend
        first_screen = Image.open(BytesIO(page.screenshot())).convert("L")
        assert ImageStat.Stat(first_screen).stddev[0] > 20, "the first screen looks blank"
        # Two CJK characters against two unassigned code points (always missing-glyph boxes),
        # set in the page's own font: without a CJK font both render as the same boxes.
        page.evaluate("""() => {
            for (const [id, text] of [['cjk', '备案'], ['tofu', '\\ue000\\ue001']]) {
                const span = document.createElement('span');
                span.id = id; span.textContent = text;
                span.style.cssText = 'font-size:48px; position:fixed; top:0; left:0; background:#fff';
                document.body.appendChild(span);
            }
        }""")
        shots = []
        for element in ("#cjk", "#tofu"):
            page.evaluate(f"for (const s of document.querySelectorAll('#cjk, #tofu')) "
                          f"s.style.visibility = s.matches('{element}') ? 'visible' : 'hidden'")
            shots.append(Image.open(BytesIO(page.locator(element).screenshot())).convert("L"))
        cjk, tofu = shots
        assert ImageStat.Stat(cjk).stddev[0] > 20, "the CJK text rendered blank"
        same_size = cjk.size == tofu.size
        assert not same_size or ImageChops.difference(cjk, tofu).getbbox() is not None, \
            "Chinese renders as missing-glyph boxes: install fonts-noto-cjk"
        assert log.console_errors == [] and log.blocked == []


def test_a_broken_input_shows_a_message_in_its_place(loaded_broken: Loaded) -> None:
    result = loaded_broken.result
    messages = {
        "top_filers": "No data: marts.fct_entity_profile is empty",
        "whats_new": "No data: marts.fct_list_changes is missing",
        "deep_synthesis_roles": "No data: marts.fct_filings has no deep_synthesis rows",
        "active_filings": "This chart could not be drawn: BinderException",
    }
    assert sorted(result.empty_charts) == ["deep_synthesis_roles", "top_filers", "whats_new"]
    assert result.failed_charts == ("active_filings",)
    assert result.chart_count == len(FIGURE_CHARTS) - 3
    assert loaded_broken.drawn_plots == result.chart_count
    expected = {chart.name: "drawn" for chart in CHARTS}
    expected.update({name: "empty" for name in result.empty_charts}, active_filings="failed")
    assert loaded_broken.sections == expected
    for name, message in messages.items():
        assert message in loaded_broken.text, name
        assert message in dict(result.headlines)[next(c.title for c in CHARTS if c.name == name)]
    assert loaded_broken.log.console_errors == [] and loaded_broken.log.blocked == []


def test_rebuilding_replaces_the_folder_whole(report_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "stale.txt").write_text("from an older report")
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        result = build_report(con, out)
    finally:
        con.close()
    assert sorted(path.name for path in out.iterdir()) == sorted([INDEX, PLOTLY_JS])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"]  # no staging left
    assert result.path == out / INDEX


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value is not None:
                self.links.append(value)
                if tag == "script":
                    self.scripts.append(value)


def test_the_offline_page_blocks_and_records_remote_requests(browser: Browser, tmp_path: Path) -> None:
    """The guard the report tests rely on: a page asking for a remote file gets nothing, and
    the request is recorded."""
    page_file = tmp_path / "remote.html"
    page_file.write_text('<!doctype html><meta charset="utf-8"><p>备案</p>'
                         '<img src="https://example.com/pixel.png">', encoding="utf-8")
    with open_page(browser, offline=True) as (page, log):
        page.goto(page_file.as_uri(), wait_until="load")
        assert page.evaluate("document.images[0].naturalWidth") == 0
    assert log.blocked == ["https://example.com/pixel.png"]
    assert log.requests == [page_file.as_uri(), "https://example.com/pixel.png"]
    assert any("ERR_BLOCKED_BY_CLIENT" in error for error in log.console_errors)


def test_a_warehouse_without_marts_still_gives_a_page(tmp_path: Path) -> None:
    con = duckdb.connect()  # in memory: no marts schema at all
    try:
        result = build_report(con, tmp_path / "report")
    finally:
        con.close()
    assert result.chart_count == 0 and result.failed_charts == ()
    assert result.empty_charts == tuple(chart.name for chart in CHARTS)
    assert result.data_as_of is None
    page = result.path.read_text(encoding="utf-8")
    for chart in CHARTS:
        assert f"No data: marts.{chart.sources[0]} is missing" in page
    assert "unknown (marts.dim_batch is missing or empty)" in page
