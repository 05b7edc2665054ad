"""What Datasette shows over ``beian.db``: titles, descriptions (dbt's, from the DuckDB
comments), the source, facets, the canned queries, and the command that serves it.

Arbitrary SQL stays allowed: the file is opened immutable (read-only, no locks), Datasette runs
only SELECTs, every query stops at ``SQL_TIME_LIMIT_MS`` and returns at most ``MAX_ROWS`` rows,
and the data are public. The canned queries are the front door; SQL is for the analyst who
needs a question they do not ask.
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

from .datasette import DATABASE, DB_FILE, METADATA_FILE, number_key_sql
from .exports import CAC_SOURCE, TableDoc

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SQL_TIME_LIMIT_MS = 1000
MAX_ROWS = 1000
FACETS = ["series", "tier", "province", "status", "year"]
LIVING_PAGES = ("https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm",
                "https://www.cac.gov.cn/2022-08/12/c_1661927474338504.htm")

# A trigram FTS5 index finds substrings of 3 characters or more; 1-2 characters (百度) scan
# the names instead: 8,000 rows take a millisecond.
_FTS_PHRASE = """'"' || replace({t}, '"', '""') || '" OR "'
    || replace(replace(replace({t}, '(', '（'), ')', '）'), '"', '""') || '" OR "'
    || replace(replace(replace({t}, '（', '('), '）', ')'), '"', '""') || '"'"""

LOOKUP_SQL = f"""with q as (select trim(:q) as text),
k as (select text, {number_key_sql('text')} as key, {_FTS_PHRASE.format(t='text')} as phrase from q),
hits as (select registry_fts.rowid from registry_fts, k
         where length(k.text) >= 3 and registry_fts match k.phrase)
select r.number, r.status, r.series, r.tier, r.name, r.filer, r.province, r.cancelled_on,
       r.cancellation_notice_title, r.cancellation_notice_url, r.lists, r.attachment_url
from registry r, k
where k.text <> '' and (
  r.number = k.key collate nocase
  or r.rowid in (select rowid from hits)
  or (length(k.text) < 3 and (instr(lower(r.name), lower(k.text)) or instr(lower(r.filer), lower(k.text))
                              or instr(lower(coalesce(r.product, '')), lower(k.text)))))
order by r.number = k.key collate nocase desc, r.series, r.number"""

LATEST_SQL = """with latest as (select series, max(list_month) as list_month from dim_batch group by 1)
select b.series, b.list_label, b.published_on, c.change_type, c.tier, c.filing_number, c.name, c.filer,
       c.changed_columns, c.cancelled_on, b.attachment_url
from fct_list_changes c
join dim_batch b on b.list_id = c.list_id
join latest l on l.series = b.series and l.list_month = b.list_month
where :series = '' or b.series = :series
order by b.list_month desc, b.series, c.change_type = 'new' desc, c.change_type, c.filing_number"""

FILER_SQL = """with q as (select trim(:filer) as text)
select r.filer, r.series, r.tier, r.number, r.name, r.status, r.cancelled_on, r.province, r.first_list,
       r.lists
from registry r, q
where q.text <> '' and (instr(r.filer, q.text) or r.entity_key in (
  select entity_key from registry, q where instr(filer, q.text) and entity_key is not null))
