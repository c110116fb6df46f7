"""Ledger pages: lists with filters, sorting, pages and export; one record; the entry
forms of every kind with remembered defaults; the import page and its error report."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.ledger.models import EventRecord, FigureRecord, MaterialRecord, MediaOutput

from .seed import seed


def rows(response) -> list[str]:
    body = response.content.decode()
    table = re.search(r'<table class="ledger">.*?<tbody>(.*?)</tbody>', body, re.S)
    return re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S) if table else []


def test_list_filters_by_kind_unit_and_dates(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/output/"
    assert len(rows(client.get(url))) == 4
    assert len(rows(client.get(url, {"unit": world.county_unit.pk}))) == 2
    assert len(rows(client.get(url, {"kind": "news"}))) == 2
    assert len(rows(client.get(url, {"channel": "newspaper"}))) == 1
    assert len(rows(client.get(url, {"outlet_level": "2"}))) == 1
    recent = client.get(url, {"date_from": (data.today.replace(day=1)).isoformat()})
    assert all(data.today.strftime("%Y-%m") in row for row in rows(recent))
    # The region narrows by where a record was, as a rollup does.
    events = f"/campaigns/{data.campaign.pk}/ledger/event/"
    assert len(rows(client.get(events, {"region": world.village.code}))) == 1
    # A value outside the choices is an error shown on the page, not a crash.
    response = client.get(url, {"unit": "999999"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_a_filter_that_cannot_be_read_narrows_to_nothing_and_exports_nothing(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/output/"
    asked = {"unit": world.county_unit.pk, "date_from": "2024-02-30"}
    response = client.get(url, asked, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    results = body[body.index('<div id="results"') :]
    # The error, with the field's label, inside the part a filter replaces; no rows.
    assert rows(response) == []
    alert = results[results.index('role="alert"') :].split("</div>")[0]
    assert "date_from" not in alert and "From" in alert
    export = client.get(url + "export/", {**asked, "format": "csv"})
    assert export.status_code == 400
    # A day the rollup cannot answer for is such a filter too.
    far = client.get(url, {"date_to": "9999-12-31"})
    assert far.status_code == 200 and rows(far) == [] and "2999-12-31" in far.content.decode()
    # A good filter: the export links in the replaced part carry it.
    body = client.get(url, {"unit": world.county_unit.pk}, HTTP_HX_REQUEST="true")
    results = body.content.decode()[body.content.decode().index('<div id="results"') :]
    assert f"export/?unit={world.county_unit.pk}&amp;format=csv" in results


def test_list_sorts_and_marks_the_sorted_column(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/output/"
    ascending = rows(client.get(url, {"sort": "views"}))
    views = [int(re.findall(r'class="num">([\d,]+)<', r)[0].replace(",", "")) for r in ascending]
    assert views == sorted(views)
    descending = client.get(url, {"sort": "-views"})
    views = [
        int(re.findall(r'class="num">([\d,]+)<', r)[0].replace(",", "")) for r in rows(descending)
    ]
    assert views == sorted(views, reverse=True)
    body = descending.content.decode()
    assert re.search(r'aria-sort="descending"><a href="\?sort=views">', body)
    # An unknown column sorts by date, newest first.
    assert client.get(url, {"sort": "password"}).status_code == 200


def test_list_pages(client, world, monkeypatch):
    data = seed(world, with_collection=False)
    monkeypatch.setattr("campaigndesk.web.ledger_views.PAGE_SIZE", 3)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/output/"
    first = client.get(url, {"sort": "views"})
    assert len(rows(first)) == 3
    assert 'href="?sort=views&amp;page=2"' in first.content.decode()
    assert len(rows(client.get(url, {"sort": "views", "page": 2}))) == 1


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_follows_the_filters(client, world, format):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    response = client.get(
        f"/campaigns/{data.campaign.pk}/ledger/output/export/",
        {"unit": world.county_unit.pk, "format": format},
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    if format == "csv":
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        table = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0][0] == "单位"
    assert {row[0] for row in table[1:]} == {world.county_unit.name}
    assert len(table) == 3


def test_reporter_lists_and_exports_only_its_unit(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    listed = rows(client.get(f"/campaigns/{data.campaign.pk}/ledger/output/"))
    assert len(listed) == 2 and all(world.township_unit.name in r for r in listed)
    response = client.get(f"/campaigns/{data.campaign.pk}/ledger/output/export/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world.county_unit.name not in text.split("\n", 1)[1].split(",")[0:1]
    assert world.township_unit.name in text


def test_record_page_shows_the_record(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    response = client.get(f"/campaigns/{data.campaign.pk}/ledger/event/{data.township_event.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "北浦社区文化室" in body and "860" in body
    # Every label in the page's language; the duplicate check's key is not the user's.
    output = MediaOutput.objects.filter(campaign=data.campaign).first()
    client.force_login(world.office)
    page = f"/campaigns/{data.campaign.pk}/ledger/output/{output.pk}/"
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "创建时间" in body and "Created at" not in body
    assert "Url key" not in client.get(page).content.decode()


# --- entry --------------------------------------------------------------------------------


def form_fields(body: str) -> list[str]:
    form = re.search(r'<form method="post" novalidate class="record-form">(.*?)</form>', body, re.S)
    return [
        name
        for name in re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', form.group(1))
        if name != "csrfmiddlewaretoken"
    ]


def test_a_reporters_event_form_has_at_most_six_fields(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    body = client.get(f"/campaigns/{data.campaign.pk}/ledger/event/new/").content.decode()
    assert form_fields(body) == ["kind", "date", "sessions", "participants", "audience", "site"]
    assert 'inputmode="numeric"' in body and 'type="date"' in body
    for name in form_fields(body):
        assert f'for="id_{name}"' in body, name
    client.force_login(world.office)  # several units: the unit and the place are asked too
    body = client.get(f"/campaigns/{data.campaign.pk}/ledger/event/new/").content.decode()
    assert form_fields(body) == [
        "unit",
        "kind",
        "date",
        "region",
        "sessions",
        "participants",
        "audience",
        "site",
        "schedule_item",
    ]


def test_reporter_files_an_event_and_the_site_is_remembered(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    url = f"/campaigns/{data.campaign.pk}/ledger/event/new/"
    response = client.post(
        url,
        {
            "kind": "lecture",
            "date": data.today.isoformat(),
            "sessions": "3",
            "participants": "1,120",  # typed as people write it, as an import reads it
            "site": "鹿城镇文化站",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    record = EventRecord.objects.get(site="鹿城镇文化站")
    assert (record.unit, record.sessions, record.participants, record.created_by) == (
        world.township_unit,
        3,
        1120,
        world.reporter,
    )
    body = client.get(url).content.decode()
    assert 'value="鹿城镇文化站"' in body
    assert "Saved:" in body
    # Quick entry now leads to this campaign's event form.
    assert client.get("/entry/")["Location"] == url


def test_service_errors_show_on_their_field(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    url = f"/campaigns/{data.campaign.pk}/ledger/event/new/"
    response = client.post(
        url,
        {"kind": "lecture", "date": "2000-01-01", "sessions": "1", "participants": "0"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "lies outside the campaign" in body
    assert 'aria-invalid="true"' in body
    response = client.post(
        url,
        {"kind": "lecture", "date": data.today.isoformat(), "sessions": "0", "participants": "5"},
    )
    assert "Participants need at least one session" in response.content.decode()
    assert EventRecord.objects.filter(campaign=data.campaign).count() == 2


def test_office_files_every_kind(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    base = f"/campaigns/{data.campaign.pk}/ledger"
    day = data.today.isoformat()
    posts = {
        "output": {
            "unit": world.county_unit.pk,
            "outlet": data.outlet_province.pk,
            "kind": "news",
            "title": "新的报道",
            "date": day,
            "views": "10",
            "is_original": "on",
        },
        "material": {
            "unit": world.township_unit.pk,
            "kind": "leaflet",
            "quantity": "500",
            "measure_word": "张",
            "date": day,
        },
        "figure": {
            "unit": world.county_unit.pk,
            "indicator": data_indicator("leaflets"),
            "value": "1000",
            "approx": "more",
            "date": day,
        },
        "event": {
            "unit": world.county_unit.pk,
            "kind": "film",
            "date": day,
            "sessions": "2",
            "participants": "80",
        },
    }
    for kind, post in posts.items():
        response = client.post(f"{base}/{kind}/new/", post)
        assert response.status_code == 302, (kind, response.content.decode()[-2000:])
    assert MediaOutput.objects.filter(title="新的报道").exists()
    assert MaterialRecord.objects.filter(quantity=Decimal(500)).exists()
    assert FigureRecord.objects.filter(value=Decimal(1000), approx="more").exists()
    assert EventRecord.objects.filter(kind="film", unit=world.county_unit).exists()


def data_indicator(code: str) -> int:
    from campaigndesk.ledger.models import Indicator

    return Indicator.objects.get(code=code).pk


def test_readers_may_not_file(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.observer)
    assert client.get(f"/campaigns/{data.campaign.pk}/ledger/event/new/").status_code == 403
    body = client.get("/entry/").content.decode()
    assert "There is no campaign you may file records for." in body


# --- import -------------------------------------------------------------------------------

HEADER = "单位,行政区划代码,日期,类型,标题,场次,人次,地点\n"


def upload(text: str, name: str = "活动.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_reports_every_bad_row_and_writes_nothing(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    day = data.today.isoformat()
    text = (
        HEADER
        + f"鹿城镇人民政府,,{day},宣讲,,2,120,\n"
        + f"不存在的单位,,{day},宣讲,,1,10,\n"
        + f"鹿城镇人民政府,,{day},宣讲,,-1,10,\n"
    )
    before = EventRecord.objects.count()
    response = client.post(
        f"/campaigns/{data.campaign.pk}/import/", {"record_kind": "event", "file": upload(text)}
    )
    assert response.status_code == 422
    body = response.content.decode()
    errors = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', body)
    assert [row for row, _column in errors] == ["3", "4"]
    assert "单位" in errors[0][1] and "场次" in errors[1][1]
    assert EventRecord.objects.count() == before


def test_the_import_page_counts_the_problems_not_the_lines_about_them(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/import/"
    text = HEADER + "鹿城镇人民政府,,someday,宣讲,,1,1,\n" * 1500
    body = client.post(url, {"record_kind": "event", "file": upload(text)}).content.decode()
    assert "1500 problems were found." in body
    # One unknown column is one problem (the line listing the columns is not another).
    text = HEADER.replace("地点", "地点,颜色") + "鹿城镇人民政府,,2024-02-05,宣讲,,1,1,,红\n"
    body = client.post(url, {"record_kind": "event", "file": upload(text)}).content.decode()
    assert "1 problem was found." in body


def test_import_good_file(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    day = data.today.isoformat()
    text = HEADER + f"鹿城镇人民政府,,{day},宣讲,进村宣讲,2,120,文化站\n"
    response = client.post(
        f"/campaigns/{data.campaign.pk}/import/", {"record_kind": "event", "file": upload(text)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{data.campaign.pk}/ledger/event/"
    assert EventRecord.objects.filter(title="进村宣讲", created_by=world.reporter).exists()
    body = client.get(response["Location"]).content.decode()
    assert "Imported 1 rows: 1 new, 0 updated." in body


def test_import_of_a_wrong_file_says_why(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    response = client.post(
        f"/campaigns/{data.campaign.pk}/import/",
        {"record_kind": "event", "file": SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0junk")},
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_templates_download(client, world, format):
    client.force_login(world.reporter)
    response = client.get(f"/campaigns/{world.campaign.pk}/import/template/material.{format}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if format == "csv":
        assert response.content.decode("utf-8-sig").startswith("单位,")
    else:
        assert response.content[:2] == b"PK"


def test_the_office_files_an_event_where_it_happened(client, world):
    """A county unit's lecture in a township: placed there, it counts for that township."""
    from campaigndesk.ledger.models import EventRecord
    from campaigndesk.ledger.rollup import rollup

    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/event/new/"
    body = client.get(url).content.decode()
    assert f'value="{world.township.code}"' in body and f'value="{world.village.code}"' in body
    response = client.post(
        url,
        {
            "unit": world.county_unit.pk,
            "kind": "lecture",
            "date": data.today.isoformat(),
            "region": world.village.code,
            "sessions": "12",
            "participants": "860",
            "site": "移民安置点",
        },
    )
    assert response.status_code == 302
    event = EventRecord.objects.get(site="移民安置点")
    assert event.unit == world.county_unit and event.region == world.village
    by_township = rollup(
        actor=world.office, campaign=data.campaign, group_by=["township"], indicators=["lectures"]
    )
    mine = [r for r in by_township.rows if r.group.get("township") == world.township.code]
    assert mine and mine[0].value >= 12
    # Its edit form shows the place it was filed at.
    edit = client.get(url.replace("new/", f"{event.pk}/edit/")).content.decode()
    assert f'<option value="{world.village.code}" selected>' in edit


