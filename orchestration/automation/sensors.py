"""Sensors: new publications on the source, and lists dropped by hand in data/inbox.

Both request one run per new list (its partition, run_key = the attachment's SHA-256); the
marts and everything published follow by declarative automation (the conditions declared
on the assets, automation/conditions.py).
"""


import hashlib
import json

import dagster as dg

from ..catalog import ListEntry
from ..manual import IngestError, inbox_files, take_inbox_file
from ..recovery import recover
from ..resources import BeianResource
from ..scan import Scan, scan_publications
from ..series import SERIES
from ..settings import Settings
from ..vocabulary import (
    LIST_FILES, LIST_LOAD, LIST_ROWS, NOTICE_PAGES, RAW_LISTS, RAW_QUARANTINE, RAW_SKIPPED_ROWS, RAW_STATISTICS,
    raw_table_key,
)
from .partitions import LISTS, SCAN_TAG, unknown_lists
from .schedules import REFRESH_JOB

LIST_ASSETS = [dg.AssetKey(path) for path in (LIST_FILES, LIST_ROWS, LIST_LOAD, RAW_LISTS, RAW_QUARANTINE,
                                               RAW_SKIPPED_ROWS)]
PAGE_ASSETS = [dg.AssetKey(NOTICE_PAGES), dg.AssetKey(RAW_STATISTICS)]


def list_assets(series: str) -> list[dg.AssetKey]:
    """What one list's run materialises: its own series' raw table, and no other."""
    return [*LIST_ASSETS, dg.AssetKey(raw_table_key(SERIES[series].raw_table))]


def list_run_request(entry: ListEntry, scan_id: str | None, trigger: str) -> dg.RunRequest:
    # identical bytes at a second URL are the same list: that run only records the duplicate
    run_key = entry.sha256 if not entry.duplicate_of else f"{entry.sha256}:duplicate:{entry.key}"
    return dg.RunRequest(run_key=run_key, job_name=REFRESH_JOB, partition_key=entry.key,
                         asset_selection=list_assets(entry.series),
                         tags={**({SCAN_TAG: scan_id} if scan_id else {}), "beian/trigger": trigger})


def pages_fingerprint(scan: Scan) -> str:
    return hashlib.sha256("".join(sorted(p.url + p.sha256 for p in scan.pages)).encode()).hexdigest()[:16]


def publication_requests(scan: Scan, cursor: dict) -> tuple[list[dg.RunRequest], dict]:
    """The runs one look at the source asks for: one per list whose bytes are new or changed,
    one per list that failed to fetch (so the failure shows, once per error), and one for
    the notice pages when they changed. Nothing new, no run."""
    requests = [list_run_request(s.entry, scan.scan_id, "new_publications") for s in scan.pending]
    for s in scan.failed:
        error = hashlib.sha256((s.entry.fetch_error or "").encode()).hexdigest()[:12]
        requests.append(dg.RunRequest(run_key=f"failed:{s.key}:{error}", job_name=REFRESH_JOB,
                                      partition_key=s.key, asset_selection=[dg.AssetKey(LIST_FILES)],
                                      tags={"beian/trigger": "new_publications"}))
    pages = pages_fingerprint(scan)
    # a first tick has no cursor: the catalogue's previous look (`beian run`'s) is the reference
    seen = cursor.get("pages", None if scan.pages_changed else pages)
    if pages != seen or scan.errors:
        requests.append(dg.RunRequest(run_key=f"pages:{pages}:{len(scan.errors)}", job_name=REFRESH_JOB,
                                      asset_selection=PAGE_ASSETS,
                                      tags={SCAN_TAG: scan.scan_id, "beian/trigger": "new_publications"}))
    return requests, {"pages": pages, "last_scan": scan.scan_id}


def new_partitions(instance: dg.DagsterInstance, keys: list[str]) -> list[dg.AddDynamicPartitionsRequest]:
    new = unknown_lists(instance, keys)
    return [LISTS.build_add_request(new)] if new else []


def build_publications_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(name="new_publications", minimum_interval_seconds=settings.sensor_interval_s,
               job_name=REFRESH_JOB, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Looks at the source's entry pages (politely: the HTTP source's interval, "
                           "Referer and host allow-list), fetches lists it has not seen and "
                           "re-checks known ones, and requests a run for each list whose bytes are "
                           "new or changed (run_key = its SHA-256).")
    def new_publications(context: dg.SensorEvaluationContext, beian: BeianResource):
        settings = beian.settings()
        for line in recover(settings.build_warehouse_path.parent, context.instance):
            context.log.warning(f"cleaned up: {line}")  # a killed run must not block the runs asked for
        scan = scan_publications(settings, recheck=settings.sensor_recheck)
        cursor = json.loads(context.cursor) if context.cursor else {}
        requests, cursor = publication_requests(scan, cursor)
        partitions = new_partitions(context.instance, [s.key for s in scan.lists])
        if not requests:
            return dg.SensorResult(skip_reason=f"nothing new at {scan.source}",
                                   dynamic_partitions_requests=partitions, cursor=json.dumps(cursor))
        return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partitions,
                               cursor=json.dumps(cursor))

    return new_publications


@dg.sensor(name="inbox", minimum_interval_seconds=30, job_name=REFRESH_JOB,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Takes a list downloaded by hand and dropped in data/inbox with a sidecar "
                       "<file>.json ({\"series\", \"published\", \"batch\", \"label\"}) through the "
                       "same landing, validation and load as a fetched one.")
def inbox(context: dg.SensorEvaluationContext, beian: BeianResource):
    settings = beian.settings()
    requests, keys = [], []
    for path in inbox_files(settings.inbox_dir):
        try:
            entry = take_inbox_file(settings, path)
        except IngestError as exc:
            context.log.error(str(exc))
            continue
        keys.append(entry.key)
        requests.append(list_run_request(entry, None, "inbox"))
    partitions = new_partitions(context.instance, keys)
    if not requests:
        return dg.SensorResult(skip_reason="the inbox is empty", dynamic_partitions_requests=partitions)
    return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partitions)
