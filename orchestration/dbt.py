"""dbt: the project (cached, its manifest prepared at build time), the translator,
the CLI arguments and the @dbt_assets."""


import importlib.metadata
import json
import os
import re
import shutil
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from packaging import version
from dagster_dbt import (
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets,
)
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

from .automation.conditions import REBUILD_ON_CHANGE
from .dbt_parse import PARTIAL_PARSE, place_parse_state
from .dbt_views import (
    VIEW_LEFT_AS_IS, ViewPlan, plan_views, project_fingerprint, read_record, record_path as views_record_path,
    view_nodes, views_are_current, warehouse_state, write_record,
)
from .resources import WRITER_POOL, WarehouseResource
from .settings import DBT_PROJECT_DIR
from .vocabulary import DBT_LAYERS, DBT_REFERENCE_LAYER, dbt_group

@cache
def dbt_project() -> DbtProject:
    """The project, its manifest prepared at build time (`make`, the test session) by `dbt
    parse`: never at import. (DbtProject.prepare_if_dev would look for `dbt` on PATH.)"""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.is_file():
        raise RuntimeError(f"{project.manifest_path} is missing: run `make` (it runs `dbt parse`) first")
    return project


class BeianDbtCliResource(DbtCliResource):
    """The dbt CLI without two costs dagster-dbt pays on every step, which this project does
    not need: `dbt --version` (the installed dbt-core's version is known) and loading dbt's
    adapter into this process (it serves fetch_row_counts; rows are counted after the build).
    Together about 4 s a run on two cores."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None


def model_layer(fqn: list[str]) -> str | None:
    """The folder layer of a dbt node from its fqn: ['beian', 'marts', 'fct_x'] -> 'marts'."""
    return fqn[1] if len(fqn) > 2 and fqn[1] in DBT_LAYERS else None


def test_description(node: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words, for the UI: its own description, else its kind and
    arguments (not_null on filing_number, relationships to dim_batch.list_id, ...)."""
    if node.get("description"):
        return node["description"]
    meta = node.get("test_metadata") or {}
    kind = meta.get("name") or node["name"]
    args = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    column = node.get("column_name")
    text = f"dbt test {kind}" + (f" on {column}" if column else "")
    if args:
        text += " (" + ", ".join(f"{k}: {str(v).replace(chr(10), ' ')[:120]}" for k, v in args.items()) + ")"
    return text


def node_asset_key(node: Mapping[str, Any] | None) -> dg.AssetKey | None:
    """A model's or seed's asset key, by layer: marts/fct_filings, reference/<seed>."""
    if node is None or node["resource_type"] not in ("model", "seed"):
        return None
    layer = DBT_REFERENCE_LAYER if node["resource_type"] == "seed" else model_layer(node["fqn"])
    return dg.AssetKey([layer, node["name"]]) if layer else None


