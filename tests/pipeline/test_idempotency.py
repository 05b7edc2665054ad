"""Re-running loads nothing twice; the HTTP source gives the same marts as the mirror."""

from __future__ import annotations

import shutil

import duckdb

from conftest import mart_fingerprints, run_refresh, writable_copy


def test_second_run_changes_nothing(tmp_path, mirror_root):
    first = run_refresh(tmp_path, BEIAN_SOURCE=str(mirror_root))
    assert first.result.success
    before = mart_fingerprints(first)
    manifest_before = first.query("select url, sha256, first_fetched_at from raw.manifest order by 1, 2")

    # A BI tool keeps the published warehouse open (read-only) through the next run.
    reader = duckdb.connect(str(first.settings.warehouse_path), read_only=True)
    try:
        second = run_refresh(tmp_path, BEIAN_SOURCE=str(mirror_root))
        assert second.result.success
        assert reader.execute("select count(*) from marts.fct_filings").fetchone() == (5672 + 794,)
    finally:
        reader.close()
    assert mart_fingerprints(second) == before
    assert second.query("select url, sha256, first_fetched_at from raw.manifest order by 1, 2") == manifest_before
    assert second.output_metadata("landed_files")["new_or_changed"].value == 0
    assert second.output_metadata("notice_pages")["pages_new_or_changed"].value == 0
    outcomes = second.output_metadata("raw/lists")["lists_by_outcome"].data
    assert outcomes == {"unchanged": 42}


def test_a_changed_file_replaces_its_list_and_only_its_list(tmp_path, mirror_root):
    mirror = tmp_path / "mirror"
    writable_copy(mirror_root, mirror)
    first = run_refresh(tmp_path / "data", BEIAN_SOURCE=str(mirror))
    assert first.result.success
    # Republish the 2025年5月 algorithm list (10 rows) as the 2025年3月 one (45 rows).
    files = mirror / "www.cac.gov.cn" / "files"
    may = next((files / "2025-05").glob("境内互联网信息服务算法备案清单*.docx"))
    march = next((files / "2025-03").glob("境内互联网信息服务算法备案清单*.docx"))
    shutil.copyfile(march, may)

    second = run_refresh(tmp_path / "data", BEIAN_SOURCE=str(mirror))
    assert second.result.success
    assert second.output_metadata("raw/lists")["lists_by_outcome"].data == {"loaded": 1, "unchanged": 41}
    counts = dict(second.query("select list_label, count(*) from marts.fct_filings "
                               "where series = 'algorithm_recommendation' group by 1"))
    assert counts["2025-05"] == 45 and counts["2025-03"] == 45
    assert second.query("select count(*) from marts.fct_filings") == [(5672 + 794 - 10 + 45,)]
