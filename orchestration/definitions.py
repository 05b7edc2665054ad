"""The Dagster Definitions: assets, checks, resources and the job, nothing else."""


import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from .assets.exports import build_export_assets, build_publish_asset
from .assets.ingest import landed_files, notice_pages
from .assets.reconciliation import differences_have_known_causes
from .assets.series import all_series_assets
from .assets.statistics import genai_statistics
from .assets.warehouse import load_warehouse
from .dbt import build_dbt_assets, dbt_project, mart_names
from .resources import BeianResource
from .settings import Settings, export_dbt_env, load_settings

REFRESH_JOB = "refresh_all"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or load_settings()
    export_dbt_env(settings)
    project = dbt_project()
    exports = build_export_assets(mart_names(project))
    return dg.Definitions(
        assets=[notice_pages, landed_files, *all_series_assets(), genai_statistics, load_warehouse,
                build_dbt_assets(), *exports, build_publish_asset(exports)],
        asset_checks=[differences_have_known_causes],
        resources={
            "beian": BeianResource.from_settings(settings),
            "duckdb": DuckDBResource(database=str(settings.build_warehouse_path)),
            "dbt": DbtCliResource(project_dir=project, profiles_dir=str(project.profiles_dir)),
        },
        jobs=[dg.define_asset_job(REFRESH_JOB, selection=dg.AssetSelection.all(),
                                  executor_def=dg.in_process_executor,
                                  description="Everything, from notice pages to Parquet exports, "
                                              "in one process: one DuckDB writer at a time.")],
        executor=dg.in_process_executor,
    )


defs = build_definitions()
