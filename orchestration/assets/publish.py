"""What leaves the warehouse, once every model and test has passed: the exports (Parquet, CSV
and a Frictionless data package), the dbt docs, the report, the published warehouse that
readers open, its DuckDB 1.x copy for BI tools and the Datasette SQLite. Each step a small
asset over the plain functions of orchestration.publish; all rebuilt when their inputs change."""


import time

import dagster as dg
from dagster_dbt import DbtCliResource

from ..automation.conditions import PUBLISHED_FRESHNESS, REBUILD_ON_CHANGE
from ..dbt import dbt_project
from ..publish.dbt_docs import docs_fingerprint, generate_docs_page, page_is_current, replace_docs_page
from ..publish.published_warehouse import PublishRefused, publish
from ..resources import WRITER_POOL, BeianResource, WarehouseResource
from ..vocabulary import (
    BI_DATASETTE, BI_DBT_DOCS, BI_EXPORTS, BI_REPORT, BI_WAREHOUSE_V1, GROUP_PUBLISH, PUBLISHED_WAREHOUSE,
)

GROUP = GROUP_PUBLISH
EXPORTS_KEY = dg.AssetKey(BI_EXPORTS)
DOCS_KEY = dg.AssetKey(BI_DBT_DOCS)
REPORT_KEY = dg.AssetKey(BI_REPORT)
PUBLISHED_KEY = dg.AssetKey(PUBLISHED_WAREHOUSE)
V1_KEY = dg.AssetKey(BI_WAREHOUSE_V1)
DATASETTE_KEY = dg.AssetKey(BI_DATASETTE)


def publish_step(key: dg.AssetKey, kinds: set[str], deps: list, description: str, **extra):
    """The decorator of one publish step: its group and its automation condition."""
    return dg.asset(key=key, group_name=GROUP, kinds=kinds, deps=deps, description=description,
                    automation_condition=REBUILD_ON_CHANGE, **extra)


def file_metadata(path, **extra) -> dict:
    return {"path": dg.MetadataValue.path(str(path)), **extra}


def exports_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @publish_step(EXPORTS_KEY, {"parquet", "csv"}, marts, pool=WRITER_POOL,
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
        return dg.MaterializeResult(metadata=file_metadata(
            out, datapackage=dg.MetadataValue.path(str(out / DATAPACKAGE)), tables=len(rows),
            rows_by_table=dg.MetadataValue.json(rows), bytes=sum(f.bytes for f in manifest.files)))

    return exports


def docs_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @publish_step(DOCS_KEY, {"dbt", "html"}, marts, pool=WRITER_POOL,
                  description="The dbt docs as one static page (dbt docs generate --static), every model "
                              "and column with its description and lineage: data/docs/index.html.")
    def dbt_docs(beian: BeianResource, dbt: DbtCliResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        page = beian.settings().docs_dir / "index.html"
        fingerprint = docs_fingerprint(dbt_project().manifest_path)
        regenerated = not page_is_current(page, fingerprint)
        if regenerated:
            with duckdb.writer():  # dbt reads the build file from its own process
                replace_docs_page(page, generate_docs_page(dbt), fingerprint)
        return dg.MaterializeResult(metadata=file_metadata(page, bytes=page.stat().st_size,
                                                           regenerated=regenerated))

    return dbt_docs


def report_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @publish_step(REPORT_KEY, {"html", "plotly"}, marts, pool=WRITER_POOL,
                  description="A static HTML report that works offline (Plotly's JS beside it): the "
                              "registry over time against the official totals, new filings per list, "
                              "roles, categories, provinces, the top filers, filed/cancelled/active, "
                              "and what is new in the latest list. data/report/index.html.")
    def report(beian: BeianResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
        from ..publish.report import build_report  # plotly: only when drawing

        with duckdb.get_connection() as con:
            result = build_report(con, beian.settings().report_dir)
        return dg.MaterializeResult(metadata=file_metadata(
            result.path, charts=result.chart_count,
            empty_charts=dg.MetadataValue.json(list(result.empty_charts)),
            failed_charts=dg.MetadataValue.json(list(result.failed_charts)),
            data_as_of=str(result.data_as_of), bytes=result.bytes,
            preview=dg.MetadataValue.md(result.summary_markdown())))

    return report


@publish_step(PUBLISHED_KEY, {"duckdb"}, [EXPORTS_KEY, DOCS_KEY, REPORT_KEY], pool=WRITER_POOL,
              freshness_policy=PUBLISHED_FRESHNESS,
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
    return dg.MaterializeResult(metadata=file_metadata(settings.warehouse_path, bytes=size,
                                                       published_at=time.time()))


@publish_step(V1_KEY, {"duckdb"}, [PUBLISHED_KEY],
              description="The published warehouse in DuckDB 1.x storage (v1.4.0), readable by the "
                          "DuckDB 1.4/1.5 that BI drivers embed; table and column comments kept; "
                          "swapped in whole with each publish.")
def warehouse_v1(beian: BeianResource) -> dg.MaterializeResult:
    from ..publish.compat import write_v1_copy

    settings = beian.settings()
    rows = write_v1_copy(settings.warehouse_path, settings.warehouse_v1_path,
                         memory_limit=settings.duckdb_memory_limit)
    return dg.MaterializeResult(metadata=file_metadata(settings.warehouse_v1_path, tables=len(rows),
                                                       bytes=settings.warehouse_v1_path.stat().st_size))


@publish_step(DATASETTE_KEY, {"sqlite"}, [PUBLISHED_KEY],
              description="The published marts as SQLite for Datasette (`beian serve`): every mart, "
                          "plus registry (facets; FTS5 trigram search), numbers (a page per filing "
                          "number) and appearances, with metadata.json (dbt's descriptions, the CAC "
                          "as source, canned queries). data/datasette is swapped in whole.")
def datasette(beian: BeianResource) -> dg.MaterializeResult:
    from ..publish.datasette import export_datasette

    settings = beian.settings()
    started = time.perf_counter()
    result = export_datasette(settings.warehouse_path, settings.datasette_dir)
    return dg.MaterializeResult(metadata=file_metadata(
        result.path, metadata=dg.MetadataValue.path(str(result.metadata_path)),
        rows_by_table=dg.MetadataValue.json(result.rows_by_table),
        bytes=result.bytes, seconds=round(time.perf_counter() - started, 2)))


def build_publish_assets(marts: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    """The publish steps; those that read every mart depend on ``marts``, which the dbt
    project names only once its manifest is loaded."""
    return [exports_asset(marts), docs_asset(marts), report_asset(marts), published_warehouse,
            warehouse_v1, datasette]
