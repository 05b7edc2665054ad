"""The list series the warehouse knows: each one SeriesSpec, with its parser, pandera model,
raw table, and how the report labels and colours it. The Dagster assets, the raw tables'
sensors and the report's series are all built from this registry.

Where a new series goes:

1. its name in ``vocabulary.py`` (``SERIES_…``), and the notice titles that announce it in
   ``classify_series`` (``parsers/notice_pages.py``);
2. a parser (``parsers/``) and a pandera model (``schemas/``);
3. its ``SeriesSpec`` below, and its raw table's columns in ``warehouse.DDL`` (a test checks
   they name the model's columns);
4. in dbt, its source (``models/staging/_sources.yml``) and staging model, and the marts
   that should show it.
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

from .limits import Limits

from .parsers.algorithm_lists import parse_algorithm_tables
from .parsers.cancellations import parse_cancellation_document
from .parsers.documents import read_list_tables
from .parsers.genai import parse_genai_document, registration_fields
from .parsers.tables import DocumentError
from .schemas.algorithm_filings import (
    AlgorithmRecommendationFilingModel, DeepSynthesisFilingModel,
)
from .schemas.cancellations import CancellationModel
from .schemas.genai_registrations import GenaiRegistrationModel, GenaiRegistrationQualityModel
from .schemas.split import split_valid
from .staged import StagedSummary
from .vocabulary import (
    SERIES_ALGORITHM_RECOMMENDATION, SERIES_CANCELLATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI,
)

@dataclass
class ParsedDocument:
    rows: list[dict]  # data rows, each with table_index, row_index (and page for PDF)
    skipped_rows: list[dict] = field(default_factory=list)  # non-data rows kept for the record


Parser = Callable[[bytes, str, Limits | None], ParsedDocument]


@dataclass(frozen=True)
class SeriesSpec:
    name: str  # a SERIES_… of vocabulary.py
    description: str
    label: str  # how the report names it: Chinese, then English
    raw_table: str
    model: type[pa.DataFrameModel]
    parse: Parser  # (file bytes, file name for messages, bounds) -> rows with table/row provenance
    flag_model: type[pa.DataFrameModel] | None = None  # checks that flag, not quarantine
    colour: str | None = None  # its colour in the report's charts (gen-AI is drawn by tier)


def _algorithm_parser(series: str) -> Parser:
    def parse(content: bytes, source: str, limits: Limits | None = None) -> ParsedDocument:
        tables = read_list_tables(content, source, limits, kinds=("zip",))  # the CAC lists them as DOCX
        return ParsedDocument(parse_algorithm_tables(tables, series, source))

    return parse


def _genai_parser(content: bytes, source: str, limits: Limits | None = None) -> ParsedDocument:
    result = parse_genai_document(content, source, limits)
    rows = [{**row, **registration_fields(row)} for row in result.rows]
    skipped = [{"table_index": r.table_index, "row_index": r.row_index, "page": r.page,
                "reason": "inner_header_row", "cells": json.dumps(r.cells, ensure_ascii=False)}
               for r in result.inner_header_rows]
    return ParsedDocument(rows, skipped)


def _cancellation_parser(content: bytes, source: str, limits: Limits | None = None) -> ParsedDocument:
    return ParsedDocument(parse_cancellation_document(content, source, limits))


# In the order the report shows them: gen-AI, the headline series, first.
SERIES: dict[str, SeriesSpec] = {
    spec.name: spec
    for spec in (
        SeriesSpec(
            name=SERIES_GENAI,
            description="Generative-AI services filed nationally (备案) and apps registered "
                        "locally (登记), from the lists on one living page.",
            label="生成式人工智能 gen-AI",
            raw_table="genai_registrations",
            model=GenaiRegistrationModel,
            flag_model=GenaiRegistrationQualityModel,
            parse=_genai_parser,
        ),
        SeriesSpec(
            name=SERIES_DEEP_SYNTHESIS,
            description="Deep-synthesis algorithm filings (深度合成服务算法备案), numbered batches.",
            label="深度合成 deep synthesis",
            colour="#7b4fb0",
            raw_table="deep_synthesis_filings",
            model=DeepSynthesisFilingModel,
            parse=_algorithm_parser(SERIES_DEEP_SYNTHESIS),
        ),
        SeriesSpec(
            name=SERIES_ALGORITHM_RECOMMENDATION,
            description="Algorithm-recommendation filings (互联网信息服务算法备案), one living page.",
            label="算法推荐 algorithm recommendation",
            colour="#c4464a",
            raw_table="algorithm_recommendation_filings",
            model=AlgorithmRecommendationFilingModel,
            parse=_algorithm_parser(SERIES_ALGORITHM_RECOMMENDATION),
        ),
        SeriesSpec(
            name=SERIES_CANCELLATION,
            description="Cancellations (注销) of deep-synthesis and algorithm filing numbers, one "
                        "notice with a PDF list each, on beian.cac.gov.cn.",
            label="注销 cancellations",
            raw_table="cancellations",
            model=CancellationModel,
            parse=_cancellation_parser,
        ),
    )
}

@cache
def parser_version() -> str:
    """A hash of the parsing code: a list is re-parsed when its bytes or this change."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.glob("parsers/*.py"), *package.glob("schemas/*.py"),
                        package / "series.py", package / "vocabulary.py"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class ListInput:
    """One list to stage: its key, where it came from and its bytes."""
    key: str
    attachment_url: str
    notice_url: str | None
    sha256: str
    content: bytes
    name: str


PARSE_BOUNDS = ("max_docx_xml_bytes", "max_docx_ratio", "docx_ratio_min_bytes", "max_rows_per_table",
                "max_cells_per_row", "max_pdf_pages")


def parse_version(limits: Limits | None = None) -> str:
    """What a staged parse depends on: the parsing code, and the bounds the file was read
    under (a list refused under a low bound is read again when the bound is raised)."""
    limits = limits or Limits()
    bounds = repr([getattr(limits, name) for name in PARSE_BOUNDS]).encode()
    return f"{parser_version()}-{hashlib.sha256(bounds).hexdigest()[:6]}"


def parse_list(spec: SeriesSpec, item: ListInput, limits: Limits | None = None
               ) -> tuple[StagedSummary, pd.DataFrame | None, pd.DataFrame]:
    summary = StagedSummary(key=item.key, series=spec.name, attachment_url=item.attachment_url,
                            sha256=item.sha256, parser_version=parse_version(limits))
    source = f"{item.name} <{item.attachment_url}>"
    try:
        document = spec.parse(item.content, source, limits)
    except DocumentError as exc:
        summary.error = str(exc)
        return summary, None, pd.DataFrame()
    except Exception as exc:  # a parser bug must not take the other lists down: name the file
        first = str(exc).splitlines()[0] if str(exc) else ""
        summary.error = f"{source}: unexpected {type(exc).__name__}: {first}"
        return summary, None, pd.DataFrame()
    if not document.rows:
        summary.error = f"{source}: no data rows in the {spec.name} table (header only, or empty)"
        return summary, None, pd.DataFrame()
    provenance = {"attachment_url": item.attachment_url, "sha256": item.sha256, "notice_url": item.notice_url}
    frame = pd.DataFrame.from_records(document.rows).assign(**provenance)
    for optional in ("page", "extra_columns"):
        if optional not in frame:
            frame[optional] = None
    summary.extra_columns = sorted({label for cell in frame["extra_columns"].dropna()
                                    for label in json.loads(cell)})
    skipped = (pd.DataFrame.from_records(document.skipped_rows).assign(**provenance)
               if document.skipped_rows else pd.DataFrame())
    summary.rows_extracted = len(frame)
    return summary, frame, skipped


def _by_list(frame: pd.DataFrame, url: str) -> pd.DataFrame:
    return frame[frame["attachment_url"] == url] if len(frame) else frame


def stage_lists(spec: SeriesSpec, items: list[ListInput], limits: Limits | None = None
                ) -> list[tuple[StagedSummary, dict[str, pd.DataFrame]]]:
    """Parse every list of one series, then validate all their rows in one pandera pass (its
    cost is mostly per call, not per row), and split the outcome back per list: accepted rows,
    quarantined rows with reasons, non-data rows, each with provenance, and a summary. A list
    that cannot be read, or yields no data rows, gets ``summary.error`` naming the file."""
    parsed = [parse_list(spec, item, limits) for item in items]
    frames = [frame for _, frame, _ in parsed if frame is not None]
    if not frames:
        return [(summary, {}) for summary, _, _ in parsed]
    outcome = split_valid(pd.concat(frames, ignore_index=True), spec.model, spec.name, spec.flag_model)
    staged = []
    for summary, frame, skipped in parsed:
        if frame is None:
            staged.append((summary, {}))
            continue
        url = summary.attachment_url
        accepted, quarantined = _by_list(outcome.accepted, url), _by_list(outcome.quarantined, url)
        summary.rows_accepted, summary.rows_quarantined = len(accepted), len(quarantined)
        summary.rows_skipped = len(skipped)
        if len(quarantined):
            checks = quarantined["failed_checks"].str.split(", ").explode()
            summary.failures_by_check = {str(k): int(v) for k, v in checks.value_counts().items()}
            summary.quarantine_preview = quarantined[["row_index", "reason"]].head(5).to_dict("records")
        if len(accepted) and "quality_flags" in accepted:
            flags = accepted.loc[accepted["quality_flags"] != "", "quality_flags"].str.split(", ").explode()
            summary.flags_by_check = {str(k): int(v) for k, v in flags.value_counts().items()}
        summary.schema_errors = list(outcome.schema_errors)
        staged.append((summary, {"accepted": accepted, "quarantined": quarantined, "skipped": skipped}))
    return staged
