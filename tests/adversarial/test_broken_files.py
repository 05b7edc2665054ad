"""A list whose bytes are broken or hostile: it fails, alone, with one line naming the file
(and the row where there is one); its last good rows stay published; memory stays bounded;
the other lists go on. Row-level dirt is quarantined instead, and every row is accounted for."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from adversarial_harness import TARGET_KEY, Case, file_hash

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def rewrite_document(data: bytes, change) -> bytes:
    """The DOCX with word/document.xml passed through ``change`` (bytes -> bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, change(body) if item.filename == "word/document.xml" else body)
    return out.getvalue()


def rows_of(xml: bytes) -> list[bytes]:
    return re.findall(rb"<w:tr[ >].*?</w:tr>", xml, re.S)


def header_only(xml: bytes) -> bytes:
    rows = rows_of(xml)
    for row in rows[1:]:
        xml = xml.replace(row, b"", 1)
    return xml


def with_entity(xml: bytes) -> bytes:
    return xml.replace(b"<w:body>", b"<w:body>&undeclared;", 1)


def with_dtd(xml: bytes) -> bytes:
    laughs = (b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
                         for i in range(8)) + b"]>")
    return xml.replace(b"?>", b"?>" + laughs, 1).replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p>", 1)


def with_nul(xml: bytes) -> bytes:
    return xml.replace(b"</w:t>", b"\x00</w:t>", 1)


def encrypted_flag(data: bytes) -> bytes:
    # set bit 0 of the general-purpose flags in every local and central header of document.xml
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at:name_at + 17] == b"word/document.xml":
                out[at + offset] |= 0x01
            start = at + 4
    return bytes(out)


def zip_bomb(_: bytes) -> bytes:
    """A small DOCX whose document.xml inflates to about 300 MB of empty rows."""
    empty_row = b"<w:tr><w:tc><w:p/></w:tc></w:tr>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body><w:tbl>'.encode())
            chunk = empty_row * 32768
            for _ in range(300 * 1024 * 1024 // len(chunk)):
                member.write(chunk)
            member.write(b"</w:tbl></w:body></w:document>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


BROKEN = {  # bytes -> bytes, and what the one-line error says
    "header_only": (lambda d: rewrite_document(d, header_only), "no data rows"),
    "html_error_page": (lambda d: b"<html><body>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xb9\x81\xe5\xbf\x99</body></html>",
                        "expected a list file but got an HTML page"),
    "truncated_docx": (lambda d: d[: len(d) // 2], "not a readable DOCX"),
    "undeclared_entity": (lambda d: rewrite_document(d, with_entity), "undeclared"),
    "entity_amplification": (lambda d: rewrite_document(d, with_dtd), "DTD"),
    "nul_character": (lambda d: rewrite_document(d, with_nul), "unreadable XML"),
    "encrypted_member": (encrypted_flag, "encrypted"),
    "zip_bomb": (zip_bomb, "limit"),
    "garbage_pdf": (lambda d: b"%PDF-1.7\n" + b"\x8f" * 4000, "DOCX list, found pdf"),
    "another_series": (None, "no table with the algorithm_recommendation header"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_list_fails_alone_naming_the_file(case: Case, kind, corpus_dir):
    change, reason = BROKEN[kind]
    target = case.target_file()
    if change is None:  # a gen-AI list where the algorithm list should be
        target.write_bytes(next((corpus_dir / "mirror/www.cac.gov.cn/files/2026-04").glob("*.docx")).read_bytes())
    else:
        target.write_bytes(change(target.read_bytes()))
    published = file_hash(case.published)

    result = case.beian("update")

    assert result.code == 1, result.text
    lines = [line for line in result.out.splitlines() if line.strip().startswith(f"FAILED list {TARGET_KEY}:")]
    assert len(lines) == 1 and reason.lower() in lines[0].lower(), result.out
    if kind == "html_error_page":  # refused as it is fetched: never landed as a list
        assert "list_rows · list_readable" not in result.out
    else:
        assert "list_rows · list_readable" in result.out  # the blocking check, in the summary
    assert "境内互联网信息服务算法备案清单" in lines[0] or "2025-05" in lines[0]  # names the file
    assert "Traceback" not in result.text
    assert file_hash(case.published) == published
    assert case.query(f"select rows_accepted from raw.lists where partition_key = '{TARGET_KEY}'") == [(10,)]


def test_too_many_rows_name_the_table_and_row(case: Case):
    result = case.beian("update", BEIAN_MAX_ROWS_PER_TABLE="5", BEIAN_SENSOR_RECHECK="all")
    # nothing changed, so nothing was parsed again; a changed list is read under the new bound
    assert result.code == 0 and "nothing new" in result.out
    target = case.target_file()
    target.write_bytes(rewrite_document(target.read_bytes(), lambda x: x.replace(b"<w:body>", b"<w:body> ", 1)))
    result = case.beian("update", BEIAN_MAX_ROWS_PER_TABLE="5")
    assert result.code == 1
    assert re.search(r"table 0 row \d+: more than 5 rows in a table", result.out), result.out


def break_rows(xml: bytes) -> bytes:
    """Three real kinds of row dirt in one list: the 1st row's number cut to 20 digits, the
    2nd row's 主体名称 blank, the 4th row repeating the 3rd."""
    rows = rows_of(xml)
    header = [re.sub(rb"<[^>]+>", b"", c).decode() for c in re.findall(rb"<w:tc>.*?</w:tc>", rows[0], re.S)]

    def cell(row: bytes, name: str) -> bytes:
        return re.findall(rb"<w:tc>.*?</w:tc>", row, re.S)[header.index(name)]

    number = cell(rows[1], "备案编号")
    cut = re.sub(rb"(\d{20})\d", rb"\1", number, count=1)
    entity = cell(rows[2], "主体名称")
    blank = re.sub(rb"<w:t(\s[^>]*)?>[^<]*</w:t>", rb"<w:t></w:t>", entity)
    return (xml.replace(rows[1], rows[1].replace(number, cut, 1), 1)
               .replace(rows[2], rows[2].replace(entity, blank, 1), 1)
               .replace(rows[4], rows[3], 1))


def test_bad_rows_are_quarantined_with_their_reasons_and_every_row_is_accounted_for(case: Case):
    target = case.target_file()
    target.write_bytes(rewrite_document(target.read_bytes(), break_rows))
    result = case.beian("update")
    assert result.code == 0, result.text
    assert "list_rows · pandera_schema" in result.out  # a warning, with the counts per check
    rows = case.query(f"""select rows_extracted, rows_accepted, rows_quarantined from raw.lists
                          where partition_key = '{TARGET_KEY}'""")
    assert rows == [(10, 7, 3)]
    reasons = dict(case.query(f"""select q.row_index, q.failed_checks from raw.quarantine q
                                  join raw.lists l using (attachment_url) where l.partition_key = '{TARGET_KEY}'"""))
    assert sorted(reasons) == [1, 2, 4]
    assert "filing_number" in reasons[1] and "entity" in reasons[2]
    assert "filing_number_unique_in_list" in reasons[4]
    assert case.balance() == []
    quarantined = case.query("select count(*) from staging.stg_quarantine")
    assert quarantined == [(3,)]  # the marts' view of quarantine agrees
