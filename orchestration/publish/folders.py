"""A published folder (the exports, the report) replaced whole: built beside its place, then
swapped in, so that a reader sees the old set or the new one, never a mix."""

from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replaced_folder(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``out_dir`` to build in; on success it replaces
    ``out_dir``, on failure it is removed and ``out_dir`` is left as it was. One builder at a
    time per ``out_dir``: leftovers of an earlier crashed one are removed first."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for pattern in (f".{out_dir.name}.staging-*", f".{out_dir.name}.old-*"):
        for leftover in out_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # the old folder renamed aside, the new one renamed in, then the old one deleted
    old = out_dir.with_name(f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}")
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