order by r.filer, r.series, r.first_list, r.number"""

QUERIES = {
    "lookup": {
        "title": "Is it registered, and still valid? 是否备案，是否有效",
        "description_html": (
            "<p>Any printed form of a 网信算备 number (<code>网信算备 330110 9851546 01 24 0013 号</code>), "
            "a gen-AI 备案号 or 上线编号, or part of a product, algorithm or filer name "
            "(two characters are enough: <code>百度</code>). Cancelled numbers say so, with the "
            "notice. A number's own page: <code>/beian/numbers/&lt;number&gt;</code>.</p>"),
        "sql": LOOKUP_SQL, "hide_sql": True,
    },
    "latest": {
        "title": "What is new in the latest list 最新名单的新增与变化",
        "description_html": "<p>The changes each series' newest list brought: new filings first, then "
                            "changed and cancelled ones. Leave <code>series</code> empty for every "
                            "series, or give deep_synthesis, algorithm_recommendation, genai or "
                            "cancellation.</p>",
        "sql": LATEST_SQL, "hide_sql": True,
    },
    "filer": {
        "title": "Everything a filer has filed 某单位的全部备案",
        "description_html": "<p>Every filing and registration of a filer, across every series and "
                            "tier: its name or part of it (北京百度网讯科技有限公司, 百度). Filers "
                            "renamed under one 网信算备 entity id are included.</p>",
        "sql": FILER_SQL, "hide_sql": True,
    },
}

LOOKUP_TABLES = {
    "registry": ("One row per filing: a 网信算备 number in one series (deep synthesis, algorithm "
                 "recommendation), or a gen-AI 备案号/上线编号. Facets by series, tier, province, status "
                 "and the year first listed; search (3 characters or more) over names, filers, products "
                 "and numbers. For 1-2 characters use the lookup query.", {
        "registry_id": "The filing's key in the warehouse (dim_filing.filing_id, fct_registrations.registration_key).",
        "number": "The number's search key: 网信算备 digits, or the 备案号/上线编号 without spaces; links to its page.",
        "number_printed": "The number as the list prints it.",
        "series": "deep_synthesis, algorithm_recommendation or genai (unknown: cancelled, in no list).",
        "tier": "algorithm_filing (网信算备), national_filing (备案) or local_registration (登记).",
        "service_kind": "gen-AI: general or on_device.",
        "name": "Algorithm, model or service name as listed.",
        "filer": "The filer (备案主体 / 备案单位 / 登记单位) as listed.",
        "product": "Product the algorithm is used in (应用产品).",
        "entity_key": "The filer across series and tiers (marts.dim_entity).",
        "province": "Province of the filer (from the number, or 属地).",
        "place": "Province / prefecture / district where the number encodes one.",
        "year": "Year of the first list the filing appears in.",
        "first_list": "The first list it appears in.", "latest_list": "The latest list it appears in.",
        "lists": "Every list it appears in, oldest first.",
        "list_appearances": "How many lists it appears in.",
        "status": "active, or cancelled (注销) by a CAC notice.",
        "cancelled_on": "Date of the cancellation notice.",
        "cancellation_notice_title": "Title of the cancellation notice.",
        "cancellation_notice_url": "The cancellation notice on beian.cac.gov.cn.",
        "attachment_url": "The original list file (DOCX/PDF) of its latest list.",
        "notice_url": "The CAC page that published its latest list.",
    }),
    "numbers": ("One row per number: its page says whether it is registered and still valid, "
                "its cancellation and notice, every list it appears in (the appearances linked "
                "below) and the original attachment.", {
        "number": "网信算备 digits, or the 备案号/上线编号 without spaces.",
        "number_printed": "As printed in a list.", "series": "The series it is listed in.",
        "tier": "algorithm_filing, national_filing or local_registration.",
        "name": "Name as listed.", "filer": "Filer as listed.", "province": "Province.",
        "status": "active, or cancelled (注销).",
        "verdict": "Registered and valid, or cancelled: when and by which notice.",
        "cancelled_on": "Date of the cancellation notice.",
        "cancellation_notice_title": "Title of the cancellation notice.",
        "cancellation_notice_url": "The cancellation notice.",
        "lists": "Every list and notice it appears in, oldest first.",
        "appearances": "How many lists and notices.",
        "latest_attachment_url": "The original file of the latest list it appears in.",
        "latest_notice_url": "The CAC page that published that list.",
    }),
    "appearances": ("Every list, and every cancellation notice, a number appears in, with the "
                    "original file.", {
        "appearance_id": "Key of the row in fct_filings, fct_registration_appearances or fct_cancellations.",
        "number": "The number's search key; links to its page.",
        "number_printed": "As printed in this list.",
        "series": "The list's series (cancellation: a notice of cancellations).",
        "kind": "listed, or cancelled (a cancellation notice).",
        "list_label": "The list's month.", "list_month": "First day of the list's month.",
        "published_on": "Publication date.", "name": "Name as printed here.",
        "filer": "Filer as printed here.", "notice_title": "Title of the CAC notice.",
        "notice_url": "The CAC page that published the list.",
        "attachment_url": "The original file (DOCX/PDF).",
        "table_index": "Table in the file (0-based).", "row_index": "Row in that table.",
    }),
}


def site_metadata(docs: list[TableDoc], notice_urls: list[str]) -> dict:
    """Datasette's metadata.json: the CAC as source, dbt's descriptions, facets, queries."""
    tables = {doc.name: {"description": doc.description or "",
                         "columns": {c.name: c.description for c in doc.columns if c.description}}
              for doc in docs}
    for name, (description, columns) in LOOKUP_TABLES.items():
        tables[name] = {"description": description, "columns": columns}
    tables["registry"].update(facets=list(FACETS), facet_size=40, sort="number")
    tables["numbers"].update(label_column="name")
    links = "".join(f'<li><a href="{html.escape(u)}">{html.escape(u)}</a></li>' for u in notice_urls)
    return {
        "title": "beian · 中国人工智能备案与登记 China's AI filing registry",
        "description_html": (
            "<p>The CAC's published AI filing lists, cleaned: generative-AI 备案 and 登记, "
            "deep-synthesis and algorithm-recommendation filings (网信算备), and their cancellations "
            "(注销). Start with <a href=\"/beian/lookup\">Is it registered, and still valid?</a>, "
            "<a href=\"/beian/latest\">what is new in the latest list</a>, "
            "<a href=\"/beian/filer\">everything a filer has filed</a>, or browse "
            "<a href=\"/beian/registry\">the registry</a> by series, tier, province, status and year.</p>"
            f"<details><summary>The CAC notices the lists come from ({len(notice_urls)})</summary>"
            f"<ul>{links}</ul></details>"),
        "source": CAC_SOURCE["title"],
        "source_url": CAC_SOURCE["path"],
        "license": "Public information published by the CAC, which states no licence for it",
        "license_url": LIVING_PAGES[0],
        "databases": {DATABASE: {
            "title": "beian",
            "source": CAC_SOURCE["title"], "source_url": LIVING_PAGES[0],
            "tables": tables,
            "queries": QUERIES,
        }},
    }


# Datasette 0.65.5 prints errors with rich when it can import it (dagster brings rich), and
# rich refuses outside an except block: a 404 for an odd path (/beian/../x) became a 500 with
# a traceback. Hidden from it, Datasette renders its own error page.
LAUNCH = "import sys; sys.modules['rich'] = None; from datasette.cli import cli; cli(prog_name='datasette')"


def serve_command(folder: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The datasette command over the export in ``folder``: immutable, time-limited."""
    return [sys.executable, "-c", LAUNCH, "serve", "--immutable", str(folder / DB_FILE),
            "--metadata", str(folder / METADATA_FILE), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
            "--setting", "max_returned_rows", str(MAX_ROWS)]


def serve(folder: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Replace this process with Datasette serving the export (Ctrl-C stops it)."""
    if not (folder / DB_FILE).is_file() or not (folder / METADATA_FILE).is_file():
        raise FileNotFoundError(f"no Datasette export in {folder}: run `make run` (or `beian run`) first")
    command = serve_command(folder, host, port)
    sys.stdout.flush()
    os.execv(command[0], command)
