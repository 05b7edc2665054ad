"""The list catalogue: every list (attachment) beian knows, its partition key, where it came
from, the bytes last fetched and the bytes last loaded.

It is a small SQLite file beside the warehouse, not a DuckDB table, because the sensor (in the
Dagster daemon), the CLI and runs all read and write it at once, while the DuckDB build file
has one writer. Nothing here deletes a list: a list once known stays known, so a list that
drops off its page never silently disappears from the warehouse.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from .landing import LandedFile
    from .reference.notices import KnownNotice

ORIGIN_SITE = "site"
ORIGIN_MANUAL = "manual"  # `beian ingest` or the inbox

_SCHEMA = """
create table if not exists lists (
    key text primary key,
    series text not null,
    list_label text,
    batch_no integer,
    published_on text,
    attachment_url text not null unique,
    notice_url text,
    link_text text,
    origin text not null,
    sha256 text,
    file_type text,
    bytes integer,
    http_status integer,
    fetched_from text,
    fetched_at text,
    fetch_error text,
    loaded_sha256 text,
    loaded_parser_version text,
    duplicate_of text,
    first_seen_at text not null,
    last_seen_at text not null
);
create table if not exists pages (
    url text primary key,
    sha256 text not null,
    fetched_at text not null
);
create table if not exists notices (
    url text primary key,
    title text,
    published_on text,
    series text,
    first_seen_at text not null,
    last_seen_at text not null
);
create table if not exists scans (
    scan_id text primary key,
    finished_at text not null,
    record text not null
);
"""


@dataclass(frozen=True)
class ListEntry:
    key: str
    series: str
    list_label: str | None
    batch_no: int | None
    published_on: str | None  # ISO date
    attachment_url: str
    notice_url: str | None
    link_text: str | None
    origin: str
    sha256: str | None  # the bytes last fetched
    file_type: str | None
    bytes: int | None
    http_status: int | None
    fetched_from: str | None
    fetched_at: str | None
    fetch_error: str | None  # why the last fetch failed; cleared by the next good one
    loaded_sha256: str | None  # the bytes the warehouse holds for this list
    loaded_parser_version: str | None
    duplicate_of: str | None  # the key of the list with the same bytes, which is loaded instead
    first_seen_at: str
    last_seen_at: str

    @property
    def is_loaded(self) -> bool:
        return self.loaded_sha256 is not None

    def state(self, parser_version: str | None = None) -> str:
        """new, changed, unchanged, failed or duplicate, against what the warehouse holds.
        With ``parser_version``, a list parsed by other code counts as changed."""
        if self.fetch_error:
            return "failed"
        if self.duplicate_of:
            return "duplicate" if not self.is_loaded else "changed"  # its rows must go
        if not self.is_loaded:
            return "new"
        if self.sha256 != self.loaded_sha256:
            return "changed"
        if parser_version is not None and self.loaded_parser_version != parser_version:
            return "changed"
        return "unchanged"


_COLUMNS = [f.name for f in fields(ListEntry)]
_KEY_UNSAFE = re.compile(r"[^0-9A-Za-z_\-./:]+")


CONFLICT = "conflict: "  # how a fetch_error that _settle wrote begins (it alone clears it)


def _same_claim(a: sqlite3.Row, b: sqlite3.Row) -> bool:
    """One identity: series and month, and the batch where both name one."""
    return (a["series"], a["list_label"]) == (b["series"], b["list_label"]) and (
        a["batch_no"] is None or b["batch_no"] is None or a["batch_no"] == b["batch_no"])


def _claim(row: sqlite3.Row) -> str:
    batch = f" batch {row['batch_no']}" if row["batch_no"] is not None else ""
    return f"<{row['attachment_url']}> as {row['series']} {row['list_label'] or 'undated'}{batch}"


def _settle(con: sqlite3.Connection, sha256: str) -> None:
    """The lists holding the same bytes. Under one identity they are one list (a repeat): the
    first registered keeps the bytes, a list from the site before one added by hand, and
    the others are its duplicates. Under two identities nobody can tell which is right
    (a deep-synthesis link serving an algorithm list, a month's link serving another
    month's file): every one of them fails, naming all the URLs and claims, and keeps its
    last good load."""
    rows = con.execute(f"""select key, series, list_label, batch_no, attachment_url from lists
                           where sha256 = ? and (fetch_error is null or fetch_error like '{CONFLICT}%')
                           order by origin = '{ORIGIN_MANUAL}', first_seen_at, key""", [sha256]).fetchall()
    if all(_same_claim(rows[0], row) for row in rows[1:]):
        for i, row in enumerate(rows):
            con.execute(f"""update lists set duplicate_of = ?, fetch_error = case when fetch_error like
                            '{CONFLICT}%' then null else fetch_error end where key = ?""",
                        [rows[0]["key"] if i else None, row["key"]])
        return
    error = (f"{CONFLICT}the same bytes (sha256 {sha256[:12]}) are claimed by "
             + " and by ".join(_claim(row) for row in rows)
             + "; none of them is loaded until the source tells them apart (their last good rows stay)")
    con.executemany("update lists set fetch_error = ?, duplicate_of = null where key = ?",
                    [(error, row["key"]) for row in rows])


def partition_key(series: str, label: str | None) -> str:
    """The readable partition key of a list: ``deep_synthesis/2026-01``."""
    return f"{series}/{_KEY_UNSAFE.sub('_', label or 'undated')}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Catalog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._batch: sqlite3.Connection | None = None
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # a short transaction per call (readers and writers in other processes wait up to
        # 30 s), or the one transaction of a batch
        if self._batch is not None:
            yield self._batch
            return
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        try:
            with con:
                yield con
        finally:
            con.close()

    @contextmanager
    def batch(self) -> Iterator["Catalog"]:
        """Many reads and writes in one transaction: a scan of a thousand lists commits once,
        not a thousand times."""
        if self._batch is not None:
            yield self
            return
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        self._batch = con
        try:
            with con:
                yield self
        finally:
            self._batch = None
            con.close()

    # ------------------------------------------------------------------ reads

    def entries(self) -> list[ListEntry]:
        with self._connect() as con:
            rows = con.execute(f"select {', '.join(_COLUMNS)} from lists order by first_seen_at, key").fetchall()
        return [ListEntry(*row) for row in rows]

    def get(self, key: str) -> ListEntry | None:
        with self._connect() as con:
            row = con.execute(f"select {', '.join(_COLUMNS)} from lists where key = ?", [key]).fetchone()
        return ListEntry(*row) if row else None

    def known_notices(self) -> list["KnownNotice"]:
        """Every filing notice a scan has read (the column walk's memory)."""
        from .reference.notices import KnownNotice

        with self._connect() as con:
            rows = con.execute("select url, title, series, published_on from notices order by url").fetchall()
        return [KnownNotice(url=r[0], title=r[1] or "", series=r[2],
                            published_on=date.fromisoformat(r[3]) if r[3] else None) for r in rows]

    def page_hashes(self) -> dict[str, str]:
        with self._connect() as con:
            return dict(con.execute("select url, sha256 from pages").fetchall())

    # ------------------------------------------------------------------ writes

    def register(self, *, series: str, attachment_url: str, list_label: str | None,
                 batch_no: int | None, published_on: date | str | None, notice_url: str | None,
                 link_text: str | None, origin: str = ORIGIN_SITE) -> str:
        """The key of the list at ``attachment_url``, registering it when new.

        A known URL keeps its key (its notice details are refreshed). A new list takes
        ``series/label``, or ``series/label-2`` … when another list already has that key.
        """
        published = published_on.isoformat() if isinstance(published_on, date) else published_on
        now = _now()
        with self._connect() as con:
            row = con.execute("select key from lists where attachment_url = ?", [attachment_url]).fetchone()
            if row is not None:
                con.execute("""update lists set notice_url = coalesce(?, notice_url),
                               link_text = coalesce(?, link_text), published_on = coalesce(?, published_on),
                               batch_no = coalesce(?, batch_no), last_seen_at = ? where key = ?""",
                            [notice_url, link_text, published, batch_no, now, row["key"]])
                return row["key"]
            base = partition_key(series, list_label)
            taken = {r[0] for r in con.execute("select key from lists where key = ? or key like ?",
                                               [base, base + "-%"])}
            key, n = base, 1
            while key in taken:
                n += 1
                key = f"{base}-{n}"
            con.execute(f"insert into lists ({', '.join(_COLUMNS)}) values ({', '.join('?' * len(_COLUMNS))})",
                        [key, series, list_label, batch_no, published, attachment_url, notice_url,
                         link_text, origin, *([None] * 10), now, now])
            return key

    def record_fetch(self, key: str, landed: "LandedFile") -> ListEntry:
        """The bytes just fetched for ``key``; then the lists holding these bytes (and those
        holding its previous bytes) are settled again: see ``_settle``."""
        now = _now()
        sha256 = landed.sha256
        with self._connect() as con:
            before = con.execute("select sha256 from lists where key = ?", [key]).fetchone()
            con.execute("""update lists set sha256 = ?, file_type = ?, bytes = ?, http_status = ?,
                           fetched_from = ?, fetched_at = ?, fetch_error = null, last_seen_at = ?
                           where key = ?""",
                        [sha256, landed.file_type, landed.bytes, landed.http_status, landed.location,
                         landed.fetched_at.isoformat(), now, key])
            for digest in {sha256, before[0] if before else None} - {None}:
                _settle(con, digest)
        return self.get(key)

    def record_fetch_error(self, key: str, error: str) -> None:
        now = _now()
        with self._connect() as con:
            con.execute("update lists set fetch_error = ?, fetched_at = ?, last_seen_at = ? where key = ?",
                        [error, now, now, key])

    def record_load(self, key: str, sha256: str | None, parser_version: str | None) -> None:
        """What the warehouse now holds for ``key`` (None: nothing, e.g. a duplicate unloaded)."""
        with self._connect() as con:
            con.execute("update lists set loaded_sha256 = ?, loaded_parser_version = ? where key = ?",
                        [sha256, parser_version, key])

    def forget_loads(self) -> None:
        """The warehouse was rebuilt from nothing: every list must be loaded again."""
        with self._connect() as con:
            con.execute("update lists set loaded_sha256 = null, loaded_parser_version = null")

    def save_scan(self, scan_id: str, record: dict) -> None:
        """What a scan saw (pages, notices, errors), for the run it starts."""
        with self._connect() as con:
            con.execute("insert or replace into scans values (?, ?, ?)",
                        [scan_id, _now(), json.dumps(record, ensure_ascii=False, default=str)])
            # keep the last few: a run reads only its own
            con.execute("delete from scans where scan_id not in "
                        "(select scan_id from scans order by finished_at desc limit 20)")

    def record_notices(self, notices: list[dict]) -> None:
        now = _now()
        with self._connect() as con:
            con.executemany("""insert into notices values (?, ?, ?, ?, ?, ?)
                               on conflict (url) do update set title = excluded.title,
                               published_on = excluded.published_on, series = excluded.series,
                               last_seen_at = excluded.last_seen_at""",
                            [(n["notice_url"], n["title"], str(n["published_on"]) if n["published_on"] else None,
                              n["series"], now, now) for n in notices])

    def latest_scan(self) -> dict | None:
        with self._connect() as con:
            row = con.execute("select record from scans order by finished_at desc limit 1").fetchone()
        return json.loads(row[0]) if row else None

    def load_scan(self, scan_id: str) -> dict | None:
        with self._connect() as con:
            row = con.execute("select record from scans where scan_id = ?", [scan_id]).fetchone()
        return json.loads(row[0]) if row else None

    def record_pages(self, pages: dict[str, str]) -> int:
        """Page URL -> sha256 of this scan; returns how many are new or changed."""
        now = _now()
        known = self.page_hashes()
        changed = sum(1 for url, sha in pages.items() if known.get(url) != sha)
        with self._connect() as con:
            con.executemany("""insert into pages (url, sha256, fetched_at) values (?, ?, ?)
                               on conflict (url) do update set sha256 = excluded.sha256,
                               fetched_at = excluded.fetched_at""",
                            [(url, sha, now) for url, sha in pages.items()])
        return changed
