"""The Dagster Definitions: assets, checks, resources, sensors, schedules and the job.

Importing this module builds nothing, imports only Dagster and changes no environment variable
(pandera sets two at its import): the code location calls ``defs`` when it loads, and the CLI
calls ``build_definitions`` once per command."""

import dagster as dg


def build_definitions(settings=None) -> dg.Definitions:
    from .assets.checks import differences_have_known_causes, newest_list_is_recent
    from .assets.ingest import list_files, notice_pages
    from .assets.lists import list_rows
    from .assets.publish import build_publish_assets
    from .assets.warehouse import genai_statistics, list_load, raw_tables, reference_tables
    from .automation import export_run_env
    from .automation.conditions import automation_sensor
    from .automation.schedules import REFRESH_JOB, daily_refresh
    from .automation.sensors import build_publications_sensor, inbox
    from .dbt import BeianDbtCliResource, build_dbt_assets, dbt_project
    from .dbt_parse import dbt_executable
    from .resources import BeianResource, WarehouseResource
    from .settings import export_dbt_env, load_settings
    from .vocabulary import MARTS_SCHEMA

    settings = settings or load_settings()
    export_dbt_env(settings)
    export_run_env()
    project = dbt_project()
    dbt_models = build_dbt_assets()
    marts = [key for key in dbt_models.keys if key.path[0] == MARTS_SCHEMA]
    return dg.Definitions(
        assets=[notice_pages, list_files, list_rows, list_load, raw_tables, reference_tables, genai_statistics,
                dbt_models, *build_publish_assets(marts)],
        asset_checks=[differences_have_known_causes, newest_list_is_recent],
        resources={
            "beian": BeianResource.from_settings(settings),
            "duckdb": WarehouseResource.from_settings(settings),
            "dbt": BeianDbtCliResource(project_dir=project, profiles_dir=str(project.profiles_dir),
                                  dbt_executable=dbt_executable()),
        },
        jobs=[dg.define_asset_job(REFRESH_JOB, selection=dg.AssetSelection.all(),
                                  executor_def=dg.in_process_executor,
                                  description="Everything, from the notice pages to the published "
                                              "warehouse, in one process: one DuckDB writer. Run "
                                              "over every list partition, or over one.")],
        sensors=[build_publications_sensor(settings), inbox, automation_sensor],
        schedules=[daily_refresh],
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What `dagster dev` and `dagster definitions validate` load (workspace.yaml)."""
    return build_definitions()
