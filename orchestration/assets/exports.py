"""Parquet exports of every mart under data/exports, written whole then renamed in,
so a BI reader never sees half a file and never touches the DuckDB file."""


import os
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ..resources import BeianResource
from ..warehouse import publish

GROUP = "exports"


def export_table(con, relation: str, target: Path) -> int:
    """COPY one relation to Parquet (zstd), then rename it into place; returns rows.

    Runs on the run's own connection: the run is the one writer, and DuckDB refuses
    a second, read-only connection to the same file within one process.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    os.replace(tmp, target)
    return int(rows)


def build_export_assets(marts: list[str]) -> list[dg.AssetsDefinition]:
    def build(mart: str) -> dg.AssetsDefinition:
        @dg.asset(key=["exports", mart], group_name=GROUP, kinds={"parquet"},
                  deps=[dg.AssetKey(["marts", mart])],
                  description=f"marts.{mart} as data/exports/{mart}.parquet, for BI tools.")
        def export(context: dg.AssetExecutionContext, beian: BeianResource,
                   duckdb: DuckDBResource) -> dg.MaterializeResult:
            target = beian.settings().exports_dir / f"{mart}.parquet"
            with duckdb.get_connection() as con:
                rows = export_table(con, f"marts.{mart}", target)
            return dg.MaterializeResult(metadata={
                "path": dg.MetadataValue.path(str(target)),
                "dagster/row_count": rows,
                "bytes": target.stat().st_size,
            })

        return export

    return [build(mart) for mart in marts]


def build_publish_asset(exports: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        key="published_warehouse", group_name=GROUP, kinds={"duckdb"},
        deps=[key for export in exports for key in export.keys],
        description="The warehouse readers and BI tools open (read-only): a copy of the build "
                    "file, swapped in whole once every model, test and export has passed.",
    )
    def published_warehouse(context: dg.AssetExecutionContext, beian: BeianResource) -> dg.MaterializeResult:
        settings = beian.settings()
        size = publish(settings.build_warehouse_path, settings.warehouse_path)
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(settings.warehouse_path)),
                                              "bytes": size})

    return published_warehouse
