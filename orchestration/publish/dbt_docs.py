"""The dbt docs as one static page that works offline (data/docs/index.html): regenerated only
when the project changed, and swapped in whole."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dagster_dbt import DbtCliResource

from ..dbt import UNRENDERED_FAVICON, offline_docs_page, prune_run_folders

STAMP = ".manifest.sha256"  # beside the page: the fingerprint it was made from


def docs_fingerprint(manifest_path: Path) -> str:
    """The page is the manifest, rendered and then made offline-clean: both make it."""
    return hashlib.sha256(manifest_path.read_bytes() + UNRENDERED_FAVICON.pattern.encode()).hexdigest()


def page_is_current(page: Path, fingerprint: str) -> bool:
    """The page describes the project (models, columns, lineage), not the rows: the same
    fingerprint, the same page, and `dbt docs generate` (seconds a run) is spared."""
    stamp = page.with_name(STAMP)
    return page.is_file() and stamp.is_file() and stamp.read_text() == fingerprint


def generate_docs_page(dbt: DbtCliResource) -> str:
    """`dbt docs generate --static`, its page made offline-clean. dbt reads the build file
    from its own process: the caller holds the writer lock."""
    invocation = dbt.cli(["docs", "generate", "--static"], raise_on_error=True)
    invocation.wait()
    html = offline_docs_page((invocation.target_path / "static_index.html").read_text(encoding="utf-8"))
    prune_run_folders(invocation.target_path.parent)
    return html


def replace_docs_page(page: Path, html: str, fingerprint: str) -> None:
    """Write the page beside its place and rename it in (a reader sees the old page or the
    new one), then its stamp."""
    page.parent.mkdir(parents=True, exist_ok=True)
    tmp = page.with_name(f".{page.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, page)
    page.with_name(STAMP).write_text(fingerprint)
