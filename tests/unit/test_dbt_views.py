"""Views left as they are: when (the record of the last successful build against the project
and the build file), and what dbt then runs (the same tests as dbt's own eager selection)."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest
from dagster_dbt.utils import select_unique_ids

from orchestration.dbt import in_dependency_order
from orchestration.dbt_views import (
    data_tests_of, fqn_selector, plan_views, project_fingerprint, read_record, record_path, view_nodes,
    view_signature, views_are_current, warehouse_state, write_record,
)


@pytest.fixture(scope="module")
def manifest(dbt_manifest) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def build_file(path, manifest) -> duckdb.DuckDBPyConnection:
    """A build file holding the project's views (each a stand-in query) over one table."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists raw; create table if not exists raw.lists (list_id varchar)")
    for node in view_nodes(manifest).values():
        con.execute(f'create schema if not exists "{node["schema"]}"')
        con.execute(f'create or replace view "{node["schema"]}"."{node["name"]}" as '
                    "select * exclude (list_id), 1 as one from (select list_id, 2 as two from raw.lists)")
    return con


def test_the_views_are_current_only_when_project_file_and_tables_match_the_record(manifest, tmp_path):
    con = build_file(tmp_path / "w.duckdb", manifest)
    fingerprint, state = project_fingerprint(manifest), warehouse_state(con)
    record = record_path(tmp_path / "w.duckdb")
    write_record(record, fingerprint, state)
    assert record.name == "w.duckdb.views.json"
    assert views_are_current(read_record(record), fingerprint, warehouse_state(con), manifest)

    assert not views_are_current(None, fingerprint, state, manifest)  # no record: a failed or first build
    assert not views_are_current(read_record(record), "another project", state, manifest)
    con.execute("alter table raw.lists add column series varchar")  # a view's column types are fixed
    assert not views_are_current(read_record(record), fingerprint, warehouse_state(con), manifest)
    con.execute("alter table raw.lists drop column series")
    assert views_are_current(read_record(record), fingerprint, warehouse_state(con), manifest)
    con.execute('create or replace view staging.stg_lists as select 1 as one')  # replaced by someone
    assert not views_are_current(read_record(record), fingerprint, warehouse_state(con), manifest)
    con.execute("drop view staging.stg_lists")  # gone
    assert not views_are_current(read_record(record), fingerprint, warehouse_state(con), manifest)
    record.write_text("not json")
    assert read_record(record) is None


def test_the_project_fingerprint_follows_a_views_sql_and_the_projects_macros(manifest):
    fingerprint = project_fingerprint(manifest)
    changed = json.loads(json.dumps(manifest))
    changed["nodes"]["model.beian.stg_lists"]["checksum"]["checksum"] = "edited"
    assert project_fingerprint(changed) != fingerprint
    changed = json.loads(json.dumps(manifest))
    macro = next(uid for uid, m in changed["macros"].items() if m["package_name"] == "beian")
    changed["macros"][macro]["macro_sql"] += " "
    assert project_fingerprint(changed) != fingerprint
    changed = json.loads(json.dumps(manifest))
    changed["nodes"]["model.beian.fct_filings"]["checksum"]["checksum"] = "edited"  # a table: rebuilt anyway
    assert project_fingerprint(changed) == fingerprint


def test_the_project_fingerprint_follows_the_files_dbt_will_read(manifest, tmp_path):
    import shutil

    from orchestration.settings import DBT_PROJECT_DIR

    project = tmp_path / "dbt_project"
    for name in ("dbt_project.yml", "profiles.yml"):
        project.mkdir(exist_ok=True)
        shutil.copyfile(DBT_PROJECT_DIR / name, project / name)
    for name in ("models", "macros"):
        shutil.copytree(DBT_PROJECT_DIR / name, project / name)
    fingerprint = project_fingerprint(manifest, project)
    assert project_fingerprint(manifest, project) == fingerprint
    view = project / "models" / "staging" / "stg_lists.sql"
    view.write_text(view.read_text(encoding="utf-8") + "\n-- edited, not parsed yet\n", encoding="utf-8")
    assert project_fingerprint(manifest, project) != fingerprint  # the manifest alone would not show it


def test_an_exclude_lists_order_is_not_a_change():
    assert view_signature('SELECT * EXCLUDE (b, a) FROM t') == view_signature('SELECT * EXCLUDE (a, b) FROM t')
    assert view_signature('SELECT * EXCLUDE (a) FROM t') != view_signature('SELECT * EXCLUDE (b) FROM t')
    assert view_signature('SELECT a FROM t') != view_signature('SELECT b FROM t')


def dbt_eager(manifest, selected: set[str]) -> set[str]:
    """What dbt itself builds for these nodes (eager indirect selection), unit tests aside."""
    names = " ".join(fqn_selector(manifest["nodes"][uid]) for uid in sorted(selected))
    return set(select_unique_ids(names, "test_type:unit", "", None, manifest))


@pytest.mark.parametrize("roots", [None, ("model.beian.stg_deep_synthesis_filings",)])
def test_leaving_the_views_out_runs_the_tests_dbt_would(manifest, roots):
    models = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    if roots:  # what a one-list update selects: what reads that series' table, and the seeds
        children = {uid: {c for c, n in manifest["nodes"].items() if uid in n["depends_on"].get("nodes", ())}
                    for uid in models}
        selected, todo = set(), list(roots)
        while todo:
            uid = todo.pop()
            selected.add(uid)
            todo += [c for c in children.get(uid, ()) if c in models and c not in selected]
        selected |= {uid for uid in models if uid.startswith("seed.")}
    else:
        selected = models
    plan = plan_views(manifest, selected, current=True)
    views = set(view_nodes(manifest)) & selected
    assert set(plan.left) == views and views
    runs = (selected - views) | set(data_tests_of(manifest, selected))
    assert runs == dbt_eager(manifest, selected) - views
    assert plan.args[:1] == ["--select"] and plan.args[-2:] == ["--indirect-selection", "empty"]
    assert plan_views(manifest, selected, current=False).args == []  # not current: dbt's own selection


def test_a_left_views_output_comes_after_what_it_reads_and_before_what_reads_it(manifest):
    def event(uid: str) -> dg.Output:
        return dg.Output(None, output_name=uid.split(".")[-1], metadata={"unique_id": uid})

    seed, view, mart = "seed.beian.algorithm_types", "model.beian.stg_lists", "model.beian.fct_filings"
    reader = next(uid for uid, n in manifest["nodes"].items() if view in n["depends_on"].get("nodes", ())
                  and n["config"].get("materialized") == "view")
    events = [event("model.beian.dim_period"), event(mart)]
    ordered = in_dependency_order(events, {reader: event(reader), view: event(view)}, manifest)
    names = [e.output_name for e in ordered]
    assert names.index("stg_lists") < names.index(reader.split(".")[-1]) < names.index("fct_filings")
    assert in_dependency_order([event(seed)], {}, manifest)[0].output_name == "algorithm_types"
