"""Reading uploads: text encodings, .docx, PDF through pdftotext, and bad input."""

import io
import os
import stat
import zipfile

import docx
import pytest

from campaigndesk.common.errors import DomainError
from campaigndesk.documents import decoding
from campaigndesk.documents.decoding import decode_document, reflow_pdf_text

REPORT = "截至6月30日，全县发放宣传资料3.8万份。\r\n悬挂横幅1260条。\n"


def test_utf8_with_bom_drops_the_bom_and_keeps_newlines():
    text = decode_document(b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "report.txt")
    assert text == REPORT
    assert "\r\n" in text


def test_utf8_without_bom():
    assert decode_document(REPORT.encode("utf-8"), "report.txt") == REPORT


def test_gb18030_is_tried_when_utf8_fails():
    data = REPORT.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_document(data, "report.txt") == REPORT


def test_traditional_text_in_gb18030():
    text = "石屏縣懸掛橫幅2360條，刷寫固定標語580處。"
    assert decode_document(text.encode("gb18030"), "a.txt") == text


def test_utf16_with_bom():
    assert decode_document(REPORT.encode("utf-16"), "report.txt") == REPORT


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 20,  # NUL bytes
        bytes(range(1, 256)) * 20,  # control characters, not UTF-8
        b"\x89PNG\r\n\x1a\n" + bytes(range(1, 200)) * 10,
        bytes((i * 37 + 11) % 256 for i in range(4000) if (i * 37 + 11) % 256 > 31),
    ],
    ids=["nul", "controls", "png", "high-bytes"],
)
def test_binary_is_rejected(data):
    with pytest.raises(DomainError) as error:
        decode_document(data, "upload.txt")
    assert error.value.code == "binary"


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf"])
def test_empty_is_rejected(data):
    with pytest.raises(DomainError) as error:
        decode_document(data, "empty.txt")
    assert error.value.code == "empty"
    assert "empty" in str(error.value) or "no text" in str(error.value)


def test_oversized_is_rejected(monkeypatch):
    monkeypatch.setattr(decoding, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(DomainError) as error:
        decode_document(b"x" * 11, "big.txt")
    assert error.value.code == "too_large"


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("楚雄州融媒体中心宣传工作总结")
    document.add_paragraph("播出新闻3条，刊发7篇文图。")
    table = document.add_table(rows=2, cols=3)
    rows = [("序号", "单位", "篇数"), ("1", "县委宣传部", "12篇")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("悬挂横幅20条。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_order():
    text = decode_document(_docx_bytes(), "report.docx")
    assert text.split("\n") == [
        "楚雄州融媒体中心宣传工作总结",
        "播出新闻3条，刊发7篇文图。",
        "序号 | 单位 | 篇数",
        "1 | 县委宣传部 | 12篇",
        "悬挂横幅20条。",
    ]


def test_docx_is_recognised_without_its_extension():
    assert "播出新闻3条" in decode_document(_docx_bytes(), "upload")


def test_broken_docx_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(DomainError) as error:
        decode_document(buffer.getvalue(), "report.docx")
    assert error.value.code == "unreadable"
    with pytest.raises(DomainError):
        decode_document(b"plain text pretending", "report.docx")


def test_old_word_doc_is_rejected_with_advice():
    with pytest.raises(DomainError) as error:
        decode_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc")
    assert error.value.code == "unsupported"
    assert ".docx" in str(error.value)


def test_pdf_without_pdftotext_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(decoding.shutil, "which", lambda name: None)
    with pytest.raises(DomainError) as error:
        decode_document(b"%PDF-1.7\n...", "report.pdf")
    assert error.value.code == "unsupported"
    assert "pdftotext" in str(error.value)


def _fake_pdftotext(tmp_path, monkeypatch, output: str, status: int = 0) -> None:
    """A stand-in pdftotext on PATH that prints ``output`` (the real one may be absent)."""
    script = tmp_path / "pdftotext"
    script.write_text(
        f"#!/bin/sh\ncat > /dev/null\nprintf '%s' '{output}'\nexit {status}\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")


def test_pdf_text_layer_is_read_and_reflowed(tmp_path, monkeypatch):
    _fake_pdftotext(
        tmp_path,
        monkeypatch,
        "一、基本情况\n全县共发放宣传资料3000\n份，悬挂横幅标语和宣传\n条幅20条。\f",
    )
    text = decode_document(b"%PDF-1.7\n...", "report.pdf")
    assert text == "一、基本情况\n全县共发放宣传资料3000份，悬挂横幅标语和宣传条幅20条。\n"


def test_pdf_without_text_layer(tmp_path, monkeypatch):
    _fake_pdftotext(tmp_path, monkeypatch, "\f\f")
    with pytest.raises(DomainError) as error:
        decode_document(b"%PDF-1.7\n...", "scan.pdf")
    assert error.value.code == "empty"


def test_unreadable_pdf(tmp_path, monkeypatch):
    _fake_pdftotext(tmp_path, monkeypatch, "", status=1)
    with pytest.raises(DomainError) as error:
        decode_document(b"%PDF-1.7\n...", "broken.pdf")
    assert error.value.code == "unreadable"


def test_reflow_keeps_headings_and_indented_paragraphs():
    wrapped = (
        "(一)阵地宣传。截至6月5日，全县\n"
        "悬挂横幅1260条，张贴海报8500\n"
        "张。\n"
        "　　二、下步打算\n"
        "1.加强领导，压实各级工作责任，\n"
        "2.创新方式"
    )
    assert reflow_pdf_text(wrapped) == (
        "(一)阵地宣传。截至6月5日，全县悬挂横幅1260条，张贴海报8500张。\n"
        "　　二、下步打算\n"
        "1.加强领导，压实各级工作责任，\n"
        "2.创新方式"
    )
