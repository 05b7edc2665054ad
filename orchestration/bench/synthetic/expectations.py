"""What the pipeline should make of a synthetic mirror: per list the rows extracted,
accepted and quarantined, the one bad row and the dirt; per cancellation notice its numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ...vocabulary import SERIES_CANCELLATION


@dataclass(frozen=True)
class BadRow:
    """The one row of a list that validation must quarantine."""

    kind: str  # filing_number_truncated | blank_entity | blank_filer | blank_service_name
    row_index: int  # the row in its table as the parsers count it (the header is row 0)
    detail: str  # the cell as written: the cut number, or which column is blank


@dataclass(frozen=True)
class ListExpectation:
    series: str
    label: str  # as in the attachment name, e.g. 2024年8月
    list_label: str  # as discovery derives it, e.g. 2024-08
    batch_no: int | None  # deep synthesis only
    published_on: str  # ISO date of the notice (deep synthesis) or of the update
    notice_url: str
    attachment_url: str
    rows_extracted: int
    rows_accepted: int
    rows_quarantined: int
    bad_row: BadRow
    header: tuple[str, ...]
    dirt: dict[str, int]  # kind of dirt -> rows (or header rows) carrying it
    serials: dict[str, list[int]] = field(default_factory=dict)  # gen-AI: tier -> [first, last]


@dataclass(frozen=True)
class CancellationExpectation:
    title: str
    published_on: str
    notice_url: str
    attachment_url: str
    rows: int
    filing_numbers: tuple[str, ...]  # the 21 digits, each from an earlier list


@dataclass(frozen=True)
class SyntheticCorpus:
    root: Path  # the mirror root: <root>/<host>/<url path>
    entry_pages: tuple[str, ...]  # both index.htm pages and the two living pages
    lists: tuple[ListExpectation, ...]
    cancellations: tuple[CancellationExpectation, ...]
    seed: int

    @property
    def totals(self) -> dict[str, dict[str, int]]:
        """Per series: lists, rows_extracted, rows_accepted, rows_quarantined."""
        totals: dict[str, dict[str, int]] = {}
        for item in self.lists:
            entry = totals.setdefault(item.series, dict.fromkeys(
                ("lists", "rows_extracted", "rows_accepted", "rows_quarantined"), 0))
            entry["lists"] += 1
            entry["rows_extracted"] += item.rows_extracted
            entry["rows_accepted"] += item.rows_accepted
            entry["rows_quarantined"] += item.rows_quarantined
        if self.cancellations:  # clean lists: every row is accepted
            rows = sum(c.rows for c in self.cancellations)
            totals[SERIES_CANCELLATION] = {"lists": len(self.cancellations), "rows_extracted": rows,
                                           "rows_accepted": rows, "rows_quarantined": 0}
        return totals

    def to_json(self) -> dict:
        return {"seed": self.seed, "entry_pages": list(self.entry_pages), "totals": self.totals,
                "lists": [asdict(item) for item in self.lists],
                "cancellations": [asdict(item) for item in self.cancellations]}
