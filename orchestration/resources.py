"""Dagster resources, built from the one Settings object."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from .catalog import Catalog
from .landing import RawStore
from .settings import Settings, load_settings
from .sources import Source, make_source
from .staged import StagedStore
from .recovery import connect_when_free, forget_run, record_run, recover, writer_lock
from .warehouse import ensure_raw_schema


class BeianResource(dg.ConfigurableResource):
    """Where publications come from and where landed bytes go: the settings, rebuilt from the
    BEIAN_* environment the definitions were built with."""

    variables: dict[str, str]  # the BEIAN_* settings ("env" is a reserved config key)

    @classmethod
    def from_settings(cls, settings: Settings) -> "BeianResource":
        return cls(variables=dict(settings.env))

    def settings(self) -> Settings:
        return load_settings(self.variables)

    def make_source(self) -> Source:
        return make_source(self.settings())

    def raw_store(self) -> RawStore:
        return RawStore(self.settings().raw_dir)

    def staged_store(self) -> StagedStore:
        return StagedStore(self.settings().staged_dir)

    def catalog(self) -> Catalog:
        return Catalog(self.settings().catalog_path)

    def prepare_raw_schema(self, con) -> None:
        """The raw tables, created. When a new layout rebuilt them empty, the catalogue forgets
        every load, so that the next look at the source loads each list again: whichever step
        of a run (or of a one-list run) meets the new layout first."""
        if ensure_raw_schema(con):
            self.catalog().forget_loads()


WRITER_POOL = "warehouse_writer"  # the steps that write the build file: one at a time (pool limit 1)


class WarehouseResource(DuckDBResource):
    """The DuckDB build file, written by one writer at a time across every process (UI runs,
    sensor runs, the CLI): each connection holds the writer lock, and a second writer waits
    at most ``wait_s`` seconds, then fails naming the file."""

    lock_path: str
    wait_s: float = 600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseResource":
        return cls(database=str(settings.build_warehouse_path), lock_path=str(settings.writer_lock_path),
                   wait_s=settings.writer_wait_s,
                   connection_config={"memory_limit": settings.duckdb_memory_limit})

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # every run (CLI, sensor, UI) records its process before its steps claim the pool,
        # and cleans up after runs whose process is gone
        if context.run_id and context.instance is not None:
            folder = Path(self.database).parent  # where every entry point keeps the records
            record_run(folder, context.run_id)
            for line in recover(folder, context.instance):
                context.log.warning(f"cleaned up: {line}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if context.run_id:
            forget_run(Path(self.database).parent, context.run_id)

    def _connect(self):
        import duckdb

        config = {"custom_user_agent": "dagster", **self.connection_config}
        return connect_when_free(lambda: duckdb.connect(self.database, read_only=False, config=config),
                                 Path(self.database), self.wait_s)

    @contextmanager
    def get_connection(self):
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(Path(self.lock_path), self.wait_s, Path(self.database)):
            con = self._connect()  # bounded: another program may hold the file
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def writer(self):
        """The lock, for a step whose writer is another program (dbt): held, and the file
        checked free of other programs (bounded), before that program starts."""
        with writer_lock(Path(self.lock_path), self.wait_s, Path(self.database)):
            self._connect().close()
            yield
