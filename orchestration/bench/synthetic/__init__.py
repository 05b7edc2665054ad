"""A synthetic mirror of any size, for the scale benchmark (not part of the data path).

``generate_mirror(root, rows=…, lists=…, seed=…)`` writes a directory laid out like the
reference corpus (``<root>/<host>/<url path>``): both hosts' ``index.htm``, one notice page
per deep-synthesis batch, the two living pages, cancellation notices, and the lists as
DOCX files. The lists carry the dirt of the real ones in a small share (empty 序号, header
drift, an inner 登记 header row, （补登） dates, province spellings, spaced numbers) and
exactly one row per list that validation must quarantine. What the pipeline should
extract, accept and quarantine is returned and written to ``<root>/expected.json``.

The parts: the plan (plan.py), the rows (rows.py), DOCX as XML strings (docx_xml.py), the
pages (pages.py), what the pipeline should make of it (expectations.py), the whole mirror
(mirror.py).

Keep rows/lists under the pipeline's table bound (``BEIAN_MAX_ROWS_PER_TABLE``, 200,000
rows by default, orchestration/limits.py): a bigger list is refused by the DOCX reader.

    python -m orchestration.bench.synthetic OUT_DIR --rows 20000 --lists 40 --seed 1
"""

from .expectations import SyntheticCorpus
from .mirror import generate_mirror

__all__ = ["SyntheticCorpus", "generate_mirror"]
