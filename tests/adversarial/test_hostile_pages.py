"""Pages that lie: links that climb out of the mirror, point at other hosts or run long, a
mangled notice page, an entry page that links nothing. Input never reaches outside its place,
and what cannot be read fails loudly, naming the page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from adversarial_harness import ALGORITHM_PAGE_PATH, TARGET_KEY, Case, copy_mirror, file_hash

SECRET = b"root:x:0:0:secret-marker"


def add_link(case: Case, href: str, text: str = "境内互联网信息服务算法备案清单（2025年6月）") -> None:
    page = case.mirror / ALGORITHM_PAGE_PATH
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", f'<p>附件99：<a href="{href}">{text}</a></p></body>', 1),
                    encoding="utf-8")


def raw_store_holds(data: Path, needle: bytes) -> bool:
    return any(needle in p.read_bytes() for p in (data / "raw").rglob("*") if p.is_file())


CLIMBING = ("/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt", "/files/..%2f..%2f..%2f..%2fsecret.txt",
            "/files/%252e%252e/%252e%252e/secret.txt", "/files/..%5c..%5csecret.txt")


def test_hostile_links_reach_nothing_outside(case: Case):
    """One page carries every kind at once (one run): links climbing out of the mirror, a link
    to another host, a link far too long. Each named list fails alone; nothing outside is read."""
    (case.mirror.parent / "secret.txt").write_bytes(SECRET)  # beside the mirror, not in it
    for n, href in enumerate(CLIMBING, start=6):
        add_link(case, href, f"境内互联网信息服务算法备案清单（2026年{n}月）")
    add_link(case, "http://evil.example/清单（2026年10月）.docx", "境内互联网信息服务算法备案清单（2026年10月）")
    add_link(case, "/files/" + quote("长" * 3000) + ".docx", "境内互联网信息服务算法备案清单（2026年11月）")
    before = case.list_rows()

    result = case.beian("update")

    assert result.code == 1 and "Traceback" not in result.text, result.text
    failed = {line.split(":")[0].split()[-1]: line for line in result.out.splitlines()
              if line.strip().startswith("FAILED list")}
    climbing = {f"algorithm_recommendation/2026-{n:02d}" for n in range(6, 10)}
    assert climbing | {"algorithm_recommendation/2026-11"} == set(failed), result.out
    for key in climbing:  # refused by the source, or (double-encoded: no climbing at all) not found
        assert any(word in failed[key] for word in ("refused", "not in the mirror", "outside", "HTTP 404"))
    assert "URL longer than" in failed["algorithm_recommendation/2026-11"]
    assert "evil.example" in result.out and "not followed: host not allowed" in result.out
    assert not raw_store_holds(case.data, SECRET)
    assert all("evil" not in path for path, _, _ in case.server.requests)
    # the page changed, so the warehouse is published again: with every list it had, and no other
    assert case.list_rows() == before


@pytest.mark.parametrize("href", CLIMBING)
def test_the_mirror_source_refuses_each_climbing_link(tmp_path, corpus_dir, href):
    from orchestration.settings import load_settings
    from orchestration.sources import FetchError, make_source

    mirror = copy_mirror(corpus_dir / "mirror", tmp_path / "mirror")  # no run needed: the source alone
    (mirror.parent / "secret.txt").write_bytes(SECRET)
    source = make_source(load_settings({"BEIAN_SOURCE": str(mirror)}))
    with pytest.raises(FetchError) as failure:
        source.fetch("https://www.cac.gov.cn" + href)
    assert "\n" not in str(failure.value) and "www.cac.gov.cn" in str(failure.value)


def test_a_mangled_notice_page_fails_naming_the_page(case: Case):
    page = case.mirror / ALGORITHM_PAGE_PATH
    page.write_bytes(page.read_text(encoding="utf-8").encode("utf-8").decode("latin-1").encode("utf-8"))
    published = file_hash(case.published)
    result = case.beian("update")
    assert result.code == 1, result.text
    assert f"FAILED page: https://{ALGORITHM_PAGE_PATH}" in result.out
    assert file_hash(case.published) == published
    # the lists it linked stay published: nothing once published disappears silently
    assert case.query("select count(*) from raw.lists where series = 'algorithm_recommendation'") == [(16,)]


def test_a_mangled_page_linked_as_a_series_is_named(case: Case):
    batch = case.mirror / "www.cac.gov.cn/2026-01/07/c_1769516642440314.htm"
    batch.write_bytes(b"\x8f\xfe garbage, no title, no link " * 20)
    result = case.beian("update", BEIAN_ENTRY_PAGES=f"https://www.cac.gov.cn/index.htm,https://{ALGORITHM_PAGE_PATH}")
    assert result.code == 1
    assert "c_1769516642440314.htm: linked as" in result.out and "mangled" in result.out, result.out


def test_an_entry_page_that_links_nothing_fails(case: Case):
    empty = case.mirror / "www.cac.gov.cn/empty.htm"
    empty.write_text("<html><head><title>首页</title></head><body><p>维护中</p></body></html>", encoding="utf-8")
    result = case.beian("update", BEIAN_ENTRY_PAGES=f"https://www.cac.gov.cn/empty.htm,https://{ALGORITHM_PAGE_PATH}")
    assert result.code == 1 and "empty.htm: an entry page, but it links no notice" in result.out, result.out


def test_the_same_bytes_under_a_second_link_are_one_list(case: Case):
    add_link(case, "/files/2025-05/" + quote(case.target_file().name))  # the same URL twice: one list
    twin = case.mirror / "www.cac.gov.cn/files/2025-05-bis/副本.docx"
    twin.parent.mkdir()
    twin.write_bytes(case.target_file().read_bytes())
    add_link(case, "/files/2025-05-bis/" + quote("副本.docx"), "境内互联网信息服务算法备案清单（2025年5月）")
    result = case.beian("update")
    assert result.code == 0, result.text
    assert "1 duplicate" in result.out and "FAILED" not in result.out
    # a list that became another's repeat cannot shrink what is published
    assert case.list_rows()[TARGET_KEY] == 10
    assert case.query("select count(*) from marts.fct_filings where list_label = '2025-05'") == [(10,)]
    assert case.query(f"select count(*) from raw.lists where partition_key = '{TARGET_KEY}-2'") == [(0,)]
