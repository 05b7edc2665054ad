"""Lazy pandera validation turned into accepted rows and quarantined rows with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from ..warehouse import to_json_records


@dataclass
class ValidationOutcome:
    accepted: pd.DataFrame
    quarantined: pd.DataFrame  # provenance + series, failed_checks, reason, record (JSON)
    failures_by_check: dict[str, int] = field(default_factory=dict)
    schema_errors: list[str] = field(default_factory=list)  # failures not tied to one row
    flags_by_check: dict[str, int] = field(default_factory=dict)  # accepted rows, flagged


def _failures(frame: pd.DataFrame, schema) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(the validated frame, None) when everything passes, else (None, the failure cases
    with a label): one validation, not two."""
    try:
        return schema.validate(frame, lazy=True), None
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.copy()
    cases["label"] = [_check_label(row) for row in cases.to_dict("records")]
    return None, cases


def flag_rows(accepted: pd.DataFrame, flag_model: type[pa.DataFrameModel]) -> tuple[pd.DataFrame, dict]:
    """Add ``quality_flags``: the soft checks each accepted row fails ('' when none)."""
    flagged = accepted.copy()
    flagged["quality_flags"] = ""
    cases = _failures(accepted, flag_model.to_schema())[1] if len(accepted) else None
    if cases is None:
        return flagged, {}
    cases = cases[cases["index"].notna()]
    labels = cases.groupby("index")["check"].agg(lambda c: ", ".join(sorted(set(map(str, c)))))
    flagged.loc[labels.index, "quality_flags"] = labels
    return flagged, cases.groupby("check")["index"].nunique().to_dict()


def _check_label(row: dict) -> str:
    # A dataframe-level check is reported once per column; its label names the check only.
    column = row.get("column")
    check = str(row.get("check"))
    if row.get("schema_context") == "DataFrameSchema" or not isinstance(column, str) or not column:
        return check
    return f"{column}:{check}"


def split_valid(frame: pd.DataFrame, model: type[pa.DataFrameModel], series: str,
                flag_model: type[pa.DataFrameModel] | None = None) -> ValidationOutcome:
    """Validate every row at once (lazy); rows with any failure go to quarantine.
    With a ``flag_model``, accepted rows also get ``quality_flags`` from its checks."""
    outcome = _split(frame, model, series)
    if flag_model is not None:
        outcome.accepted, outcome.flags_by_check = flag_rows(outcome.accepted, flag_model)
    return outcome


def _split(frame: pd.DataFrame, model: type[pa.DataFrameModel], series: str) -> ValidationOutcome:
    schema = model.to_schema()
    validated, cases = _failures(frame, schema)
    if cases is None:
        return ValidationOutcome(validated, _empty_quarantine(), {}, [])
    row_cases = cases[cases["index"].notna()]
    frame_cases = cases[cases["index"].isna()]
    schema_errors = sorted({f"{label} ({case})" for label, case in
                            frame_cases[["label", "failure_case"]].itertuples(index=False)})
    reasons: dict[object, list[str]] = {}
    for index, label, value in row_cases[["index", "label", "failure_case"]].itertuples(index=False):
        if not any(r.startswith(label + " (") for r in reasons.get(index, [])):
            reasons.setdefault(index, []).append(f"{label} (value {value!r})")
    bad = frame.index.isin(list(reasons))
    if schema_errors:
        # A failure of the whole frame (a missing column): nothing can be accepted.
        bad = pd.Series(True, index=frame.index).to_numpy()
    good = frame.loc[~bad]
    accepted = schema.validate(good, lazy=True) if not good.empty else good
    quarantined = frame.loc[bad].copy()
    quarantined["series"] = series
    quarantined["failed_checks"] = [
        ", ".join(sorted({r.split(" (value")[0] for r in reasons.get(i, []) + schema_errors}))
        for i in quarantined.index
    ]
    quarantined["reason"] = ["; ".join(reasons.get(i, []) + schema_errors) for i in quarantined.index]
    quarantined["record"] = to_json_records(frame.loc[bad])
    counts = row_cases.groupby("label")["index"].nunique().to_dict()
    return ValidationOutcome(accepted, quarantined[QUARANTINE_COLUMNS], counts, schema_errors)


QUARANTINE_COLUMNS = ["attachment_url", "sha256", "notice_url", "table_index", "row_index", "page",
                      "series", "failed_checks", "reason", "record"]


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in QUARANTINE_COLUMNS})
