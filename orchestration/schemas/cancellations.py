"""pandera model for the cancellation lists (注销算法备案编号).

A failure sends a row to quarantine: a filing number that is missing or not
21-22 digits, a blank algorithm name or entity, a cancellation month that is
missing or implausible, a number listed twice in one list. A dirty 角色 is not a
failure: the lists print an algorithm class or a cut-short role there, which the
parser reads into ``role`` / ``algorithm_category`` and keeps as ``role_raw``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..parsers.cancellations import (
    ROLE_NOTE_ALGORITHM_CLASS, ROLE_NOTE_EXACT, ROLE_NOTE_MISSING, ROLE_NOTE_TRUNCATED,
    ROLE_NOTE_UNRECOGNISED,
)
from ..vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS
from .algorithm_filings import ALGORITHM_CATEGORIES, FILING_NUMBER_DIGITS, FIRST_FILING_YEAR, ROLES
from .common import ProvenanceModel, first_in_list, has_text, is_serial

# No number can be cancelled before the filing system opened.
FIRST_CANCELLATION_MONTH = date(FIRST_FILING_YEAR, 1, 1)
ROLE_NOTES = (ROLE_NOTE_EXACT, ROLE_NOTE_TRUNCATED, ROLE_NOTE_ALGORITHM_CLASS, ROLE_NOTE_MISSING,
              ROLE_NOTE_UNRECOGNISED)


class CancellationModel(ProvenanceModel):
    serial_raw: Series[str] = pa.Field(nullable=True)
    algorithm_name: Series[str] = pa.Field()
    role_raw: Series[str] = pa.Field(nullable=True)
    role: Series[str] = pa.Field(nullable=True, isin=ROLES)
    role_note: Series[str] = pa.Field(isin=ROLE_NOTES)
    algorithm_category: Series[str] = pa.Field(nullable=True, isin=ALGORITHM_CATEGORIES)
    entity: Series[str] = pa.Field()
    product: Series[str] = pa.Field(nullable=True)
    purpose: Series[str] = pa.Field(nullable=True)
    filing_number_raw: Series[str] = pa.Field(nullable=True)
    filing_number: Series[str] = pa.Field(nullable=False, str_matches=FILING_NUMBER_DIGITS)
    # Derived from filing_number: null exactly when it is, so they add no failure of their own.
    region_code: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{6}$")
    entity_id: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{7}$")
    algorithm_type: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{2,3}$")
    filing_year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    filed_series: Series[str] = pa.Field(nullable=True, isin=(SERIES_DEEP_SYNTHESIS,
                                                              SERIES_ALGORITHM_RECOMMENDATION))
    cancelled_raw: Series[str] = pa.Field(nullable=True)
    cancelled_month: Series[pd.Timestamp] = pa.Field(nullable=False)

    @pa.check("algorithm_name", "entity", name="not_blank")
    def not_blank(cls, series: Series[str]) -> Series[bool]:
        return has_text(series)

    @pa.check("serial_raw", name="serial_is_a_number")
    def serial_is_a_number(cls, series: Series[str]) -> Series[bool]:
        return is_serial(series)

    @pa.check("cancelled_month", name="cancelled_month_plausible")
    def cancelled_month_plausible(cls, series: Series[pd.Timestamp]) -> Series[bool]:
        return series.between(pd.Timestamp(FIRST_CANCELLATION_MONTH), pd.Timestamp(date.today()))

    @pa.dataframe_check(name="filing_number_unique_in_list")
    def filing_number_unique_in_list(cls, frame: pd.DataFrame) -> Series[bool]:
        return first_in_list(frame, "filing_number")
