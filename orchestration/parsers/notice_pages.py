"""Notice and listing pages: title, date, batch, list labels, links, visible text.

Tolerant by design: the live site's markup differs from the mirror's, so the
title comes from <h1> or <title>, the date by pattern, links from every <a href>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from .dates import parse_list_date
from .text import chinese_numeral_to_int, normalise_cell

SERIES_DEEP_SYNTHESIS = "deep_synthesis"
SERIES_ALGORITHM_RECOMMENDATION = "algorithm_recommendation"
SERIES_GENAI = "genai"
SERIES_GENAI_STATISTICS = "genai_statistics"
SERIES_CANCELLATION = "cancellation"

ATTACHMENT_EXTENSIONS = (".docx", ".doc", ".pdf", ".xlsx", ".xls", ".wps", ".zip")
_TITLE_SUFFIX = re.compile(r"[_|｜-]\s*(中央网络安全和信息化委员会办公室|中国网信网|网信中国).*$")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*批")
_SIGNATURE_DATE = re.compile(r"20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_LIST_LABEL = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")


@dataclass(frozen=True)
class Link:
    url: str  # absolute
    text: str

    @property
    def file_name(self) -> str:
        return unquote(urlsplit(self.url).path.rsplit("/", 1)[-1])

    @property
    def is_attachment(self) -> bool:
        path = urlsplit(self.url).path.lower()
        return "/files/" in path or path.endswith(ATTACHMENT_EXTENSIONS)

    @property
    def is_page(self) -> bool:
        return urlsplit(self.url).path.lower().endswith((".htm", ".html", ".shtml"))


@dataclass
class NoticePage:
    url: str
    title: str
    published_on: date | None
    text: str  # visible body text, one paragraph per line
    links: list[Link] = field(default_factory=list)

    @property
    def attachments(self) -> list[Link]:
        return [link for link in self.links if link.is_attachment]

    @property
    def pages(self) -> list[Link]:
        return [link for link in self.links if link.is_page and not link.is_attachment]

    @property
    def batch_no(self) -> int | None:
        return batch_number(self.title)


def batch_number(title: str) -> int | None:
    """第N批 in Chinese numerals or digits; None when the title names no batch."""
    match = _BATCH.search(title)
    return chinese_numeral_to_int(match.group(1)) if match else None


def list_label(text: str) -> str | None:
    """The list label ``YYYY-MM`` from a name such as 清单（2024年10月）; the last one wins."""
    matches = _LIST_LABEL.findall(normalise_cell(text))
    if not matches:
        return None
    year, month = matches[-1]
    return f"{year}-{int(month):02d}"


def classify_series(title: str, text: str = "") -> str | None:
    """Which series a notice or an attachment belongs to, from its words."""
    words = normalise_cell(title)
    if "注销" in words:
        return SERIES_CANCELLATION
    if "深度合成" in words:
        return SERIES_DEEP_SYNTHESIS
    if "互联网信息服务算法" in words:
        return SERIES_ALGORITHM_RECOMMENDATION
    if "生成式人工智能" in words:
        body = normalise_cell(text)
        if re.search(r"截至\s*20\d{2}\s*年", body) and re.search(r"(累计|共)有?\s*\d+", body):
            return SERIES_GENAI_STATISTICS
        return SERIES_GENAI
    return None


def _parse_date(text: str) -> date | None:
    return parse_list_date(text)[0]


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(data: bytes) -> str:
    """Page bytes as text: the declared charset, else UTF-8, else GB18030 (the CAC's
    older pages). lxml alone falls back to Latin-1 when a page declares nothing."""
    declared = _META_CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for encoding in [*candidates, "utf-8", "gb18030"]:
        try:
            return data.decode("gb18030" if encoding in ("gb2312", "gbk") else encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def parse_notice_page(html: bytes | str, url: str) -> NoticePage:
    """Parse a notice (or listing) page fetched from ``url``."""
    text_html = decode_html(html) if isinstance(html, bytes) else html
    doc = lxml.html.fromstring(_XML_DECLARATION.sub("", text_html) or "<html></html>")
    h1 = doc.xpath("//h1")
    title = normalise_cell(h1[0].text_content()) if h1 else ""
    if not title:
        title_el = doc.find(".//title")
        title = _TITLE_SUFFIX.sub("", normalise_cell(title_el.text_content() if title_el is not None else "")).strip()
    time_el = doc.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' time ')]")
    published = _parse_date(time_el[0].text_content()) if time_el else None
    paragraphs = [normalise_cell(p.text_content()) for p in doc.iter("p")]
    text = "\n".join(p for p in paragraphs if p)
    if published is None:
        # Fall back to the signature: the last paragraph that is only a date (2024年4月2日);
        # 附件 lines may follow it, and the body may cite other dates (截至…).
        signatures = [p for p in paragraphs if _SIGNATURE_DATE.fullmatch(p)]
        published = _parse_date(signatures[-1]) if signatures else _parse_date(text)
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urljoin(url, href).split("#", 1)[0]
        if absolute not in seen:
            seen.add(absolute)
            links.append(Link(url=absolute, text=normalise_cell(anchor.text_content())))
    return NoticePage(url=url, title=title, published_on=published, text=text, links=links)
