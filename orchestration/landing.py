"""The content-addressed raw store: every fetched byte string is kept once, by
SHA-256, before anything parses it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .parsers.tables import sniff_file_type
from .sources.base import FetchResult


@dataclass(frozen=True)
class LandedFile:
    url: str
    sha256: str
    bytes: int
    file_type: str  # sniffed from the magic bytes: zip (docx/xlsx), pdf, html
    http_status: int
    fetched_at: object  # datetime
    location: str
    is_new: bool  # False when these bytes were already in the store

    def manifest_row(self) -> dict:
        """The row of raw.manifest recording this fetch."""
        return {"url": self.url, "sha256": self.sha256, "bytes": self.bytes, "file_type": self.file_type,
                "http_status": self.http_status, "fetched_at": self.fetched_at, "fetched_from": self.location}


class RawStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store ``content`` under its hash; (sha256, whether it was new)."""
        sha = hashlib.sha256(content).hexdigest()
        path = self.path_for(sha)
        if path.exists():
            return sha, False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
        return sha, True

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def land(self, result: FetchResult) -> LandedFile:
        sha, is_new = self.put(result.content)
        return LandedFile(url=result.url, sha256=sha, bytes=len(result.content),
                          file_type=sniff_file_type(result.content), http_status=result.status,
                          fetched_at=result.fetched_at, location=result.location, is_new=is_new)
