"""What a run publishes for browsers and BI tools, from the corpus run itself: the HTML report
and the dbt docs page (offline, in headless Chromium), and the DuckDB 1.x copy read by the
DuckDB a BI driver bundles."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for browser, bi_clients
from bi_clients import DUCKDB_1X_VERSIONS, client_venv, probe_json  # noqa: E402
from browser import chromium, open_page  # noqa: E402

from orchestration.publish.report import CHARTS  # noqa: E402


def test_the_run_writes_the_report_and_the_ui_shows_its_preview(corpus_run):
    report = corpus_run.settings.report_dir / "index.html"
    assert report.is_file() and (report.parent / "plotly.min.js").is_file()
    metadata = corpus_run.materialization("bi/report")
    assert metadata["charts"] == len([c for c in CHARTS if c.name != "whats_new"])
    assert metadata["empty_charts"] == [] and metadata["failed_charts"] == []
    assert "备案" in metadata["preview"] and metadata["path"] == str(report)


def test_the_dbt_docs_page_works_offline(corpus_run, tmp_path_factory):
    page_file = corpus_run.settings.docs_dir / "index.html"
    shots = tmp_path_factory.mktemp("screenshots")
    with chromium() as browser, open_page(browser) as (page, log):
        page.goto(page_file.as_uri())
        page.wait_for_selector("text=fct_registrations", timeout=30_000)
        page.goto(page_file.as_uri() + "#!/model/model.beian.fct_registrations")
        page.wait_for_selector("text=One row per gen-AI registration", timeout=30_000)
        page.screenshot(path=str(shots / "dbt_docs.png"), full_page=False)
    print(f"screenshot: {shots / 'dbt_docs.png'}")
    assert log.blocked == [] and all(url.startswith("file:") or url.startswith("data:") for url in log.requests)
    assert log.console_errors == []


@pytest.mark.parametrize("version", DUCKDB_1X_VERSIONS)
def test_duckdb_1x_reads_the_published_copy_as_2x_reads_the_warehouse(corpus_run, version):
    python = client_venv(version)
    old = probe_json(python, corpus_run.settings.warehouse_v1_path)
    new = probe_json(sys.executable, corpus_run.settings.warehouse_path)
    marts = {name for (name,) in corpus_run.query(
        "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert {name for name in old["tables"] if name.startswith("marts.")} == {f"marts.{m}" for m in marts}
    for mart in marts:
        assert old["tables"][f"marts.{mart}"] == new["tables"][f"marts.{mart}"], mart  # rows, checksum, comments


def test_the_warehouse_itself_stays_readable_by_sqlalchemy_read_only(corpus_run):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"duckdb:///{corpus_run.settings.warehouse_v1_path}",
                           connect_args={"read_only": True})
    with engine.connect() as connection:
        rows = connection.execute(text("select count(*) from marts.fct_filings")).scalar()
    assert rows == corpus_run.query("select count(*) from marts.fct_filings")[0][0]
    con = duckdb.connect(str(corpus_run.settings.warehouse_v1_path), read_only=True)
    try:
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_filings'").fetchone()[0]
    finally:
        con.close()
    assert comment and "algorithm filing" in comment
