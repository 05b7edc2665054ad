"""Loads are atomic per list: a failure leaves no partial rows and keeps the last good load."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.publish.published_warehouse import PublishRefused, QueryError, publish, query
from orchestration.series import SERIES
from orchestration.vocabulary import RAW_SCHEMA
from orchestration.warehouse import (
    StagedList, WriterBusy, connect, ensure_raw_schema, load_list, load_lists, loaded_lists, writer_lock,
)

URL = "https://www.cac.gov.cn/files/x/list.docx"


def filing(row_index: int, number: str | None = "110108823483901230031") -> dict:
    return {"attachment_url": URL, "sha256": "a" * 64, "notice_url": None, "table_index": 0,
            "row_index": row_index, "page": None, "serial_raw": str(row_index),
            "algorithm_name": f"算法{row_index}", "role": "服务提供者", "entity": "某公司",
            "product": "", "purpose": "", "filing_number_raw": f"网信算备{number}号",
            "filing_number": number, "remark": "", "region_code": "110108",
            "entity_id": "8234839", "algorithm_type": "01", "filing_year": 2023}


def list_row(sha: str = "a" * 64) -> dict:
    return {"attachment_url": URL, "notice_url": None, "series": "deep_synthesis", "batch_no": 1,
            "list_label": "2023-06", "published_on": None, "link_text": "list", "sha256": sha,
            "file_type": "zip", "parser_version": "v1", "rows_extracted": 3}


def staged(tmp_path, rows: list[dict]) -> tuple[dict, dict]:
    """The staged parts of a list (as list_rows writes them) and its counts."""
    path = tmp_path / f"accepted-{len(list(tmp_path.glob('accepted-*')))}.parquet"
    pd.DataFrame(rows).to_parquet(path)
    return {"accepted": path, "quarantined": None, "skipped": None}, {"accepted": len(rows), "quarantined": 0}


@pytest.fixture()
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(connection)
    yield connection
    connection.close()


def rows_of(con) -> list[tuple]:
    return con.execute("select row_index, algorithm_name from raw.deep_synthesis_filings "
                       "order by row_index").fetchall()


def test_reloading_a_list_replaces_it(con, tmp_path):
    first = staged(tmp_path, [filing(1), filing(2), filing(3)])
    assert load_list(con, "deep_synthesis_filings", list_row(), *first).outcome == "loaded"
    assert load_list(con, "deep_synthesis_filings", list_row(), *first).outcome == "loaded"
    assert [r for r, _ in rows_of(con)] == [1, 2, 3]
    assert (URL, "a" * 64) in loaded_lists(con, "v1")
    assert (URL, "b" * 64) not in loaded_lists(con, "v1")


def test_a_failed_load_leaves_the_previous_load_whole(con, tmp_path):
    load_list(con, "deep_synthesis_filings", list_row(), *staged(tmp_path, [filing(1), filing(2), filing(3)]))
    broken = staged(tmp_path, [filing(1), filing(2, number=None), filing(3), filing(4)])  # NOT NULL breaks
    result = load_list(con, "deep_synthesis_filings", list_row("b" * 64), *broken)
    assert result.outcome == "failed" and "filing_number" in result.error
    assert [r for r, _ in rows_of(con)] == [1, 2, 3]
    sha, error = con.execute("select sha256, last_error from raw.lists").fetchone()
    assert sha == "a" * 64 and "filing_number" in error
    assert (URL, "a" * 64) not in loaded_lists(con, "v1")  # a failed list is retried next run


def test_a_failed_first_load_leaves_no_rows(con, tmp_path):
    broken = staged(tmp_path, [filing(1), filing(2, number=None)])
    assert load_list(con, "deep_synthesis_filings", list_row(), *broken).outcome == "failed"
    assert rows_of(con) == []
    assert con.execute("select count(*) from raw.lists where last_error is not null").fetchone() == (1,)


def test_a_batch_with_a_broken_list_loads_the_others_and_names_the_broken_one(con, tmp_path):
    def staged_list(n: int, rows: list[dict]) -> StagedList:
        url = f"https://www.cac.gov.cn/files/x/list{n}.docx"
        return StagedList("deep_synthesis_filings", {**list_row(), "attachment_url": url},
                          *staged(tmp_path, [{**r, "attachment_url": url} for r in rows]))

    good = [staged_list(n, [filing(1), filing(2)]) for n in (1, 3)]
    assert [r.outcome for r in load_lists(con, good)] == ["loaded", "loaded"]
    batch = [staged_list(1, [filing(1), filing(2), filing(3)]),  # a new version of list 1
             staged_list(2, [filing(1), filing(2, number=None)]), good[1]]
    results = load_lists(con, batch)
    assert [r.outcome for r in results] == ["loaded", "failed", "loaded"]
    assert results[1].attachment_url.endswith("list2.docx") and "filing_number" in results[1].error
    counts = dict(con.execute("select attachment_url[-10:], count(*) from raw.deep_synthesis_filings "
                              "group by 1").fetchall())
    assert counts == {"list1.docx": 3, "list3.docx": 2}  # list 2 left no rows, 1 was replaced whole
    assert con.execute("select count(*), count(last_error) from raw.lists").fetchone() == (3, 1)


def test_publish_never_drops_or_shrinks_a_list(tmp_path):
    build, published = tmp_path / "w.build.duckdb", tmp_path / "w.duckdb"
    con = connect(build)
    ensure_raw_schema(con)
    load_list(con, "deep_synthesis_filings", list_row(), *staged(tmp_path, [filing(1), filing(2), filing(3)]))
    con.close()
    publish(build, published)
    con = connect(build)  # the same bytes, loaded with fewer rows: refused
    load_list(con, "deep_synthesis_filings", list_row(), *staged(tmp_path, [filing(1)]))
    con.close()
    with pytest.raises(PublishRefused, match="3 rows published, 1 in this build"):
        publish(build, published)
    con = connect(build)  # the list gone altogether: refused
    for table in ("deep_synthesis_filings", "quarantine", "skipped_rows", "lists"):
        con.execute(f"delete from raw.{table}")
    con.close()
    with pytest.raises(PublishRefused, match="missing from this build"):
        publish(build, published)
    con = connect(build)  # new bytes (a corrected list) may shrink: that is its last good load
    load_list(con, "deep_synthesis_filings", list_row("c" * 64), *staged(tmp_path, [filing(1)]))
    con.close()
    publish(build, published)
    reader = connect(published, read_only=True)
    assert reader.execute("select rows_accepted, sha256 from raw.lists").fetchall() == [(1, "c" * 64)]
    reader.close()


def test_a_second_writer_waits_then_fails_naming_the_file(tmp_path):
    import multiprocessing

    lock, database = tmp_path / "w.lock", tmp_path / "w.duckdb"
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(lock), ready))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(WriterBusy, match=r"w\.duckdb is being written by another run.*waited 0 s"):
            with writer_lock(lock, 0.2, database):
                pass
    finally:
        holder.terminate()
        holder.join()
    with writer_lock(lock, 1, database):  # free again once the other writer is gone
        pass


def _hold_lock(path: str, ready) -> None:
    import time
    from pathlib import Path

    with writer_lock(Path(path), 1, Path("x")):
        ready.set()
        time.sleep(30)


def test_query_is_read_only(tmp_path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    with pytest.raises(QueryError, match="read-only"):
        query(path, "create table t (a int)")


def test_a_new_raw_layout_makes_the_catalogue_forget_every_load(tmp_path):
    from orchestration.resources import BeianResource

    beian = BeianResource(variables={"BEIAN_DATA_DIR": str(tmp_path), "BEIAN_SOURCE": str(tmp_path)})
    catalog = beian.catalog()
    key = catalog.register(series="deep_synthesis", attachment_url=URL, list_label="2026年1月", batch_no=15,
                           published_on="2026-01-07", notice_url=None, link_text=None)
    catalog.record_load(key, "a" * 64, "v1")
    con = connect(tmp_path / "build.duckdb")
    try:
        beian.prepare_raw_schema(con)  # a new file: built empty, so nothing is loaded any more
        assert not catalog.get(key).is_loaded
        catalog.record_load(key, "a" * 64, "v1")
        beian.prepare_raw_schema(con)  # the same layout: the load stands
        assert catalog.get(key).is_loaded
        con.execute("update raw.ddl_version set version = 'an older layout'")
        beian.prepare_raw_schema(con)  # whichever step meets the new layout first forgets
        assert not catalog.get(key).is_loaded
    finally:
        con.close()


@pytest.mark.parametrize("series", sorted(SERIES))
def test_raw_table_has_the_columns_of_its_pandera_model(tmp_path, series):
    """A series' columns are named in its pandera model and again in its raw table's DDL: the
    two must agree, or rows that passed validation would not load (or lose a column). A flag
    model adds quality_flags (split_valid)."""
    spec = SERIES[series]
    con = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(con)
    table = [name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, spec.raw_table]).fetchall()]
    con.close()
    assert table, f"{RAW_SCHEMA}.{spec.raw_table} is not in warehouse.DDL"
    model = list(spec.model.to_schema().columns) + (["quality_flags"] if spec.flag_model else [])
    assert sorted(table) == sorted(model), (
        f"{RAW_SCHEMA}.{spec.raw_table} lacks {sorted(set(model) - set(table))}, "
        f"and has {sorted(set(table) - set(model))} that {spec.model.__name__} lacks")
