"""Session fixtures that cost a pipeline run, shared by pytest-xdist's workers: the first
worker that needs one builds it in a folder they all see; the others read that folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

Built = TypeVar("Built")


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Built],
               load: Callable[[Path], Built]) -> Built:
    """A session fixture's folder, built by the first worker that needs it and read by the
    others (pytest-xdist's workers share the parent of their temporary folders)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(factory.mktemp(name))
    shared = factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if done.exists():
            return load(folder)
        folder.mkdir()
        built = build(folder)
        done.touch()
        return built
