"""`beian serve`: Datasette over the corpus run's SQLite export, as a real subprocess on
127.0.0.1, driven by headless Chromium and plain HTTP. Every count is checked against DuckDB
on the same run's published warehouse."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for browser
from browser import open_page  # noqa: E402

from orchestration.publish.datasette import DB_FILE, METADATA_FILE, number_key, number_key_sql  # noqa: E402

BIN = Path(sys.executable).parent
SCREENSHOTS = ("search.png", "filing.png", "facet.png")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(corpus_run):
    """`beian serve` on a free port, without the venv on PATH; stopped by its pid."""
    port = free_port()
    env = {"HOME": os.environ.get("HOME", "/tmp"), "PATH": "/usr/bin:/bin", **corpus_run.settings.env}
    log_path = corpus_run.settings.data_dir / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(BIN / "beian"), "serve", "--port", str(port)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/-/versions.json", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"beian serve did not come up: {log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """search.png, filing.png and facet.png land here (the path is printed)."""
    folder = tmp_path_factory.mktemp("datasette_screenshots")
    yield folder
    print(f"\nscreenshots: {', '.join(str(folder / name) for name in SCREENSHOTS if (folder / name).exists())}")


def visit(browser, url: str, screenshot: Path | None = None) -> tuple[str, int]:
    """The page's text and status; no console error, nothing fetched beyond the server."""
    with open_page(browser) as (page, log):
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        text = page.inner_text("body")
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=False)
        # a 404 page is logged as the document's own failed load: nothing else may be
        errors = [e for e in log.console_errors if not (response.status == 404 and "status of 404" in e)]
        assert not errors, errors
        assert not log.blocked, log.blocked
        html = page.content()
    assert "Traceback" not in html and "Internal Server Error" not in html
    return text, response.status