class BeianDbtTranslator(DagsterDbtTranslator):
    """Models keyed and grouped by layer (marts/fct_filings in group dbt_marts); seeds,
    the reviewed reference data, as reference/<name> in dbt_reference; both rebuilt when
    their inputs change (REBUILD_ON_CHANGE); every dbt test a check with a description."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        key = node_asset_key(manifest["nodes"].get(unique_id))
        if key is None:
            return spec
        return spec.replace_attributes(key=key, group_name=dbt_group(key.path[0]),
                                       automation_condition=REBUILD_ON_CHANGE)

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any],
                             unique_id: str, project: DbtProject | None) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if spec is None or node is None:
            return spec
        return spec._replace(description=test_description(node))


def dbt_build_args(full_refresh: bool = False, select: str | None = None) -> list[str]:
    """Arguments of the one dbt command the pipeline runs. dbt's unit tests check the SQL, not
    the data: the test suite runs them (tests/pipeline/test_dbt_unit_tests.py), not every run."""
    args = ["build", "--exclude", "test_type:unit"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


TRANSLATOR = BeianDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
KEEP_RUN_FOLDERS = 3  # dbt's per-invocation folders kept under data/dbt (each is several MB)


def keep_partial_parse(run_target: Path, target_dir: Path) -> None:
    """dbt's parse state from this run, where the next run's dbt starts from (dagster-dbt
    copies it into each new run folder), so a run re-parses only what changed."""
    if (run_target / PARTIAL_PARSE).is_file():
        place_parse_state(run_target / PARTIAL_PARSE, target_dir)


def prune_run_folders(target_dir: Path, keep: int = KEEP_RUN_FOLDERS) -> list[Path]:
    """Remove all but the newest ``keep`` per-run dbt folders; returns those removed."""
    folders = sorted((p for p in target_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    removed = folders[:-keep] if keep else folders
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


# dbt's static page links its favicon by a webpack template never rendered in the release
# (`${require('./assets/favicons/favicon.ico')}`): browsers request that bogus path and log an
# error. An empty data: icon asks for nothing.
UNRENDERED_FAVICON = re.compile(r"""href=(["'])\$\{require\([^)]*favicon[^)]*\)\}\1""")


def offline_docs_page(html: str) -> str:
    """The static docs page with no request for a file that does not exist."""
    return UNRENDERED_FAVICON.sub('href="data:,"', html)


def relation_of(manifest: Mapping[str, Any], unique_id: str) -> str | None:
    """The table a model or seed is stored in. Views have none to count: counting one runs its
    whole query chain again (2 s of the dbt step over the staging and intermediate views)."""
    node = manifest["nodes"].get(unique_id)
    if node is None or node["resource_type"] not in ("model", "seed"):
        return None
    if node.get("config", {}).get("materialized") in ("view", "ephemeral"):
        return None
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def event_node(event) -> str | None:
    """The dbt node an event of dagster-dbt is about (its unique_id metadata)."""
    unique_id = getattr(event, "metadata", {}).get("unique_id")
    return getattr(unique_id, "value", unique_id)


def with_row_counts(events: list, manifest: Mapping[str, Any], con) -> list:
    """Each materialisation of a table with its row count (dagster/row_count)."""
    out = []
    for event in events:
        unique_id = event_node(event)
        relation = relation_of(manifest, unique_id) if unique_id else None
        if relation and isinstance(event, (dg.Output, dg.AssetMaterialization)):
            try:
                rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
                event = event.with_metadata({**event.metadata, "dagster/row_count": int(rows)})
            except Exception:  # a relation dbt did not build (its step failed): no count
                pass
        out.append(event)
    return out


FAILED_STATUSES = ("error", "fail", "runtime error")  # run_results.json: a model errored, a test failed
MAX_NAMED_FAILURES = 3


def failed_nodes(run_results: Path, limit: int = MAX_NAMED_FAILURES) -> list[str]:
    """The nodes of a dbt invocation that failed, each with dbt's message on one line, the first
    ``limit`` of them (what a one-line failure can say): from run_results.json."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    failed = [r for r in results if r.get("status") in FAILED_STATUSES]
    # dbt's message is several lines ("Runtime Error in model …", then the database's words): one line
    named = [f"{r['unique_id']}: {' '.join((r.get('message') or r['status']).split())[:300]}"
             for r in failed[:limit]]
    return named + ([f"and {len(failed) - limit} more"] if len(failed) > limit else [])


def every_node(manifest: Mapping[str, Any]) -> set[str]:
    """What dbt's default selection (fqn:*) picks from a manifest: every node and unit test."""
    return set(manifest["nodes"]) | set(manifest.get("unit_tests", {}))


@contextmanager
def default_selection_from_manifest():
    """dagster-dbt resolves even its default selection with dbt's selection engine, whose
    import (dbt.graph, networkx) is a third of the code location's own load. The default one
    is read from the manifest instead while the assets are built (tests/unit/test_dbt_load.py
    pins that both give the same nodes)."""
    from dagster_dbt import asset_utils

    engine = asset_utils.select_unique_ids

    def select(select: str, exclude: str, selector: str, project, manifest_json):
        if select in ("", "fqn:*") and not exclude and not selector:
            return every_node(manifest_json)
        return engine(select, exclude, selector, project, manifest_json)

    asset_utils.select_unique_ids = select
    try:
        yield
    finally:
        asset_utils.select_unique_ids = engine


def build_dbt_assets() -> dg.AssetsDefinition:
    with default_selection_from_manifest():
        return _build_dbt_assets()


def eagerly_selected_nodes(context: dg.AssetExecutionContext, manifest: Mapping[str, Any]) -> set[str] | None:
    """The models and seeds a run selects, by unique id, when it selects every check of them
    and no other (dbt's eager indirect selection then picks the same tests); else None."""
    assets_def = context.assets_def
    keys, checks = set(context.selected_asset_keys), set(context.selected_asset_check_keys)
    every_check = {spec.key for spec in assets_def.node_check_specs_by_output_name.values()}
    if os.environ.get("DBT_INDIRECT_SELECTION", "eager") != "eager" \
            or any(check.asset_key not in keys for check in checks) \
            or any(check.asset_key in keys and check not in checks for check in every_check):
        return None
    return {uid for uid, node in manifest["nodes"].items() if node_asset_key(node) in keys}


@dataclass
class ViewReuse:
    """Whether this build may leave the views as they are (orchestration/dbt_views.py): decided
    before dbt starts, the record of the last successful build removed meanwhile, and written
    again after a build that left every view of the project current."""

    record: Path
    fingerprint: str
    selected: set[str] | None
    current: bool

    @classmethod
    def decide(cls, context, manifest: Mapping[str, Any], duckdb: WarehouseResource) -> "ViewReuse":
        record = views_record_path(Path(duckdb.database))
        selected = eagerly_selected_nodes(context, manifest)
        reuse = cls(record, project_fingerprint(manifest, DBT_PROJECT_DIR), selected, current=False)
        if selected is not None and record.is_file():
            with duckdb.get_connection() as con:
                reuse.current = views_are_current(read_record(record), reuse.fingerprint, warehouse_state(con),
                                                  manifest)
        record.unlink(missing_ok=True)
        return reuse

    def plan(self, manifest: Mapping[str, Any]) -> ViewPlan:
        return plan_views(manifest, self.selected or (), self.current)

    def after_success(self, manifest: Mapping[str, Any], con) -> None:
        every_view_built = self.selected is not None and set(view_nodes(manifest)) <= self.selected
        if self.current or every_view_built:
            write_record(self.record, self.fingerprint, warehouse_state(con))


def left_view_outputs(context: dg.AssetExecutionContext, manifest: Mapping[str, Any], left: list[str]):
    """A materialisation for each view the build left as it is (its rows are the new ones), by
    unique id."""
    return {uid: dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(
                               node_asset_key(manifest["nodes"][uid])),
                           metadata={"unique_id": uid, "beian/view": VIEW_LEFT_AS_IS})
            for uid in left}


