"""What a run publishes for browsers and BI tools, from the corpus run itself: the HTML report
and the dbt docs page (offline, in headless Chromium), and the DuckDB 1.x copy read by the
DuckDB a BI driver bundles."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for browser, bi_clients
from bi_clients import DUCKDB_1X_VERSIONS, client_venv, probe_json  # noqa: E402
from browser import open_page  # noqa: E402

from orchestration.publish.report import CHARTS  # noqa: E402


def test_the_run_writes_the_report_and_the_ui_shows_its_preview(corpus_run):
    report = corpus_run.settings.report_dir / "index.html"
    assert report.is_file() and (report.parent / "plotly.min.js").is_file()
    metadata = corpus_run.materialization("bi/report")
    assert metadata["charts"] == len([c for c in CHARTS if c.name != "whats_new"])
    assert metadata["empty_charts"] == [] and metadata["failed_charts"] == []
    assert "备案" in metadata["preview"] and metadata["path"] == str(report)


def test_the_dbt_docs_page_works_offline(corpus_run, browser, tmp_path_factory):
    page_file = corpus_run.settings.docs_dir / "index.html"
    shots = tmp_path_factory.mktemp("screenshots")
    with open_page(browser) as (page, log):
        page.goto(page_file.as_uri() + "#!/model/model.beian.fct_registrations")
        page.get_by_text("One row per gen-AI registration").first.wait_for(timeout=60_000)
        page.get_by_text("registration_key").first.wait_for(timeout=30_000)  # its columns, described
        page.screenshot(path=str(shots / "dbt_docs.png"), full_page=False)
    print(f"screenshot: {shots / 'dbt_docs.png'}")
    assert log.blocked == [] and all(url.startswith("file:") or url.startswith("data:") for url in log.requests)
    # dbt's release links its favicon by an unrendered template path; the published page does not
    assert not any("favicon" in url for url in log.requests if url.startswith("file:"))
    # Angular paints its icons' `{{ getIcon(...) }}` paths before compiling them, which Chromium
    # refuses from a file:// page (a notice about origins, nothing fetched); anything else fails
    own = [e for e in log.console_errors if not e.startswith("Unsafe attempt to load URL file:")]
    assert own == []


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


def test_the_1x_copy_is_readable_by_sqlalchemy_read_only(corpus_run, tmp_path):
    from sqlalchemy import create_engine, text

    copy = tmp_path / "warehouse_v1.duckdb"  # its own file: DuckDB keeps one configuration per file and process
    shutil.copyfile(corpus_run.settings.warehouse_v1_path, copy)
    engine = create_engine(f"duckdb:///{copy}", connect_args={"read_only": True})
    with engine.connect() as connection:
        rows = connection.execute(text("select count(*) from marts.fct_filings")).scalar()
    assert rows == corpus_run.query("select count(*) from marts.fct_filings")[0][0]
    engine.dispose()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_filings'").fetchone()[0]
    finally:
        con.close()
    assert comment and "algorithm filing" in comment


def test_the_exports_carry_their_descriptions_and_validate_as_a_data_package(corpus_run):
    import pyarrow.parquet as pq
    from frictionless import Package

    exports = corpus_run.settings.exports_dir
    schema = pq.read_schema(exports / "fct_filings.parquet")
    assert b"description" in schema.field("filing_number").metadata
    assert b"digits" in schema.field("filing_number").metadata[b"description"]
    assert (exports / "fct_filings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    report = Package(str(exports / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])[:10]


def test_every_mart_and_column_carries_its_dbt_description(corpus_run):
    """persist_docs (macros/persist_docs.sql): what the yml beside each mart says is the
    comment a BI tool or `duckdb_columns()` shows, for the table and every column."""
    import json

    from orchestration.settings import DBT_PROJECT_DIR

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    marts = [node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]]
    declared = {(node["name"], None): node["description"] for node in marts}
    declared |= {(node["name"], column): doc["description"] for node in marts
                 for column, doc in node["columns"].items()}
    stored = dict(((table, None), comment) for table, comment in corpus_run.query(
        "select table_name, comment from duckdb_tables() where schema_name = 'marts'"))
    stored |= {(table, column): comment for table, column, comment in corpus_run.query(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'")}
    assert len(declared) > 300 and all(declared.values())
    assert {key: stored.get(key) for key in declared} == declared
