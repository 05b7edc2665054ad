"""The numeric bounds that keep broken or hostile input from costing more than a clear error.

One frozen value, importable without Settings (the settings object can carry one later).
Every bound is generous for the real CAC publications: the largest real DOCX inflates
its document.xml to 6 MB at a ratio of 30:1, its longest table has 681 rows of 9 cells,
and the real attachments are at most a few MB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping

DEFAULT_ALLOWED_HOSTS = ("www.cac.gov.cn", "beian.cac.gov.cn", "cac.gov.cn")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # Fetching (sources/http.py, sources/mirror.py)
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS  # hosts a canonical URL or a redirect may name
    max_download_bytes: int = 50 * _MB  # one fetched file, after content decoding
    max_retry_after_s: float = 30.0  # a longer Retry-After fails the URL instead of waiting
    max_redirects: int = 5  # hops followed per request
    max_url_length: int = 2048  # characters of a canonical URL
    # DOCX (parsers/docx.py)
    max_docx_xml_bytes: int = 200 * _MB  # word/document.xml inflated, declared and while streaming
    max_docx_ratio: float = 200.0  # inflated / compressed size of word/document.xml
    docx_ratio_min_bytes: int = 1 * _MB  # the ratio is judged only above this inflated size
    # Tables (DOCX and PDF)
    max_rows_per_table: int = 200_000
    max_cells_per_row: int = 64
    max_pdf_pages: int = 2_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """Defaults overridden by BEIAN_<FIELD NAME IN CAPITALS>, e.g. BEIAN_MAX_DOWNLOAD_BYTES;
        BEIAN_ALLOWED_HOSTS is comma-separated. A malformed value is a ValueError naming it."""
        env = os.environ if env is None else env
        overrides: dict[str, object] = {}
        for f in fields(cls):
            name = env_var(f.name)
            raw = (env.get(name) or "").strip()
            if not raw:
                continue
            if f.name == "allowed_hosts":
                hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
                if not hosts:
                    raise ValueError(f"{name}={raw!r}: no host named")
                overrides[f.name] = hosts
                continue
            convert = float if isinstance(f.default, float) else int
            try:
                value = convert(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r}: not a number") from None
            if value < 0:
                raise ValueError(f"{name}={raw!r}: must not be negative")
            overrides[f.name] = value
        return cls(**overrides)


def env_var(field_name: str) -> str:
    """The environment variable of a Limits field: max_pdf_pages -> BEIAN_MAX_PDF_PAGES."""
    return "BEIAN_" + field_name.upper()
