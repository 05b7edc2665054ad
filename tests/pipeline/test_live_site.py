"""Live mode, end to end: `BEIAN_SOURCE=live` through the real HTTP code path (requests, TLS,
an HTTPS proxy) against a local replica of the two CAC hosts that serves the corpus web archive
with the site's behaviour (tests/site_replica.py). The `beian` command runs as a user runs it:
a subprocess, a bare PATH."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline_harness import tick
from orchestration.definitions import build_definitions
from orchestration.runs import dagster_instance
from orchestration.settings import ALGORITHM_LIVING_PAGE, COLUMN_FIRST_PAGE, GENAI_LIVING_PAGE, load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for site_replica
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from site_replica import Answer, read_archive, serve_replica, write_archive  # noqa: E402
from later_site import batch16_in_column, genai_list_on_living_page  # noqa: E402
from later_publications import BATCH15_DOCX  # noqa: E402

pytestmark = pytest.mark.slow
BEIAN = str(Path(sys.executable).parent / "beian")
NOTICE_API = "https://beian.cac.gov.cn/api/notice/list"
LOOK = {COLUMN_FIRST_PAGE, GENAI_LIVING_PAGE, ALGORITHM_LIVING_PAGE, NOTICE_API}


def beian(*args: str, data: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {"HOME": str(data.parent), "PATH": "/usr/bin:/bin", "BEIAN_DATA_DIR": str(data),
            "BEIAN_HTTP_MIN_INTERVAL": "0", "BEIAN_HTTP_RETRIES": "1", **env}
    return subprocess.run([BEIAN, *args], env=full, capture_output=True, text=True, timeout=600)


def published(data: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


COUNTS = """select 'deep_synthesis', count(*) from marts.fct_filings where series = 'deep_synthesis'
  union all select 'algorithm_recommendation', count(*) from marts.fct_filings where series = 'algorithm_recommendation'
  union all select tier, max(serial) from marts.fct_registrations group by tier
  union all select 'cancellation', count(*) from marts.fct_cancellations order by 1"""


@pytest.fixture(scope="module")
def corpus_archive(corpus_dir) -> Path:
    return corpus_dir / "cac-site.warc.gz"


@pytest.fixture(scope="module")
def replica(corpus_archive, tmp_path_factory):
    with serve_replica([corpus_archive], tmp_path_factory.mktemp("ca")) as server:
        yield server


@pytest.fixture(scope="module")
def cold(replica, tmp_path_factory) -> dict:
    """A cold `beian run` against the replica, as a new user pointing beian at the CAC."""
    data = tmp_path_factory.mktemp("live") / "data"
    replica.clear()
    result = beian("run", data=data, env=replica.client_env())
    archives = sorted((data / "archive").glob("*.warc.gz"))  # before other tests look again
    return {"data": data, "result": result, "requests": list(replica.requests), "archives": archives}


def test_a_cold_live_run_gives_every_count_and_records_every_exchange(cold):
    result, requests = cold["result"], cold["requests"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert published(cold["data"], COUNTS) == [
        ("algorithm_recommendation", 794), ("cancellation", 41), ("deep_synthesis", 5672),
        ("local_registration", 530), ("national_filing", 868)]
    assert all(referer for _, referer in requests), [url for url, referer in requests if not referer]
    urls = [url for url, _ in requests]
    assert urls.count(NOTICE_API) == 1  # one snapshot, no paging
    assert not [u for u in urls if "/static/fileUpload/" in u]  # the PDFs come by notice id
    assert sum("downloadfile.jsp" in u or "fileDownLoad" in u for u in urls) == 46
    archives = cold["archives"]
    assert len(archives) == 1 and f"archive written: {archives[0]}" in result.stdout
    assert len(read_archive(archives[0])) == len(set(urls))  # every exchange, each URL once here


def test_a_second_update_asks_only_the_column_page_the_living_pages_and_the_api(cold, replica):
    replica.clear()
    result = beian("update", data=cold["data"], env=replica.client_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing new" in result.stdout
    assert {url for url, _ in replica.requests} == LOOK and len(replica.requests) == len(LOOK)


def test_a_recorded_live_run_replays_offline_to_an_identical_warehouse(cold, tmp_path):
    archive = tmp_path / "archive"  # the cold run's archive alone (other tests look again)
    archive.mkdir()
    shutil.copyfile(cold["archives"][0], archive / cold["archives"][0].name)
    result = beian("run", data=tmp_path / "replayed", env={"BEIAN_SOURCE": str(archive)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"source: web archive {archive}" in result.stdout
    tables = [t for (t,) in published(cold["data"], "select table_name from information_schema.tables "
                                                     "where table_schema = 'marts' order by 1")]
    con = duckdb.connect()
    con.execute(f"attach '{cold['data'] / 'warehouse.duckdb'}' as live (read_only)")
    con.execute(f"attach '{tmp_path / 'replayed' / 'warehouse.duckdb'}' as replay (read_only)")
    differing = {}
    for table in tables:
        columns = [c for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'live' and schema_name = 'marts' "
            "and table_name = ? and column_name != 'loaded_at' order by column_index", [table]).fetchall()]
        select = ", ".join(f'"{c}"' for c in columns)
        counts = con.execute(f"""select (select count(*) from (select {select} from live.marts.{table}
                                         except all select {select} from replay.marts.{table})),
                                        (select count(*) from (select {select} from replay.marts.{table}
                                         except all select {select} from live.marts.{table})),
                                        (select count(*) from live.marts.{table})""").fetchone()
        if counts[:2] != (0, 0) or counts[2] == 0 and table != "fct_entity_findings":
            differing[table] = counts
    assert len(tables) > 15 and not differing


@pytest.fixture(scope="module")
def later_archive(corpus_archive, corpus_dir, tmp_path_factory) -> Path:
    """A later capture of the site: a 2026年6月 gen-AI list on the living page, batch 16 on top
    of the column."""
    earlier = read_archive(corpus_archive)
    answers = genai_list_on_living_page(earlier[GENAI_LIVING_PAGE])
    answers |= batch16_in_column(earlier[COLUMN_FIRST_PAGE], (corpus_dir / "mirror" / BATCH15_DOCX).read_bytes())
    return write_archive(tmp_path_factory.mktemp("later") / "later.warc.gz", answers)


NEW_KEYS = {"genai/2026-06", "deep_synthesis/2026-07"}


def test_a_new_list_and_a_new_batch_are_found_by_one_update(cold, corpus_archive, later_archive, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(cold["data"], data)
    with serve_replica([corpus_archive, later_archive], tmp_path) as later:
        result = beian("update", data=data, env=later.client_env())
        urls = [url for url, _ in later.requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lists: 2 new, 0 changed, 46 unchanged, 0 failed" in result.stdout
    assert set(urls) - LOOK == {u for u in read_archive(later_archive) if u not in LOOK}  # the page, two files
    assert published(data, "select max(serial) from marts.fct_registrations where tier = 'national_filing'") == [(870,)]
    assert published(data, "select count(*) from marts.fct_filings where batch_no = 16") == [(4,)]


def test_one_sensor_tick_asks_for_exactly_the_new_lists(cold, corpus_archive, later_archive, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(cold["data"], data)
    with serve_replica([corpus_archive, later_archive], tmp_path) as later:
        for key, value in later.client_env().items():
            monkeypatch.setenv(key, value)
        settings = load_settings({"BEIAN_DATA_DIR": str(data), "BEIAN_SOURCE": "live",
                                  "BEIAN_HTTP_MIN_INTERVAL": "0", "BEIAN_SENSOR_RECHECK": "0"})
        instance = dagster_instance(settings)
        result = tick(build_definitions(settings), instance, None)
    assert {r.partition_key for r in result.run_requests if r.partition_key} == NEW_KEYS
    assert all(r.job_name for r in result.run_requests)
    assert isinstance(result, dg.SensorResult)


def test_an_api_that_answers_errno_440_fails_in_one_line(cold, replica, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(cold["data"], data)
    saved = replica.get(NOTICE_API)
    replica.put(NOTICE_API, Answer(200, [("Content-Type", "application/json")],
                                   '{"errno":440,"errmsg":"检测到未登录状态，请先登录"}'.encode()))
    try:
        result = beian("update", data=data, env=replica.client_env())
    finally:
        replica.put(NOTICE_API, saved)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if "FAILED" in line and "errno 440" in line]
    assert failures == [f"  FAILED page: {NOTICE_API}: the API reports errno 440: 检测到未登录状态，请先登录"]
    assert "Traceback" not in result.stdout + result.stderr
