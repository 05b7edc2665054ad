"""read_docx_tables against broken and hostile DOCX files, generated here.

Each must end in a one-line DocumentError naming the attachment (and the table and
row where one exists): never a raw lxml/zipfile error, never unbounded memory.
The zip bombs are written by hand: one deflate block of empty rows, flushed so it
can be repeated byte for byte, gives 1.5 GB of XML in 3.9 MB within milliseconds.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from orchestration.limits import Limits
from orchestration.parsers.docx import DOCUMENT_XML, _BudgetedReader, _read_tables, read_docx_tables
from orchestration.parsers.tables import DocumentError

PROJECT = Path(__file__).resolve().parents[2]
NAME = "境内深度合成服务算法备案清单（2099年1月）.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OPEN = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
CLOSE = "</w:body></w:document>"
EMPTY_ROW = b"<w:tr><w:tc><w:p/></w:tc></w:tr>"
MB = 1024 * 1024


def cell(text: str) -> str:
    return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def row(*texts: str) -> str:
    return "<w:tr>" + "".join(cell(t) for t in texts) + "</w:tr>"


def document(body: str | bytes, prolog: bytes = b"") -> bytes:
    body = body.encode() if isinstance(body, str) else body
    head = OPEN.encode()
    if prolog:  # a DOCTYPE goes between the XML declaration and the root element
        declaration, rest = head.split(b"?>", 1)
        head = declaration + b"?>" + prolog + rest
    return head + body + CLOSE.encode()


def docx(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(DOCUMENT_XML, xml)
    return buffer.getvalue()


def zip_member(compressed: bytes, file_size: int, crc: int = 0, flag_bits: int = 0,
               central_size: int | None = None) -> bytes:
    """A one-member zip written by hand, so sizes, CRC and flags say whatever the test wants
    (``central_size``: what the central directory alone says of the inflated size)."""
    name = DOCUMENT_XML.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flag_bits, 8, 0, 0x21, crc,
                        len(compressed), file_size, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flag_bits, 8, 0, 0x21, crc,
                          len(compressed), file_size if central_size is None else central_size,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(compressed), 0)
    return local + compressed + central + end


def empty_row_bomb(megabytes: int, rows_per_mb: int = MB // len(EMPTY_ROW)) -> tuple[bytes, int, int]:
    """(raw deflate stream, inflated size, CRC) of a table of ``megabytes`` MB of empty rows."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head, tail = OPEN.encode() + b"<w:tbl>", b"</w:tbl>" + CLOSE.encode()
    block_xml = EMPTY_ROW * rows_per_mb
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(block_xml) + deflate.flush(zlib.Z_FULL_FLUSH)  # history reset: repeatable
    last = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    if megabytes <= 64:  # a CRC worth computing: these bombs are read to their end
        for _ in range(megabytes):
            crc = zlib.crc32(block_xml, crc)
        crc = zlib.crc32(tail, crc)
    size = len(head) + len(block_xml) * megabytes + len(tail)
    return first + block * megabytes + last, size, crc


def document_error(data: bytes, limits: Limits | None = None, name: str = NAME) -> str:
    with pytest.raises(DocumentError) as caught:
        read_docx_tables(data, name, limits)
    message = str(caught.value)
    assert message.startswith(name) and "\n" not in message
    return message


# --- the XML parser: no entities, no network, libxml2's limits -------------------------

def test_an_undeclared_entity_is_a_document_error():
    xml = document("<w:tbl>" + row("a &foo; b") + "</w:tbl>")
    assert "Entity 'foo' not defined" in document_error(docx(xml))


