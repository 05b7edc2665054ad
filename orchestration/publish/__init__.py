"""What BI tools read: a DuckDB 1.x-readable copy of the warehouse, and Parquet/CSV exports
of the marts described by a Frictionless Data Package."""

from __future__ import annotations

from .compat import write_v1_copy
from .exports import ExportedFile, ExportManifest, export_marts

__all__ = ["ExportManifest", "ExportedFile", "export_marts", "write_v1_copy"]
