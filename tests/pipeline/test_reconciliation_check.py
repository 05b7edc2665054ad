"""A list that loses a row makes the reconciliation check fail, naming the serial."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from pipeline_harness import run_update, writable_copy

pytestmark = pytest.mark.slow  # pipeline runs of its own

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def drop_row_with(docx: bytes, text: str) -> bytes:
    """The DOCX with the table row containing ``text`` removed."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(source.read("word/document.xml"))
    rows = [tr for tr in root.iter(W + "tr") if text in "".join(tr.itertext())]
    assert len(rows) == 1, f"{text!r} found in {len(rows)} rows"
    rows[0].getparent().remove(rows[0])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                            if item.filename == "word/document.xml" else data)
    return out.getvalue()


def test_dropping_a_row_fails_the_reconciliation_check(tmp_path, mirror_root, corpus_data):
    mirror = tmp_path / "mirror"  # the corpus run's data folder; the 2026年4月 list loses a row
    writable_copy(mirror_root, mirror)
    april = next((mirror / "www.cac.gov.cn" / "files" / "2026-04").glob("*.docx"))
    april.write_bytes(drop_row_with(april.read_bytes(), "Beijing-TaiHeAnQuan-202601050183"))

    run = run_update(corpus_data, BEIAN_SOURCE=str(mirror))

    assert [s.key for s in run.outcome.scan.by_state("changed")] == ["genai/2026-04"]
    failed = run.failed_checks()
    assert list(failed) == ["marts/fct_reconciliation:differences_have_known_causes"]
    assert "serial_in_no_list:*:national_filing:797" in failed[
        "marts/fct_reconciliation:differences_have_known_causes"]["unreviewed_findings"]
    statuses = run.query("""select as_of, measure, status from marts.fct_reconciliation
                            where tier = 'national_filing' and status = 'unexplained' order by 1, 2""")
    assert [(str(d), m) for d, m, _ in statuses] == [("2026-04-30", "cumulative"), ("2026-04-30", "new")]
