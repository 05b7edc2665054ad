"""Shared fixtures: where the reference corpus lives, the dbt manifest, Dagster homes, one
Chromium for the whole session, and the `slow` marker.

`slow` marks every test that needs a pipeline run, a browser, a `dagster dev` or a DuckDB 1.x
client: by the fixtures it asks for (SLOW_FIXTURES) or by a module's `pytestmark`. `make
test-fast` runs the others (`-m "not slow"`); `make test` runs all, in random order."""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from orchestration.dbt_parse import parse_project
from orchestration.settings import DBT_PROJECT_DIR, load_settings


CORPUS = Path(os.environ.get("BEIAN_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))

# Fixtures whose first use costs a pipeline run, a browser, a UI or a virtual environment.
SLOW_FIXTURES = {"corpus_run", "corpus_data", "report_warehouse", "chromium_endpoint", "dagster_ui",
                 "duckdb_1x_python", "v1_copy", "base"}  # base: the adversarial cases' `beian run`


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: needs a pipeline run, a browser, `dagster dev` or a "
                                       "DuckDB 1.x client (left out by `make test-fast`)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`-n 2 --dist loadscope` with our scopes (scheduling_scope): xdist's own groups
    (`loadgroup`) are lost under pytest 9, which no longer lets a plugin rename a test."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByFixtureScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scheduling_scope(config.rootpath, nodeid)

        def __init__(self, config: pytest.Config, log) -> None:
            super().__init__(config, log)
            self.started_folders: set[str] = set()

        def _assign_work_unit(self, node) -> None:
            # the longest work first, the quick tests last, where they fill the gaps: no worker
            # is left with one long test at the end while the other idles. The first heavy
            # scopes come from different folders, so that the runs each folder's tests share
            # (the corpus run, the adversarial base) are built side by side, not one after the
            # other while a worker waits
            def rank(scope: str) -> tuple[bool, bool]:
                return not heavy_scope(config.rootpath, scope), scope_folder(scope) in self.started_folders

            first = min(self.workqueue, key=rank)
            self.started_folders.add(scope_folder(first))
            self.workqueue.move_to_end(first, last=False)
            super()._assign_work_unit(node)

    return ByFixtureScope(config, log)


_BROWSER_USE = re.compile(r"\b(browser|chromium_endpoint)\b[,)]")


@functools.cache
def _module_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def scheduling_scope(root: Path, nodeid: str) -> str:
    """What one worker runs together. Tests that use the browser: one worker, so that the run
    starts one Chromium. A module with module-scoped fixtures: one worker, so that they are
    built once. Any other test alone, wherever a worker is free. The session's pipeline runs
    are built once for all workers (tests/shared_runs.py)."""
    module = nodeid.split("::")[0]
    text = _module_text(root / module)
    if _BROWSER_USE.search(text):
        return "browser"
    return module if 'scope="module"' in text else nodeid


# what makes a module's tests heavy: a pipeline run, a browser, a `beian` process of its own
_HEAVY_USE = re.compile(r"\b(" + "|".join(sorted(SLOW_FIXTURES)) + r"|browser|beian_process|Running|run_refresh"
                        r"|run_update|copied_run)\b[,:()]|\bcase: Case\b|pytest\.mark\.slow")


@functools.cache
def heavy_scope(root: Path, scope: str) -> bool:
    """A scheduling scope (see scheduling_scope) whose tests run a pipeline, a browser or a
    `beian` process: judged from its module's text, since xdist's controller has no items."""
    return scope == "browser" or bool(_HEAVY_USE.search(_module_text(root / scope.split("::")[0])))


def scope_folder(scope: str) -> str:
    """The test folder of a scheduling scope (tests/pipeline, tests/adversarial, ...)."""
    return Path(scope.split("::")[0]).parent.as_posix()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """The order's seed, so that a failure that depends on order can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None and config.pluginmanager.hasplugin("randomly"):
        terminalreporter.write_line(f"test order: random, replay with "
                                    f"--randomly-seed={seed}")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus directory; a missing corpus is a failure, never a skip."""
    if not (CORPUS / "notices.csv").is_file():
        pytest.fail(f"reference corpus not found at {CORPUS} (set BEIAN_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def manifest_is_current(manifest: Path) -> bool:
    """The manifest is newer than every file of the dbt project (as `make` judges it)."""
    if not manifest.is_file():
        return False
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return all(p.stat().st_mtime <= built for p in sources)


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """The dbt manifest, parsed once per session unless `make` has just built it."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    manifest.parent.mkdir(exist_ok=True)
    with FileLock(str(manifest.parent / ".parse.lock")):  # one `dbt parse` for all workers
        if not manifest_is_current(manifest):
            parse_project(load_settings({}))
    return manifest


@pytest.fixture(scope="session", autouse=True)
def own_dagster_homes():
    """Each data folder keeps its own Dagster home: never one shared through DAGSTER_HOME."""
    saved = os.environ.pop("DAGSTER_HOME", None)
    yield
    if saved is not None:
        os.environ["DAGSTER_HOME"] = saved


@pytest.fixture(scope="session")
def chromium_endpoint():
    """One headless Chromium (Debian's, offline) for the whole session: its CDP endpoint."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from browser import chromium_process

    with chromium_process(offline=True) as endpoint:
        yield endpoint


@pytest.fixture
def browser(chromium_endpoint):
    """The session's Chromium, connected for this test only (see tests/browser.py)."""
    from browser import connect

    with connect(chromium_endpoint) as connected:
        yield connected