def test_the_material_form_says_what_counts_as_a_slogan_site(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    body = client.get(f"/campaigns/{data.campaign.pk}/ledger/material/new/").content.decode()
    assert 'id="id_quantity_helptext"' in body and "number of sites" in body
    assert 'aria-describedby="id_quantity_helptext"' in body


def test_a_county_office_is_offered_the_places_of_its_own_county(client, world):
    """In a prefecture-wide campaign the other county's office is offered the places of
    its own county only (a record may lie anywhere in the campaign, where its unit worked:
    the API and imports take any such place; the form keeps to the office's area)."""
    import re

    from ..factories import CampaignFactory

    campaign = CampaignFactory(
        name="州级宣传",
        lead_unit=world.office_unit,
        units=[
            world.county_unit,
            world.township_unit,
            world.other_county_office_unit,
            world.other_township_unit,
        ],
    )
    client.force_login(world.other_office)
    url = f"/campaigns/{campaign.pk}/ledger/event/new/"
    offered = set(re.findall(r'<option value="(\d+)"', client.get(url).content.decode()))
    assert world.other_county.code in offered and world.township.code not in offered
    post = {
        "unit": world.other_township_unit.pk,
        "kind": "lecture",
        "date": "2024-03-01",
        "region": world.township.code,
        "sessions": "1",
        "participants": "10",
    }
    assert client.post(url, post).status_code == 200  # (sent back: not a choice)
    assert not EventRecord.objects.filter(campaign=campaign).exists()
    client.force_login(world.office)  # the prefecture's office: every county
    offered = set(re.findall(r'<option value="(\d+)"', client.get(url).content.decode()))
    assert {world.other_county.code, world.township.code} <= offered


def test_the_office_links_a_record_to_the_schedule_item_it_carries_out(client, world):
    from campaigndesk.campaigns.models import ScheduleItem

    data = seed(world, with_collection=False)
    item = ScheduleItem.objects.create(
        campaign=data.campaign,
        seq=7,
        theme="文艺巡演进安置点",
        window_start=data.today,
        window_end=data.today,
    )
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/ledger/event/new/"
    assert "7. 文艺巡演进安置点" in client.get(url).content.decode()
    post = {
        "unit": world.township_unit.pk,
        "kind": "performance",
        "date": data.today.isoformat(),
        "sessions": "1",
        "participants": "300",
        "site": "安置点广场",
        "schedule_item": item.pk,
    }
    assert client.post(url, post).status_code == 302
    event = EventRecord.objects.get(site="安置点广场")
    assert event.schedule_item == item
    edit = client.get(url.replace("new/", f"{event.pk}/edit/")).content.decode()
    assert f'<option value="{item.pk}" selected>' in edit
