"""The series the warehouse knows, each with its parser, pandera model and raw table.

Adding a series means adding one SeriesSpec here; the Dagster assets are built
from this registry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from .parsers.algorithm_lists import (
    SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS, parse_algorithm_tables,
)
from .parsers.docx import read_docx_tables
from .parsers.tables import DocumentError, sniff_file_type
from .schemas.algorithm_filings import (
    AlgorithmRecommendationFilingModel, DeepSynthesisFilingModel,
)

Parser = Callable[[bytes, str], list[dict]]


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    description: str
    raw_table: str
    model: type[pa.DataFrameModel]
    parse: Parser  # (file bytes, file name for messages) -> records with table/row provenance


def _algorithm_parser(series: str) -> Parser:
    def parse(content: bytes, source: str) -> list[dict]:
        kind = sniff_file_type(content)
        if kind != "zip":
            raise DocumentError(source, f"expected a DOCX list, found {kind} bytes")
        return parse_algorithm_tables(read_docx_tables(content, source), series, source)

    return parse


SERIES: dict[str, SeriesSpec] = {
    spec.name: spec
    for spec in (
        SeriesSpec(
            name=SERIES_DEEP_SYNTHESIS,
            description="Deep-synthesis algorithm filings (深度合成服务算法备案), numbered batches.",
            raw_table="deep_synthesis_filings",
            model=DeepSynthesisFilingModel,
            parse=_algorithm_parser(SERIES_DEEP_SYNTHESIS),
        ),
        SeriesSpec(
            name=SERIES_ALGORITHM_RECOMMENDATION,
            description="Algorithm-recommendation filings (互联网信息服务算法备案), one living page.",
            raw_table="algorithm_recommendation_filings",
            model=AlgorithmRecommendationFilingModel,
            parse=_algorithm_parser(SERIES_ALGORITHM_RECOMMENDATION),
        ),
    )
}

LIST_COLUMNS = ("attachment_url", "notice_url", "series", "batch_no", "list_label", "published_on",
                "link_text", "sha256", "file_type", "parser_version", "rows_extracted")


@cache
def parser_version() -> str:
    """A hash of the parsing code: a list is re-parsed when its bytes or this change."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.glob("parsers/*.py"), *package.glob("schemas/*.py"),
                        package / "series.py"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class ParsedSeries:
    rows: pd.DataFrame  # one row per extracted data row, with provenance
    lists: pd.DataFrame  # one row per list (LIST_COLUMNS), rows_extracted per list
    errors: dict[str, str]  # attachment_url -> error naming the file and row


def parse_series(spec: SeriesSpec, attachments: list[dict], read_bytes: Callable[[str], bytes]) -> ParsedSeries:
    """Parse every attachment of one series. A file that cannot be parsed is reported
    in ``errors`` (and loads nothing); the others go on."""
    frames, lists, errors = [], [], {}
    version = parser_version()
    for att in attachments:
        name = att.get("link_text") or att["attachment_url"]
        try:
            records = spec.parse(read_bytes(att["sha256"]), f"{name} <{att['attachment_url']}>")
        except DocumentError as exc:
            errors[att["attachment_url"]] = str(exc)
            continue
        frame = pd.DataFrame.from_records(records)
        frame["attachment_url"] = att["attachment_url"]
        frame["sha256"] = att["sha256"]
        frame["notice_url"] = att.get("notice_url")
        if "page" not in frame:
            frame["page"] = None
        frames.append(frame)
        lists.append({**{k: att.get(k) for k in LIST_COLUMNS}, "parser_version": version,
                      "rows_extracted": len(frame)})
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ParsedSeries(rows=rows, lists=pd.DataFrame(lists, columns=list(LIST_COLUMNS)), errors=errors)
