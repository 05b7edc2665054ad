"""DuckDB 1.x clients, as BI drivers bundle them, in virtual environments of their own
(created once and cached, git-ignored), and a probe that reads a warehouse as a BI user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT

# Cached across sessions (git-ignored): creating one takes ~10 s and needs the package index.
BI_CLIENTS_DIR = Path(os.environ.get("BEIAN_BI_CLIENTS_DIR", PROJECT_ROOT / ".cache" / "bi-clients"))
DUCKDB_1X_VERSIONS = ("1.5.6", "1.4.5")

# Runs under any DuckDB (1.4, 1.5, 2.0): everything a BI user sees, as JSON. One checksum
# per table: md5 over the rows as text, sorted; TimeZone fixed so TIMESTAMPTZ renders alike.
PROBE = r"""
import json, sys
import duckdb

con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET TimeZone = 'UTC'")


def rows(sql):
    return con.execute(sql).fetchall()


def relation(schema, name):
    return '"' + schema.replace('"', '""') + '"."' + name.replace('"', '""') + '"'


out = {"duckdb": duckdb.__version__, "tables": {}, "columns": {}, "views": {}}
for schema, table, comment in rows(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() ORDER BY 1, 2"):
    count, checksum = rows(
        "SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) "
        "FROM " + relation(schema, table) + " AS t")[0]
    out["tables"][schema + "." + table] = {"rows": count, "checksum": checksum, "comment": comment}
for schema, table, column, data_type, comment in rows(
        "SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() ORDER BY schema_name, table_name, column_index"):
    out["columns"][schema + "." + table + "." + column] = [data_type, comment]
for schema, view, comment in rows(
        "SELECT schema_name, view_name, comment FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2"):
    count = rows("SELECT count(*) FROM " + relation(schema, view))[0][0]
    out["views"][schema + "." + view] = {"rows": count, "comment": comment}
print(json.dumps(out, ensure_ascii=False))
"""


def probe(python: Path | str, database: Path) -> subprocess.CompletedProcess[str]:
    """Run PROBE on ``database`` with ``python`` (a subprocess, so each DuckDB is its own)."""
    return subprocess.run([str(python), "-c", PROBE, str(database)], capture_output=True,
                          text=True, timeout=300)


def probe_json(python: Path | str, database: Path) -> dict:
    result = probe(python, database)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)



def client_venv(version: str) -> Path:
    home = BI_CLIENTS_DIR / f"duckdb-{version}"
    python = home / "bin" / "python"
    if _has_duckdb(python, version):
        return python
    # Built under another name and renamed in, so a half-built one is never taken for ready.
    staging = BI_CLIENTS_DIR / f".duckdb-{version}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    BI_CLIENTS_DIR.mkdir(parents=True, exist_ok=True)
    for command in ([sys.executable, "-m", "venv", str(staging)],
                    [str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet",
                     "--disable-pip-version-check", f"duckdb=={version}"]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.fail(f"could not create the DuckDB {version} client in {staging}: "
                        f"{' '.join(command)}\n{result.stderr[-2000:]}")
    shutil.rmtree(home, ignore_errors=True)  # a broken one, if any
    try:
        staging.rename(home)
    except OSError:  # another session got there first
        shutil.rmtree(staging, ignore_errors=True)
    if not _has_duckdb(python, version):
        pytest.fail(f"{python} does not import duckdb {version}")
    return python


def _has_duckdb(python: Path, version: str) -> bool:
    if not python.exists():
        return False
    result = subprocess.run([str(python), "-c", "import duckdb; print(duckdb.__version__)"],
                            capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and result.stdout.strip() == version
