"""The pages of a synthetic mirror: notice pages and listings shaped like the corpus's, and
where each lands under ``<root>/<host>/<url path>``."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ...settings import ALGORITHM_LIVING_PAGE, GENAI_LIVING_PAGE
from .plan import AR, DS, ListPlan, chinese_numeral

WWW, BEIAN = "https://www.cac.gov.cn", "https://beian.cac.gov.cn"
ENTRY_PAGES = (f"{WWW}/index.htm", f"{BEIAN}/index.htm", GENAI_LIVING_PAGE, ALGORITHM_LIVING_PAGE)


def href(path: str) -> str:
    """Root-relative and percent-encoded, as the CAC links attachments."""
    return quote(path, safe="/")


def www_notice_id(published: date, rng: random.Random) -> str:
    seconds = int(datetime(published.year, published.month, published.day, 2, tzinfo=timezone.utc).timestamp())
    return f"c_{seconds * 1_000_000 + rng.randrange(1_000_000)}"


def notice_html(title: str, published: date, body: str, attachments: list[tuple[str, str]]) -> str:
    """A notice page shaped like the corpus's reconstructions."""
    if len(attachments) == 1:
        links = [f'<p>附件：<a href="{href(path)}">{text}</a></p>' for path, text in attachments]
    else:
        links = [f'<p>附件{k}：<a href="{href(path)}">{text}</a></p>'
                 for k, (path, text) in enumerate(attachments, start=1)]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN">',
        f'<head><meta charset="utf-8"><title>{title}_中央网络安全和信息化委员会办公室</title></head>',
        "<body>", '<div class="article">', f'<h1 class="title">{title}</h1>',
        f'<div class="info"><span class="time">{published:%Y-%m-%d} 10:00:00</span> '
        '<span class="source">来源：中国网信网</span></div>',
        '<div class="main-content" id="BodyLabel">', f"<p>{body}</p>", "<p>国家互联网信息办公室</p>",
        f"<p>{published.year}年{published.month}月{published.day}日</p>", *links,
        "</div>", "</div>", "</body>", "</html>",
    ]) + "\n"


def listing_html(items: list[tuple[str, str, date]]) -> str:
    """A host's index.htm: newest first, like the corpus's listing pages."""
    lines = [f'<li><a href="{path}">{title}</a><span class="date">{day:%Y-%m-%d}</span></li>'
             for path, title, day in sorted(items, key=lambda item: (item[2], item[0]), reverse=True)]
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>公告</title></head>\n'
            '<body><ul class="list">\n' + "\n".join(lines) + "\n</ul></body></html>\n")


def write_page(root: Path, url: str, text: str) -> None:
    scheme_host, _, path = url.partition("://")[2].partition("/")
    target = root / scheme_host / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def url_path(url: str) -> str:
    return "/" + url.partition("://")[2].partition("/")[2]


def ds_title(batch: int) -> str:
    numbered = "" if batch == 1 else f"第{chinese_numeral(batch)}批"  # the first notice names no batch
    return f"国家互联网信息办公室关于发布{numbered}深度合成服务算法备案信息的公告"


def attachment_name(plan: ListPlan) -> tuple[str, str]:
    """(mirror path under the host, link text) of a list's attachment."""
    if plan.series == DS:
        text = f"境内深度合成服务算法备案清单（{plan.label}）"
        return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text
    if plan.series == AR:
        text = f"境内互联网信息服务算法备案清单（{plan.label}）"
        return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text
    kind = "已备案信息" if plan.local_rows == 0 else "已备案和已登记信息"
    text = f"生成式人工智能服务{kind}（{plan.label}）"
    # by publication day: a month can carry several lists of one series at scale
    return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text
