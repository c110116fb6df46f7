"""Turn an uploaded report (.txt, .docx, or .pdf with a text layer) into text.

The text returned is what figure offsets refer to: a UTF-8 byte-order mark is dropped and
newlines are kept as they are (no translation of "\\r\\n").
"""

import codecs
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError

MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
PDFTOTEXT_TIMEOUT_SECONDS = 120

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Word (.doc) and friends
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ORDINARY = re.compile(
    r"[\s\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2190-\u27bf\u3000-\u303f"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
_SAMPLE_CHARS = 65536


def decode_document(data: bytes, filename: str = "") -> str:
    """The text of an uploaded document. Raises DomainError for empty, oversized, binary
    or unreadable input, with a message for the user."""
    if not data:
        raise DomainError(_("The document is empty."), code="empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DomainError(
            _("The document is larger than %(limit)s MB.")
            % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="too_large",
        )
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        text = _pdf_text(data)
    elif data.startswith(b"PK\x03\x04") or suffix == ".docx":
        text = _docx_text(data)
    elif data.startswith(_OLE_MAGIC) or suffix == ".doc":
        raise DomainError(
            _("Old Word (.doc) files cannot be read; save the file as .docx or as text."),
            code="unsupported",
        )
    else:
        text = _plain_text(data)
    if not text.strip():
        raise DomainError(_("The document contains no text."), code="empty")
    return text


def _binary_error() -> DomainError:
    return DomainError(
        _("This file is not text: upload a .txt (UTF-8 or GB18030), .docx or .pdf file."),
        code="binary",
    )


def _plain_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary_error() from None
        return _checked(text.lstrip("\ufeff"), strict=False)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.find(b"\x00") >= 0:
        raise _binary_error()
    try:
        return _checked(data.decode("utf-8"), strict=False)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _binary_error() from None
    # Almost any bytes decode as GB18030: accept it only if the result reads like text.
    return _checked(text, strict=True)


def _checked(text: str, *, strict: bool) -> str:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return text
    controls = len(_CONTROL.findall(sample))
    if controls > max(2, len(sample) // 1000):
        raise _binary_error()
    if strict:
        ordinary = len(_ORDINARY.findall(sample))
        if ordinary < 0.97 * len(sample):
            raise _binary_error()
    return text


def _docx_text(data: bytes) -> str:
    """Paragraphs and table rows in body order, joined with "\\n" (a row's cells with
    " | ")."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DomainError(
            _("This file is not a readable .docx document."), code="unreadable"
        ) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
                lines.append(" | ".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    program = shutil.which("pdftotext")
    if program is None:
        raise DomainError(
            _(
                "PDF files cannot be read on this server: the pdftotext program "
                "(poppler-utils) is not installed. Upload the text or a .docx instead."
            ),
            code="unsupported",
        )
    try:
        result = subprocess.run(
            [program, "-enc", "UTF-8", "-q", "-", "-"],
            input=data,
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DomainError(_("Reading the PDF took too long."), code="timeout") from exc
    if result.returncode != 0:
        raise DomainError(_("This file is not a readable PDF document."), code="unreadable")
    text = result.stdout.decode("utf-8", errors="replace")
    text = reflow_pdf_text(text)
    if not text.strip():
        raise DomainError(
            _("The PDF has no text layer (it is a scan); upload the text instead."),
            code="empty",
        )
    return text


_HEADING_START = re.compile(
    r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]"
)
_JOINABLE_BEFORE = re.compile(r"[\u3400-\u9fff\d,，、“《(（%％]")
_JOINABLE_AFTER = re.compile(r"[\u3400-\u9fff\d%％,，、。;；:：”》)）]")


def reflow_pdf_text(text: str) -> str:
    """Undo the line wrapping of extracted PDF text: a line break inside a sentence is
    removed when the line runs (nearly) to the full width of the page, ends in a
    character or digit, and the next line goes on without an indent, a heading or a list
    number. Page breaks become line breaks."""
    lines = text.replace("\f", "\n").split("\n")
    width = max((len(line) for line in lines), default=0)
    out: list[str] = []
    wrapped = False  # the previous line ran to the full width
    for line in lines:
        if (
            wrapped
            and line
            and _JOINABLE_BEFORE.match(out[-1][-1])
            and _JOINABLE_AFTER.match(line[0])
            and not _HEADING_START.match(line)
        ):
            out[-1] += line
        else:
            out.append(line)
        wrapped = width >= 10 and len(line) >= 0.75 * width
    return "\n".join(out)
