"""Dagster resources built from the one Settings object."""


import dataclasses
import json
from pathlib import Path

import dagster as dg

from .landing import RawStore
from .settings import Settings
from .sources import Source, make_source


class BeianResource(dg.ConfigurableResource):
    """Where publications come from and where landed bytes go."""

    source: str
    data_dir: str
    warehouse_path: str
    entry_pages: list[str]
    http_min_interval_s: float = 1.0
    http_timeout_s: float = 30.0
    http_retries: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> "BeianResource":
        fields = dataclasses.asdict(settings)
        return cls(**{**fields, "data_dir": str(settings.data_dir),
                      "warehouse_path": str(settings.warehouse_path),
                      "entry_pages": list(settings.entry_pages)})

    def settings(self) -> Settings:
        names = [f.name for f in dataclasses.fields(Settings)]
        values = {name: getattr(self, name) for name in names}
        return Settings(**{**values, "data_dir": Path(self.data_dir),
                           "warehouse_path": Path(self.warehouse_path),
                           "entry_pages": tuple(self.entry_pages)})

    def make_source(self) -> Source:
        return make_source(self.settings())

    def raw_store(self) -> RawStore:
        return RawStore(self.settings().raw_dir)

    def manual_attachments(self) -> list[dict]:
        """Attachments an analyst added with ``beian ingest`` (kept across runs)."""
        return read_manual_registry(self.settings())


def manual_registry_path(settings: Settings) -> Path:
    return settings.data_dir / "manual" / "attachments.json"


def read_manual_registry(settings: Settings) -> list[dict]:
    path = manual_registry_path(settings)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def write_manual_registry(settings: Settings, entries: list[dict]) -> None:
    path = manual_registry_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)
