"""A small DuckDB 2.0 warehouse shaped like ours (marts tables with comments, dbt-style views),
its v1 copy, and DuckDB 1.x clients in virtual environments of their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for bi_clients
from bi_clients import DUCKDB_1X_VERSIONS, client_venv, probe, probe_json  # noqa: E402

from orchestration.publish.compat import write_v1_copy  # noqa: E402

# Named warehouse.duckdb so its catalog is "warehouse", as in the views dbt writes.
WAREHOUSE_SQL = r"""
CREATE SCHEMA raw;
CREATE SCHEMA staging;
CREATE SCHEMA marts;

CREATE TABLE raw.genai_registrations (row_index INTEGER, service_name VARCHAR, registered_on_raw VARCHAR);
INSERT INTO raw.genai_registrations VALUES (1, '文心一言', '2023/8/31'), (2, '通义千问', '2023/9/1（补登）');
CREATE VIEW "warehouse"."staging"."stg_genai_registrations" AS
    SELECT row_index, service_name FROM "warehouse"."raw"."genai_registrations";
COMMENT ON VIEW staging.stg_genai_registrations IS 'Staging view (dbt materialises staging as views).';

CREATE TABLE marts.fct_registrations (
    registration_id INTEGER PRIMARY KEY,
    tier VARCHAR NOT NULL,
    serial BIGINT,
    service_name VARCHAR NOT NULL,
    filer VARCHAR,
    registration_number VARCHAR NOT NULL,
    province VARCHAR,
    registered_on DATE,
    is_supplementary BOOLEAN NOT NULL,
    remark VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL
);
INSERT INTO marts.fct_registrations VALUES
    (1, 'national_filing', 1, '文心一言', '北京百度网讯科技有限公司', 'Beijing-WenXinYiYan-20230821',
     '北京市', DATE '2023-08-31', false, NULL, TIMESTAMPTZ '2026-11-30 13:56:30+00'),
    (2, 'national_filing', 2, '智谱清言（ChatGLM）', '北京智谱华章科技有限公司', 'Beijing-ChatGLM-20230821',
     '北京市', DATE '2023-08-31', false, '', TIMESTAMPTZ '2026-11-30 13:56:30+00'),
    (3, 'local_registration', NULL, 'AI上海, "小申"', NULL, 'Shanghai-AISHANGHAI-20260828S0212',
     '上海市', NULL, true, '2023年8月更新应用产品
第二行：“引号”, 逗号', TIMESTAMPTZ '2026-11-30 21:56:30.25+08'),
    (4, 'national_filing', 263, '通义千问', '阿里云计算有限公司', 'ZheJiang-TongYiQianWen-20230901',
     '浙江省', DATE '2023-09-01', true, '（补登）', TIMESTAMPTZ '2026-11-30 13:56:30+00');
COMMENT ON TABLE marts.fct_registrations IS 'One row per gen-AI registration: 备案 (national) and 登记 (local).';
COMMENT ON COLUMN marts.fct_registrations.registration_id IS 'Surrogate key.';
COMMENT ON COLUMN marts.fct_registrations.tier IS 'national_filing (备案) or local_registration (登记).';
COMMENT ON COLUMN marts.fct_registrations.serial IS '序号: the cumulative national serial; NULL where the list has none.';
COMMENT ON COLUMN marts.fct_registrations.service_name IS '模型名称 or 应用/功能名称 as listed.';
COMMENT ON COLUMN marts.fct_registrations.filer IS '备案单位 / 登记单位.';
COMMENT ON COLUMN marts.fct_registrations.registration_number IS '备案号 or 上线编号, as printed.';
COMMENT ON COLUMN marts.fct_registrations.province IS 'Canonical province of 属地.';
COMMENT ON COLUMN marts.fct_registrations.registered_on IS '备案时间 / 登记时间 (the list''s date).';
COMMENT ON COLUMN marts.fct_registrations.is_supplementary IS 'True where the date carries （补登）.';
COMMENT ON COLUMN marts.fct_registrations.remark IS 'Notes printed with the row.';
COMMENT ON COLUMN marts.fct_registrations.loaded_at IS 'When the row was loaded (UTC).';

CREATE TABLE marts.dim_province (
    province_code VARCHAR PRIMARY KEY,
    province VARCHAR NOT NULL,
    pinyin VARCHAR,
    is_municipality BOOLEAN,
    share_of_filings DECIMAL(5, 2)
);
INSERT INTO marts.dim_province VALUES
    ('00', '国资委', 'ZhongYangQiYe', NULL, 0.50),
    ('11', '北京市', 'Beijing', true, 31.25),
    ('31', '上海市', 'Shanghai', true, 20.00),
    ('33', '浙江省', 'Zhejiang', false, NULL);
COMMENT ON TABLE marts.dim_province IS 'Provinces by GB/T 2260 code (省级行政区).';
COMMENT ON COLUMN marts.dim_province.province_code IS 'GB/T 2260 code, first two digits.';
COMMENT ON COLUMN marts.dim_province.province IS '省份 in Chinese.';
COMMENT ON COLUMN marts.dim_province.pinyin IS 'Pinyin as in registration numbers.';
COMMENT ON COLUMN marts.dim_province.is_municipality IS '直辖市?';
COMMENT ON COLUMN marts.dim_province.share_of_filings IS 'Percent of all filings.';

CREATE TABLE marts.fct_reconciliation_findings (
    finding_id VARCHAR PRIMARY KEY,
    tier VARCHAR NOT NULL,
    serial INTEGER,
    found_on DATE,
    reviewed BOOLEAN NOT NULL
);
COMMENT ON TABLE marts.fct_reconciliation_findings IS 'Differences found in the lists (none yet).';
COMMENT ON COLUMN marts.fct_reconciliation_findings.finding_id IS 'Key of the finding.';
COMMENT ON COLUMN marts.fct_reconciliation_findings.reviewed IS 'Whether a person reviewed it.';

CREATE VIEW "warehouse"."marts"."national_filings" AS
    SELECT * FROM "warehouse"."marts"."fct_registrations" WHERE tier = 'national_filing';
"""

@pytest.fixture(scope="session")
def run_probe() -> Callable[[Path | str, Path], subprocess.CompletedProcess[str]]:
    """PROBE as a fixture, so test modules need not import this conftest by name."""
    return probe


@pytest.fixture(scope="session")
def read_probe() -> Callable[[Path | str, Path], dict]:
    return probe_json


@pytest.fixture(scope="session")
def mart_tables(warehouse: Path) -> list[str]:
    """The tables of the warehouse's marts schema, as DuckDB itself lists them (views left out)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                                "WHERE schema_name = 'marts' ORDER BY table_name").fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB 2.0 file with marts tables (Chinese text, dates, integers, booleans,
    decimals, NULLs, an empty table), comments on every mart, and dbt-style views."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute(WAREHOUSE_SQL)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def v1_copy(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    target = tmp_path_factory.mktemp("published") / "warehouse_v1.duckdb"
    return target, write_v1_copy(warehouse, target)


@pytest.fixture(scope="session", params=DUCKDB_1X_VERSIONS, ids=lambda v: f"duckdb-{v}")
def duckdb_1x_python(request: pytest.FixtureRequest) -> Path:
    """The python of a virtual environment holding only duckdb==<version>, as a BI driver
    bundling DuckDB 1.x would; the project's own venv (DuckDB 2.0) is never touched."""
    return client_venv(request.param)
