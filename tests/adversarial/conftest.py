"""The adversarial suite's harness: a small published warehouse (the algorithm-recommendation
living page and its 16 lists, served over real HTTP on 127.0.0.1), built once; each case gets
its own copy of the data folder and of the mirror, breaks one thing, runs the real `beian`
command in this process and checks exactly what happened."""

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
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from http_server import MirrorServer, serve_mirror  # noqa: E402

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


@pytest.fixture(scope="session")
def base(tmp_path_factory, corpus_dir):
    """The small warehouse every case starts from, published by a real `beian run`."""
    root = tmp_path_factory.mktemp("adversarial_base")
    mirror = copy_mirror(corpus_dir / "mirror", root / "mirror")
    with serve_mirror(mirror) as server:
        env = {"BEIAN_DATA_DIR": str(root / "data"), "BEIAN_SOURCE": server.base_url,
               "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, **FAST_HTTP}
        result = run_beian(env, "run")
    assert result.code == 0, result.text
    return root


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


@pytest.fixture()
def case(base, tmp_path):
    mirror = copy_mirror(base / "mirror", tmp_path / "mirror")
    data = tmp_path / "data"
    shutil.copytree(base / "data", data, ignore=shutil.ignore_patterns("*.lock"))
    with serve_mirror(mirror) as server:
        env = {"BEIAN_DATA_DIR": str(data), "BEIAN_SOURCE": server.base_url,
               "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, **FAST_HTTP}
        yield Case(mirror, data, server, env)
