"""The series the warehouse knows, each with its parser, pandera model and raw table.

Adding a series means adding one SeriesSpec here; the Dagster assets are built
from this registry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from .parsers.algorithm_lists import parse_algorithm_tables
from .parsers.docx import read_docx_tables
from .parsers.genai import parse_genai_document, registration_fields
from .parsers.notice_pages import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI
from .parsers.tables import DocumentError, sniff_file_type
from .schemas.algorithm_filings import (
    AlgorithmRecommendationFilingModel, DeepSynthesisFilingModel,
)
from .schemas.genai_registrations import GenaiRegistrationModel, GenaiRegistrationQualityModel

@dataclass
class ParsedDocument:
    rows: list[dict]  # data rows, each with table_index, row_index (and page for PDF)
    skipped_rows: list[dict] = field(default_factory=list)  # non-data rows kept for the record


Parser = Callable[[bytes, str], ParsedDocument]


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    description: str
    raw_table: str
    model: type[pa.DataFrameModel]
    parse: Parser  # (file bytes, file name for messages) -> rows with table/row provenance
    flag_model: type[pa.DataFrameModel] | None = None  # checks that flag, not quarantine


def _algorithm_parser(series: str) -> Parser:
    def parse(content: bytes, source: str) -> ParsedDocument:
        kind = sniff_file_type(content)
        if kind != "zip":
            raise DocumentError(source, f"expected a DOCX list, found {kind} bytes")
        return ParsedDocument(parse_algorithm_tables(read_docx_tables(content, source), series, source))

    return parse


def _genai_parser(content: bytes, source: str) -> ParsedDocument:
    result = parse_genai_document(content, source)
    rows = [{**row, **registration_fields(row)} for row in result.rows]
    skipped = [{"table_index": r.table_index, "row_index": r.row_index, "page": r.page,
                "reason": "inner_header_row", "cells": json.dumps(r.cells, ensure_ascii=False)}
               for r in result.inner_header_rows]
    return ParsedDocument(rows, skipped)


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
        SeriesSpec(
            name=SERIES_GENAI,
            description="Generative-AI services filed nationally (备案) and apps registered "
                        "locally (登记), from the lists on one living page.",
            raw_table="genai_registrations",
            model=GenaiRegistrationModel,
            flag_model=GenaiRegistrationQualityModel,
            parse=_genai_parser,
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
    skipped_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # e.g. inner header rows


def parse_series(spec: SeriesSpec, attachments: list[dict], read_bytes: Callable[[str], bytes]) -> ParsedSeries:
    """Parse every attachment of one series. A file that cannot be parsed is reported
    in ``errors`` (and loads nothing); the others go on."""
    frames, skipped, lists, errors = [], [], [], {}
    version = parser_version()
    for att in attachments:
        name = att.get("link_text") or att["attachment_url"]
        try:
            document = spec.parse(read_bytes(att["sha256"]), f"{name} <{att['attachment_url']}>")
        except DocumentError as exc:
            errors[att["attachment_url"]] = str(exc)
            continue
        provenance = {"attachment_url": att["attachment_url"], "sha256": att["sha256"],
                      "notice_url": att.get("notice_url")}
        frame = pd.DataFrame.from_records(document.rows).assign(**provenance)
        if "page" not in frame:
            frame["page"] = None
        frames.append(frame)
        if document.skipped_rows:
            skipped.append(pd.DataFrame.from_records(document.skipped_rows).assign(**provenance))
        lists.append({**{k: att.get(k) for k in LIST_COLUMNS}, "parser_version": version,
                      "rows_extracted": len(frame)})
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ParsedSeries(rows=rows, lists=pd.DataFrame(lists, columns=list(LIST_COLUMNS)),
                        errors=errors,
                        skipped_rows=pd.concat(skipped, ignore_index=True) if skipped else pd.DataFrame())
