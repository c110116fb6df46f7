"""Export template pages: the office saves a superior's workbook with its cells typed one a
line, fills it with the campaign's figures, changes it, deletes it."""

import datetime
import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger.io.mapping import export_template_create, mapping_to_lines
from campaigndesk.ledger.models import ExportTemplate
from campaigndesk.ledger.rollup import RollupFilter, rollup

from ..ledger.io_files import io_world
from ..ledger.test_export_template import MAPPING, filled_ledger, superior_workbook

__all__ = ["filled_ledger", "io_world"]

LINES = """\
# 州进度表, as the prefecture sends it
进度表!C3 宣讲
进度表!C4 event_participants

进度表!C5 悬挂横幅（条） kind=material:横幅
分镇!B2 lectures group.township=532301001
"""


def upload(data: bytes | None = None, name: str = "进度表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, superior_workbook() if data is None else data)


def base(campaign) -> str:
    return f"/campaigns/{campaign.pk}/export-templates/"


def alerts(response) -> str:
    """The text of the page's role="alert" elements."""
    body = response.content.decode()
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</(?:div|span|p)>', body, re.S))


def test_the_campaign_page_links_the_office_to_its_templates(client, world):
    link = f'href="{base(world.campaign)}"'
    client.force_login(world.office)
    assert link in client.get(f"/campaigns/{world.campaign.pk}/").content.decode()
    client.force_login(world.observer)
    assert link not in client.get(f"/campaigns/{world.campaign.pk}/").content.decode()


def test_create_fill_change_and_delete(client, filled_ledger):
    world, campaign = filled_ledger.world, filled_ledger.campaign
    client.force_login(world.office)
    form = client.get(f"{base(campaign)}new/")
    assert form.status_code == 200
    assert '<label for="id_mapping">' in form.content.decode()
    created = client.post(
        f"{base(campaign)}new/", {"name": "州进度表", "file": upload(), "mapping": LINES}
    )
    assert created.status_code == 302, alerts(created)
    assert created["Location"] == base(campaign)
    template = ExportTemplate.objects.get()
    assert (template.name, template.filename, template.campaign) == (
        "州进度表",
        "进度表.xlsx",
        campaign,
    )
    assert [(e["cell"], e["indicator"]) for e in template.mapping] == [
        ("进度表!C3", "lectures"),
        ("进度表!C4", "event_participants"),
        ("进度表!C5", "banners"),
        ("分镇!B2", "lectures"),
    ]
    listing = client.get(base(campaign)).content.decode()
    assert "州进度表" in listing and "进度表.xlsx" in listing
    assert '<td class="num">4</td>' in listing
    assert f'action="{base(campaign)}{template.pk}/fill/"' in listing

    # As of 02-15: the lecture of 02-07 is in, the tour of 02-18 is not.
    filled = client.get(f"{base(campaign)}{template.pk}/fill/", {"as_of": "2024-02-15"})
    assert filled.status_code == 200
    assert filled["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in filled["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(filled.streaming_content)))
    as_of = RollupFilter(as_of=datetime.date(2024, 2, 15))
    totals = rollup(actor=world.office, campaign=campaign, filters=as_of)
    sheet = workbook["进度表"]
    assert sheet["C3"].value == totals.value("lectures") == 12
    assert sheet["C4"].value == totals.value("event_participants") == 860
    assert sheet["C5"].value == totals.value("banners") == 1800
    assert sheet["C6"].value == "=C3+C5"
    assert workbook["分镇"]["B2"].value == 12

    # The edit page shows the mapping back as lines; change the name and drop a cell.
    edit_url = f"{base(campaign)}{template.pk}/"
    page = client.get(edit_url).content.decode()
    assert "分镇!B2 lectures group.township=532301001" in page
    lines = mapping_to_lines(template.mapping).splitlines()
    changed = client.post(edit_url, {"name": "州进度表（二）", "mapping": "\n".join(lines[:3])})
    assert changed.status_code == 302, alerts(changed)
    template.refresh_from_db()
    assert template.name == "州进度表（二）" and len(template.mapping) == 3
    assert template.filename == "进度表.xlsx"  # no new workbook sent: the old one stays

    # Delete: a bare POST deletes nothing, the button's confirmation does.
    delete_url = f"{base(campaign)}{template.pk}/delete/"
    assert client.get(delete_url).status_code == 405
    kept = client.post(delete_url, follow=True)
    assert ExportTemplate.objects.exists()
    assert "Nothing was deleted" in kept.content.decode()
    deleted = client.post(delete_url, {"confirm": "yes"}, follow=True)
    assert deleted.redirect_chain[-1][0] == base(campaign)
    assert not ExportTemplate.objects.exists()
    assert "No export templates yet." in deleted.content.decode()


