"""Views left as they are when nothing about them changed since the last successful build.

A DuckDB view is a stored query: it reads its inputs when it is queried, so creating it again
with the same SQL changes nothing, yet costs a dbt node each (the 25 views: about 1.1 s of an
8.4 s corpus `dbt build`, and 50 Dagster events). Their tests still run, on the new rows.

The views are left only when all of these hold; otherwise every selected view is built:
- the project's view definitions are those of the last successful build: each view's file,
  config and dependencies, the project's macros, the project's files on disk, and the
  versions of dbt and its adapter;
- the build file holds the views that build left, with the same SQL;
- the tables in the build file have the same columns (DuckDB fixes a view's column types when
  the view is created, and fails a query when they differ).

The record of the last successful build lives beside the build file. It is removed before
each build and written after a successful one, so a failed or killed build leaves none, and
the next build creates every view again."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORD_SUFFIX = ".views.json"  # warehouse.build.duckdb -> warehouse.build.duckdb.views.json
VIEW_LEFT_AS_IS = ("definition unchanged since the last successful build: not created again; "
                   "it reads its inputs when queried")
VIEW_KEYS = ("checksum", "config", "depends_on", "contract", "schema", "alias", "name")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def view_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The project's models materialised as views, by unique id."""
    return {uid: node for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node.get("config", {}).get("materialized") == "view"}


def relation_name(node: Mapping[str, Any]) -> str:
    return f"{node['schema']}.{node.get('alias') or node['name']}".lower()


PROJECT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros")


def source_files_digest(project_dir: Path) -> str:
    """The project's files as dbt will read them: a file edited since the manifest was last
    parsed (`make` parses it; `beian run` alone does not) still counts."""
    files = []
    for name in PROJECT_SOURCES:
        path = project_dir / name
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return _digest([(p.relative_to(project_dir).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                    for p in files])


def project_fingerprint(manifest: Mapping[str, Any], project_dir: Path | None = None) -> str:
    """What the views' SQL is made from, on the project's side."""
    views = {uid: {k: node.get(k) for k in VIEW_KEYS} for uid, node in view_nodes(manifest).items()}
    macros = {uid: macro["macro_sql"] for uid, macro in manifest.get("macros", {}).items()
              if macro.get("package_name") == manifest["metadata"].get("project_name")}
    versions = {name: importlib.metadata.version(name) for name in ("dbt-core", "dbt-duckdb")}
    files = source_files_digest(project_dir) if project_dir else None
    return _digest({"views": views, "macros": macros, "versions": versions, "files": files})


# DuckDB keeps `* EXCLUDE (a, b)` as a set: the SQL it gives back lists the names in an order
# that changes when the file is written again (seen on 2.0.0), though the view has not.
EXCLUDE_LIST = re.compile(r"\bEXCLUDE \(([^()]*)\)", re.IGNORECASE)


def view_signature(sql: str) -> str:
    """A view's stored SQL, hashed, its EXCLUDE lists in a fixed order."""
    canonical = EXCLUDE_LIST.sub(lambda m: "EXCLUDE (" + ", ".join(sorted(n.strip() for n in m.group(1).split(","))) + ")",
                                 sql)
    return hashlib.sha256(canonical.encode()).hexdigest()


def warehouse_state(con) -> dict[str, Any]:
    """What the views' SQL is made from, on the build file's side: each view's stored SQL, and
    the columns of every table."""
    views = con.execute("select lower(schema_name || '.' || view_name), sql from duckdb_views() "
                        "where not internal and database_name = current_database()").fetchall()
    columns = con.execute("select c.table_schema, c.table_name, c.column_name, c.data_type "
                          "from information_schema.columns c join information_schema.tables t "
                          "using (table_catalog, table_schema, table_name) "
                          "where t.table_type = 'BASE TABLE' and c.table_catalog = current_database() "
                          "order by 1, 2, c.ordinal_position").fetchall()
    return {"views": {name: view_signature(sql) for name, sql in views}, "tables": _digest(columns)}


def record_path(build_file: Path) -> Path:
    return build_file.with_name(build_file.name + RECORD_SUFFIX)


def read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_record(path: Path, fingerprint: str, state: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"project": fingerprint, **state}, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def views_are_current(record: Mapping[str, Any] | None, fingerprint: str, state: Mapping[str, Any],
                      manifest: Mapping[str, Any]) -> bool:
    """The last successful build's record matches the project and the build file, and the
    build file holds every view of the project."""
    if not record or record.get("project") != fingerprint or record.get("tables") != state["tables"]:
        return False
    wanted = {relation_name(node) for node in view_nodes(manifest).values()}
    held = state["views"]
    return wanted <= held.keys() and all(record.get("views", {}).get(name) == held[name] for name in wanted)


def data_tests_of(manifest: Mapping[str, Any], parents: Iterable[str]) -> list[str]:
    """The data tests dbt's eager indirect selection takes for these selected nodes: every
    test with a selected parent."""
    selected = set(parents)
    return sorted(uid for uid, node in manifest["nodes"].items()
                  if node["resource_type"] == "test" and selected & set(node["depends_on"]["nodes"]))


def fqn_selector(node: Mapping[str, Any]) -> str:
    return ".".join(node["fqn"])


@dataclass
class ViewPlan:
    """The views a build leaves as they are, and the dbt arguments that say so."""

    left: list[str] = field(default_factory=list)  # unique ids of the views not created again
    args: list[str] = field(default_factory=list)


def plan_views(manifest: Mapping[str, Any], selected: Iterable[str], current: bool) -> ViewPlan:
    """For a build of the ``selected`` nodes (models and seeds, with all their tests): when the
    views are ``current``, leave the selected ones out and select their tests by name, with no
    indirect selection, so that excluding a view does not exclude its tests."""
    selected = set(selected)
    left = sorted(uid for uid in view_nodes(manifest) if uid in selected) if current else []
    if not left:
        return ViewPlan()
    nodes = manifest["nodes"]
    tests = data_tests_of(manifest, selected)
    args = ["--exclude", " ".join(fqn_selector(nodes[uid]) for uid in left), "--indirect-selection", "empty"]
    if tests:
        args[0:0] = ["--select", " ".join(fqn_selector(nodes[uid]) for uid in tests)]
    return ViewPlan(left=left, args=args)
