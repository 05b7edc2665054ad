"""pandera models for the two algorithm-filing series."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..parsers.algorithm_lists import ALGORITHM_CATEGORIES, ROLES
from ..parsers.numbers import ALGORITHM_TYPES
from .common import ProvenanceModel, first_in_list, has_text, is_serial

FILING_NUMBER_DIGITS = r"^\d{21,22}$"
FIRST_FILING_YEAR = 2022  # the filing system opened in 2022


# Each check method is named as its check: pandera (0.35) can lose the name= of a check that
# a subclass inherits, and fall back on the method's name, which the quarantine reasons show.
class AlgorithmFilingModel(ProvenanceModel):
    serial_raw: Series[str] = pa.Field(nullable=True)
    algorithm_name: Series[str] = pa.Field()
    entity: Series[str] = pa.Field()
    product: Series[str] = pa.Field(nullable=True)
    purpose: Series[str] = pa.Field(nullable=True)
    filing_number_raw: Series[str]
    filing_number: Series[str] = pa.Field(nullable=False, str_matches=FILING_NUMBER_DIGITS)
    remark: Series[str] = pa.Field(nullable=True)
    region_code: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    entity_id: Series[str] = pa.Field(str_matches=r"^\d{7}$")
    algorithm_type: Series[str] = pa.Field(str_matches=r"^\d{2,3}$")
    filing_year: Series[int] = pa.Field(nullable=False)

    @pa.check("algorithm_name", "entity", name="not_blank")
    def not_blank(cls, series: Series[str]) -> Series[bool]:
        return has_text(series)

    @pa.check("serial_raw", name="serial_is_a_number")
    def serial_is_a_number(cls, series: Series[str]) -> Series[bool]:
        return is_serial(series)

    @pa.check("filing_year", name="filing_year_plausible")
    def filing_year_plausible(cls, series: Series[int]) -> Series[bool]:
        return series.between(FIRST_FILING_YEAR, date.today().year + 1)

    @pa.dataframe_check(name="algorithm_type_known")
    def algorithm_type_known(cls, frame: pd.DataFrame) -> Series[bool]:
        # A 22-digit number has a three-digit type field: flagged in the marts, kept here.
        return frame["algorithm_type"].isin(ALGORITHM_TYPES) | (frame["filing_number"].str.len() == 22)

    @pa.dataframe_check(name="filing_number_unique_in_list")
    def filing_number_unique_in_list(cls, frame: pd.DataFrame) -> Series[bool]:
        return first_in_list(frame, "filing_number")


class DeepSynthesisFilingModel(AlgorithmFilingModel):
    role: Series[str] = pa.Field(isin=ROLES)

    @pa.check("algorithm_type", name="algorithm_type_is_generative")
    def algorithm_type_is_generative(cls, series: Series[str]) -> Series[bool]:
        # every deep-synthesis filing has algorithm type 01 生成合成
        return series == "01"


class AlgorithmRecommendationFilingModel(AlgorithmFilingModel):
    algorithm_category: Series[str] = pa.Field(isin=ALGORITHM_CATEGORIES)
