"""`make dev`'s UI for real: `dagster dev` on a free port, the lineage over GraphQL, a
read-only query while it is up, and a run launched through it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from dagster_graphql import DagsterGraphQLClient

from orchestration.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
LINEAGE = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(corpus_run, tmp_path_factory):
    port = free_port()
    # a copy of the corpus run's data folder: its warehouse, list catalogue and run history
    # (partitions included), so that what the UI writes leaves the shared corpus run alone
    data = tmp_path_factory.mktemp("ui") / "data"
    shutil.copytree(corpus_run.settings.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    home = data / "dagster_home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BEIAN_", "DBT_"))},
           "BEIAN_DATA_DIR": str(data), "BEIAN_SOURCE": corpus_run.settings.source,
           "DAGSTER_HOME": str(home),
           "PATH": "/usr/bin:/bin"}  # no venv on PATH: dbt is found beside the Python
    log = open(home / "dagster_dev.log", "w")
    # its own process group: dagster dev spawns a code server and a daemon that outlive a plain kill
    process = subprocess.Popen([str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
                                "-p", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{url}/server_info", timeout=2).ok:
                    nodes = requests.post(f"{url}/graphql", json={"query": LINEAGE}, timeout=30).json()
                    if nodes.get("data", {}).get("assetNodes"):
                        break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dagster dev did not come up; see {home / 'dagster_dev.log'}")
            time.sleep(1)
        yield url, port, env
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: how dagster dev is meant to stop
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_ui_shows_one_connected_lineage(dagster_ui):
    url, _, _ = dagster_ui
    nodes = requests.post(f"{url}/graphql", json={"query": LINEAGE}, timeout=30).json()["data"]["assetNodes"]
    deps = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes}

    def ancestors(key: str) -> set[str]:
        seen, todo = set(), [key]
        while todo:
            for parent in deps.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    chains = [
        ["notice_pages", "list_files", "list_rows", "raw/genai_registrations",
         "staging/stg_genai_registrations", "intermediate/int_genai_registrations",
         "marts/fct_registrations", "bi/exports", "published_warehouse", "bi/warehouse_v1"],
        ["notice_pages", "raw/genai_statistics", "staging/stg_genai_statistics",
         "intermediate/int_genai_reconciliation", "marts/fct_reconciliation", "bi/exports"],
        ["list_rows", "raw/cancellations", "staging/stg_cancellations", "intermediate/int_cancellations",
         "marts/fct_cancellations", "bi/dbt_docs"],
        ["intermediate/int_cancellations", "intermediate/int_entity_names", "intermediate/int_entity_members",
         "marts/dim_entity", "marts/fct_entity_profile", "bi/exports"],
    ]
    for chain in chains:
        for child, parent in zip(chain[1:], chain):
            assert parent in ancestors(child), (parent, child)
    for published in [k for k in deps if k.startswith("bi/")] + ["published_warehouse"]:
        assert "notice_pages" in ancestors(published), published


def test_read_only_query_works_while_the_ui_is_open(dagster_ui):
    _, _, env = dagster_ui
    done = subprocess.run([str(BIN / "beian"), "query",
                           "select batch_no, count(*) from marts.fct_filings where series = 'deep_synthesis' "
                           "group by 1 order by 1", "--format", "json"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"count_star()": 572' in done.stdout and '"batch_no": 15' in done.stdout


def test_a_partition_run_launched_from_the_ui_succeeds(dagster_ui):
    _, port, _ = dagster_ui
    client = DagsterGraphQLClient("127.0.0.1", port_number=port)
    run_id = client.submit_job_execution(
        "refresh_all", repository_location_name="orchestration.definitions",
        repository_name="__repository__", tags={"dagster/partition": "genai/2026-04"},
        asset_selection=[["list_files"], ["list_rows"], ["list_load"], ["raw", "lists"], ["raw", "quarantine"],
                         ["raw", "skipped_rows"], ["raw", "genai_registrations"]])
    deadline = time.monotonic() + 240
    status = None
    while time.monotonic() < deadline:
        status = client.get_run_status(run_id).value
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    assert status == "SUCCESS"


def _dismiss_community_modal(page) -> None:
    """A first visit to the Dagster UI may greet with a modal; close it if it is there."""
    for label in ("Dismiss", "Skip", "Close", "No thanks"):
        button = page.get_by_role("button", name=label)
        if button.count():
            button.first.click()
            return
    page.keyboard.press("Escape")


def test_the_ui_in_a_real_browser(dagster_ui, browser, tmp_path_factory):
    url, _, _ = dagster_ui
    shots = tmp_path_factory.mktemp("ui_screenshots")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for browser
    from browser import open_page, wait_for_markup

    with open_page(browser, offline=True, width=1600, height=1000) as (page, log):
        # the global lineage, with the groups of the data's path
        page.goto(f"{url}/asset-groups", wait_until="domcontentloaded")
        page.wait_for_timeout(1500)
        _dismiss_community_modal(page)
        for group in ("ingest", "validate", "warehouse", "dbt_marts", "publish"):
            page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "lineage.png"))

        # a mart: its row count and its checks
        page.goto(f"{url}/assets/marts/fct_registrations", wait_until="domcontentloaded")
        _dismiss_community_modal(page)
        page.get_by_text("Row count").first.wait_for(timeout=60_000)
        page.get_by_text("1,397").first.wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "fct_registrations.png"))
        page.goto(f"{url}/assets/marts/fct_registrations?view=checks", wait_until="domcontentloaded")
        # the check names are middle-truncated on screen; the page carries them whole
        wait_for_markup(page, "accepted_values_fct_registrations_service_kind")
        page.get_by_text("relationships_fct_registrations", exact=False).first.wait_for(state="attached")
        page.screenshot(path=str(shots / "fct_registrations_checks.png"))

        # the sensor and the schedule on the automation page
        page.goto(f"{url}/automation", wait_until="domcontentloaded")
        _dismiss_community_modal(page)
        for name in ("new_publications", "inbox", "daily_refresh", "automation"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "automation.png"))

        # the list partitions of the partitioned assets
        page.goto(f"{url}/assets/list_rows?view=partitions", wait_until="domcontentloaded")
        page.get_by_text("Materialized (46)").first.wait_for(timeout=60_000)
        page.get_by_text("algorithm_recommendation/2022-08").first.wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "partitions.png"))
    print(f"screenshots: {shots}")
    uncaught = [error for error in log.console_errors if error.startswith("uncaught:")]
    assert uncaught == [], f"the Dagster UI threw: {uncaught}"
