"""The HTTP path: the corpus served by a local server that, like the CAC, answers an
empty 200 to a request without a Referer."""

from __future__ import annotations

from pipeline_harness import mart_fingerprints, run_refresh
from http_server import serve_mirror


def test_http_source_gives_the_same_marts_as_the_mirror(tmp_path, mirror_root, corpus_run):
    with serve_mirror(mirror_root, require_referer=True) as server:
        run = run_refresh(tmp_path, BEIAN_SOURCE=server.base_url)
        requests = list(server.requests)
    assert run.success
    assert run.failed_checks() == {}
    assert mart_fingerprints(run) == mart_fingerprints(corpus_run)
    # every request carried a Referer, so none was answered empty
    assert requests and all(referer for _, referer, _ in requests)
    fetched_from = run.query("select distinct split_part(fetched_from, '/', 3) from raw.manifest")
    assert fetched_from == [(server.base_url.split("/")[2],)]
