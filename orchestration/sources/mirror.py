"""A mirror directory laid out as <host>/<url path>, like ../shared/corpus/mirror."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from .base import FetchError, FetchResult, now_utc


def mirror_relative_path(url: str) -> str:
    """https://www.cac.gov.cn/files/a%20b.docx -> www.cac.gov.cn/files/a b.docx"""
    parts = urlsplit(url)
    if not parts.netloc:
        raise FetchError(f"{url}: not an absolute URL")
    return f"{parts.netloc}{unquote(parts.path) or '/'}"


class MirrorSource:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.description = f"mirror directory {self.root}"
        if not self.root.is_dir():
            raise FetchError(f"{self.root}: mirror directory not found (set BEIAN_SOURCE)")

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        path = self.root / mirror_relative_path(url)
        if path.is_dir():
            path = path / "index.htm"
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{url}: not in the mirror ({path}): {exc.strerror}") from exc
        if not content:
            raise FetchError(f"{url}: empty file in the mirror ({path})")
        return FetchResult(url=url, content=content, status=200, fetched_at=now_utc(),
                           location=str(path))
