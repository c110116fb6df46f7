"""Attachments of items: accepted by their content (pictures, PDF, Office files), refused
when disguised or too large, and only while the item is the unit's (or the editor's)."""

import hashlib
from pathlib import Path

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.reporting import selectors, services
from campaigndesk.reporting.models import ItemAttachment

from .factories import (
    docx_bytes,
    exe_bytes,
    gif_bytes,
    jpeg_bytes,
    ole_bytes,
    pdf_bytes,
    png_bytes,
    submitted_item,
    xlsx_bytes,
)


@pytest.fixture
def draft(world):
    return services.item_create(
        actor=world.reporter, campaign=world.campaign, title="宣讲", body="正文"
    )


def stored_files(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("现场.jpg", jpeg_bytes(), "jpeg"),
        ("现场.png", png_bytes(), "png"),
        ("动图.gif", gif_bytes(), "gif"),
        ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "webp"),
        ("材料.pdf", pdf_bytes(), "pdf"),
        ("材料.docx", docx_bytes(), "docx"),
        ("统计.xlsx", xlsx_bytes(), "xlsx"),
        ("旧材料.doc", ole_bytes("WordDocument"), "doc"),
        ("旧统计.xls", ole_bytes("Workbook"), "xls"),
        # The content decides, not the name: a PNG called .jpg is a PNG.
        ("misnamed.jpg", png_bytes(), "png"),
    ],
    ids=["jpeg", "png", "gif", "webp", "pdf", "docx", "xlsx", "doc", "xls", "png-named-jpg"],
)
def test_accepted_types(world, draft, media_root, name, data, kind):
    attachment = services.attachment_add(actor=world.reporter, item=draft, name=name, data=data)
    assert (attachment.file_type, attachment.original_name, attachment.size) == (
        kind,
        name,
        len(data),
    )
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    with attachment.file.open("rb") as handle:
        assert handle.read() == data
    entry = AuditEntry.objects.get(action="reporting.attachment.added")
    assert entry.actor == world.reporter and entry.region_path == draft.region_path


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", exe_bytes()),  # a renamed .exe
        ("report.docx", exe_bytes()),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40),  # not even a readable zip
        ("setup.msi", ole_bytes("SummaryInformation")),  # a compound file, but no Office one
        ("notes.txt", "只是文字".encode()),
        ("page.html", b"<html><body>x</body></html>"),
    ],
    ids=["exe-as-jpg", "exe-as-docx", "broken-zip", "msi", "text", "html"],
)
def test_other_content_is_refused(world, draft, media_root, name, data):
    with pytest.raises(FieldError) as raised:
        services.attachment_add(actor=world.reporter, item=draft, name=name, data=data)
    assert raised.value.field == "file"
    assert "picture" in str(raised.value)
    assert not ItemAttachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_plain_zip_is_not_an_office_file(world, draft):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")  # no [Content_Types].xml
    with pytest.raises(FieldError):
        services.attachment_add(
            actor=world.reporter, item=draft, name="a.docx", data=buffer.getvalue()
        )


def test_the_size_limit(world, draft, settings, media_root):
    settings.REPORTING_ATTACHMENT_MAX_BYTES = 1000
    exact = png_bytes().ljust(1000, b"\x00")
    services.attachment_add(actor=world.reporter, item=draft, name="ok.png", data=exact)
    with pytest.raises(FieldError) as raised:
        services.attachment_add(
            actor=world.reporter, item=draft, name="big.png", data=exact + b"\x00"
        )
    assert "larger than" in str(raised.value)
    with pytest.raises(FieldError):
        services.attachment_add(actor=world.reporter, item=draft, name="empty.png", data=b"")
    assert list(ItemAttachment.objects.values_list("original_name", flat=True)) == ["ok.png"]
    assert len(stored_files(media_root)) == 1


def test_the_default_limit_is_20_mb(settings):
    del settings.REPORTING_ATTACHMENT_MAX_BYTES  # the project's settings may not name it
    assert services.attachment_max_bytes() == 20 * 1024 * 1024


def test_who_may_attach(world, draft):
    pdf = pdf_bytes()
    with pytest.raises(NotFound):
        services.attachment_add(actor=world.other_reporter, item=draft, name="a.pdf", data=pdf)
    with pytest.raises(Forbidden):
        services.attachment_add(actor=world.observer, item=draft, name="a.pdf", data=pdf)
    services.item_submit(actor=world.reporter, item=draft)
    # With the office now: the unit waits for a return, the editor may add.
    with pytest.raises(DomainError):
        services.attachment_add(actor=world.reporter, item=draft, name="a.pdf", data=pdf)
    services.attachment_add(actor=world.editor, item=draft, name="editor.pdf", data=pdf)
    services.item_edit(actor=world.editor, item=draft)
    with pytest.raises(DomainError):
        services.attachment_add(actor=world.editor, item=draft, name="late.pdf", data=pdf)
    assert list(ItemAttachment.objects.values_list("original_name", flat=True)) == ["editor.pdf"]


def test_a_returned_item_takes_attachments_again(world):
    item = submitted_item(world)
    services.item_return(actor=world.editor, item=item, reason="请补充现场照片")
    attachment = services.attachment_add(
        actor=world.reporter, item=item, name="现场.jpg", data=jpeg_bytes()
    )
    assert attachment.item_id == item.pk


def test_delete_removes_the_row_and_then_the_file(
    world, draft, media_root, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        actor=world.reporter, item=draft, name="a.pdf", data=pdf_bytes()
    )
    with pytest.raises(Forbidden):
        services.attachment_delete(actor=world.observer, attachment=attachment)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=world.reporter, attachment=attachment)
    assert not ItemAttachment.objects.exists()
    assert stored_files(media_root) == []
    entry = AuditEntry.objects.get(action="reporting.attachment.deleted")
    assert entry.before["original_name"] == "a.pdf"


def test_attachments_are_read_through_the_item_scope(world, draft):
    attachment = services.attachment_add(
        actor=world.reporter, item=draft, name="a.pdf", data=pdf_bytes()
    )
    assert selectors.access_attachment(actor=world.observer, id=attachment.pk) == attachment
    for actor in (world.other_reporter, world.other_office):
        with pytest.raises(NotFound):
            selectors.access_attachment(actor=actor, id=attachment.pk)
