"""Lists added by hand (`beian ingest`, or a file dropped in data/inbox with a sidecar):
checked, stored once by SHA-256 and registered in the catalogue like a fetched list, so they
take the same validation, load and dbt path."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .catalog import ORIGIN_MANUAL, Catalog, ListEntry
from .landing import RawStore
from .parsers.notice_pages import list_label
from .vocabulary import SERIES_DEEP_SYNTHESIS
from .parsers.tables import DocumentError
from .series import SERIES
from .settings import Settings
from .sources.base import FetchResult, now_utc

FIRST_PUBLICATION = date(2022, 1, 1)  # the filing system opened in 2022
MANUAL_SCHEME = "manual://"


class IngestError(ValueError):
    """A hand-added list that cannot be taken: one line naming the input."""


@dataclass(frozen=True)
class ManualList:
    path: Path
    series: str
    published_on: date
    batch_no: int | None
    list_label: str


def _label(text: str) -> str | None:
    """YYYY-MM from 2026年3月 (as list names print it) or from 2026-03; None if not a month."""
    match = re.fullmatch(r"(20\d{2})-(\d{1,2})", text.strip())
    label = f"{match.group(1)}-{int(match.group(2)):02d}" if match else list_label(text)
    if label is None or not 1 <= int(label[5:]) <= 12:
        return None
    return label


def check_request(path: Path, series: str, published: str, batch: int | str | None,
                  label: str | None, today: date | None = None) -> ManualList:
    """The arguments of a hand-added list, checked; IngestError names the first bad one."""
    today = today or date.today()
    if series not in SERIES:
        raise IngestError(f"--series {series!r}: this warehouse knows {', '.join(SERIES)}")
    try:
        published_on = date.fromisoformat(str(published).strip())
    except ValueError:
        raise IngestError(f"--published {published!r}: expected a date as YYYY-MM-DD") from None
    if not FIRST_PUBLICATION <= published_on <= today + timedelta(days=1):
        raise IngestError(f"--published {published_on}: expected a date between {FIRST_PUBLICATION} and today")
    if batch is not None:
        try:
            batch = int(batch)
        except ValueError:
            raise IngestError(f"--batch {batch!r}: expected a whole number") from None
        if series != SERIES_DEEP_SYNTHESIS:
            raise IngestError(f"--batch {batch}: only deep-synthesis lists are numbered in batches (第N批)")
        if not 1 <= batch <= 999:
            raise IngestError(f"--batch {batch}: expected a batch number from 1 (第一批) up")
    month = _label(label) if label else (_label(path.stem) or published_on.strftime("%Y-%m"))
    if month is None:
        raise IngestError(f"--label {label!r}: expected the list's month as YYYY年M月 or YYYY-MM")
    if month > today.strftime("%Y-%m"):
        raise IngestError(f"--label {label or month!r}: a month in the future")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    return ManualList(path, series, published_on, batch, month)


def add_manual_list(settings: Settings, request: ManualList) -> tuple[ListEntry, int]:
    """Land the file and register it as a list; returns the entry and its data rows."""
    size = request.path.stat().st_size
    if size > settings.limits.max_download_bytes:
        raise IngestError(f"{request.path}: {size} bytes, over the {settings.limits.max_download_bytes}-byte "
                          "cap (BEIAN_MAX_DOWNLOAD_BYTES)")
    if size == 0:
        raise IngestError(f"{request.path}: an empty file")
    content = request.path.read_bytes()
    try:
        rows = SERIES[request.series].parse(content, str(request.path), settings.limits).rows
    except DocumentError as exc:
        raise IngestError(f"{exc} — check --series, or the file") from None
    if not rows:
        raise IngestError(f"{request.path}: no data rows found in the {request.series} table")
    store = RawStore(settings.raw_dir)
    landed = store.land(FetchResult(url="", content=content, status=200, fetched_at=now_utc(),
                                    location=str(request.path.resolve())))
    catalog = Catalog(settings.catalog_path)
    twin = next((e for e in catalog.entries() if e.sha256 == landed.sha256 and e.origin != ORIGIN_MANUAL), None)
    if twin is not None:
        raise IngestError(f"{request.path}: these bytes are already the list {twin.key} from "
                          f"{twin.attachment_url}; nothing to add")
    url = f"{MANUAL_SCHEME}{landed.sha256}/{request.path.name}"
    key = catalog.register(series=request.series, attachment_url=url, list_label=request.list_label,
                           batch_no=request.batch_no, published_on=request.published_on, notice_url=None,
                           link_text=request.path.stem, origin=ORIGIN_MANUAL)
    from dataclasses import replace

    entry = catalog.record_fetch(key, replace(landed, url=url))
    return entry, len(rows)


def read_sidecar(path: Path) -> dict:
    """The inbox sidecar ``<file>.json``: {"series": …, "published": "YYYY-MM-DD",
    "batch": N (deep synthesis), "label": "2026年3月"}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"{path}: not a readable JSON sidecar ({exc})") from None
    if not isinstance(data, dict):
        raise IngestError(f"{path}: the sidecar must be a JSON object")
    unknown = set(data) - {"series", "published", "batch", "label"}
    if unknown:
        raise IngestError(f"{path}: unknown sidecar keys {', '.join(sorted(unknown))}")
    if "series" not in data or "published" not in data:
        raise IngestError(f"{path}: the sidecar needs at least series and published")
    return data


def take_inbox_file(settings: Settings, path: Path) -> ListEntry:
    """One file from the inbox, with its sidecar ``<file>.json``: checked, landed, registered.
    The pair moves to inbox/done, or to inbox/rejected with the reason in ``.error.txt``."""
    sidecar = path.with_name(path.name + ".json")
    try:
        meta = read_sidecar(sidecar)
        request = check_request(path, str(meta["series"]), str(meta["published"]), meta.get("batch"),
                                meta.get("label"))
        entry, _ = add_manual_list(settings, request)
    except IngestError as exc:
        rejected = settings.inbox_dir / "rejected"
        rejected.mkdir(parents=True, exist_ok=True)
        for item in (path, sidecar):
            if item.exists():
                shutil.move(str(item), rejected / item.name)
        (rejected / f"{path.name}.error.txt").write_text(str(exc) + "\n", encoding="utf-8")
        raise
    done = settings.inbox_dir / "done"
    done.mkdir(parents=True, exist_ok=True)
    for item in (path, sidecar):
        shutil.move(str(item), done / item.name)
    return entry


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox with their sidecar (a file without one waits for it)."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix != ".json"
                  and p.with_name(p.name + ".json").is_file())
