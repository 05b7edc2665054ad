"""The one place for settings. Every path the project uses is derived here, from the
environment (BEIAN_*), so the CLI, `dagster dev`, the sensor and the tests agree."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .limits import Limits
from .reference.notices import KNOWN_NOTICES_CSV

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus"
CORPUS_ARCHIVE = CORPUS_DIR / "cac-site.warc.gz"  # the two sites as they really answer
CORPUS_MIRROR = CORPUS_DIR / "mirror"  # the same files, with reconstructed pages
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

LIVE_HOSTS = ("https://www.cac.gov.cn", "https://beian.cac.gov.cn")
GENAI_LIVING_PAGE = "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm"
ALGORITHM_LIVING_PAGE = "https://www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"
COLUMN_FIRST_PAGE = "https://www.cac.gov.cn/wxzw/wxfb/A093702index_1.htm"  # 网信发布, walked page by page
# The site as it is (live, or a web archive of it): the column, the two living pages, and
# beian.cac.gov.cn's notice API (a single-page app: its notices come from JSON)
SITE_ENTRY_PAGES = (COLUMN_FIRST_PAGE, GENAI_LIVING_PAGE, ALGORITHM_LIVING_PAGE)
# A mirror directory laid out like the reference corpus: its index pages list every notice
MIRROR_ENTRY_PAGES = (
    "https://www.cac.gov.cn/index.htm",
    "https://beian.cac.gov.cn/index.htm",
    GENAI_LIVING_PAGE,
    ALGORITHM_LIVING_PAGE,
)
DEFAULT_API_BASE = "https://beian.cac.gov.cn"
SITE_SOURCE_KINDS = ("live", "warc")  # sources shaped as the site is: column, API, download interface
WARC_SUFFIXES = (".warc.gz", ".warc")  # what a web-archive source reads


@dataclass(frozen=True)
class Settings:
    source: str  # "live", a web archive (file or folder), a mirror directory, or a mirror's base URL
    data_dir: Path
    warehouse_path: Path
    entry_pages: tuple[str, ...]
    http_min_interval_s: float  # politeness: the least time between two requests to a host
    http_timeout_s: float
    http_retries: int
    limits: Limits = field(default_factory=Limits)
    beian_api_base: str = DEFAULT_API_BASE
    sensor_interval_s: int = 3600  # how often new_publications looks at the source
    sensor_recheck: int | None = None  # known lists re-fetched per sensor tick (None: all;
    # BEIAN_SENSOR_RECHECK=all or a number; 10 by default against the live sites)
    freshness_warn_days: int = 70  # the newest list of a series older than this warns ...
    freshness_fail_days: int = 100  # ... and older than this fails (CAC cadence: ~2 months)
    writer_wait_s: float = 600.0  # how long a second DuckDB writer waits for the first
    duckdb_memory_limit: str = "1GB"  # per DuckDB connection, dbt's included: beyond it DuckDB
    # spills to disk, so a million rows fit the 3 GB budget (BEIAN_DUCKDB_MEMORY_LIMIT)
    parse_workers: int = 0  # processes that parse lists in a large run; 0: one per core (BEIAN_PARSE_WORKERS)
    known_notices_path: Path | None = None  # notices fetched directly on a cold start (BEIAN_KNOWN_NOTICES)
    max_column_pages: int = 200  # a column walk never goes further (BEIAN_MAX_COLUMN_PAGES)
    column_overlap_days: int = 31  # the walk reaches this far before the newest known notice
    update_recheck: int | None = None  # known lists `update` re-fetches (None: all; 0 against the site)
    env: Mapping[str, str] = field(default_factory=dict, compare=False)  # the BEIAN_* it came from

    @property
    def build_warehouse_path(self) -> Path:
        """The file runs write. Readers use ``warehouse_path``, a copy published only when a
        run has passed, so a BI tool holding it open never blocks the next run."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".build.duckdb")

    @property
    def warehouse_v1_path(self) -> Path:
        """A copy in DuckDB 1.x storage, for BI tools that embed DuckDB 1.4/1.5."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + "_v1.duckdb")

    @property
    def writer_lock_path(self) -> Path:
        return self.build_warehouse_path.with_name(self.build_warehouse_path.name + ".lock")

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def staged_dir(self) -> Path:
        return self.data_dir / "staged"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def datasette_dir(self) -> Path:
        """The SQLite export for Datasette (beian.db) and its metadata.json."""
        return self.data_dir / "datasette"

    @property
    def report_dir(self) -> Path:
        return self.data_dir / "report"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artefacts and per-run folders: under the data folder, pruned after each run."""
        return self.data_dir / "dbt"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def archive_dir(self) -> Path:
        """Web archives of live fetches, one per look at the site (BEIAN_SOURCE replays them)."""
        return self.data_dir / "archive"

    @property
    def source_kind(self) -> str:
        return source_kind_of(self.source)

    @property
    def site_shaped(self) -> bool:
        """The source answers as the CAC sites do (column, notice API, download interface)."""
        return self.source_kind in SITE_SOURCE_KINDS


