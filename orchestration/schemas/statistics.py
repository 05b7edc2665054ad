"""pandera model for the figures stated by gen-AI statistics notices."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class StatisticsNoticeModel(pa.DataFrameModel):
    notice_url: Series[str] = pa.Field(unique=True)
    notice_title: Series[str]
    published_on: Series[pd.Timestamp] = pa.Field(nullable=True)
    page_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    as_of: Series[pd.Timestamp] = pa.Field(ge=pd.Timestamp("2023-01-01"))
    period_label: Series[str] = pa.Field(nullable=True)
    national_cumulative: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    local_cumulative: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    national_new: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    local_new: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)

    @pa.dataframe_check(name="as_of_not_after_publication")
    def as_of_not_after_publication(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["published_on"].isna() | (frame["as_of"] <= frame["published_on"])

    @pa.dataframe_check(name="new_not_above_cumulative")
    def new_not_above_cumulative(cls, frame: pd.DataFrame) -> Series[bool]:
        ok = pd.Series(True, index=frame.index)
        for tier in ("national", "local"):
            new, total = frame[f"{tier}_new"], frame[f"{tier}_cumulative"]
            ok &= new.isna() | total.isna() | (new <= total)
        return ok

    class Config:
        coerce = True
        strict = True
