"""Pieces every series schema shares: provenance columns, the not-blank test and list-level
uniqueness."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class ProvenanceModel(pa.DataFrameModel):
    """Where a row came from: list (attachment), file hash, table and row."""

    attachment_url: Series[str] = pa.Field(nullable=False)
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    notice_url: Series[str] = pa.Field(nullable=True)
    table_index: Series[int] = pa.Field(ge=0)
    row_index: Series[int] = pa.Field(ge=0)
    page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    # cells of columns the series does not know, as JSON {header: text}: kept, never a failure
    extra_columns: Series[str] = pa.Field(nullable=True)

    class Config:  # inherited by every series model: columns outside the model are dropped
        coerce = True
        strict = "filter"


def has_text(series: pd.Series) -> pd.Series:
    """Text with something in it. Each model names it as its check ``not_blank`` (a method,
    not a registered check: registering one imports pandera's hypothesis strategies)."""
    return series.fillna("").astype(str).str.strip() != ""


def is_serial(series: pd.Series) -> pd.Series:
    """A 序号 that is a number (ASCII digits), or blank: Word's automatic numbering is not
    stored in the file. ``abc`` or ``-7`` is not a serial."""
    return series.fillna("").astype(str).str.strip().str.fullmatch(r"[0-9]*")


def first_in_list(frame: pd.DataFrame, key: str) -> pd.Series:
    """True for every row but repeats of ``key`` within one list (the first stays)."""
    missing = frame[key].isna() | (frame[key].astype(str) == "")
    return missing | ~frame.duplicated(["attachment_url", key], keep="first")
