"""The adversarial suite's helpers: the real `beian` command run in this process, and a case's
world (its own mirror, served; its own data folder). Importable by the tests (their conftest
is not, under one name, when several test folders run)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from http_server import MirrorServer  # noqa: E402

from orchestration.cli import main  # noqa: E402

ALGORITHM_PAGE_PATH = "www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"
ALGORITHM_PAGE = f"https://{ALGORITHM_PAGE_PATH}"
TARGET_DIR = "www.cac.gov.cn/files/2025-05"  # the list each case breaks (10 rows)
TARGET_KEY = "algorithm_recommendation/2025-05"
FAST_HTTP = {"BEIAN_HTTP_MIN_INTERVAL": "0", "BEIAN_HTTP_RETRIES": "1", "BEIAN_HTTP_TIMEOUT": "2",
             "BEIAN_MAX_RETRY_AFTER_S": "1"}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_beian(env: dict[str, str], *args: str) -> Result:
    """`beian ARGS` in this process with exactly these BEIAN_* settings."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(("BEIAN_", "DAGSTER_HOME", "DBT_"))}
    for key in saved:
        del os.environ[key]
    os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        for key in [k for k in os.environ if k.startswith(("BEIAN_", "DAGSTER_HOME", "DBT_"))]:
            del os.environ[key]
        os.environ.update(saved)
    return Result(code, out.getvalue(), err.getvalue())


def file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def copy_mirror(corpus_mirror: Path, target: Path) -> Path:
    shutil.copytree(corpus_mirror, target, copy_function=shutil.copyfile)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return target


@dataclass
class Case:
    """One case's world: its own mirror (served), data folder and settings."""
    mirror: Path
    data: Path
    server: MirrorServer
    env: dict[str, str]

    def beian(self, *args: str, **extra_env: str) -> Result:
        return run_beian({**self.env, **extra_env}, *args)

    @property
    def published(self) -> Path:
        return self.data / "warehouse.duckdb"

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.published), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def target_file(self) -> Path:
        return next((self.mirror / TARGET_DIR).glob("*.docx"))

    def target_path(self) -> str:
        """The target list's URL path as the server sees it (decoded)."""
        return "/" + self.target_file().relative_to(self.mirror).as_posix()

    def list_rows(self) -> dict[str, int]:
        """Rows per list in the published warehouse."""
        return dict(self.query("select partition_key, rows_accepted + rows_quarantined from raw.lists "
                               "where duplicate_of is null"))

    def balance(self) -> list[tuple]:
        """Lists whose accepted + quarantined rows differ from the rows extracted."""
        return self.query("select partition_key from raw.lists where duplicate_of is null "
                          "and rows_extracted != rows_accepted + rows_quarantined")


SKIP_DIRS = {".venv", ".git", ".cache", "__pycache__", ".pytest_cache", ".hypothesis"}


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under root, but the tool caches."""
    state = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder) / name
            try:
                info = path.stat()
            except OSError:
                continue
            state[str(path)] = (info.st_size, info.st_mtime_ns)
    return state
