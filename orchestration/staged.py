"""Parsed and validated lists, staged as Parquet between validation and the warehouse load.

One folder per (bytes, parser version): ``data/staged/<sha256>/<parser version>/`` holds the
accepted rows, the quarantined rows, the non-data rows and a summary. The same bytes read by
the same code are never parsed twice, and the load reads Parquet with DuckDB (Arrow), not
row by row. A folder is written whole and renamed into place, so a reader never sees half.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

PARTS = ("accepted", "quarantined", "skipped")


@dataclass
class StagedSummary:
    key: str
    series: str
    attachment_url: str
    sha256: str
    parser_version: str
    rows_extracted: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    error: str | None = None  # the list could not be read: nothing of it loads
    failures_by_check: dict[str, int] = field(default_factory=dict)
    flags_by_check: dict[str, int] = field(default_factory=dict)
    schema_errors: list[str] = field(default_factory=list)
    quarantine_preview: list[dict] = field(default_factory=list)  # a few rows with reasons
    extra_columns: list[str] = field(default_factory=list)  # headers the series does not know, kept

    @property
    def balanced(self) -> bool:
        return self.error is not None or self.rows_extracted == self.rows_accepted + self.rows_quarantined


class StagedStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, sha256: str, parser_version: str) -> Path:
        return self.root / sha256[:2] / sha256 / parser_version

    def summary(self, sha256: str, parser_version: str) -> StagedSummary | None:
        path = self.folder(sha256, parser_version) / "summary.json"
        if not path.is_file():
            return None
        return StagedSummary(**json.loads(path.read_text(encoding="utf-8")))

    def part(self, sha256: str, parser_version: str, name: str) -> Path | None:
        """The Parquet file of one part, or None when that part has no rows."""
        path = self.folder(sha256, parser_version) / f"{name}.parquet"
        return path if path.is_file() else None

    def write(self, summary: StagedSummary, frames: dict[str, pd.DataFrame]) -> None:
        target = self.folder(summary.sha256, summary.parser_version)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
        try:
            for name, frame in frames.items():
                if frame is not None and len(frame):
                    frame.to_parquet(tmp / f"{name}.parquet", index=False, compression="zstd")
            (tmp / "summary.json").write_text(json.dumps(asdict(summary), ensure_ascii=False,
                                                         default=str), encoding="utf-8")
            if target.exists():  # an earlier, identical result: replace it whole
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
