"""A conflict is an error, a repeat is not; what was set aside is shown; terminals stay clean.
Each case runs the real `beian` command in a process of its own, with no virtual environment
on PATH."""

from __future__ import annotations

import json
import re

from adversarial_harness import TARGET_KEY, Case, file_hash
from beian_process import beian_process
from http_server import Fault
from test_broken_files import rewrite_document, rows_of

OTHER_KEY = "algorithm_recommendation/2025-03"


def other_file(case: Case):
    return next((case.mirror / "www.cac.gov.cn/files/2025-03").glob("*.docx"))


def test_the_same_bytes_claimed_by_two_months_fail_both_lists_in_one_line(case: Case):
    original = case.target_file().read_bytes()
    case.target_file().write_bytes(other_file(case).read_bytes())  # 2025-05's link serves 2025-03
    published = file_hash(case.published)
    before = case.list_rows()

    result = beian_process(case.env, "update")

    assert result.code == 1, result.text
    failed = [line for line in result.out.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 1, result.out  # one line for the conflict, naming both
    line = failed[0]
    assert TARGET_KEY in line and OTHER_KEY in line and "conflict" in line
    assert "2025-05" in line and "2025-03" in line and line.count("<http") == 2  # both URLs, both claims
    assert "Traceback" not in result.text
    assert file_hash(case.published) == published and case.list_rows() == before  # last good rows stay
    status = beian_process(case.env, "status")
    assert TARGET_KEY in status.out and OTHER_KEY in status.out and "conflict" in status.out

    case.target_file().write_bytes(original)  # the source is mended: both lists are well again
    mended = beian_process(case.env, "update")
    assert mended.code == 0 and "FAILED" not in mended.out, mended.text
    assert case.list_rows() == before


def break_serials(xml: bytes) -> bytes:
    """序号 of the 1st data row `abc`, of the 2nd `-7`."""
    rows = rows_of(xml)
    for row, serial in ((rows[1], b"abc"), (rows[2], b"-7")):
        first = re.search(rb"<w:t(?:\s[^>]*)?>[^<]*</w:t>", row).group(0)
        xml = xml.replace(row, row.replace(first, b"<w:t>" + serial + b"</w:t>", 1), 1)
    return xml


def add_column(xml: bytes) -> bytes:
    """A 说明 column at the end of every row: the header names it, each data row says x<n>."""
    for n, row in enumerate(rows_of(xml)):
        text = "说明" if n == 0 else f"x{n}"
        cell = f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>".encode()
        xml = xml.replace(row, row[: row.rindex(b"</w:tr>")] + cell + b"</w:tr>", 1)
    return xml


def test_bad_rows_are_named_and_an_extra_column_is_kept_at_the_command_line(case: Case):
    """One corrected list with two bad serials and a column nobody declared, one update: the
    bad rows are set aside and named, the column is kept and named in a warning, never a failure."""
    target = case.target_file()
    target.write_bytes(rewrite_document(target.read_bytes(), lambda xml: add_column(break_serials(xml))))
    result = beian_process(case.env, "update")
    assert result.code == 0, result.text
    out = result.out

    assert "rows set aside (quarantined): 2 in 1 list" in out, out
    assert f"{TARGET_KEY}: 2 of 10 rows, file 境内互联网信息服务算法备案清单" in out
    assert "table 0 row 1: serial_raw:serial_is_a_number (value 'abc')" in out
    assert "table 0 row 2: serial_raw:serial_is_a_number (value '-7')" in out
    assert case.query(f"select rows_accepted, rows_quarantined from raw.lists where partition_key = '{TARGET_KEY}'") \
        == [(8, 2)]
    status = beian_process(case.env, "status")
    assert status.code == 0 and "serial_is_a_number (value 'abc')" in status.out and TARGET_KEY in status.out

    warning = [line for line in out.splitlines() if "known_columns" in line]
    assert len(warning) == 1 and "WARN" in warning[0] and "说明" in warning[0] and TARGET_KEY in warning[0]
    kept = case.query(f"""select f.row_index, f.extra_columns from raw.algorithm_recommendation_filings f
                          join raw.lists l using (attachment_url) where l.partition_key = '{TARGET_KEY}'
                          order by 1""")
    assert [row for row, _ in kept] == list(range(3, 11))  # the accepted rows, each with its own value
    assert all(json.loads(extra) == {"说明": f"x{row}"} for row, extra in kept)


def test_a_failing_run_prints_one_line_per_failure_and_no_traceback(case: Case):
    case.server.script(case.target_path(), Fault(404, b"Not Found"))
    result = beian_process(case.env, "run")
    assert result.code == 1
    assert [line for line in result.out.splitlines() if "FAILED list" in line] == [
        f"  FAILED list {TARGET_KEY}: " + result.out.split(f"FAILED list {TARGET_KEY}: ")[1].splitlines()[0]]
    assert "Traceback" not in result.text
    assert " - dagster - " not in result.text  # Dagster's own log lines went to the run log
    logs = sorted((case.data / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    assert " - dagster - " in logs[-1].read_text(encoding="utf-8")
