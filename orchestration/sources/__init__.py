"""Fetching publications: one interface, a mirror directory or HTTP behind it."""

from .base import FetchError, FetchResult, Source
from .factory import make_source

__all__ = ["FetchError", "FetchResult", "Source", "make_source"]