BILLION_LAUGHS = b"<!DOCTYPE w:document [<!ENTITY lol0 'lol'>" + b"".join(
    b"<!ENTITY lol%d '%s'>" % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>"


def test_entity_amplification_is_a_document_error():
    # referenced in a table: the DTD is refused at the first table event
    xml = document("<w:tbl>" + row("&lol9;") + "</w:tbl>", BILLION_LAUGHS)
    assert document_error(docx(xml)).endswith("word/document.xml declares a DTD, which a DOCX never does")
    # referenced before any event (an attribute of the root): libxml2's amplification guard
    xml = xml.replace(f'xmlns:w="{W}">'.encode(), f'xmlns:w="{W}" w:x="&lol9;">'.encode(), 1)
    message = document_error(docx(xml))
    assert "unreadable XML in word/document.xml: Maximum entity amplification factor exceeded" in message


@pytest.mark.parametrize("dtd", [
    b"<!DOCTYPE w:document [<!ENTITY e 'hidden'>]>",  # would be dropped silently, text lost
    b"<!DOCTYPE w:document [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"<!DOCTYPE w:document [<!ENTITY e SYSTEM 'http://127.0.0.1:9/x'>]>",
])
def test_any_dtd_is_refused(dtd):
    xml = document("<w:tbl>" + row("a &e; b") + "</w:tbl>", dtd)
    message = document_error(docx(xml))
    assert "word/document.xml declares a DTD, which a DOCX never does" in message
    assert "root:" not in message


def test_a_text_node_over_libxml2s_limit_is_a_document_error():
    xml = document("<w:tbl>" + row("x" * 11_000_000) + "</w:tbl>")
    assert "Text node too long" in document_error(docx(xml), Limits(max_docx_ratio=1e9))


def test_nesting_deeper_than_libxml2s_limit_is_a_document_error():
    xml = document("<w:tbl><w:tr><w:tc>" * 300 + "</w:tc></w:tr></w:tbl>" * 300)
    assert "Excessive depth" in document_error(docx(xml))


@pytest.mark.parametrize("text, problem", [
    (b"a\x00b", "Char 0x0 out of allowed range"),
    (b"a\x01b", "PCDATA invalid Char value 1"),
    (b"a&#1;b", "invalid xmlChar value 1"),
    (b"a\x1bb", "PCDATA invalid Char value 27"),
])
def test_nul_and_control_characters_are_a_document_error(text, problem):
    xml = document(b"<w:tbl>" + row("CUT").encode().replace(b"CUT", text) + b"</w:tbl>")
    message = document_error(docx(xml))
    assert problem in message and "(line 1, column" in message


@pytest.mark.parametrize("xml", [
    document("<w:tbl>" + row("a"))[:-30],  # cut short
    b"<w:document><w:body>",  # unclosed
    b"not xml at all",
    b"",
    "<?xml version='1.0' encoding='UTF-8'?><a>\udcff</a>".encode("utf-8", "surrogatepass"),
])
def test_truncated_or_garbage_xml_is_a_document_error(xml):
    assert "unreadable XML in word/document.xml" in document_error(docx(xml))


# --- the zip: encryption, declared sizes, ratio, a byte budget while streaming ---------

def test_an_encrypted_member_is_refused():
    xml = document("<w:tbl>" + row("a") + "</w:tbl>")
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = zip_member(raw.compress(xml) + raw.flush(), len(xml), zlib.crc32(xml), flag_bits=0x1)
    assert document_error(data).endswith("word/document.xml is encrypted")


def test_a_bomb_declaring_its_size_is_refused_before_inflating():
    compressed, size, crc = empty_row_bomb(1500)
    data = zip_member(compressed, size, crc)
    assert len(data) < 4 * MB and size > 1500 * MB  # 3.9 MB that would inflate to 1.5 GB
    assert document_error(data).endswith(
        "word/document.xml declares 1500.0 MB inflated, over the limit of 200.0 MB")


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio():
    compressed, size, crc = empty_row_bomb(100)
    message = document_error(zip_member(compressed, size, crc))
    assert "word/document.xml inflates 40" in message and "over the 200:1 limit (a zip bomb?)" in message


def test_a_bomb_lying_about_its_size_is_stopped_by_the_budget_and_named():
    compressed, size, crc = empty_row_bomb(1500)
    message = document_error(zip_member(compressed, 1 * MB, crc))  # claims 1 MB: ratio looks 0.3:1
    assert message.endswith("word/document.xml inflates to more than the 1.0 MB its zip header "
                            "declares (a zip bomb lying about its size?)")


def test_a_central_directory_understating_a_member_is_stopped_while_streaming():
    # the local header tells the truth, the central directory (which readers trust) says 64 KB:
    # the budget is the declared size, counted on the bytes inflated, in bounded memory
    compressed, size, crc = empty_row_bomb(300)
    data = zip_member(compressed, size, crc, central_size=64 * 1024)
    tracemalloc.start()
    try:
        message = document_error(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "inflates to more than the 65536 bytes its zip header declares" in message
    assert peak < 16 * MB  # the 300 MB it would inflate to were never held


def test_an_honest_size_is_read_to_the_end():
    xml = document("<w:tbl>" + row("序号", "算法名称") + row("1", "甲") + "</w:tbl>")
    compressed = zlib.compress(xml, 9)[2:-4]  # raw deflate
    tables = read_docx_tables(zip_member(compressed, len(xml), zlib.crc32(xml)), NAME)
    assert [r.cells for r in tables[0].rows] == [("序号", "算法名称"), ("1", "甲")]


def test_the_budgeted_reader_stops_a_stream_longer_than_its_budget():
    reader = _BudgetedReader(io.BytesIO(b"x" * 100), limit=64, source=NAME)
    assert reader.read(64) == b"x" * 64
    with pytest.raises(DocumentError) as caught:
        reader.read(64)
    assert str(caught.value) == f"{NAME}: word/document.xml inflates to more than the limit of 64 bytes"


def test_the_budget_stops_lxml_mid_document():
    # zipfile never yields more than the declared size, so feed the parser directly: the
    # budget must hold for whatever reads through it, and lxml must pass its error on
    xml = document("<w:tbl>" + row("a") * 20_000 + "</w:tbl>")
    with pytest.raises(DocumentError) as caught:
        _read_tables(_BudgetedReader(io.BytesIO(xml), 100_000, NAME), NAME, Limits())
    assert str(caught.value) == f"{NAME}: word/document.xml inflates to more than the limit of 100000 bytes"


def test_the_size_limit_is_inclusive():
    xml = document("<w:tbl>" + row("a" * 5000) + "</w:tbl>")
    at_limit = Limits(max_docx_xml_bytes=len(xml), max_docx_ratio=1e9)
    assert read_docx_tables(docx(xml), NAME, at_limit)[0].rows[0].cells == ("a" * 5000,)
    one_under = Limits(max_docx_xml_bytes=len(xml) - 1, max_docx_ratio=1e9)
    assert document_error(docx(xml), one_under).endswith(
        f"word/document.xml declares {len(xml)} bytes inflated, over the limit of {len(xml) - 1} bytes")


@pytest.mark.parametrize("data, problem", [
    (b"PK\x03\x04" + b"\0" * 40, "not a readable DOCX file"),
    (docx(b"<a/>")[:-10], "not a readable DOCX file"),  # the central directory cut off
])
def test_a_broken_zip_is_a_document_error(data, problem):
    assert problem in document_error(data)


def test_a_corrupt_deflate_stream_is_a_document_error():
    xml = document("<w:tbl>" + row("a") * 50 + "</w:tbl>")
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = bytearray(raw.compress(xml) + raw.flush())
    compressed[len(compressed) // 2:] = b"\xff" * (len(compressed) - len(compressed) // 2)
    assert "word/document.xml" in document_error(zip_member(bytes(compressed), len(xml), zlib.crc32(xml)))


# --- tables: rows and cells bounded, empty rows never held ----------------------------

def test_rows_over_the_limit_name_the_table_and_row():
    xml = document("<w:tbl>" + row("h") + "</w:tbl><w:tbl>" + row("a") * 5 + "</w:tbl>")
    message = document_error(docx(xml), Limits(max_rows_per_table=3))
    assert message == f"{NAME}, table 1 row 3: more than 3 rows in a table"


def test_cells_over_the_limit_name_the_table_and_row():
    xml = document("<w:tbl>" + row("a", "b") + row(*"abcde") + "</w:tbl>")
    assert document_error(docx(xml), Limits(max_cells_per_row=4)) == \
        f"{NAME}, table 0 row 1: more than 4 cells in a row"


def test_a_huge_grid_span_is_refused_without_allocating_it():
    span = '<w:tc><w:tcPr><w:gridSpan w:val="1000000000"/></w:tcPr><w:p/></w:tc>'
    xml = document("<w:tbl><w:tr>" + span + "</w:tr></w:tbl>")
    assert document_error(docx(xml)) == f"{NAME}, table 0 row 0: more than 64 cells in a row"


def test_empty_rows_are_skipped_but_keep_row_positions():
    merged = '<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>'
    xml = document("<w:tbl>" + row("序号", "名称") + row("", "") + row("", "")
                   + "<w:tr>" + cell("2") + merged + "</w:tr>" + row("3", "丙") + "</w:tbl>")
    (table,) = read_docx_tables(docx(xml), NAME)
    assert [(r.row_index, r.cells) for r in table.rows] == [
        (0, ("序号", "名称")),
        (3, ("2", "")),  # the merge continues the empty row above, not the header
        (4, ("3", "丙")),
    ]


def test_a_table_of_empty_rows_holds_no_rows_in_memory():
    rows = 100_000
    xml = document(b"<w:tbl>" + EMPTY_ROW * rows + b"</w:tbl>")
    tracemalloc.start()
    try:
        tables = read_docx_tables(docx(xml), NAME, Limits(max_rows_per_table=rows, max_docx_ratio=1e9))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [len(t.rows) for t in tables] == [0]
    assert peak < 2 * MB  # held rows would take over 6 MB (a list per row)


_BOMB_CHILD = textwrap.dedent("""
    import resource, sys
    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from orchestration.limits import Limits
    from orchestration.parsers.docx import read_docx_tables
    from orchestration.parsers.tables import DocumentError
    limits = Limits(**eval(sys.argv[2]))
    try:
        read_docx_tables(open(sys.argv[1], "rb").read(), "bomb.docx", limits)
    except DocumentError as exc:
        print(exc)
""")


@pytest.mark.parametrize("overrides, expected", [
    ({}, "bomb.docx: word/document.xml declares 1500.0 MB inflated, over the limit of 200.0 MB"),
    # with the zip checks opened up, the parse streams the rows until the row bound
    ({"max_docx_xml_bytes": 2**31, "max_docx_ratio": 1e9},
     "bomb.docx, table 0 row 200000: more than 200000 rows in a table"),
])
def test_the_zip_bomb_ends_in_a_document_error_within_1_5_gb(tmp_path, overrides, expected):
    compressed, size, crc = empty_row_bomb(1500)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(zip_member(compressed, size, crc))
    done = subprocess.run([sys.executable, "-c", _BOMB_CHILD, str(bomb), repr(overrides)],
                          capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]  # not killed, no MemoryError
    assert done.stdout.strip() == expected


# --- the real corpus passes, with room to spare ----------------------------------------

def test_every_corpus_docx_passes_the_default_limits(corpus_dir):
    paths = sorted((corpus_dir / "mirror" / "www.cac.gov.cn" / "files").rglob("*.docx"))
    assert len(paths) >= 31
    limits = Limits()
    for path in paths:
        data = path.read_bytes()
        info = zipfile.ZipFile(io.BytesIO(data)).getinfo(DOCUMENT_XML)
        assert info.file_size * 10 < limits.max_docx_xml_bytes, path.name
        assert info.file_size / info.compress_size * 5 < limits.max_docx_ratio, path.name
        tables = read_docx_tables(data, str(path), limits)
        assert sum(len(t.rows) for t in tables) > 10, path.name
