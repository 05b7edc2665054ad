"""pandera models for the gen-AI lists, both tiers.

Two models: failures of ``GenaiRegistrationModel`` send a row to quarantine;
failures of ``GenaiRegistrationQualityModel`` only flag it. A truncated number
or a 属地 that disagrees with the number's prefix is real data the CAC published;
it stays in the marts, flagged and named in reconciliation, and is never "fixed".
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..parsers.genai import GENERAL, LOCAL, NATIONAL, ON_DEVICE
from .common import ProvenanceModel, first_in_list, has_text

FIRST_REGISTRATION = date(2023, 1, 1)  # the Interim Measures took effect in 2023
NATIONAL_NUMBER = r"^[A-Za-z]+\s*-.+-\s*\d{8}(\d{4,6})?$"
LOCAL_NUMBER = r"^[A-Za-z]+\s*-.+-\s*\d{8}\s*S\s*\d+$"


class GenaiRegistrationModel(ProvenanceModel):
    tier: Series[str] = pa.Field(isin=(NATIONAL, LOCAL))
    tier_rule: Series[str] = pa.Field(isin=("inner_header", "number_pattern", "serial_sequence",
                                            "on_device_table"))
    service_kind: Series[str] = pa.Field(isin=(GENERAL, ON_DEVICE))
    serial_raw: Series[str] = pa.Field(str_matches=r"^\d+$")
    serial: Series[pd.Int64Dtype] = pa.Field(ge=1)
    locality: Series[str]
    locality_province_code: Series[str] = pa.Field(nullable=False)
    service_name: Series[str] = pa.Field()
    filer: Series[str] = pa.Field()
    registration_number: Series[str] = pa.Field(nullable=True)
    registered_on_raw: Series[str]
    registered_on: Series[pd.Timestamp] = pa.Field(nullable=False)
    registered_on_note: Series[str] = pa.Field(nullable=True)
    is_supplementary: Series[bool]
    number_prefix: Series[str] = pa.Field(nullable=True)
    number_province_code: Series[str] = pa.Field(nullable=True)
    number_pinyin_name: Series[str] = pa.Field(nullable=True)
    number_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    number_sequence: Series[str] = pa.Field(nullable=True)
    number_is_valid: Series[bool]
    scenario: Series[str] = pa.Field(nullable=True)

    @pa.check("service_name", "filer", name="not_blank")
    def not_blank(cls, series: Series[str]) -> Series[bool]:
        return has_text(series)

    @pa.check("registered_on", name="registered_on_plausible")
    def registered_on_plausible(cls, series: Series[pd.Timestamp]) -> Series[bool]:
        return series.between(pd.Timestamp(FIRST_REGISTRATION), pd.Timestamp(date.today()))

    @pa.dataframe_check(name="serial_unique_per_tier_in_list")
    def serial_unique_per_tier_in_list(cls, frame: pd.DataFrame) -> Series[bool]:
        # on-device services count from 1 in a sequence of their own
        keyed = frame.assign(_tier_serial=frame["tier"] + ":" + frame["service_kind"] + ":"
                             + frame["serial_raw"].astype(str))
        return first_in_list(keyed, "_tier_serial")


class GenaiRegistrationQualityModel(pa.DataFrameModel):
    """Checks that flag rather than quarantine."""

    @pa.dataframe_check(name="number_matches_tier_pattern")
    def number_matches_tier_pattern(cls, frame: pd.DataFrame) -> Series[bool]:
        number = frame["registration_number"].fillna("")
        national = number.str.match(NATIONAL_NUMBER) & ~number.str.contains(r"\d{8}\s*S\s*\d", regex=True)
        local = number.str.match(LOCAL_NUMBER)
        return (frame["tier"] == NATIONAL) & national | (frame["tier"] == LOCAL) & local

    @pa.dataframe_check(name="number_prefix_matches_locality")
    def number_prefix_matches_locality(cls, frame: pd.DataFrame) -> Series[bool]:
        # 国资委 rows carry ZhongYangQiYe; both sides resolve to the same code then
        return frame["number_province_code"].isna() | (
            frame["number_province_code"] == frame["locality_province_code"])
