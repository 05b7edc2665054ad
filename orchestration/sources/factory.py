from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .base import Source
from .mirror import MirrorSource


def make_source(settings: Settings, *, record_as: str | None = None) -> Source:
    """The source the settings name, with their limits (allowed hosts, download cap, ...).

    Against the live sites every exchange is also appended to a web archive under
    ``settings.archive_dir``, named after ``record_as`` (a scan id) or a fresh id.
    """
    kind = settings.source_kind
    if kind == "mirror":
        return MirrorSource(Path(settings.source), limits=settings.limits)
    if kind == "warc":
        from .warc import WarcSource  # warcio, imported only to replay an archive

        return WarcSource(Path(settings.source), limits=settings.limits)
    from .http import HttpSource  # requests, imported only when fetching over HTTP

    http_options = dict(timeout_s=settings.http_timeout_s, retries=settings.http_retries,
                        min_interval_s=settings.http_min_interval_s, limits=settings.limits)
    if kind == "live":
        import uuid

        from .recorder import WarcRecorder, archive_name

        recorder = WarcRecorder(settings.archive_dir / archive_name(record_as or uuid.uuid4().hex[:12]))
        return HttpSource(None, recorder=recorder, **http_options)
    return HttpSource(settings.source, **http_options)
