"""Notice, listing and column pages: title, date, batch, list labels, links, visible text.

Tolerant by design: the title comes from <h1> or <title>, the date from the page's time
element or by pattern, links from every <a href>. An attachment is a link to a file or to a
download interface (the CAC's `downloadfile.jsp?filepath=…&fText=<name>`): its name is the
`fText` parameter, else the link text, else the file name in the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import lxml.html

from ..vocabulary import (
    SERIES_ALGORITHM_RECOMMENDATION, SERIES_CANCELLATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI,
    SERIES_GENAI_STATISTICS,
)
from .dates import parse_list_date
from .text import chinese_numeral_to_int, normalise_cell


ATTACHMENT_EXTENSIONS = (".docx", ".doc", ".pdf", ".xlsx", ".xls", ".wps", ".zip")
# the last path segment of a download interface: www.cac.gov.cn's downloadfile.jsp and
# beian.cac.gov.cn's /api/file/fileDownLoad; any other …download… endpoint with a query too
_DOWNLOAD_ENDPOINT = re.compile(r"download", re.I)
_NAME_PARAMETERS = ("ftext", "filename", "name")
_TITLE_SUFFIX = re.compile(r"[_|｜-]\s*(中央网络安全和信息化委员会办公室|中国网信网|网信中国).*$")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*批")
_SIGNATURE_DATE = re.compile(r"20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_LIST_LABEL = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")


@dataclass(frozen=True)
class Link:
    url: str  # absolute
    text: str
    title: str = ""  # the title attribute: on column pages the full title, where the text is cut short

    @property
    def file_name(self) -> str:
        """The last segment of the link's path, percent-decoded."""
        return unquote(urlsplit(self.url).path.rsplit("/", 1)[-1])

    @property
    def name_parameter(self) -> str:
        """The name a download interface's query gives its file (fText), or ''."""
        for key, value in parse_qsl(urlsplit(self.url).query, keep_blank_values=True):
            if key.lower() in _NAME_PARAMETERS and value.strip():
                return normalise_cell(value)
        return ""

    @property
    def name(self) -> str:
        """What classifies and labels a list: fText, else the link text, else the file name of a
        file link. '' for a download link that names nothing (its answer's Content-Disposition
        must)."""
        if self.name_parameter:
            return self.name_parameter
        if self.text or self.title:
            return self.text or self.title
        return "" if self.is_download_interface else self.file_name

    @property
    def is_download_interface(self) -> bool:
        parts = urlsplit(self.url)
        return bool(parts.query) and bool(_DOWNLOAD_ENDPOINT.search(parts.path.rsplit("/", 1)[-1]))

    @property
    def is_attachment(self) -> bool:
        path = urlsplit(self.url).path.lower()
        return "/files/" in path or path.endswith(ATTACHMENT_EXTENSIONS) or self.is_download_interface

    @property
    def is_page(self) -> bool:
        return urlsplit(self.url).path.lower().endswith((".htm", ".html", ".shtml"))


@dataclass(frozen=True)
class ColumnItem:
    """One item of a column (listing) page: the notice it links, its full title, its date."""
    url: str
    title: str
    published_on: date | None


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


_CITED_TITLE = re.compile(r"《[^》]*》")
_FILING_WORDS = re.compile(r"备案|登记")
_RELATED_WORDS = re.compile(r"备案|登记|算法|人工智能|深度合成|注销")


def classify_series(title: str, text: str = "") -> str | None:
    """Which series a notice or an attachment belongs to, from its words.

    A filing publication says 备案 or 登记 in its own words: titles it cites in 《》 (a
    notice about the 《生成式人工智能服务管理暂行办法》, say) do not count. Other filing
    series that say 备案 (境内区块链信息服务) name none of ours and read as None.
    """
    words = _CITED_TITLE.sub("", normalise_cell(title))
    if not _FILING_WORDS.search(words):
        return None
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


def looks_related(title: str) -> bool:
    """A title that speaks of filings, algorithms or AI but is none of ours (区块链 filings, AI
    rules): skipped, and named in the discovery record."""
    return bool(_RELATED_WORDS.search(normalise_cell(title)))


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
    time_el = doc.xpath("//*[@id='pubtime'] | //*[contains(concat(' ', normalize-space(@class), ' '), ' time ')]")
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
            links.append(Link(url=absolute, text=normalise_cell(anchor.text_content()),
                              title=normalise_cell(anchor.get("title") or "")))
    return NoticePage(url=url, title=title, published_on=published, text=text, links=links)


_ISO_DATE = re.compile(r"(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_column_page(html: bytes | str, url: str) -> list[ColumnItem]:
    """The items of a column page (``<li><a href title>…</a><div class="times">YYYY-MM-DD``),
    newest first as the site lists them: the full title from the title attribute (the link
    text is cut short), relative links resolved, the date from the item's own text."""
    text_html = decode_html(html) if isinstance(html, bytes) else html
    doc = lxml.html.fromstring(_XML_DECLARATION.sub("", text_html) or "<html></html>")
    items: list[ColumnItem] = []
    seen: set[str] = set()
    container = doc.xpath("//*[@id='loadingInfoPage']")  # the live column's list; else every <li>
    for entry in (container[0] if container else doc).iter("li"):
        anchors = [a for a in entry.iter("a") if (a.get("href") or "").strip()]
        if not anchors:
            continue
        anchor = anchors[0]
        absolute = urljoin(url, anchor.get("href").strip()).split("#", 1)[0]
        if absolute in seen or not urlsplit(absolute).path.lower().endswith((".htm", ".html", ".shtml")):
            continue
        seen.add(absolute)
        title = normalise_cell(anchor.get("title") or "") or normalise_cell(anchor.text_content())
        found = _ISO_DATE.search(normalise_cell(entry.text_content()))
        try:
            published = date(*map(int, found.groups())) if found else None
        except ValueError:  # 2026-02-30
            published = None
        items.append(ColumnItem(url=absolute, title=title, published_on=published))
    # navigation lists carry no date; a column's items all do
    return [item for item in items if item.published_on is not None]
