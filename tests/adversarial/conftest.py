"""The adversarial suite's fixtures: a small published warehouse (the algorithm-recommendation
living page and its 16 lists, served over real HTTP on 127.0.0.1), built once; each case gets
its own copy of the data folder and of the mirror, breaks one thing, runs the real `beian`
command in this process and checks exactly what happened."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
sys.path.insert(0, str(Path(__file__).resolve().parent))
from adversarial_harness import (  # noqa: E402
    ALGORITHM_PAGE, FAST_HTTP, Case, copy_mirror, run_beian, tree_state,
)
from http_server import serve_mirror  # noqa: E402
from shared_runs import built_once  # noqa: E402


@pytest.fixture(scope="session")
def base(tmp_path_factory, corpus_dir):
    """The small warehouse every case starts from, published by a real `beian run` (once for
    all workers)."""
    def build(root: Path) -> Path:
        mirror = copy_mirror(corpus_dir / "mirror", root / "mirror")
        with serve_mirror(mirror) as server:
            env = {"BEIAN_DATA_DIR": str(root / "data"), "BEIAN_SOURCE": server.base_url,
                   "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, **FAST_HTTP}
            result = run_beian(env, "run")
        assert result.code == 0, result.text
        return root

    return built_once(tmp_path_factory, "adversarial_base", build, load=lambda root: root)


@pytest.fixture()
def case(base, tmp_path, project_root):
    mirror = copy_mirror(base / "mirror", tmp_path / "mirror")
    data = tmp_path / "data"
    shutil.copytree(base / "data", data, ignore=shutil.ignore_patterns("*.lock"))
    project_before = tree_state(project_root)
    with serve_mirror(mirror) as server:
        env = {"BEIAN_DATA_DIR": str(data), "BEIAN_SOURCE": server.base_url,
               "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, **FAST_HTTP}
        yield Case(mirror, data, server, env)
    # nothing the case ran wrote outside its data folder: the project tree is as it was
    project_after = tree_state(project_root)
    changed = sorted(p for p in set(project_before) | set(project_after)
                     if project_before.get(p) != project_after.get(p))
    assert changed == [], f"written outside the data folder: {changed[:10]}"
