"""`dbt parse` at build time (`make`), for the data folder the next run will use.

dbt re-parses the whole project (5 s here, against 3 s for a partial parse) whenever the
profile's connection differs from the one its saved parse state was made with, and the
profile's path is the data folder's build file. So the manifest that Dagster loads is parsed
with that very path, and its parse state is left where the run's dbt looks for it
(data/dbt/partial_parse.msgpack): the first run's `dbt build` and `dbt docs generate` then
parse only what changed. Imports no Dagster: `make` calls it before every run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .settings import DBT_PROJECT_DIR, Settings, load_settings

PARTIAL_PARSE = "partial_parse.msgpack"


def dbt_executable() -> str:
    """The dbt installed beside the running Python, so that no entry point (the CLI,
    `dagster dev`, the tests) depends on an activated virtual environment or on PATH."""
    beside = Path(sys.executable).parent / "dbt"  # not resolved: a venv's python is a symlink
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise RuntimeError(f"dbt is not installed beside {sys.executable} nor on PATH; "
                           "run `make install`")
    return found


PROJECT_TARGET = DBT_PROJECT_DIR / "target"  # the manifest Dagster loads, and its parse state


def parse_project(settings: Settings, target_dir: Path = PROJECT_TARGET) -> Path:
    """`dbt parse` into ``target_dir``, with the profile the runs of ``settings`` use; returns
    the manifest. Its log goes there too: nothing is written elsewhere in the project."""
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(settings.build_warehouse_path),
           "BEIAN_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit, "DBT_TARGET_PATH": str(target_dir),
           "DBT_LOG_PATH": str(target_dir)}
    subprocess.run([dbt_executable(), "parse", "--profiles-dir", ".", "--quiet"],
                   cwd=DBT_PROJECT_DIR, env=env, check=True)
    return target_dir / "manifest.json"


def seed_parse_state(settings: Settings, state_dir: Path = PROJECT_TARGET) -> bool:
    """The project's parse state, copied to where the runs' dbt starts from, unless a run
    left its own there (dbt checks it either way, and parses what changed)."""
    state = state_dir / PARTIAL_PARSE
    if not state.is_file() or (settings.dbt_target_dir / PARTIAL_PARSE).exists():
        return False
    place_parse_state(state, settings.dbt_target_dir)
    return True


def place_parse_state(state: Path, target_dir: Path) -> None:
    """Copy a parse state into ``target_dir`` whole (a dbt starting meanwhile reads the old one
    or the new one)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target_dir / f".{PARTIAL_PARSE}.tmp"
    shutil.copyfile(state, tmp)
    os.replace(tmp, target_dir / PARTIAL_PARSE)


def main() -> int:
    settings = load_settings()
    parse_project(settings)
    seed_parse_state(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
