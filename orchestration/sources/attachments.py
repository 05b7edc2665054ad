"""Attachments as the CAC serves them: never a file link, but a download interface
(`/cms/pub/interact/downloadfile.jsp?filepath=<opaque>&fText=<name without extension>`, or
beian.cac.gov.cn's `/api/file/fileDownLoad?noticeId=…`) whose answer names the file in
`Content-Disposition`. Nothing in it is trusted: the name is reduced to a base name, the format
is taken from the bytes, and an answer that is no list file fails the list in one line.
"""

from __future__ import annotations

import re
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import PurePosixPath

from ..parsers.tables import sniff_file_type
from .base import FetchError, FetchResult, Source, short_url

LIST_FILE_TYPES = frozenset({"zip", "pdf"})  # DOCX/XLSX and PDF, sniffed from the bytes
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_CHARS = 255


def disposition_name(value: str | None) -> tuple[str | None, str | None]:
    """The file name a Content-Disposition header gives (RFC 6266, with RFC 5987/2231
    ``filename*=UTF-8''…``, preferred over ``filename``), by the standard library's header
    parser: (as sent, made safe)."""
    if not value:
        return None, None
    message = Message()  # the compat32 parser keeps both filename and filename* (RFC 6266 4.3)
    try:
        message["content-disposition"] = value
        params = message.get_params(header="content-disposition") or []
        extended = [v for k, v in params if k.lower() == "filename" and isinstance(v, tuple)]
        name = collapse_rfc2231_value(extended[-1]) if extended else message.get_filename()
    except (ValueError, TypeError, IndexError, LookupError):
        return None, None
    if not name:
        return None, None
    name = _undo_latin1(name)
    return name, safe_file_name(name)


def _undo_latin1(name: str) -> str:
    """HTTP clients read raw header bytes as Latin-1: a plain ``filename="境内.docx"`` sent
    in UTF-8 (or GB18030) arrives as mojibake, and is read back here."""
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name  # already decoded (filename*)
    if raw.isascii():
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def content_disposition_filename(value: str | None) -> str | None:
    """The safe base name a Content-Disposition header gives, or None."""
    return disposition_name(value)[1]


def safe_file_name(name: str) -> str | None:
    """A name for display and classification only: its base name (no folder, no ``..``), control
    characters dropped, at most 255 characters. None when nothing is left."""
    base = PurePosixPath(_UNPRINTABLE.sub("", name).replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        return None
    return base[:MAX_NAME_CHARS]


def describe_answer(result: FetchResult) -> str:
    content_type = result.header("Content-Type") or "no Content-Type"
    head = result.content[:40].decode("utf-8", "replace").replace("\n", " ").strip()
    return f"{content_type}, {len(result.content)} bytes, beginning {head!r}"


def fetch_list_file(source: Source, url: str, referer: str | None) -> FetchResult:
    """Fetch one list with its notice page as Referer; an answer that is HTML or anything but a
    DOCX/PDF fails, naming the URL and what came back."""
    result = source.fetch(url, referer=referer)
    kind = sniff_file_type(result.content)
    if kind not in LIST_FILE_TYPES:
        what = "an HTML page" if kind == "html" else "no DOCX or PDF"
        raise FetchError(f"{short_url(url)}: expected a list file but got {what} ({describe_answer(result)})")
    return result
