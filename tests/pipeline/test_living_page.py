"""A living page gains an attachment: the next run finds it, loads it, and only it."""

from __future__ import annotations

import re

import pytest

from pipeline_harness import run_refresh, writable_copy

pytestmark = pytest.mark.slow  # pipeline runs of its own

GENAI_PAGE = "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm"


def test_new_attachment_on_a_seen_page_is_picked_up(tmp_path, mirror_root):
    mirror = tmp_path / "mirror"
    writable_copy(mirror_root / "www.cac.gov.cn", mirror / "www.cac.gov.cn")
    page = mirror / "www.cac.gov.cn" / "2024-04" / "02" / "c_1713729983803145.htm"
    full = page.read_text(encoding="utf-8")
    latest = re.search(r"<p>附件11：.*?</p>\n", full).group(0)
    page.write_text(full.replace(latest, ""), encoding="utf-8")  # as published before 2026年4月

    env = {"BEIAN_SOURCE": str(mirror), "BEIAN_ENTRY_PAGES": GENAI_PAGE}
    before = run_refresh(tmp_path / "data", **env)
    assert before.success
    assert before.query("select count(*), max(list_label) from marts.fct_registrations") == [(1397 - 121, "2026-02")]

    page.write_text(full, encoding="utf-8")  # the update adds one link to the same page
    after = run_refresh(tmp_path / "data", **env)
    assert after.success
    assert after.materialization("list_load")["lists_by_outcome"] == {"loaded": 1, "unchanged": 10}
    assert after.query("select list_label, tier, count(*) from marts.fct_registrations "
                       "where list_label = '2026-04' group by all order by 2") == [
        ("2026-04", "local_registration", 49), ("2026-04", "national_filing", 72)]
    assert after.query("select count(*) from marts.fct_registrations") == [(1397,)]
