"""Settings (BEIAN_* variables) and the content-addressed raw store."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from orchestration import settings as settings_module
from orchestration.landing import RawStore
from orchestration.parsers.tables import sniff_file_type
from orchestration.settings import (
    CORPUS_ARCHIVE, CORPUS_MIRROR, MIRROR_ENTRY_PAGES, SITE_ENTRY_PAGES, load_settings, resolve_source,
)
from orchestration.sources.base import FetchResult
from orchestration.sources.factory import make_source
from orchestration.sources.http import HttpSource
from orchestration.sources.mirror import MirrorSource
from orchestration.sources.warc import WarcSource


# --- resolve_source ----------------------------------------------------------------

def test_unset_source_is_the_corpus_web_archive_when_present(corpus_dir):
    assert CORPUS_ARCHIVE.resolve() == (corpus_dir / "cac-site.warc.gz").resolve()
    assert resolve_source("") == str(CORPUS_ARCHIVE)
    assert resolve_source(None) == str(CORPUS_ARCHIVE)
    assert resolve_source("   ") == str(CORPUS_ARCHIVE)
    settings = load_settings({})
    assert settings.source_kind == "warc" and settings.site_shaped
    assert settings.entry_pages == SITE_ENTRY_PAGES


def test_unset_source_falls_back_to_the_mirror_then_live(monkeypatch, tmp_path):
    monkeypatch.setattr(settings_module, "CORPUS_ARCHIVE", tmp_path / "no-such.warc.gz")
    assert resolve_source("") == str(CORPUS_MIRROR)
    monkeypatch.setattr(settings_module, "CORPUS_MIRROR", tmp_path / "no-such-mirror")
    assert resolve_source("") == "live"


@pytest.mark.parametrize("value", ["live", "https://www.cac.gov.cn", "https://www.cac.gov.cn/",
                                   "https://beian.cac.gov.cn", " live "])
def test_live_hosts_mean_live(value):
    assert resolve_source(value) == "live"


@pytest.mark.parametrize("value, expected", [
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ("https://mirror.example.org/cac/", "https://mirror.example.org/cac"),
])
def test_other_urls_are_http_mirrors(value, expected):
    assert resolve_source(value) == expected
    assert load_settings({"BEIAN_SOURCE": value}).source_kind == "http_mirror"


def test_a_path_is_an_absolute_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_source("mirror") == str(tmp_path.resolve() / "mirror")
    assert resolve_source(str(tmp_path / "a" / ".." / "b")) == str(tmp_path.resolve() / "b")
    assert resolve_source("~/m") == str(Path.home().resolve() / "m")
    assert load_settings({"BEIAN_SOURCE": "mirror"}).source_kind == "mirror"


def test_a_web_archive_file_or_folder_is_a_warc_source(tmp_path, corpus_dir):
    archive = corpus_dir / "cac-site.warc.gz"
    assert load_settings({"BEIAN_SOURCE": str(archive)}).source_kind == "warc"
    folder = tmp_path / "archives"
    folder.mkdir()
    assert load_settings({"BEIAN_SOURCE": str(folder)}).source_kind == "mirror"  # empty: no archive
    (folder / "a.warc.gz").write_bytes(archive.read_bytes()[:10])
    settings = load_settings({"BEIAN_SOURCE": str(folder)})
    assert settings.source_kind == "warc" and settings.entry_pages == SITE_ENTRY_PAGES
    assert settings.update_recheck == 0  # a look at the site re-fetches no known list
    assert load_settings({"BEIAN_SOURCE": str(corpus_dir / "mirror")}).update_recheck is None


# --- load_settings -----------------------------------------------------------------

def test_paths_derive_from_the_data_dir(tmp_path):
    s = load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data")})
    data = (tmp_path / "data").resolve()
    assert s.data_dir == data
    assert s.warehouse_path == data / "warehouse.duckdb"
    assert s.raw_dir == data / "raw"
    assert s.exports_dir == data / "exports"
    assert s.dagster_home == data / "dagster_home"


def test_warehouse_can_be_set_apart(tmp_path):
    s = load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data"), "BEIAN_WAREHOUSE": str(tmp_path / "w.duckdb")})
    assert s.warehouse_path == (tmp_path / "w.duckdb").resolve()
    # runs write a build file beside it and publish over it
    assert s.build_warehouse_path == (tmp_path / "w.build.duckdb").resolve()
    assert s.raw_dir == (tmp_path / "data").resolve() / "raw"


def test_defaults_and_http_options(tmp_path):
    s = load_settings({})
    assert s.data_dir == (settings_module.PROJECT_ROOT / "data").resolve()
    assert s.entry_pages == SITE_ENTRY_PAGES
    assert load_settings({"BEIAN_SOURCE": "/nowhere/mirror"}).entry_pages == MIRROR_ENTRY_PAGES
    assert (s.http_min_interval_s, s.http_timeout_s, s.http_retries) == (1.0, 30.0, 4)
    s = load_settings({"BEIAN_ENTRY_PAGES": " https://www.cac.gov.cn/index.htm , ,https://x.cac.gov.cn/a.htm",
                       "BEIAN_HTTP_MIN_INTERVAL": "0.25", "BEIAN_HTTP_RETRIES": "2", "BEIAN_HTTP_TIMEOUT": "5"})
    assert s.entry_pages == ("https://www.cac.gov.cn/index.htm", "https://x.cac.gov.cn/a.htm")
    assert (s.http_min_interval_s, s.http_timeout_s, s.http_retries) == (0.25, 5.0, 2)


def test_make_source_follows_the_settings(corpus_dir):
    assert isinstance(make_source(load_settings({"BEIAN_SOURCE": str(corpus_dir / "mirror")})), MirrorSource)
    assert isinstance(make_source(load_settings({"BEIAN_SOURCE": str(corpus_dir / "cac-site.warc.gz")})), WarcSource)
    live = make_source(load_settings({"BEIAN_SOURCE": "live", "BEIAN_HTTP_MIN_INTERVAL": "2"}))
    assert isinstance(live, HttpSource) and live.base_url is None and live.min_interval_s == 2.0
    mirror = make_source(load_settings({"BEIAN_SOURCE": "http://127.0.0.1:9/"}))
    assert isinstance(mirror, HttpSource) and mirror.base_url == "http://127.0.0.1:9"
    assert mirror.location("https://www.cac.gov.cn/files/a%20b.docx") == "http://127.0.0.1:9/www.cac.gov.cn/files/a%20b.docx"


# --- RawStore ----------------------------------------------------------------------

def test_raw_store_keeps_bytes_once_by_sha256(tmp_path):
    store = RawStore(tmp_path / "raw")
    content = b"PK\x03\x04" + "境内深度合成服务算法备案清单".encode() * 10
    sha = hashlib.sha256(content).hexdigest()
    assert store.put(content) == (sha, True)
    path = store.path_for(sha)
    assert path == tmp_path / "raw" / sha[:2] / sha
    mtime = path.stat().st_mtime_ns
    assert store.put(content) == (sha, False)
    assert path.read_bytes() == content and store.read(sha) == content
    assert path.stat().st_mtime_ns == mtime  # not rewritten
    assert [p.name for p in (tmp_path / "raw").rglob("*") if p.is_file()] == [sha]  # no temp files left


def test_raw_store_land_records_the_fetch(tmp_path, corpus_dir):
    path = corpus_dir / "mirror" / "www.cac.gov.cn" / "index.htm"
    content = path.read_bytes()
    fetched = FetchResult(url="https://www.cac.gov.cn/index.htm", content=content, status=200,
                          fetched_at=datetime(2026, 5, 14, tzinfo=timezone.utc), location=str(path))
    store = RawStore(tmp_path)
    first, second = store.land(fetched), store.land(fetched)
    assert first.sha256 == second.sha256 == hashlib.sha256(content).hexdigest()
    assert (first.is_new, second.is_new) == (True, False)
    assert first.file_type == "html" and first.bytes == len(content)
    assert first.url == fetched.url and first.http_status == 200 and first.location == str(path)


@pytest.mark.parametrize("data, expected", [
    (b"PK\x03\x04\x14\x00\x06\x00", "zip"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "pdf"),
    (b"<!DOCTYPE html><html><head>", "html"),
    (b"\n  <html lang='zh-CN'>", "html"),
    (b"<?xml version='1.0'?><html>", "html"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "unknown"),  # an old binary .doc
    (b"", "unknown"),
    (b"plain text", "unknown"),
])
def test_sniff_file_type(data, expected):
    assert sniff_file_type(data) == expected


def test_sniff_file_type_on_corpus_files_ignores_extensions(corpus_dir):
    files = corpus_dir / "mirror" / "www.cac.gov.cn" / "files"
    docx = next(files.rglob("*.docx"))
    pdf = next(files.rglob("*.pdf"))
    assert sniff_file_type(docx.read_bytes()) == "zip"
    assert sniff_file_type(pdf.read_bytes()) == "pdf"


def test_discovery_follows_only_links_that_name_a_series(tmp_path):
    from orchestration.sources.discovery import discover
    from orchestration.sources.mirror import MirrorSource

    host = tmp_path / "www.cac.gov.cn"
    (host / "a").mkdir(parents=True)
    (host / "index.htm").write_text(
        '<a href="/a/notice.htm">国家互联网信息办公室关于发布第十六批深度合成服务算法备案信息的公告</a>'
        '<a href="/a/other.htm">网信办召开座谈会</a>', encoding="utf-8")
    (host / "a" / "notice.htm").write_text(
        '<h1>国家互联网信息办公室关于发布第十六批深度合成服务算法备案信息的公告</h1>'
        '<span class="time">2026-03-10 10:00:00</span>'
        '<p>附件：<a href="/files/x/%E6%B8%85%E5%8D%95%EF%BC%882026%E5%B9%B43%E6%9C%88%EF%BC%89.docx">'
        '境内深度合成服务算法备案清单（2026年3月）</a></p>', encoding="utf-8")
    (host / "a" / "other.htm").write_text("<h1>座谈会</h1>", encoding="utf-8")

    found = discover(MirrorSource(tmp_path), ["https://www.cac.gov.cn/index.htm"])
    assert [p.url for p in found.pages] == ["https://www.cac.gov.cn/index.htm",
                                            "https://www.cac.gov.cn/a/notice.htm"]
    (attachment,) = found.attachments()
    assert (attachment.series, attachment.batch_no, attachment.list_label, str(attachment.published_on)) == (
        "deep_synthesis", 16, "2026-03", "2026-03-10")
