"""MirrorSource against hostile URLs and files, and the Limits they are bounded by.

Whatever the URL, nothing outside the mirror root is read: a secret file is planted
next to the root (and above it), and no fetch may return it.
"""

from __future__ import annotations

import pytest

from orchestration.limits import DEFAULT_ALLOWED_HOSTS, Limits, env_var
from orchestration.sources.base import FetchError
from orchestration.sources.mirror import MirrorSource, mirror_relative_path

SECRET = b"root:x:0:0:secret"
PAGE = b"<html><h1>index</h1></html>"


@pytest.fixture()
def mirror(tmp_path) -> MirrorSource:
    """tmp/secret.txt, tmp/mirror/secret.txt (outside the host folder, still in the root
    but never named by a canonical URL), tmp/outside/…, and the mirror proper."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "list.docx").write_bytes(SECRET)
    root = tmp_path / "mirror"
    files = root / "www.cac.gov.cn" / "files"
    files.mkdir(parents=True)
    (root / "www.cac.gov.cn" / "index.htm").write_bytes(PAGE)
    (files / "list.docx").write_bytes(b"PK\x03\x04 list")
    (files / "empty.docx").write_bytes(b"")
    (files / "leak.docx").symlink_to(tmp_path / "secret.txt")
    (files / "abs.docx").symlink_to("/etc/passwd")
    (files / "outside").symlink_to(tmp_path / "outside")
    (files / "inside.docx").symlink_to(files / "list.docx")
    (files / "loop_a").symlink_to(files / "loop_b")
    (files / "loop_b").symlink_to(files / "loop_a")
    return MirrorSource(root, Limits())


def _fetch_error(source: MirrorSource, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        source.fetch(url)
    message = str(caught.value)
    assert "\n" not in message
    assert SECRET.decode() not in message
    return message


@pytest.mark.parametrize("url", [
    "https://www.cac.gov.cn/files/%2e%2e/%2e%2e/secret.txt",
    "https://www.cac.gov.cn/files/%2E%2E/%2E%2E/%2e%2e/secret.txt",
    "https://www.cac.gov.cn/files/..%2f..%2f..%2fsecret.txt",
    "https://www.cac.gov.cn/%2e%2e%2f%2e%2e%2fsecret.txt",
    "https://www.cac.gov.cn/files/../../../secret.txt",
    "https://www.cac.gov.cn/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "https://../secret.txt",  # the host is a path segment of the mirror too
    "https://www.cac.gov.cn/./index.htm",
])
def test_dot_segments_are_refused(mirror, url):
    message = _fetch_error(mirror, url)
    assert message.startswith(url) and "refused: the path has '.' or '..' segments" in message


@pytest.mark.parametrize("url", [
    "https://www.cac.gov.cn/files/..\\..\\..\\secret.txt",
    "https://www.cac.gov.cn/files/..%5c..%5c..%5csecret.txt",
    "https://www.cac.gov.cn/files/list.docx%00.htm",
])
def test_backslashes_and_nul_bytes_are_refused(mirror, url):
    assert "refused: a NUL byte or backslash in the path" in _fetch_error(mirror, url)


@pytest.mark.parametrize("url", [
    "https://www.cac.gov.cn/files/list.docx\x00.htm",
    "https://www.cac.gov.cn/files/list.docx\n.htm",
    "https://www.cac.gov.cn/files/\x1b[31mlist.docx",
])
def test_control_characters_in_the_url_are_refused(mirror, url):
    message = _fetch_error(mirror, url)
    assert "refused: control characters in the URL" in message
    assert message.isprintable()  # escaped, so the message stays one printable line


@pytest.mark.parametrize("url", [
    "https://www.cac.gov.cn/files/%252e%252e/%252e%252e/secret.txt",  # decoded once: literal '%2e%2e'
    "https://www.cac.gov.cn//etc/passwd",  # an absolute path stays under the host folder
    "https://www.cac.gov.cn/%2Fetc%2Fpasswd",
    "https://www.cac.gov.cn/files/missing.docx",
])
def test_what_stays_inside_but_is_missing_is_not_in_the_mirror(mirror, url):
    assert "not in the mirror" in _fetch_error(mirror, url)


@pytest.mark.parametrize("name", ["leak.docx", "abs.docx", "outside/list.docx"])
def test_symlinks_out_of_the_root_are_refused(mirror, name):
    url = f"https://www.cac.gov.cn/files/{name}"
    message = _fetch_error(mirror, url)
    assert message.startswith(url) and "leads outside the mirror root" in message


def test_a_symlink_within_the_root_is_followed(mirror):
    assert mirror.fetch("https://www.cac.gov.cn/files/inside.docx").content == b"PK\x03\x04 list"


def test_a_symlink_loop_is_a_fetch_error(mirror):
    assert "symlink loop" in _fetch_error(mirror, "https://www.cac.gov.cn/files/loop_a")


def test_a_file_name_too_long_is_a_fetch_error_not_an_oserror(mirror):
    url = "https://www.cac.gov.cn/files/" + "a" * 300 + ".docx"  # under the URL limit
    message = _fetch_error(mirror, url)
    assert message.startswith(url) and "File name too long" in message


def test_a_url_over_the_length_limit_is_refused(mirror):
    url = "https://www.cac.gov.cn/files/" + "a" * 3000 + ".docx"
    message = _fetch_error(mirror, url)
    assert "URL longer than 2048 characters" in message and len(message) < 400


def test_an_empty_file_is_a_fetch_error(mirror):
    assert "empty file in the mirror" in _fetch_error(mirror, "https://www.cac.gov.cn/files/empty.docx")


def test_a_file_over_the_download_cap_is_a_fetch_error(tmp_path):
    files = tmp_path / "www.cac.gov.cn" / "files"
    files.mkdir(parents=True)
    (files / "big.docx").write_bytes(b"x" * 11)
    (files / "fits.docx").write_bytes(b"x" * 10)
    source = MirrorSource(tmp_path, Limits(max_download_bytes=10))
    message = _fetch_error(source, "https://www.cac.gov.cn/files/big.docx")
    assert "11 bytes in the mirror" in message and "over the 10-byte cap" in message
    assert source.fetch("https://www.cac.gov.cn/files/fits.docx").content == b"x" * 10


def test_a_directory_serves_its_index_and_a_relative_url_is_refused(mirror):
    assert mirror.fetch("https://www.cac.gov.cn/").content == PAGE
    assert "not an absolute URL" in _fetch_error(mirror, "/files/list.docx")
    assert "not in the mirror" in _fetch_error(mirror, "https://www.cac.gov.cn/files/")  # no index.htm


def test_mirror_relative_path_decodes_once():
    assert mirror_relative_path("https://www.cac.gov.cn/files/a%20b.docx") == "www.cac.gov.cn/files/a b.docx"
    assert mirror_relative_path("https://www.cac.gov.cn/files/%252e.docx") == "www.cac.gov.cn/files/%2e.docx"


def test_the_real_corpus_still_reads(corpus_dir):
    source = MirrorSource(corpus_dir / "mirror", Limits())
    page = source.fetch("https://www.cac.gov.cn/index.htm")
    assert page.content.lstrip().startswith(b"<") and page.location.endswith("www.cac.gov.cn/index.htm")


# --- Limits ------------------------------------------------------------------------------

def test_limits_defaults_fit_the_cac_and_are_frozen():
    limits = Limits()
    assert limits.allowed_hosts == DEFAULT_ALLOWED_HOSTS == ("www.cac.gov.cn", "beian.cac.gov.cn", "cac.gov.cn")
    assert limits.max_download_bytes == 50 * 1024 * 1024 and limits.max_retry_after_s == 30.0
    assert (limits.max_rows_per_table, limits.max_cells_per_row, limits.max_pdf_pages) == (200_000, 64, 2_000)
    with pytest.raises(AttributeError):
        limits.max_pdf_pages = 1  # type: ignore[misc]


def test_limits_from_env_overrides_each_field():
    env = {
        "BEIAN_ALLOWED_HOSTS": " Example.org, ,www.cac.gov.cn ",
        "BEIAN_MAX_DOWNLOAD_BYTES": "1000",
        "BEIAN_MAX_RETRY_AFTER_S": "2.5",
        "BEIAN_MAX_REDIRECTS": "0",
        "BEIAN_MAX_PDF_PAGES": "",  # empty: the default
        "UNRELATED": "x",
    }
    limits = Limits.from_env(env)
    assert limits.allowed_hosts == ("example.org", "www.cac.gov.cn")
    assert (limits.max_download_bytes, limits.max_retry_after_s, limits.max_redirects) == (1000, 2.5, 0)
    assert limits.max_pdf_pages == Limits().max_pdf_pages
    assert Limits.from_env({}) == Limits()
    assert env_var("max_docx_xml_bytes") == "BEIAN_MAX_DOCX_XML_BYTES"


@pytest.mark.parametrize("name, value, problem", [
    ("BEIAN_MAX_DOWNLOAD_BYTES", "50MB", "not a number"),
    ("BEIAN_MAX_ROWS_PER_TABLE", "1.5", "not a number"),
    ("BEIAN_MAX_RETRY_AFTER_S", "-1", "must not be negative"),
    ("BEIAN_ALLOWED_HOSTS", " , ", "no host named"),
])
def test_limits_from_env_names_a_bad_value(name, value, problem):
    with pytest.raises(ValueError, match=f"{name}=.*: {problem}"):
        Limits.from_env({name: value})
