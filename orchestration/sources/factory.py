from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .base import Source
from .mirror import MirrorSource


def make_source(settings: Settings) -> Source:
    """The source the settings name, with their limits (allowed hosts, download cap, ...)."""
    if settings.source_kind == "mirror":
        return MirrorSource(Path(settings.source), limits=settings.limits)
    from .http import HttpSource  # requests, imported only when fetching over HTTP

    http_options = dict(timeout_s=settings.http_timeout_s, retries=settings.http_retries,
                        min_interval_s=settings.http_min_interval_s, limits=settings.limits)
    if settings.source_kind == "live":
        return HttpSource(None, **http_options)
    return HttpSource(settings.source, **http_options)
