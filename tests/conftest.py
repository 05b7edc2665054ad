"""Shared fixtures: where the reference corpus lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("BEIAN_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus directory; a missing corpus is a failure, never a skip."""
    if not (CORPUS / "notices.csv").is_file():
        pytest.fail(f"reference corpus not found at {CORPUS} (set BEIAN_CORPUS)")
    return CORPUS
