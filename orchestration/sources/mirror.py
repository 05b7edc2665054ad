"""A mirror directory laid out as <host>/<url path>, like ../shared/corpus/mirror.

A URL with a query reads a file of its own: the query, percent-encoded whole (``/`` included),
follows a ``?`` in the file name, so ``downloadfile.jsp?filepath=a/b&fText=x`` reads
``downloadfile.jsp?filepath%3Da%2Fb%26fText%3Dx``. Two URLs that differ only in their query never
read the same file, and no query can name a folder.

URLs are not trusted: a path that would leave the mirror root (``..`` after
percent-decoding, a symlink pointing elsewhere), a NUL byte, a backslash, an
over-long path, an empty file or a file over the download cap is a FetchError
naming the URL, and nothing outside the root is ever opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..limits import Limits
from .base import FetchError, FetchResult, check_url_text, now_utc, short_url


def mirror_relative_path(url: str) -> str:
    """https://www.cac.gov.cn/files/a%20b.docx -> www.cac.gov.cn/files/a b.docx (a query is
    kept, encoded, in the file name: see the module's docstring)

    Refuses (FetchError) what no canonical URL holds and what could climb out of the
    host's folder: ``.``/``..`` segments after decoding, backslashes and NUL bytes.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unbalanced [ in the host
        raise FetchError(f"{short_url(url)}: not a valid URL ({exc})") from exc
    if not parts.netloc:
        raise FetchError(f"{short_url(url)}: not an absolute URL")
    relative = f"{parts.netloc}{unquote(parts.path) or '/'}"
    if parts.query:
        relative += "?" + quote(parts.query, safe="")
    if "\x00" in relative or "\\" in relative:
        raise FetchError(f"{short_url(url)}: refused: a NUL byte or backslash in the path")
    if any(segment in (".", "..") for segment in relative.split("/")):
        raise FetchError(f"{short_url(url)}: refused: the path has '.' or '..' segments")
    return relative


class MirrorSource:
    def __init__(self, root: Path, limits: Limits | None = None):
        self.root = Path(root)
        self.limits = limits or Limits.from_env()
        self.description = f"mirror directory {self.root}"
        if not self.root.is_dir():
            raise FetchError(f"{self.root}: mirror directory not found (set BEIAN_SOURCE)")
        self._resolved_root = self.root.resolve()

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        check_url_text(url, self.limits)
        relative = mirror_relative_path(url)
        try:
            path = self._inside_root(url, self.root / relative)
            if path.is_dir():
                path = self._inside_root(url, path / "index.htm")
            content = self._read_capped(url, path)
        except OSError as exc:  # missing, unreadable, a name too long, a symlink loop
            raise FetchError(f"{url}: not in the mirror ({self.root / relative}): "
                             f"{exc.strerror or exc}") from exc
        if not content:
            raise FetchError(f"{url}: empty file in the mirror ({path})")
        return FetchResult(url=url, content=content, status=200, fetched_at=now_utc(),
                           location=str(path))

    def _inside_root(self, url: str, path: Path) -> Path:
        """The path with every symlink resolved, refused unless it stays under the root."""
        try:
            resolved = path.resolve()
        except RuntimeError as exc:  # pathlib's word for a symlink loop
            raise FetchError(f"{url}: refused: {path} is a symlink loop") from exc
        if not resolved.is_relative_to(self._resolved_root):
            raise FetchError(f"{url}: refused: {path} leads outside the mirror root")
        return resolved

    def _read_capped(self, url: str, path: Path) -> bytes:
        cap = self.limits.max_download_bytes
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > cap:
                raise FetchError(f"{url}: {size} bytes in the mirror ({path}), over the {cap}-byte cap")
            content = file.read(cap + 1)  # a file that grew since fstat is still capped
        if len(content) > cap:
            raise FetchError(f"{url}: more than {cap} bytes in the mirror ({path}), over the cap")
        return content
