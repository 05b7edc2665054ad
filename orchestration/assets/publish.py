"""What leaves the warehouse, once every model and test has passed: the exports (Parquet, CSV
and a Frictionless data package), the dbt docs, the published warehouse that readers open,
and its DuckDB 1.x copy for BI tools."""


import hashlib
import os
import time

import dagster as dg
from dagster_dbt import DbtCliResource

from ..dbt import UNRENDERED_FAVICON, dbt_project, offline_docs_page, prune_run_folders
from ..resources import WRITER_POOL, BeianResource, WarehouseResource
from ..published import PublishRefused, publish
from ..vocabulary import (
    BI_DATASETTE, BI_DBT_DOCS, BI_EXPORTS, BI_REPORT, BI_WAREHOUSE_V1, GROUP_PUBLISH, PUBLISHED_WAREHOUSE,
)

GROUP = GROUP_PUBLISH
EXPORTS_KEY = dg.AssetKey(BI_EXPORTS)
DOCS_KEY = dg.AssetKey(BI_DBT_DOCS)
REPORT_KEY = dg.AssetKey(BI_REPORT)
V1_KEY = dg.AssetKey(BI_WAREHOUSE_V1)
DATASETTE_KEY = dg.AssetKey(BI_DATASETTE)


def build_publish_assets(marts: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    @dg.asset(key=EXPORTS_KEY, group_name=GROUP, kinds={"parquet", "csv"}, deps=marts, pool=WRITER_POOL,
              description="Every mart as Parquet (zstd; column descriptions in the field metadata) "
                          "and as CSV in UTF-8 with a BOM (for Excel), with datapackage.json, a "
                          "Frictionless Data Package listing each file's schema, rows and sha256. "
                          "The folder data/exports is swapped in whole.")
    def exports(beian: BeianResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        from ..publish.exports import DATAPACKAGE, export_marts  # pyarrow: only when exporting

        out = beian.settings().exports_dir
        with duckdb.get_connection() as con:
            manifest = export_marts(con, out)
        rows = manifest.rows_by_table()
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(out)),
            "datapackage": dg.MetadataValue.path(str(out / DATAPACKAGE)),
            "tables": len(rows),
            "rows_by_table": dg.MetadataValue.json(rows),
            "bytes": sum(f.bytes for f in manifest.files),
        })

    @dg.asset(key=DOCS_KEY, group_name=GROUP, kinds={"dbt", "html"}, deps=marts, pool=WRITER_POOL,
              description="The dbt docs as one static page (dbt docs generate --static), every model "
                          "and column with its description and lineage: data/docs/index.html.")
    def dbt_docs(beian: BeianResource, dbt: DbtCliResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        target = beian.settings().docs_dir / "index.html"
        stamp = target.with_name(".manifest.sha256")
        # the page is the manifest, rendered and then made offline-clean: both make the stamp
        manifest = hashlib.sha256(dbt_project().manifest_path.read_bytes()
                                  + UNRENDERED_FAVICON.pattern.encode()).hexdigest()
        if target.is_file() and stamp.is_file() and stamp.read_text() == manifest:
            # the page describes the project (models, columns, lineage), not the rows: same
            # manifest, same page; `dbt docs generate` costs seconds a run
            return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)),
                                                  "bytes": target.stat().st_size, "regenerated": False})
        with duckdb.writer():  # dbt reads the build file from its own process
            invocation = dbt.cli(["docs", "generate", "--static"], raise_on_error=True)
            invocation.wait()
            page = invocation.target_path / "static_index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(".index.html.tmp")
            tmp.write_text(offline_docs_page(page.read_text(encoding="utf-8")), encoding="utf-8")
            os.replace(tmp, target)
            stamp.write_text(manifest)
            prune_run_folders(invocation.target_path.parent)
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)),
                                              "bytes": target.stat().st_size, "regenerated": True})

    @dg.asset(key=REPORT_KEY, group_name=GROUP, kinds={"html", "plotly"}, deps=marts, pool=WRITER_POOL,
              description="A static HTML report that works offline (Plotly's JS beside it): the "
                          "registry over time against the official totals, new filings per list, "
                          "roles, categories, provinces, the top filers, filed/cancelled/active, "
                          "and what is new in the latest list. data/report/index.html.")
    def report(beian: BeianResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        from ..publish.report import build_report  # plotly: only when drawing

        out = beian.settings().report_dir
        with duckdb.get_connection() as con:
            result = build_report(con, out)
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "charts": result.chart_count,
            "empty_charts": dg.MetadataValue.json(list(result.empty_charts)),
            "failed_charts": dg.MetadataValue.json(list(result.failed_charts)),
            "data_as_of": str(result.data_as_of),
            "bytes": result.bytes,
            "preview": dg.MetadataValue.md(result.summary_markdown()),
        })

    @dg.asset(key=dg.AssetKey(PUBLISHED_WAREHOUSE), group_name=GROUP, kinds={"duckdb"}, pool=WRITER_POOL,
              deps=[EXPORTS_KEY, DOCS_KEY, REPORT_KEY],
              description="The warehouse readers and BI tools open (read-only): a copy of the build "
                          "file, swapped in whole once every model, test and export has passed. It "
                          "is never replaced by a build with fewer rows for a list.")
    def published_warehouse(beian: BeianResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        settings = beian.settings()
        with duckdb.writer():
            try:
                size = publish(settings.build_warehouse_path, settings.warehouse_path)
            except PublishRefused as exc:
                raise dg.Failure(description=str(exc)) from None
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(settings.warehouse_path)),
                                              "bytes": size, "published_at": time.time()})

    @dg.asset(key=V1_KEY, group_name=GROUP, kinds={"duckdb"}, deps=[dg.AssetKey(PUBLISHED_WAREHOUSE)],
              description="The published warehouse in DuckDB 1.x storage (v1.4.0), readable by the "
                          "DuckDB 1.4/1.5 that BI drivers embed; table and column comments kept; "
                          "swapped in whole with each publish.")
    def warehouse_v1(beian: BeianResource) -> dg.MaterializeResult:
        from ..publish.compat import write_v1_copy

        settings = beian.settings()
        rows = write_v1_copy(settings.warehouse_path, settings.warehouse_v1_path,
                             memory_limit=settings.duckdb_memory_limit)
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(settings.warehouse_v1_path)),
                                              "tables": len(rows), "bytes": settings.warehouse_v1_path.stat().st_size})

    @dg.asset(key=DATASETTE_KEY, group_name=GROUP, kinds={"sqlite"}, deps=[dg.AssetKey(PUBLISHED_WAREHOUSE)],
              description="The published marts as SQLite for Datasette (`beian serve`): every mart, "
                          "plus registry (facets; FTS5 trigram search), numbers (a page per filing "
                          "number) and appearances, with metadata.json (dbt's descriptions, the CAC "
                          "as source, canned queries). data/datasette is swapped in whole.")
    def datasette(beian: BeianResource) -> dg.MaterializeResult:
        from ..publish.datasette import export_datasette

        settings = beian.settings()
        started = time.perf_counter()
        result = export_datasette(settings.warehouse_path, settings.datasette_dir)
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "metadata": dg.MetadataValue.path(str(result.metadata_path)),
            "rows_by_table": dg.MetadataValue.json(result.rows_by_table),
            "bytes": result.bytes, "seconds": round(time.perf_counter() - started, 2),
        })

    return [exports, dbt_docs, report, published_warehouse, warehouse_v1, datasette]
