"""The figures page: any rollup an office asks for on paper, as a table and as its
download, with the figures the rollup selector (and so the dashboard and the API) gives."""

import datetime
import io

import openpyxl

from campaigndesk.ledger.io.exports import rollup_table
from campaigndesk.ledger.rollup import RollupFilter, rollup

from .seed import seed


def _table_cells(body: str) -> list[list[str]]:
    import re

    table = re.search(r'<table class="figures">.*?<tbody>(.*?)</tbody>', body, re.S)
    assert table, "no figures table"
    return [
        [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


# The page's words for the file's 合计 and （无）, in English (the test client's language).
WORDS = {"合计": "Total", "（无）": "(none)"}


def _as_text(rows) -> list[list[str]]:
    rows = [[WORDS.get(c, c) if isinstance(c, str) else c for c in row] for row in rows]
    return [
        [
            "" if c is None else c.isoformat() if isinstance(c, datetime.date) else str(c)
            for c in row
        ]
        for row in rows
    ]


def test_the_page_and_its_download_give_the_rollups_figures(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    as_of = data.today - datetime.timedelta(days=9)
    asked = {"as_of": as_of.isoformat(), "group_by": "township"}
    url = f"/campaigns/{data.campaign.pk}/figures/"
    page = client.get(url, asked)
    assert page.status_code == 200
    expected = rollup(
        actor=world.office,
        campaign=data.campaign,
        filters=RollupFilter(as_of=as_of),
        group_by=["township"],
    )
    header, rows = rollup_table(expected)
    assert rows, "the seed has records before the day asked"
    assert _table_cells(page.content.decode()) == _as_text(rows)
    # Headed in the reader's language (the file keeps the Chinese of the superior's form).
    assert '<th scope="col">Township code</th>' in page.content.decode()
    assert "乡镇代码" in header
    # The download holds the same table.
    download = client.get(url + "export/", {**asked, "format": "xlsx"})
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert [str(c) for c in cells[0]] == header
    assert len(cells) - 1 == len(rows)
    # As of a later day, more was done: the figures move with the day asked.
    later = client.get(url, {"group_by": "township"})
    assert _table_cells(later.content.decode()) != _table_cells(page.content.decode())


def test_week_by_week_for_one_indicator_and_kind(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    asked = {"series": "week", "indicator": "lectures", "kind": "event"}
    page = client.get(f"/campaigns/{data.campaign.pk}/figures/", asked)
    expected = rollup(
        actor=world.office,
        campaign=data.campaign,
        filters=RollupFilter(kind="event"),
        series="week",
        indicators=["lectures"],
    )
    assert _table_cells(page.content.decode()) == _as_text(rollup_table(expected)[1])
    assert {row.indicator.code for row in expected.rows} == {"lectures"}


def test_a_question_that_cannot_be_answered_says_why(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/campaigns/{data.campaign.pk}/figures/"
    backwards = {"date_from": "2024-03-01", "date_to": "2024-02-01"}
    page = client.get(url, backwards)
    assert page.status_code == 422
    assert 'role="alert"' in page.content.decode()
    assert '<table class="figures">' not in page.content.decode()
    assert client.get(url + "export/", {**backwards, "format": "csv"}).status_code == 400
    assert client.get(url, {"group_by": "nonsense"}).status_code == 422
    assert client.get(url + "export/", {"format": "pdf"}).status_code == 404


def test_a_reporter_adds_up_its_own_units_records_only(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    page = client.get(f"/campaigns/{data.campaign.pk}/figures/")
    expected = rollup(actor=world.reporter, campaign=data.campaign)
    assert _table_cells(page.content.decode()) == _as_text(rollup_table(expected)[1])
    office = rollup(actor=world.office, campaign=data.campaign)
    assert rollup_table(expected)[1] != rollup_table(office)[1]


def test_the_dashboard_leads_to_the_figures_of_its_region(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    page = client.get(
        "/dashboard/", {"campaign": data.campaign.pk, "region": world.township.code}
    ).content.decode()
    link = f"/campaigns/{data.campaign.pk}/figures/?region={world.township.code}"
    assert link in page
    assert client.get(link).status_code == 200