def get_json(url: str, **params) -> dict:
    response = requests.get(url, params=params, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response.json()


# ------------------------------------------------------------------ the export


def test_the_export_is_an_asset_with_every_mart_and_dbt_descriptions(corpus_run):
    folder = corpus_run.settings.datasette_dir
    meta = corpus_run.materialization("bi/datasette")
    marts = dict(corpus_run.query("select table_name, comment from duckdb_tables() "
                                  "where schema_name = 'marts'"))
    rows = meta["rows_by_table"]
    for table in marts:
        assert rows[table] == corpus_run.query(f"select count(*) from marts.{table}")[0][0], table
    expected = corpus_run.query("""select (select count(*) from marts.dim_filing)
        + (select count(*) from marts.fct_registrations)
        + (select count(*) from marts.fct_cancellations where not is_matched)""")[0][0]
    assert rows["registry"] == expected
    metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    assert "Cyberspace Administration of China" in metadata["source"]
    assert metadata["license"] and metadata["source_url"].startswith("https://www.cac.gov.cn")
    notice_urls = [u for (u,) in corpus_run.query("select distinct notice_url from marts.dim_batch")]
    assert all(u in metadata["description_html"] for u in notice_urls)
    tables = metadata["databases"]["beian"]["tables"]
    comment = dict(corpus_run.query("select column_name, comment from duckdb_columns() "
                                    "where schema_name = 'marts' and table_name = 'dim_filing'"))
    assert tables["dim_filing"]["description"] == marts["dim_filing"]
    assert tables["dim_filing"]["columns"]["status"] == comment["status"]
    with sqlite3.connect(f"file:{folder / DB_FILE}?mode=ro", uri=True) as con:
        fts = con.execute("select sql from sqlite_master where name = 'registry_fts'").fetchone()[0]
        assert "trigram" in fts


def test_the_sql_fold_of_a_number_is_the_python_one(corpus_run):
    """What a visitor types is folded in SQL (the canned queries); the export's keys in Python."""
    printed = [n for (n,) in corpus_run.query(
        "select filing_number_raw from marts.dim_filing union select registration_number from marts.fct_registrations")]
    spaced = ["网信算备 330110 9851546 01 24 0013 号", "网信算备３３０１１０９８５１５４６０１２４００１３号",
              " Beijing-DeepseekChat-202404280016\u3000", "330110985154601240013"]
    folder = corpus_run.settings.datasette_dir
    with sqlite3.connect(f"file:{folder / DB_FILE}?mode=ro", uri=True) as con:
        for text in printed + spaced:
            (folded,) = con.execute(f"select {number_key_sql('?')}", [text]).fetchone()
            assert folded.lower() == number_key(text).lower(), text


# ------------------------------------------------------------------ in the browser


def baidu_count(corpus_run) -> int:
    return corpus_run.query("""
        select (select count(*) from marts.dim_filing where contains(algorithm_name, '百度')
                  or contains(entity, '百度') or contains(coalesce(product, ''), '百度'))
             + (select count(*) from marts.fct_registrations where contains(service_name, '百度')
                  or contains(filer, '百度'))""")[0][0]


def test_a_two_character_search_finds_baidu(served, browser, shots, corpus_run):
    url = f"{served}/beian/lookup?" + urlencode({"q": "百度"})
    text, status = visit(browser, url, shots / "search.png")
    assert status == 200 and "北京百度网讯科技有限公司" in text
    rows = get_json(f"{served}/beian/lookup.json", q="百度", _shape="objects")["rows"]
    assert len(rows) == baidu_count(corpus_run) > 0
    baidu = corpus_run.query("select count(*) from marts.dim_filing where entity = '北京百度网讯科技有限公司'")[0][0]
    assert sum(r["filer"] == "北京百度网讯科技有限公司" for r in rows) >= baidu > 0
    # three characters and more go through the trigram index: the same filings
    longer = get_json(f"{served}/beian/lookup.json", q="百度网讯", _shape="objects")["rows"]
    assert {r["number"] for r in longer} >= {r["number"] for r in rows if "百度网讯" in r["filer"]}


def cancelled_filing(corpus_run) -> tuple:
    return corpus_run.query("""
        select f.filing_number, f.filing_number_raw, c.notice_title, f.cancellation_notice_url, f.cancelled_on
        from marts.dim_filing f join marts.fct_cancellations c on c.filing_number = f.filing_number
        where f.status = 'cancelled' order by f.filing_number limit 1""")[0]


def test_a_cancelled_number_has_a_page_that_says_so(served, browser, shots, corpus_run):
    number, printed, notice_title, notice_url, cancelled_on = cancelled_filing(corpus_run)
    text, status = visit(browser, f"{served}/beian/numbers/{number}", shots / "filing.png")
    assert status == 200
    assert "cancelled" in text and notice_title in text and str(cancelled_on) in text
    record = get_json(f"{served}/beian/numbers/{number}.json", _shape="objects")["rows"][0]
    lists = corpus_run.query(f"select list_label from marts.fct_filings where filing_number = '{number}'")
    assert all(label in record["lists"] for (label,) in lists)
    assert record["cancellation_notice_url"] == notice_url
    attachment = corpus_run.query(f"""select arg_max(attachment_url, period_month) from marts.fct_filings
                                      where filing_number = '{number}'""")[0][0]
    assert record["latest_attachment_url"] == attachment
    # any printed form finds it: spaced out, full-width, without 网信算备
    spaced = f"网信算备 {number[:6]} {number[6:13]} {number[13:15]} {number[15:17]} {number[17:]} 号"
    for form in (printed, spaced, number.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})):
        found = get_json(f"{served}/beian/lookup.json", q=form, _shape="objects")["rows"]
        assert found and {r["number"] for r in found} == {number} and found[0]["status"] == "cancelled", form


