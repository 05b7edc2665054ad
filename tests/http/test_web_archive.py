"""The site as it is, read from web archives: the WARC source, recording live fetches, the
download interface, the column walk, and hostile variants of the site (each a later capture laid
over the corpus archive), through the scan that `beian run`, `update` and the sensor start from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.limits import Limits
from orchestration.parsers.notice_pages import Link, parse_column_page
from orchestration.scan import scan_publications
from orchestration.settings import COLUMN_FIRST_PAGE, GENAI_LIVING_PAGE, load_settings
from orchestration.sources.attachments import content_disposition_filename, disposition_name
from orchestration.sources.base import FetchError, NotFound
from orchestration.sources.http import HttpSource
from orchestration.sources.mirror import MirrorSource, mirror_relative_path
from orchestration.sources.recorder import WarcRecorder
from orchestration.sources.warc import WarcSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for the helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from http_server import serve_mirror  # noqa: E402
from later_site import download_href  # noqa: E402
from later_publications import on_device_list  # noqa: E402
from site_replica import Answer, file_answer, page_answer, read_archive, write_archive  # noqa: E402

API = "https://beian.cac.gov.cn/api/notice/list"
DOWNLOAD = "https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp"


@pytest.fixture(scope="module")
def archive(corpus_dir) -> Path:
    return corpus_dir / "cac-site.warc.gz"


@pytest.fixture(scope="module")
def answers(archive) -> dict[str, Answer]:
    return read_archive(archive)


def later_capture(tmp_path: Path, archive: Path, answers: dict[str, Answer]) -> Path:
    """A folder holding the corpus archive and a later capture that answers first."""
    folder = tmp_path / "archives"
    folder.mkdir(exist_ok=True)
    (folder / "a-corpus.warc.gz").symlink_to(archive)
    write_archive(folder / "b-later.warc.gz", answers)
    return folder


def scan(tmp_path: Path, source: Path, **env: str):
    settings = load_settings({"BEIAN_SOURCE": str(source), "BEIAN_DATA_DIR": str(tmp_path / "data"), **env})
    return scan_publications(settings, full=True)


def with_attachment(page: Answer, anchor: str) -> Answer:
    html = page.body.decode("utf-8")
    at = html.index("</p>\n<p", html.index("附件1：")) + len("</p>\n")
    return page_answer(html[:at] + f"<p>附件99：{anchor}</p>\n" + html[at:])


# --- the web-archive source -------------------------------------------------------------

def test_an_archive_answers_by_exact_url_with_status_and_headers(archive):
    source = WarcSource(archive)
    assert source.description == f"web archive {archive}, as of 2026-06-01"
    downloads = [u for u in source.urls() if u.startswith(DOWNLOAD)]
    assert len(downloads) == 45 and len({u.split("&fText=")[0] for u in downloads}) == 45
    answer = source.fetch(downloads[0])
    assert answer.header("content-type") == "application/octet-stream"
    assert content_disposition_filename(answer.header("Content-Disposition")).endswith((".docx", ".pdf"))
    assert answer.content[:2] == b"PK" or answer.content[:4] == b"%PDF"
    with pytest.raises(NotFound, match=r"A093702index_6\.htm: not in the web archive"):
        source.fetch("https://www.cac.gov.cn/wxzw/wxfb/A093702index_6.htm")
    with pytest.raises(NotFound, match="HTTP 404 in the web archive"):
        source.fetch(next(u for u in source.urls() if "/static/fileUpload/" in u))
    with pytest.raises(FetchError, match="not in the allowed hosts"):
        source.fetch("https://evil.example.org/x.docx")
    with pytest.raises(FetchError, match="not in the web archive"):
        source.fetch(downloads[0].split("&fText=")[0])  # the query is part of the URL


def test_a_later_capture_answers_first_and_a_broken_archive_is_named(tmp_path, archive, answers):
    changed = page_answer("<html><title>later</title></html>")
    folder = later_capture(tmp_path, archive, {GENAI_LIVING_PAGE: changed,
                                               "https://www.cac.gov.cn/empty.htm": Answer(200, [], b"")})
    source = WarcSource(folder)
    assert source.fetch(GENAI_LIVING_PAGE).content == changed.body
    assert source.fetch(COLUMN_FIRST_PAGE).content == answers[COLUMN_FIRST_PAGE].body
    with pytest.raises(FetchError, match="empty body with HTTP 200 in the web archive"):
        source.fetch("https://www.cac.gov.cn/empty.htm")
    with pytest.raises(FetchError, match="over the cap"):
        WarcSource(folder, limits=Limits(max_download_bytes=1000)).fetch(COLUMN_FIRST_PAGE)
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00not a web archive")
    with pytest.raises(FetchError, match=f"{broken}: not a readable web archive"):
        WarcSource(broken)


def test_live_fetches_are_recorded_and_replay_byte_for_byte(tmp_path, corpus_dir):
    recorder = WarcRecorder(tmp_path / "archive" / "run.warc.gz")
    with serve_mirror(corpus_dir / "mirror") as server:
        source = HttpSource(None, min_interval_s=0, retries=0, recorder=recorder,
                            limits=Limits(allowed_hosts=("127.0.0.1",)))
        page = f"{server.base_url}/www.cac.gov.cn/2024-04/02/c_1713729983803145.htm"
        fetched = source.fetch(page)
        with pytest.raises(NotFound):
            source.fetch(f"{server.base_url}/www.cac.gov.cn/no-such-page.htm")
    assert recorder.records == 2
    replay = WarcSource(recorder.path, limits=Limits(allowed_hosts=("127.0.0.1",)))
    again = replay.fetch(page)
    assert again.content == fetched.content and again.header("Content-Type") == fetched.header("Content-Type")
    with pytest.raises(NotFound, match="HTTP 404 in the web archive"):
        replay.fetch(f"{server.base_url}/www.cac.gov.cn/no-such-page.htm")
    kinds = [r.rec_type for r in __import__("warcio.archiveiterator").archiveiterator.ArchiveIterator(
        open(recorder.path, "rb"))]
    assert kinds == ["response", "request"] * 2


# --- names, links and the mirror directory ------------------------------------------------

@pytest.mark.parametrize("header, sent, safe", [
    ("attachment; filename*=UTF-8''%E6%B8%85%E5%8D%95%EF%BC%882026%E5%B9%B41%E6%9C%88%EF%BC%89.docx",
     "清单（2026年1月）.docx", "清单（2026年1月）.docx"),
    ('attachment; filename="list.pdf"; filename*=UTF-8\'\'%E6%B8%85%E5%8D%95.pdf', "清单.pdf", "清单.pdf"),
    ("attachment; filename*=UTF-8''..%2F..%2F..%2Fetc%2Fcron.d%2Fx", "../../../etc/cron.d/x", "x"),
    ('attachment; filename="..\\\\..\\\\win.ini"', "..\\..\\win.ini", "win.ini"),
    ("attachment; filename*=UTF-8''../x.docx", "../x.docx", "x.docx"),  # unencoded: still a base name
    ('attachment; filename="清单.docx"'.encode("utf-8").decode("latin-1"), "清单.docx", "清单.docx"),
    ('attachment; filename="清单.docx"'.encode("gb18030").decode("latin-1"), "清单.docx", "清单.docx"),
    ("attachment; filename*=UTF-8''a%00b%0A.pdf", "a\x00b\n.pdf", "ab.pdf"),
    ("attachment; filename=..", "..", None),
    ("attachment", None, None),
    ("", None, None),
])
def test_content_disposition_is_parsed_by_the_standard_library_and_made_safe(header, sent, safe):
    assert disposition_name(header) == ((sent, safe) if sent is not None else (None, None))


def test_a_download_link_is_an_attachment_named_by_ftext():
    href = ("https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=Nu/A~b=+c="
            "&fText=%E5%A2%83%E5%86%85%E6%B7%B1%E5%BA%A6%E5%90%88%E6%88%90")
    link = Link(url=href, text="附件")
    assert link.is_attachment and link.is_download_interface and link.name == "境内深度合成"
    nameless = Link(url="https://www.cac.gov.cn/cms/pub/interact/downloadfile.jsp?filepath=x", text="")
    assert nameless.is_attachment and nameless.name == ""  # its answer must name it
    assert Link(url="https://www.cac.gov.cn/files/a/%E6%B8%85%E5%8D%95.docx", text="").name == "清单.docx"
    assert not Link(url="https://www.cac.gov.cn/2026-01/07/c_1.htm", text="公告").is_attachment


def test_the_column_gives_full_titles_dates_and_resolved_links(answers):
    items = parse_column_page(answers[COLUMN_FIRST_PAGE].body, COLUMN_FIRST_PAGE)
    assert len(items) == 20 and items[0].url == "https://www.cac.gov.cn/2026-06/01/c_1780866462928342.htm"
    batch15 = next(i for i in items if "第十五批" in i.title)
    assert batch15.title == "国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告"
    assert str(batch15.published_on) == "2026-01-07"
    assert [i.published_on for i in items] == sorted((i.published_on for i in items), reverse=True)


def test_urls_that_differ_only_in_their_query_never_read_the_same_mirror_file(tmp_path):
    one = f"{DOWNLOAD}?filepath=a/b~c=&fText=%E6%B8%85"
    two = f"{DOWNLOAD}?filepath=a/b~d=&fText=%E6%B8%85"
    assert mirror_relative_path(one) != mirror_relative_path(two)
    folder = tmp_path / "www.cac.gov.cn" / "cms" / "pub" / "interact"
    folder.mkdir(parents=True)
    (folder / mirror_relative_path(one).rsplit("/", 1)[1]).write_bytes(b"PK one")
    mirror = MirrorSource(tmp_path)
    assert mirror.fetch(one).content == b"PK one"
    with pytest.raises(FetchError, match="not in the mirror"):
        mirror.fetch(two)
    escape = f"{DOWNLOAD}?filepath=../../../../etc/passwd"
    assert "/" not in mirror_relative_path(escape).rsplit("?", 1)[1]  # a query never names a folder


# --- the walk, and the site misbehaving ---------------------------------------------------

def test_a_walk_without_known_notices_finds_every_notice_and_skips_what_is_not_ours(tmp_path, archive):
    result = scan(tmp_path, archive, BEIAN_KNOWN_NOTICES="none")
    assert not result.errors and not result.warnings
    assert result.discovery["column_pages"] == 5  # page 6 answers 404: the end of the column
    assert len([s for s in result.lists if s.linked]) == 46
    skipped = {s["title"] for s in result.discovery["skipped"]}
    assert {t for t in skipped if "区块链" in t} == {
        f"国家互联网信息办公室关于发布第{n}批境内区块链信息服务名称及备案编号的公告" for n in ("十", "十一", "十二")}
    assert "国家网信办等七部门联合公布《生成式人工智能服务管理暂行办法》" in skipped
    assert {s["found_on"] for s in result.discovery["skipped"]} >= {"the notice API"}


def test_a_column_that_never_ends_is_stopped_in_one_line(tmp_path, archive, answers):
    last = answers["https://www.cac.gov.cn/wxzw/wxfb/A093702index_5.htm"]
    folder = later_capture(tmp_path, archive, {"https://www.cac.gov.cn/wxzw/wxfb/A093702index_6.htm": last,
                                               "https://www.cac.gov.cn/wxzw/wxfb/A093702index_7.htm": last})
    result = scan(tmp_path, folder, BEIAN_KNOWN_NOTICES="none")
    assert not result.errors and result.discovery["column_pages"] == 6
    assert result.warnings == ["https://www.cac.gov.cn/wxzw/wxfb/A093702index_6.htm: page 6 brings no item "
                               "not seen on earlier pages; the column is taken to end there"]


def test_hostile_download_links_each_end_in_one_line(tmp_path, archive, answers):
    long_name = "深" * 5000
    nameless = f"{DOWNLOAD}?filepath=Nameless~1="
    html_instead = f"{DOWNLOAD}?filepath=Html~2=&fText=%E6%B8%85%E5%8D%95"
    page = answers[GENAI_LIVING_PAGE]
    for anchor in (f'<a href="{download_href("Long~3=", long_name)}">x</a>',
                   f'<a href="{nameless.removeprefix("https://www.cac.gov.cn")}"></a>',
                   f'<a href="{html_instead.removeprefix("https://www.cac.gov.cn").replace("&", "&amp;")}">清单</a>'):
        page = with_attachment(page, anchor)
    list_bytes = on_device_list("docx")  # bytes of their own: no other list claims them
    folder = later_capture(tmp_path, archive, {
        GENAI_LIVING_PAGE: page,
        nameless: file_answer(list_bytes, "../../../生成式人工智能服务已备案和已登记信息（2027年1月）.docx"),
        html_instead: page_answer("<!DOCTYPE html><html><body>请从页面链接下载</body></html>"),
    })
    result = scan(tmp_path, folder)
    failed = {s.entry.attachment_url[:120]: s.entry.fetch_error for s in result.failed}
    assert len(failed) == 2, failed
    too_long = next(e for u, e in failed.items() if "Long~3=" in u)
    assert "URL longer than 2048 characters" in too_long and "\n" not in too_long and len(too_long) < 400
    assert failed[html_instead[:120]].startswith(f"{html_instead}: expected a list file but got an HTML page (text/html")
    named = next(s.entry for s in result.lists if s.entry.attachment_url == nameless)
    assert (named.link_text, named.key) == ("生成式人工智能服务已备案和已登记信息（2027年1月）.docx", "genai/2027-01")
    assert any("only its base name" in w and "../../../" in w for w in result.warnings)
    outside = [p for p in tmp_path.parent.rglob("*2027年1月*")]
    assert outside == []  # the name is never a path: nothing written by it, anywhere


@pytest.mark.parametrize("body, message", [
    (b'{"errno":440,"errmsg":"\xe6\xa3\x80\xe6\xb5\x8b\xe5\x88\xb0\xe6\x9c\xaa\xe7\x99\xbb\xe5\xbd\x95\xe7\x8a\xb6\xe6\x80\x81"}',
     f"{API}: the API reports errno 440: 检测到未登录状态"),
    (b"<!DOCTYPE html><html>maintenance</html>", f"{API}: not a JSON response (JSONDecodeError); it begins '<!DOCTYPE html>"),
])
def test_an_api_that_will_not_answer_fails_discovery_in_one_line(tmp_path, archive, body, message):
    folder = later_capture(tmp_path, archive, {API: Answer(200, [("Content-Type", "application/json")], body)})
    result = scan(tmp_path, folder)
    assert [e for e in result.errors if "api/notice/list" in e] == [e for e in result.errors if e.startswith(message)]
    assert len(result.errors) == 1
    assert len([s for s in result.lists if s.linked]) == 42  # the www.cac.gov.cn lists still come


def test_a_known_notice_that_is_gone_is_reported_not_forgotten(tmp_path, archive):
    known = tmp_path / "known.csv"
    gone = "https://www.cac.gov.cn/2026-03/12/c_1790000000000001.htm"
    known.write_text("notice_url,title,published_on,series\n"
                     f"{gone},国家互联网信息办公室关于发布第十六批深度合成服务算法备案信息的公告,2026-03-12,deep_synthesis\n",
                     encoding="utf-8")
    result = scan(tmp_path, archive, BEIAN_KNOWN_NOTICES=str(known))
    assert not result.errors
    assert result.warnings == [f"{gone}: not in the web archive {archive.resolve()}: a known notice is gone from the "
                               "site; its lists stay in the warehouse"]


def test_what_crawlers_write_is_read_revisits_resources_redirects(tmp_path):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page, moved, note = ("https://www.cac.gov.cn/2026-07/17/c_1.htm", "https://www.cac.gov.cn/old.htm",
                         "https://www.cac.gov.cn/note.txt")
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        first = writer.create_warc_record(page, "response", payload=BytesIO(b"<html>first</html>"),
                                          http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                                        protocol="HTTP/1.1"))
        writer.write_record(first)
        revisit = writer.create_revisit_record(
            page, first.rec_headers.get_header("WARC-Payload-Digest"), page,
            first.rec_headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1"))
        revisit.rec_headers.replace_header("WARC-Date", "2030-01-01T00:00:00Z")
        writer.write_record(revisit)
        writer.write_record(writer.create_warc_record(
            moved, "response", payload=BytesIO(b""),
            http_headers=StatusAndHeaders("301 Moved", [("Location", "/2026-07/17/c_1.htm")], protocol="HTTP/1.1")))
        resource = writer.create_warc_record(f"<{note}>", "resource", payload=BytesIO(b"plain"),
                                             warc_content_type="text/plain")
        writer.write_record(resource)
    source = WarcSource(path)
    assert source.as_of.year == 2030  # the revisit is the latest capture
    answer = source.fetch(page)
    assert (answer.content, answer.status, answer.header("Content-Type")) == (b"<html>first</html>", 200, "text/html")
    assert source.fetch(moved).content == b"<html>first</html>"
    assert (source.fetch(note).content, source.fetch(note).header("Content-Type")) == (b"plain", "text/plain")


def test_a_title_cut_short_is_read_on_its_page_and_http_links_are_the_https_pages(tmp_path, archive, answers):
    column = answers[COLUMN_FIRST_PAGE].body.decode("utf-8")
    batch15 = "https://www.cac.gov.cn/2026-01/07/c_1769516642440314.htm"
    cut = column.replace('<a href="../../2026-01/07/c_1769516642440314.htm" title="国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告"',
                         '<a href="http://www.cac.gov.cn/2026-01/07/c_1769516642440314.htm"')
    assert cut != column
    folder = later_capture(tmp_path, archive, {COLUMN_FIRST_PAGE: page_answer(cut)})
    known = tmp_path / "none.csv"
    known.write_text("notice_url,title,published_on,series\n", encoding="utf-8")
    result = scan(tmp_path, folder, BEIAN_KNOWN_NOTICES=str(known), BEIAN_MAX_COLUMN_PAGES="1")
    assert batch15 in {n["notice_url"] for n in result.notices}  # …第十五批深度合成服务… read on its page
    assert "deep_synthesis/2026-01" in {s.key for s in result.lists if s.linked}