def test_a_wrong_line_is_shown_by_its_number(client, io_world):
    campaign = io_world.campaign
    client.force_login(io_world.world.office)
    new = f"{base(campaign)}new/"
    # Read by the page: line 4 has no indicator.
    response = client.post(
        new, {"name": "州进度表", "file": upload(), "mapping": "C3 lectures\n\n# next\nC4\n"}
    )
    assert response.status_code == 200
    assert "line 4: write the indicator&#x27;s code or name" in alerts(response)
    # Refused by the service for entry 1 (typed on line 3): it is told as line 3.
    response = client.post(
        new, {"name": "州进度表", "file": upload(), "mapping": "C3 lectures\n\n无此表!C4 宣讲\n"}
    )
    assert response.status_code == 200
    assert "line 3: The workbook has no sheet" in alerts(response)
    # The lines stay as typed, to correct them.
    assert "无此表!C4 宣讲" in response.content.decode()
    # The workbook's own error is shown on its field.
    response = client.post(
        new,
        {
            "name": "州进度表",
            "file": upload(b"PK not a workbook", "x.xls"),
            "mapping": "C3 lectures",
        },
    )
    assert "must be an Excel workbook" in alerts(response)
    assert not ExportTemplate.objects.exists()


def test_wrong_fill_dates_come_back_on_the_list(client, io_world):
    template = export_template_create(
        actor=SYSTEM,
        name="州进度表",
        data=superior_workbook(),
        filename="进度表.xlsx",
        mapping=MAPPING[:2],
        campaign=io_world.campaign,
    )
    client.force_login(io_world.world.office)
    response = client.get(
        f"{base(io_world.campaign)}{template.pk}/fill/",
        {"date_from": "2024-03-01", "date_to": "2024-02-01"},
    )
    assert response.status_code == 400
    assert "The last day comes before the first." in alerts(response)
    # Another campaign's template is not found under this campaign's address.
    client.force_login(io_world.world.admin)
    other = f"/campaigns/{io_world.world.other_campaign.pk}/export-templates/{template.pk}/"
    assert client.get(other).status_code == 404
    assert client.get(f"{other}fill/").status_code == 404


def test_only_the_office_over_the_region_keeps_templates(client, io_world):
    world, campaign = io_world.world, io_world.campaign
    template = export_template_create(
        actor=SYSTEM,
        name="州进度表",
        data=superior_workbook(),
        filename="进度表.xlsx",
        mapping=MAPPING[:2],
        campaign=campaign,
    )
    for role, status in (("observer", 403), ("reporter", 403), ("other_office", 404)):
        client.force_login(world.user(role))
        new = client.post(
            f"{base(campaign)}new/", {"name": "x", "file": upload(), "mapping": "C3 lectures"}
        )
        assert new.status_code == status, role
        edit = client.post(
            f"{base(campaign)}{template.pk}/", {"name": "改名", "mapping": "C3 lectures"}
        )
        assert edit.status_code == status, role
        gone = client.post(f"{base(campaign)}{template.pk}/delete/", {"confirm": "yes"})
        assert gone.status_code == status, role
        assert client.get(f"{base(campaign)}{template.pk}/fill/").status_code == status, role
    template.refresh_from_db()
    assert ExportTemplate.objects.count() == 1
    assert template.name == "州进度表" and len(template.mapping) == 2