def test_the_facets_count_right(served, browser, shots, corpus_run):
    facets = get_json(f"{served}/beian/registry.json", _size="0", _facet_size="max")["facet_results"]
    registry = """(
        select series, 'algorithm_filing' as tier, province, status, year(first_listed_month) as year
        from marts.dim_filing
        union all select 'genai', tier, province, 'active', year(first_list_month) from marts.fct_registrations
        union all select coalesce(filed_series, 'unknown'), 'algorithm_filing', province, 'cancelled',
                         year(cancelled_on) from marts.fct_cancellations where not is_matched)"""
    for facet in ("series", "tier", "province", "status", "year"):
        expected = dict(corpus_run.query(f"select {facet}, count(*) from {registry} "
                                         f"where {facet} is not null group by 1"))
        shown = {r["value"]: r["count"] for r in facets[facet]["results"]}
        assert shown == expected, facet
    text, _ = visit(browser, f"{served}/beian/registry?_facet=province", shots / "facet.png")
    assert "province" in text and "北京市" in text


def test_the_canned_queries_answer(served, corpus_run):
    latest = get_json(f"{served}/beian/latest.json", series="", _shape="objects")["rows"]
    expected = corpus_run.query("""
        select count(*) from marts.fct_list_changes c join marts.dim_batch b using (list_id)
        where b.list_month = (select max(list_month) from marts.dim_batch x where x.series = b.series)""")[0][0]
    assert len(latest) == expected > 0
    filer = get_json(f"{served}/beian/filer.json", filer="北京百度网讯科技有限公司", _shape="objects")["rows"]
    named = corpus_run.query("""select (select count(*) from marts.dim_filing where entity = '北京百度网讯科技有限公司')
        + (select count(*) from marts.fct_registrations where filer = '北京百度网讯科技有限公司')""")[0][0]
    assert len(filer) >= named > 0
    registration = corpus_run.query("select registration_number from marts.fct_registrations limit 1")[0][0]
    found = get_json(f"{served}/beian/lookup.json", q=f" {registration.lower()} ", _shape="objects")["rows"]
    assert [r["number"] for r in found] == [registration]
    for path in ("/beian.json", "/beian/registry.json", "/beian/numbers.json", "/beian/appearances.json",
                 "/-/metadata.json"):
        assert requests.get(served + path, timeout=30).ok, path


def raw_get(url: str, path: str) -> tuple[int, str]:
    """A request whose path is sent as it is (a browser collapses ``..`` itself)."""
    host, port = url.removeprefix("http://").split(":")
    con = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        con.request("GET", path)
        response = con.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        con.close()


def test_bad_input_gives_a_clean_page(served, browser):
    for query in ("a" * 10_000, "' or 1=1 --", '"百度', "(", "*", "\u3000"):
        text, status = visit(browser, f"{served}/beian/lookup?" + urlencode({"q": query}))
        assert status == 200 and "beian" in text, query
        rows = get_json(f"{served}/beian/lookup.json", q=query, _shape="objects")
        assert rows.get("ok", True) is not False, (query, rows.get("error"))
    # 10,000 Chinese characters are 90 kB of URL: uvicorn refuses the request line, in one line
    status, body = raw_get(served, "/beian/lookup?q=" + quote("百" * 10_000))
    assert status == 400 and "Traceback" not in body and len(body) < 200
    for path in ("/beian/../../etc/passwd", "/beian/numbers/..%2F..%2Fetc%2Fpasswd", "/../beian.db",
                 "/-/static/../../../../etc/passwd"):
        status, body = raw_get(served, path)
        assert status in (302, 404), (path, status)
        assert "root:" not in body and "Traceback" not in body, path
    text, status = visit(browser, f"{served}/beian/numbers/..%2F..%2Fetc%2Fpasswd")
    assert status == 404
    assert requests.get(f"{served}/-/versions.json", timeout=10).ok  # still up


def test_sql_is_read_only_and_time_limited(served):
    write = requests.get(f"{served}/beian.json", params={"sql": "delete from registry"}, timeout=30).json()
    assert write["ok"] is False and "SELECT" in write["error"]
    slow = requests.get(f"{served}/beian.json", timeout=30, params={
        "sql": "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"}).json()
    assert slow["ok"] is False and "too long" in slow["error"]
    count = requests.get(f"{served}/beian.json", params={"sql": "select count(*) as n from registry",
                                                          "_shape": "array"}, timeout=30).json()
    assert count[0]["n"] > 0
