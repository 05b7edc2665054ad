"""Dagster's SQLite event log, with its connections kept open between events.

Dagster's `SqliteEventLogStorage` creates a SQLAlchemy engine, opens SQLite and compiles its
statements anew for every event it stores: 3.5 ms for a log line and 7.5 ms for a
materialisation here, and a run of beian stores 400-500 events. This subclass keeps one pooled
engine per database (the index and a few run shards), so the compiled statements and the open
file are reused. The files, their schema and their locking are Dagster's own: the webserver
and daemon of `make dev`, which use the stock class, read and write the same history.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData

OPEN_SHARDS = 8  # databases kept open at once: the index and the runs in progress


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with an engine per database reused from event to event."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        """The shard's engine, made once (the caller holds the storage's lock)."""
        if self._engines_pid != os.getpid():  # a forked child must not share the parent's files
            self._engines.clear()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard),
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_SHARDS:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator:
        with self._db_lock:
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # its run files are deleted: no handle may outlive them
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


def event_storage_override(home: str) -> dict:
    """The `event_log_storage` entry of an instance's config that selects this class, with the
    config of Dagster's default event log under ``home`` (the same files); none when the home's
    dagster.yaml chooses its storage itself (a Postgres one, say), which is then left as it is."""
    import yaml
    from dagster._core.instance.ref import InstanceRef

    config = os.path.join(home, "dagster.yaml")
    if os.path.exists(config):
        with open(config, encoding="utf-8") as file:
            chosen = yaml.safe_load(file) or {}
        if any(key in chosen for key in STORAGE_KEYS):
            return {}
    default = InstanceRef.config_defaults(home)["event_log_storage"]
    return {"event_log_storage": {"module": __name__, "class": PooledSqliteEventLogStorage.__name__,
                                  "config": yaml.safe_load(default.config_yaml)}}
