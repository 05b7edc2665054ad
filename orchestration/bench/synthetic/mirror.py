"""The whole synthetic mirror: the lists as planned, their notice pages and the living pages,
both hosts' listings, the cancellation notices, and expected.json."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from pathlib import Path

from ...settings import ALGORITHM_LIVING_PAGE, GENAI_LIVING_PAGE
from .docx_xml import ROW7, write_docx
from .expectations import BadRow, CancellationExpectation, ListExpectation, SyntheticCorpus
from .pages import (
    BEIAN, ENTRY_PAGES, WWW, attachment_name, ds_title, href, listing_html, notice_html, url_path, write_page,
    www_notice_id,
)
from .plan import AR, DS, GENAI, ListPlan, chinese_numeral, plan_lists
from .rows import (
    AR_HEADER, CANCELLATION_HEADER, DS_HEADER, GENAI_HEADER_NEW, GENAI_HEADER_OLD, NEW_HEADER_FROM, Candidate,
    Filings, GenaiState, algorithm_rows, company_capacity, genai_rows, make_companies,
)


def _bad_row(plan: ListPlan, detail: str) -> BadRow:
    row_index = plan.bad_index + 1  # below the header row
    if plan.inner_header and plan.bad_index >= plan.rows - plan.local_rows:
        row_index += 1  # below the inner 登记 header too
    return BadRow(plan.bad_kind, row_index, detail)


def _cancellations(root: Path, candidates: list[Candidate], notice_dates: list[date],
                   seed: int) -> list[CancellationExpectation]:
    """A few small notices, each cancelling numbers published in earlier lists."""
    rng = random.Random(f"{seed}/cancellations")
    used: set[str] = set()
    notices: list[CancellationExpectation] = []
    for day in notice_dates:
        pool = [c for c in candidates if c.published < day and c.digits not in used]
        if not pool:
            continue
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, 6)))
        used.update(c.digits for c in chosen)
        notice_id = f"notice_{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        title = f"关于注销“{chosen[0].algorithm_name}”等{len(chosen)}个算法备案编号的公告"
        month = f"{day.year}年{day.month}月"
        rows = []
        for k, c in enumerate(chosen, start=1):
            # 角色 is dirty in the real notices: cut short, or the algorithm class
            role = "服务提供" if c.role == "服务提供者" and rng.random() < 0.4 else c.role
            rows.append(ROW7 % (k, c.algorithm_name, role, c.entity, c.product, c.printed_number, month))
        attachment_path = f"/files/{notice_id}.docx"
        write_docx(root / "beian.cac.gov.cn" / attachment_path.lstrip("/"), title, CANCELLATION_HEADER, rows)
        notice_url = f"{BEIAN}/notice/{notice_id}.htm"
        write_page(root, notice_url, notice_html(title, day, f"注销“{chosen[0].algorithm_name}”等{len(chosen)}个算法备案编号。",
                                              [(attachment_path, title)]))
        notices.append(CancellationExpectation(
            title=title, published_on=day.isoformat(), notice_url=notice_url,
            attachment_url=f"{BEIAN}{href(attachment_path)}", rows=len(chosen),
            filing_numbers=tuple(c.digits for c in chosen)))
    return notices


def generate_mirror(root: Path, *, rows: int, lists: int, seed: int = 0) -> SyntheticCorpus:
    """Write a synthetic mirror with ``rows`` data rows over ``lists`` lists (deep synthesis,
    algorithm recommendation and gen-AI; cancellation notices come on top) into ``root``,
    which must be empty or absent. Same arguments, same bytes."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty; the synthetic mirror needs an empty directory")
    plans = plan_lists(rows, lists, seed)
    companies = make_companies(min(company_capacity(), max(50, rows // 4)), seed)
    filings, genai_state = Filings(companies), GenaiState()
    candidates: list[Candidate] = []
    expectations: list[ListExpectation] = []
    ds_notices: list[tuple[str, str, date]] = []
    living: dict[str, list[tuple[str, str]]] = {GENAI: [], AR: []}
    for plan in plans:
        rng = random.Random(f"{seed}/{plan.series}/{plan.position}")
        path, link_text = attachment_name(plan)
        dirt: dict[str, int] = dict.fromkeys(
            ("empty_serial", "spaced_filing_number", "technical_supporter", "remark")
            if plan.series != GENAI else
            ("inner_header_row", "supplementary_date", "province_prefix_variant", "sasac",
             "number_without_sequence"), 0)
        serials: dict[str, list[int]] = {}
        if plan.series == GENAI:
            header = GENAI_HEADER_NEW if (plan.year, plan.month) >= NEW_HEADER_FROM else GENAI_HEADER_OLD
            body = genai_rows(plan, rng, companies, genai_state, dirt, serials)
            write_docx(root / "www.cac.gov.cn" / path.lstrip("/"), link_text, None, body)
            detail = "备案单位/登记单位 blank" if plan.bad_kind == "blank_filer" else "模型/应用名称 blank"
        else:
            header = DS_HEADER if plan.series == DS else AR_HEADER
            keep = set(rng.sample(range(plan.rows), min(plan.rows, 6))) - {plan.bad_index}
            kept: list[Candidate] = []
            body = algorithm_rows(plan, rng, filings, dirt, keep, kept)
            write_docx(root / "www.cac.gov.cn" / path.lstrip("/"), link_text, header, body)
            candidates.extend(kept)
            detail = "主体名称 blank" if plan.bad_kind == "blank_entity" else "filing number cut to 20 digits"
        if plan.series == DS:
            batch = plan.position + 1
            notice_url = f"{WWW}/{plan.published:%Y-%m/%d}/{www_notice_id(plan.published, rng)}.htm"
            title = ds_title(batch)
            ordinal = "" if batch == 1 else f"第{chinese_numeral(batch)}批"
            write_page(root, notice_url, notice_html(
                title, plan.published,
                f"根据《互联网信息服务深度合成管理规定》，国家互联网信息办公室现公开发布{ordinal}境内深度合成服务算法"
                "备案信息，具体信息可通过互联网信息服务算法备案系统（https://beian.cac.gov.cn）进行查询。",
                [(path, link_text)]))
            ds_notices.append((url_path(notice_url), title, plan.published))
        else:
            batch = None
            notice_url = GENAI_LIVING_PAGE if plan.series == GENAI else ALGORITHM_LIVING_PAGE
            living[plan.series].append((path, link_text))
        expectations.append(ListExpectation(
            series=plan.series, label=plan.label, list_label=plan.list_label, batch_no=batch,
            published_on=plan.published.isoformat(), notice_url=notice_url,
            attachment_url=f"{WWW}{href(path)}", rows_extracted=plan.rows,
            rows_accepted=plan.rows - 1, rows_quarantined=1,
            bad_row=_bad_row(plan, detail), header=header, dirt=dirt, serials=serials,
        ))
    genai_title = "国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告"
    ar_title = "国家互联网信息办公室关于发布互联网信息服务算法备案信息的公告"
    genai_day, ar_day = date(2024, 4, 2), date(2022, 8, 12)  # the living pages' real dates
    write_page(root, GENAI_LIVING_PAGE, notice_html(
        genai_title, genai_day, "根据《生成式人工智能服务管理暂行办法》，国家互联网信息办公室会同有关部门开展生成式"
        "人工智能服务备案工作。已备案和已登记信息在国家互联网信息办公室官网定期汇总更新，不再另行公告。",
        living[GENAI]))
    write_page(root, ALGORITHM_LIVING_PAGE, notice_html(
        ar_title, ar_day, "根据《互联网信息服务算法推荐管理规定》，现公开发布境内互联网信息服务算法备案信息，"
        "此后将定期更新，不再另行公告。", living[AR]))
    write_page(root, ENTRY_PAGES[0], listing_html(
        [*ds_notices, (url_path(GENAI_LIVING_PAGE), genai_title, genai_day),
         (url_path(ALGORITHM_LIVING_PAGE), ar_title, ar_day)]))
    # cancellations come out with the last deep-synthesis batches, as in reality
    notice_dates = sorted(day for _, _, day in ds_notices)[-3:]
    cancellations = _cancellations(root, candidates, notice_dates, seed)
    write_page(root, ENTRY_PAGES[1], listing_html(
        [(url_path(c.notice_url), c.title, date.fromisoformat(c.published_on)) for c in cancellations]))
    corpus = SyntheticCorpus(root=root, entry_pages=ENTRY_PAGES, lists=tuple(expectations),
                             cancellations=tuple(cancellations), seed=seed)
    (root / "expected.json").write_text(
        json.dumps(corpus.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return corpus
