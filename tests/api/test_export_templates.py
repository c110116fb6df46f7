"""Export templates through the API: upload a superior's .xlsx with its mapping, list,
read, change (name, mapping, workbook), delete, and fill it with rollup figures."""

import datetime
import io
import json

import openpyxl
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.models import ExportTemplate
from campaigndesk.ledger.rollup import RollupFilter, rollup

from . import ledger_data as data

API = "/api/v1"
D = datetime.date


def templates_url(world) -> str:
    return f"{API}/campaigns/{world.campaign.pk}/export-templates"


def patch(client, url: str, body: dict):
    """A multipart PATCH (the test client sends multipart by POST only)."""
    return client.patch(url, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT)


def ledger(world) -> None:
    """Lectures in February and March, banners, all in the township."""
    data.event(world)  # 12 sessions, 860 participants, 02-15
    data.event(world, sessions=3, participants=100, date=D(2024, 3, 10))
    data.event(world, unit=world.county_unit, sessions=2, participants=40, date=D(2024, 2, 20))
    data.material(world)  # 1800 banners, 02-12


def test_upload_list_read_change_fill_and_delete(login, world):
    ledger(world)
    office = login("office")
    created = office.post(
        templates_url(world),
        {
            "name": "州宣传进度表",
            "file": data.xlsx_upload(),
            "mapping": json.dumps(data.REPORT_MAPPING, ensure_ascii=False),
        },
    )
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert body["name"] == "州宣传进度表" and body["filename"] == "州报表.xlsx"
    assert body["campaign_id"] == world.campaign.pk and body["entries"] == 4
    assert body["created_by"] == "office"
    # Cleaned: every cell names its sheet, the kind is a code.
    assert body["mapping"][0] == {
        "cell": "报表!C3",
        "indicator": "lectures",
        "filters": {},
        "group": {},
        "label": None,
    }
    assert body["mapping"][2]["filters"] == {"kind": "material:banner"}
    template_id = body["id"]

    listed = office.get(templates_url(world)).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == template_id
    assert office.get(f"{API}/export-templates/{template_id}").json() == body

    # Filled as of the end of February: the March lecture is left out.
    filled = office.get(f"{API}/export-templates/{template_id}/fill?as_of=2024-02-29")
    assert filled.status_code == 200
    assert filled["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in filled["Content-Disposition"]
    assert "2024-02-29.xlsx" in filled["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(filled.streaming_content)))
    as_of = RollupFilter(as_of=D(2024, 2, 29))
    totals = rollup(actor=world.office, campaign=world.campaign, filters=as_of)
    town = rollup(
        actor=world.office,
        campaign=world.campaign,
        filters=RollupFilter(region=world.township, as_of=D(2024, 2, 29)),
    )
    sheet = workbook["报表"]
    assert sheet["C3"].value == totals.value("lectures") == 14
    assert sheet["C4"].value == totals.value("event_participants") == 900
    assert sheet["C5"].value == totals.value("banners") == 1800
    assert sheet["C6"].value == "=C3+C5" and sheet["A1"].value == "宣传工作进度表"
    assert workbook["分镇"]["B2"].value == town.value("lectures") == 12
    # A date range instead: March only.
    march = office.get(
        f"{API}/export-templates/{template_id}/fill?date_from=2024-03-01&date_to=2024-03-31"
    )
    march_sheet = openpyxl.load_workbook(io.BytesIO(b"".join(march.streaming_content)))["报表"]
    assert march_sheet["C3"].value == 3 and march_sheet["C5"].value == 0

    # Rename and replace the mapping.
    changed = patch(
        office,
        f"{API}/export-templates/{template_id}",
        {
            "name": "州进度表（改）",
            "mapping": json.dumps([{"cell": "C4", "indicator": "lectures"}]),
        },
    )
    assert changed.status_code == 200, changed.content.decode()
    assert changed.json()["name"] == "州进度表（改）" and changed.json()["entries"] == 1
    # A new workbook is checked against the mapping it will fill.
    with_towns = json.dumps(data.REPORT_MAPPING, ensure_ascii=False)
    refused = patch(
        office,
        f"{API}/export-templates/{template_id}",
        {"file": data.xlsx_upload(data.report_workbook(with_towns=False)), "mapping": with_towns},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "mapping.3.cell"
    assert ExportTemplate.objects.get().filename == "州报表.xlsx"
    replaced = patch(
        office,
        f"{API}/export-templates/{template_id}",
        {"file": data.xlsx_upload(name="新报表.xlsx"), "mapping": with_towns},
    )
    assert replaced.status_code == 200, replaced.content.decode()
    assert replaced.json()["filename"] == "新报表.xlsx" and replaced.json()["entries"] == 4

    assert office.delete(f"{API}/export-templates/{template_id}").status_code == 204
    assert office.get(f"{API}/export-templates/{template_id}").status_code == 404
    assert not ExportTemplate.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "ledger.export_template.created",
        "ledger.export_template.updated",
        "ledger.export_template.deleted",
    } <= actions


def test_errors_name_the_field(login, world):
    office = login("office")

    def send(**parts):
        body = {
            "name": "州宣传进度表",
            "file": data.xlsx_upload(),
            "mapping": json.dumps(data.REPORT_MAPPING, ensure_ascii=False),
            **parts,
        }
        response = office.post(templates_url(world), body)
        assert response.status_code == 422, response.content.decode()
        return response.json()

    wrong = [*data.REPORT_MAPPING[:3], {"cell": "无此表!C3", "indicator": "lectures"}]
    body = send(mapping=json.dumps(wrong, ensure_ascii=False))
    assert body["errors"] == [{"row": None, "field": "mapping.3.cell", "message": body["detail"]}]
    assert "no sheet" in body["detail"]
    assert send(mapping="[{")["errors"][0]["field"] == "mapping"
    filter_error = [{"cell": "C3", "indicator": "lectures", "filters": {"town": "x"}}]
    assert send(mapping=json.dumps(filter_error))["errors"][0]["field"] == "mapping.0.filters.town"
    old_excel = data.xlsx_upload(b"\xd0\xcf\x11\xe0 not a zip", name="报表.xls")
    assert send(file=old_excel)["errors"][0]["field"] == "file"
    without_name = office.post(templates_url(world), {"file": data.xlsx_upload(), "mapping": "[]"})
    assert without_name.status_code == 422
    assert without_name.json()["errors"][0]["field"] == "name"
    assert not ExportTemplate.objects.exists()
    # Filling for another campaign than the template's own: refused, in words.
    template = data.export_template(world)
    other = office.get(
        f"{API}/export-templates/{template.pk}/fill?campaign={world.other_campaign.pk}"
    )
    assert other.status_code == 400 and "another campaign" in other.json()["detail"]


def test_others_get_not_found_or_forbidden_and_nothing_is_written(login, world):
    upload = {"name": "x", "mapping": json.dumps(data.REPORT_MAPPING, ensure_ascii=False)}
    for role, status in (("reporter", 403), ("observer", 403), ("other_office", 404)):
        response = login(role).post(templates_url(world), {**upload, "file": data.xlsx_upload()})
        assert response.status_code == status, (role, response.content.decode())
    assert not ExportTemplate.objects.exists()

    template = data.export_template(world)
    url = f"{API}/export-templates/{template.pk}"
    rename = {"name": "改名"}
    for role, status in (("reporter", 404), ("other_office", 404), ("observer", 403)):
        client = login(role)
        assert patch(client, url, rename).status_code == status, role
        assert client.delete(url).status_code == status, role
    for role in ("reporter", "other_office", "other_reporter"):
        client = login(role)
        assert client.get(url).status_code == 404, role
        assert client.get(f"{url}/fill").status_code == 404, role
    # The reporter sees the campaign, but no template of the office's.
    assert login("reporter").get(templates_url(world)).json()["count"] == 0
    assert login("other_office").get(templates_url(world)).status_code == 404
    template.refresh_from_db()
    assert template.name == "州宣传进度表" and len(template.mapping) == 4
    assert not AuditEntry.objects.filter(
        action__in=["ledger.export_template.updated", "ledger.export_template.deleted"]
    ).exists()
    assert (
        AuditEntry.objects.filter(action__startswith="ledger.export_template.")
        .exclude(action="ledger.export_template.created")
        .exists()
    ), "the refusals of the office's work are audited"


def test_the_endpoints_are_in_the_schema(login, world):
    paths = login("office").get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/v1/campaigns/{campaign_id}/export-templates"]) == {"get", "post"}
    assert set(paths["/api/v1/export-templates/{template_id}"]) == {"get", "patch", "delete"}
    fill = paths["/api/v1/export-templates/{template_id}/fill"]["get"]
    assert {p["name"] for p in fill["parameters"]} >= {"campaign", "as_of", "date_from", "date_to"}
    create = paths["/api/v1/campaigns/{campaign_id}/export-templates"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
