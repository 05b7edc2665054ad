"""The one place for settings. Every path the project uses is derived here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS_MIRROR = PROJECT_ROOT.parent / "shared" / "corpus" / "mirror"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

LIVE_HOSTS = ("https://www.cac.gov.cn", "https://beian.cac.gov.cn")
GENAI_LIVING_PAGE = "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm"
ALGORITHM_LIVING_PAGE = "https://www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"
DEFAULT_ENTRY_PAGES = (
    "https://www.cac.gov.cn/index.htm",
    "https://beian.cac.gov.cn/index.htm",
    GENAI_LIVING_PAGE,
    ALGORITHM_LIVING_PAGE,
)


@dataclass(frozen=True)
class Settings:
    source: str  # "live", a mirror directory, or the base URL of a mirror served over HTTP
    data_dir: Path
    warehouse_path: Path
    entry_pages: tuple[str, ...]
    http_min_interval_s: float  # politeness: the least time between two requests to a host
    http_timeout_s: float
    http_retries: int

    @property
    def build_warehouse_path(self) -> Path:
        """The file runs write. Readers use ``warehouse_path``, a copy published only when a
        run has passed, so a BI tool holding it open never blocks the next run."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".build.duckdb")

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def source_kind(self) -> str:
        if self.source == "live":
            return "live"
        if self.source.startswith(("http://", "https://")):
            return "http_mirror"
        return "mirror"


def _default_source() -> str:
    return str(CORPUS_MIRROR) if CORPUS_MIRROR.is_dir() else "live"


def resolve_source(value: str | None) -> str:
    """BEIAN_SOURCE: unset -> the corpus mirror if present, else the live sites.

    A URL naming one of the live hosts (or the word ``live``) means the live sites;
    any other URL is a mirror served over HTTP; anything else is a directory.
    """
    value = (value or "").strip()
    if not value:
        return _default_source()
    if value == "live" or value.rstrip("/") in LIVE_HOSTS:
        return "live"
    if value.startswith(("http://", "https://")):
        return value.rstrip("/")
    return str(Path(value).expanduser().resolve())


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("BEIAN_DATA_DIR") or PROJECT_ROOT / "data").expanduser().resolve()
    warehouse = Path(env.get("BEIAN_WAREHOUSE") or data_dir / "warehouse.duckdb").expanduser().resolve()
    entry = tuple(u.strip() for u in env.get("BEIAN_ENTRY_PAGES", "").split(",") if u.strip())
    return Settings(
        source=resolve_source(env.get("BEIAN_SOURCE")),
        data_dir=data_dir,
        warehouse_path=warehouse,
        entry_pages=entry or DEFAULT_ENTRY_PAGES,
        http_min_interval_s=float(env.get("BEIAN_HTTP_MIN_INTERVAL", "1.0")),
        http_timeout_s=float(env.get("BEIAN_HTTP_TIMEOUT", "30")),
        http_retries=int(env.get("BEIAN_HTTP_RETRIES", "4")),
    )


def export_dbt_env(settings: Settings) -> None:
    """The dbt profile writes where the Dagster resource writes: the build file derived from
    the one setting BEIAN_WAREHOUSE."""
    os.environ["BEIAN_BUILD_WAREHOUSE"] = str(settings.build_warehouse_path)