def ancestors(manifest: Mapping[str, Any], unique_id: str) -> set[str]:
    found, todo = set(), [unique_id]
    while todo:
        for parent in manifest["nodes"].get(todo.pop(), {}).get("depends_on", {}).get("nodes", ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def in_dependency_order(events: list, extra: Mapping[str, Any], manifest: Mapping[str, Any]) -> list:
    """dbt's events, with each extra output placed after the events of the nodes it reads:
    Dagster takes a multi-asset's outputs in dependency order. dbt's own events are in that
    order already (a node starts when its parents have finished)."""
    out = list(events)
    lineage = {uid: ancestors(manifest, uid) for uid in extra}
    for uid in sorted(extra, key=lambda uid: len(lineage[uid])):  # an ancestor has fewer ancestors
        last = max((i for i, event in enumerate(out) if event_node(event) in lineage[uid]), default=-1)
        out.insert(last + 1, extra[uid])
    return out


def _build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR,
                name="dbt_models", pool=WRITER_POOL)
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: WarehouseResource):
        # dbt writes the build file from its own process: hold the writer lock meanwhile, and
        # count rows only once dbt has let go of the file (DuckDB has one writer process).
        manifest = get_manifest_and_translator_from_dbt_assets([context.assets_def])[0]
        with duckdb.writer():
            views = ViewReuse.decide(context, manifest, duckdb)
            plan = views.plan(manifest)
            invocation = dbt.cli(dbt_build_args() + plan.args, context=context, raise_on_error=False)
            events = list(invocation.stream())
            target_dir = invocation.target_path.parent
            keep_partial_parse(invocation.target_path, target_dir)
            prune_run_folders(target_dir)
            with duckdb.get_connection() as con:
                events = with_row_counts(events, invocation.manifest, con)
                if invocation.is_successful():
                    views.after_success(manifest, con)
        yield from in_dependency_order(events, left_view_outputs(context, manifest, plan.left), manifest)
        if not invocation.is_successful():
            results = invocation.target_path / "run_results.json"
            raise dg.Failure(description=f"dbt build failed: {'; '.join(failed_nodes(results)) or 'see its log'} "
                                         f"(every result in {results})")

    return dbt_models