def source_kind_of(source: str) -> str:
    """live, http_mirror, warc (a web archive file or folder) or mirror (a directory)."""
    if source == "live":
        return "live"
    if source.startswith(("http://", "https://")):
        return "http_mirror"
    path = Path(source)
    if path.is_file() or (path.is_dir() and any(p.name.endswith(WARC_SUFFIXES) for p in path.iterdir())):
        return "warc"
    return "mirror"


def _default_source() -> str:
    for candidate in (CORPUS_ARCHIVE, CORPUS_MIRROR):
        if candidate.exists():
            return str(candidate)
    return "live"


def resolve_source(value: str | None) -> str:
    """BEIAN_SOURCE: unset -> the corpus web archive if present, else the live sites.

    A URL naming one of the live hosts (or the word ``live``) means the live sites; any other
    URL is a mirror served over HTTP; anything else is a path: a web archive (a .warc.gz file,
    or a folder of them), else a mirror directory.
    """
    value = (value or "").strip()
    if not value:
        return _default_source()
    if value == "live" or value.rstrip("/") in LIVE_HOSTS:
        return "live"
    if value.startswith(("http://", "https://")):
        return value.rstrip("/")
    return str(Path(value).expanduser().resolve())


def _number(env: Mapping[str, str], name: str, default, kind=float, minimum: float = 0):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if value < minimum:
        raise ValueError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or ``env``). A malformed value is a ValueError naming it."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("BEIAN_DATA_DIR") or PROJECT_ROOT / "data").expanduser().resolve()
    warehouse = Path(env.get("BEIAN_WAREHOUSE") or data_dir / "warehouse.duckdb").expanduser().resolve()
    source = resolve_source(env.get("BEIAN_SOURCE"))
    entry = tuple(u.strip() for u in env.get("BEIAN_ENTRY_PAGES", "").split(",") if u.strip())
    recheck = (env.get("BEIAN_SENSOR_RECHECK") or "").strip().lower()
    if recheck == "all":
        sensor_recheck = None
    elif recheck:
        sensor_recheck = _number(env, "BEIAN_SENSOR_RECHECK", 0, int)
    else:  # against the live sites each request costs a polite second
        sensor_recheck = 10 if source == "live" else None
    known = (env.get("BEIAN_KNOWN_NOTICES") or "").strip()
    known_path = None if known.lower() == "none" else Path(known).expanduser().resolve() if known else KNOWN_NOTICES_CSV
    site = source_kind_of(source) in SITE_SOURCE_KINDS
    return Settings(
        source=source,
        data_dir=data_dir,
        warehouse_path=warehouse,
        entry_pages=entry or (SITE_ENTRY_PAGES if site else MIRROR_ENTRY_PAGES),
        http_min_interval_s=_number(env, "BEIAN_HTTP_MIN_INTERVAL", 1.0),
        http_timeout_s=_number(env, "BEIAN_HTTP_TIMEOUT", 30.0, minimum=0.1),
        http_retries=_number(env, "BEIAN_HTTP_RETRIES", 4, int),
        limits=Limits.from_env(env),
        beian_api_base=(env.get("BEIAN_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
        sensor_interval_s=_number(env, "BEIAN_SENSOR_INTERVAL", 3600, int, minimum=30),
        sensor_recheck=sensor_recheck,
        freshness_warn_days=_number(env, "BEIAN_FRESHNESS_WARN_DAYS", 70, int, minimum=1),
        freshness_fail_days=_number(env, "BEIAN_FRESHNESS_FAIL_DAYS", 100, int, minimum=1),
        writer_wait_s=_number(env, "BEIAN_WRITER_WAIT", 600.0),
        duckdb_memory_limit=(env.get("BEIAN_DUCKDB_MEMORY_LIMIT") or "1GB").strip(),
        parse_workers=_number(env, "BEIAN_PARSE_WORKERS", 0, kind=int),
        known_notices_path=known_path,
        max_column_pages=_number(env, "BEIAN_MAX_COLUMN_PAGES", 200, int, minimum=1),
        column_overlap_days=_number(env, "BEIAN_COLUMN_OVERLAP_DAYS", 31, int),
        update_recheck=_recheck(env, "BEIAN_UPDATE_RECHECK", 0 if site else None),
        env={k: v for k, v in env.items() if k.startswith("BEIAN_")},
    )


def _recheck(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    """How many known lists to re-fetch: ``all`` (None), a number, or the default."""
    raw = (env.get(name) or "").strip().lower()
    if raw == "all":
        return None
    return _number(env, name, 0, int) if raw else default


def export_dbt_env(settings: Settings) -> None:
    """The dbt profile writes where the Dagster resource writes: the build file derived from
    the one setting BEIAN_WAREHOUSE. dbt's target (its run folders, partial-parse state) lives
    under the data folder, so the project tree stays clean."""
    os.environ["BEIAN_BUILD_WAREHOUSE"] = str(settings.build_warehouse_path)
    os.environ["DBT_TARGET_PATH"] = str(settings.dbt_target_dir)
    os.environ["BEIAN_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
