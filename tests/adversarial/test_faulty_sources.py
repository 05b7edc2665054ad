"""A list the source serves badly: each fails the update with a non-zero exit and one line
naming the URL and the reason; the published warehouse is not replaced; `beian status` says
which list failed; the list's last good rows stay."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from adversarial_harness import TARGET_KEY, Case, file_hash
from http_server import Fault, redirect

REASONS = {  # the fault, and what the message must say
    "403": (lambda c: [Fault(403, b"Forbidden")], "HTTP 403"),
    "404": (lambda c: [Fault(404, b"Not Found")], "HTTP 404"),
    "429": (lambda c: [Fault(429, b"slow down")], "429"),
    "500": (lambda c: [Fault(500, b"oops")], "500"),
    "retry_after_3600": (lambda c: [Fault(503, headers={"Retry-After": "3600"})], "Retry-After"),
    "timeout": (lambda c: [Fault(200, b"x", delay_s=4)], "timed out"),
    "truncated": (lambda c: [Fault(200, b"PK\x03\x04" + b"x" * 100, content_length=10_000)], "truncated"),
    "empty_200": (lambda c: [Fault(200, b"")], "empty body"),
    "redirect_loop": (lambda c: [redirect(f"{c.server.base_url}{quote(c.target_path())}")], "redirect loop"),
    "redirect_abroad": (lambda c: [redirect("http://evil.example/x.docx")], "evil.example"),
    "over_the_cap": (lambda c: [Fault(200, b"PK" + b"0" * 1023, repeat=4096)], "cap"),
}


@pytest.mark.parametrize("fault", sorted(REASONS))
def test_a_list_the_source_serves_badly_fails_loudly_and_loses_nothing(case: Case, fault):
    answers, reason = REASONS[fault]
    case.server.script(case.target_path(), *answers(case))
    published = file_hash(case.published)
    before = case.query(f"select rows_accepted from raw.lists where partition_key = '{TARGET_KEY}'")
    extra = {"BEIAN_MAX_DOWNLOAD_BYTES": "1000000"} if fault == "over_the_cap" else {}

    result = case.beian("update", **extra)

    assert result.code == 1, result.text
    failed = [line for line in result.out.splitlines() if line.strip().startswith(f"FAILED list {TARGET_KEY}")]
    assert len(failed) == 1 and reason.lower() in failed[0].lower(), result.out
    assert "www.cac.gov.cn/files/2025-05" in failed[0] or "2025-05" in failed[0]
    assert "Traceback" not in result.text
    assert file_hash(case.published) == published  # readers keep the last good warehouse
    assert case.query(f"select rows_accepted from raw.lists where partition_key = '{TARGET_KEY}'") == before == [(10,)]
    status = case.beian("status")
    assert status.code == 0 and TARGET_KEY in status.out and "could not be fetched" in status.out


def test_a_full_refresh_with_a_failing_list_fails_and_publishes_nothing(case: Case):
    case.server.script(case.target_path(), Fault(404, b"Not Found"))
    published = file_hash(case.published)
    result = case.beian("run")
    assert result.code == 1, result.text
    assert f"FAILED list {TARGET_KEY}" in result.out and "404" in result.out
    assert "list_files · every_list_fetched" in result.out  # the blocking check, in the summary
    assert file_hash(case.published) == published


def test_an_entry_page_that_cannot_be_fetched_fails_the_run(case: Case):
    case.server.script("/www.cac.gov.cn/2022-08/12/c_1661927474338504.htm", Fault(404, b"Not Found"))
    published = file_hash(case.published)
    only = case.beian("update")
    assert only.code == 2 and only.err.count("\n") == 1 and "no entry page could be fetched" in only.err
    # one entry page of two missing: the other is read, the run fails naming the missing one
    both = case.beian("update", BEIAN_ENTRY_PAGES="https://www.cac.gov.cn/nope.htm,"
                      "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm")
    assert both.code == 1 and "FAILED page: https://www.cac.gov.cn/nope.htm" in both.out, both.out
    assert file_hash(case.published) == published
