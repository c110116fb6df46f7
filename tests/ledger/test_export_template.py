"""A superior's Excel template filled by a saved mapping of indicators to cells."""

import datetime
import io

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.ledger.io.mapping import (
    access_export_template,
    export_template_create,
    export_template_delete,
    export_template_fill,
    export_template_list,
    export_template_update,
)
from campaigndesk.ledger.models import ExportTemplate
from campaigndesk.ledger.rollup import RollupFilter, rollup

from .io_files import HEADERS, csv_bytes, good_file, io_world, run_import

__all__ = ["io_world"]


def superior_workbook() -> bytes:
    """A report form as a prefecture sends it: a merged title, labels, styled cells for
    the figures, a total formula, a text-formatted cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "进度表"
    sheet["A1"] = "和谐库区宣传活动进度统计表"
    sheet.merge_cells("A1:D1")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A3"], sheet["A4"], sheet["A5"], sheet["A6"] = "宣讲场次", "参与人次", "横幅", "合计"
    for cell in ("C3", "C4", "C5"):
        sheet[cell].font = Font(color="FF0000")
        sheet[cell].number_format = "#,##0"
    sheet["C6"] = "=C3+C5"
    sheet["C7"].number_format = "@"  # a text cell: approximate figures go in as text
    sheet["C8"] = "待填"
    # A note in two fonts, as offices write them: kept as it is (not flattened to text).
    sheet["A10"] = CellRichText("注：", TextBlock(InlineFont(b=True, color="FF0000"), "截至当日"))
    workbook.create_sheet("分镇")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MAPPING = [
    {"cell": "进度表!C3", "indicator": "lectures"},
    {"cell": "进度表!C4", "indicator": "event_participants"},
    {"cell": "进度表!C5", "indicator": "banners", "filters": {"kind": "material:横幅"}},
    {"cell": "进度表!C7", "indicator": "views_cumulative"},
    {"cell": "进度表!$D$7", "indicator": "views_cumulative"},
    {"cell": "进度表!C8", "indicator": "respondents"},
    {
        "cell": "分镇!B2",
        "indicator": "lectures",
        "group": {"township": "532301001"},
    },
    {"cell": "分镇!B3", "indicator": "lectures", "filters": {"region": "532301002"}},
    {"cell": "分镇!B4", "indicator": "short_videos", "filters": {"channel": "微信公众号"}},
]


@pytest.fixture
def filled_ledger(io_world):
    for kind in ("event", "material", "output", "figure"):
        data, name = good_file(kind)
        run_import(SYSTEM, io_world.campaign, kind, data, name)
    # An "about" figure for respondents.
    rows = [HEADERS["figure"], ["东瓜镇人民政府", "", "2024-02-22", "respondents", "30", "约", ""]]
    run_import(SYSTEM, io_world.campaign, "figure", csv_bytes(rows), "more.csv")
    return io_world


def create(io_world, mapping=None, actor=None, **extra):
    return export_template_create(
        actor=actor or io_world.world.office,
        name="州进度表",
        data=extra.pop("data", superior_workbook()),
        filename=extra.pop("filename", "进度表.xlsx"),
        mapping=MAPPING if mapping is None else mapping,
        campaign=extra.pop("campaign", io_world.campaign),
        **extra,
    )


def test_fill_writes_rollup_figures_and_keeps_the_formatting(filled_ledger):
    io_world = filled_ledger
    template = create(io_world)
    assert AuditEntry.objects.filter(action="ledger.export_template.created").count() == 1
    export = export_template_fill(actor=io_world.world.office, template=template)
    workbook = openpyxl.load_workbook(io.BytesIO(export.read()))
    sheet = workbook["进度表"]
    totals = rollup(actor=io_world.world.office, campaign=io_world.campaign)
    assert sheet["C3"].value == totals.value("lectures") == 12
    assert sheet["C4"].value == totals.value("event_participants") == 1260
    assert sheet["C5"].value == totals.value("banners") == 1800
    # Formatting, formulas, merged cells and labels are kept.
    assert sheet["A1"].value == "和谐库区宣传活动进度统计表" and sheet["A1"].font.b
    assert "A1:D1" in {r.coord for r in sheet.merged_cells.ranges}
    assert sheet["C3"].font.color.rgb.endswith("FF0000") and sheet["C3"].number_format == "#,##0"
    assert sheet["C6"].value == "=C3+C5"
    note = openpyxl.load_workbook(io.BytesIO(export.read()), rich_text=True)["进度表"]["A10"]
    assert isinstance(note.value, CellRichText) and str(note.value) == "注：截至当日"
    assert note.value[1].font.b and note.value[1].font.color.rgb.endswith("FF0000")
    # views_cumulative: the 02-20 snapshot, exact.
    assert totals.total("views_cumulative").approx == ""
    assert sheet["C7"].value == sheet["D7"].value == 12000
    # respondents: 200 + about 30: "about" 230. A text cell would get "约230"; this one
    # held text, so it does.
    respondents = totals.total("respondents")
    assert (respondents.value, respondents.approx) == (230, "about")
    assert sheet["C8"].value == "约230"
    by_town = workbook["分镇"]
    township = rollup(
        actor=io_world.world.office,
        campaign=io_world.campaign,
        filters=RollupFilter(region=io_world.world.township),
        indicators=["lectures"],
    )
    assert by_town["B2"].value == township.value("lectures") == 12
    assert by_town["B3"].value == 0  # nothing in 东瓜镇: a sum is 0
    assert by_town["B4"].value == 2  # two short videos on 楚雄发布 (WeChat)
    assert export.filename == f"进度表-{datetime.date.today().isoformat()}.xlsx"


def test_approximate_figures_in_number_and_text_cells(filled_ledger):
    io_world = filled_ledger
    template = create(io_world)
    # As of 02-15 the latest views snapshot is "10000余".
    export = export_template_fill(actor=SYSTEM, template=template, as_of=datetime.date(2024, 2, 15))
    sheet = openpyxl.load_workbook(io.BytesIO(export.read()))["进度表"]
    assert sheet["C7"].value == "10000余"  # the text cell
    assert sheet["D7"].value == 10000  # a number cell keeps a number, with a comment
    assert "10000余" in sheet["D7"].comment.text
    assert sheet["C3"].value == 12 and sheet["C3"].comment is None
    assert sheet["C4"].value == 860  # the lecture of 02-07; the tour of 02-18 comes later
    assert export.filename.endswith("-2024-02-15.xlsx")


def test_mapping_is_checked(io_world):
    cases = [
        ([{"cell": "C3"}], "mapping.0.indicator", "Unknown indicator"),
        ([{"cell": "无此表!C3", "indicator": "lectures"}], "mapping.0.cell", "no sheet"),
        ([{"cell": "C", "indicator": "lectures"}], "mapping.0.cell", "Sheet1!C5"),
        ([{"cell": "XFE5", "indicator": "lectures"}], "mapping.0.cell", "last cell"),
        ([{"cell": "A1048577", "indicator": "lectures"}], "mapping.0.cell", "last cell"),
        ([{"cell": "A0", "indicator": "lectures"}], "mapping.0.cell", "last cell"),
        (
            [{"cell": "C3", "indicator": "lectures", "filters": {"as_of": "0001-01-01"}}],
            "mapping.0.filters.as_of",
            "1900-01-01",
        ),
        ([{"cell": "进度表!B1", "indicator": "lectures"}], "mapping.0.cell", "merged cells A1:D1"),
        (
            [
                {"cell": "C3", "indicator": "lectures"},
                {"cell": "进度表!C3", "indicator": "banners"},
            ],
            "mapping.1.cell",
            "mapped above already",
        ),
        (
            [{"cell": "C3", "indicator": "lectures", "filters": {"town": "x"}}],
            "mapping.0.filters.town",
            "Unknown filter",
        ),
        (
            [{"cell": "C3", "indicator": "lectures", "filters": {"region": "532322"}}],
            "mapping.0.filters.region",
            "outside the template's region",
        ),
        (
            [{"cell": "C3", "indicator": "lectures", "filters": {"as_of": "2月22日"}}],
            "mapping.0.filters.as_of",
            "Not a date",
        ),
        (
            [{"cell": "C3", "indicator": "lectures", "group": {"period": "2024-02"}}],
            "mapping.0.group.period",
            "Unknown dimension",
        ),
        # an id nobody has would fill its cell with 0 unseen
        (
            [{"cell": "C3", "indicator": "lectures", "group": {"unit": 987654}}],
            "mapping.0.group.unit",
            "987654",
        ),
        (
            [{"cell": "C3", "indicator": "short_videos", "group": {"outlet": 987654}}],
            "mapping.0.group.outlet",
            "987654",
        ),
        ([], "mapping", "at least one cell"),
    ]
    for mapping, field, message in cases:
        with pytest.raises(FieldError) as caught:
            create(io_world, mapping)
        assert caught.value.field == field, mapping
        assert message in caught.value.message, (mapping, caught.value.message)
    with pytest.raises(FieldError) as caught:
        create(io_world, data=b"\xd0\xcf\x11\xe0", filename="old.xls")
    assert caught.value.field == "file"
    assert not ExportTemplate.objects.exists()


def test_who_may_keep_templates(io_world):
    world = io_world.world
    with pytest.raises(Forbidden):
        create(io_world, actor=world.reporter)
    template = create(io_world)
    assert access_export_template(actor=world.observer, id=template.pk) == template
    with pytest.raises(NotFound):
        access_export_template(actor=world.other_office, id=template.pk)
    assert list(export_template_list(actor=world.other_office)) == []
    with pytest.raises(Forbidden):
        export_template_update(actor=world.observer, template=template, name="x")
    export_template_update(actor=world.office, template=template, mapping=MAPPING[:1], name="改名")
    template.refresh_from_db()
    assert template.name == "改名" and len(template.mapping) == 1
    export_template_delete(actor=world.office, template=template)
    assert not ExportTemplate.objects.exists()


def test_a_campaign_lists_its_own_and_its_offices_standing_templates(io_world):
    """Under a campaign: its templates, the actor's own unit's standing ones and those of
    the units taking part; not every standing template of the actor's subtree."""
    world = io_world.world
    mine = create(io_world, MAPPING[:1], campaign=None, office_unit=world.office_unit)
    lead = create(io_world, MAPPING[:1], campaign=None, office_unit=world.county_unit)
    elsewhere = create(
        io_world, MAPPING[:1], campaign=None, office_unit=world.other_county_office_unit
    )
    own = create(io_world)
    listed = set(export_template_list(actor=world.office, campaign=io_world.campaign))
    assert listed == {mine, lead, own}
    assert elsewhere in set(export_template_list(actor=world.office))  # (still the office's)
    assert set(export_template_list(actor=world.other_office, campaign=io_world.campaign)) == {
        elsewhere
    }


def test_the_fills_dates_leave_an_entry_naming_its_own_dates_alone(filled_ledger):
    """A running total "as of" the month's end stays that, whatever week is filled."""
    io_world = filled_ledger
    office = io_world.world.office
    mapping = [
        {"cell": "进度表!C3", "indicator": "event_participants"},
        {
            "cell": "进度表!C4",
            "indicator": "event_participants",
            "filters": {"as_of": "2024-02-29"},
        },
    ]
    template = create(io_world, mapping=mapping)
    week = {"date_from": datetime.date(2024, 2, 12), "date_to": datetime.date(2024, 2, 18)}
    export = export_template_fill(actor=office, template=template, **week)
    sheet = openpyxl.load_workbook(io.BytesIO(export.read()))["进度表"]

    def total(filters):
        result = rollup(
            actor=office, campaign=io_world.campaign, indicators=["event_participants"],
            filters=filters,
        )  # fmt: skip
        return result.value("event_participants")

    in_the_week = total(RollupFilter(**week))
    to_the_end = total(RollupFilter(as_of=datetime.date(2024, 2, 29)))
    assert in_the_week != to_the_end
    assert (sheet["C3"].value, sheet["C4"].value) == (in_the_week, to_the_end)


def test_a_formula_cell_is_not_mapped(io_world):
    with pytest.raises(FieldError) as caught:
        create(io_world, [{"cell": "进度表!C6", "indicator": "respondents"}])
    assert caught.value.field == "mapping.0.cell"
    assert "formula" in caught.value.message


def test_an_approximate_figure_in_a_number_cell_stays_a_number(filled_ledger):
    """(A cell is text by its type or format, not by holding a formula's text.)"""
    io_world = filled_ledger
    office = io_world.world.office
    template = create(io_world, [{"cell": "进度表!C5", "indicator": "respondents"}])
    row = rollup(actor=office, campaign=io_world.campaign, indicators=["respondents"]).total(
        "respondents"
    )
    assert row.approx == "about"
    sheet = openpyxl.load_workbook(
        io.BytesIO(export_template_fill(actor=office, template=template).read())
    )["进度表"]
    assert sheet["C5"].value == row.value and sheet["C5"].comment is not None


def test_a_rate_in_a_percent_cell_shows_as_that_percentage(filled_ledger):
    io_world = filled_ledger
    office = io_world.world.office
    rows = [
        HEADERS["figure"],
        ["东瓜镇人民政府", "", "2024-02-22", "aware_respondents", "23", "", ""],
    ]
    run_import(SYSTEM, io_world.campaign, "figure", csv_bytes(rows), "aware.csv")
    workbook = openpyxl.load_workbook(io.BytesIO(superior_workbook()))
    workbook["进度表"]["C9"].number_format = "0.00%"
    workbook["进度表"]["E9"].number_format = '0.0"%"'  # (a percent sign written as text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping = [
        {"cell": "进度表!C9", "indicator": "awareness_rate"},
        {"cell": "进度表!D9", "indicator": "awareness_rate"},
        {"cell": "进度表!E9", "indicator": "awareness_rate"},
    ]
    template = create(io_world, mapping, data=buffer.getvalue())
    rate = rollup(actor=office, campaign=io_world.campaign, indicators=["awareness_rate"]).total(
        "awareness_rate"
    )
    assert rate.value == 10  # 23 of 230
    sheet = openpyxl.load_workbook(
        io.BytesIO(export_template_fill(actor=office, template=template).read())
    )["进度表"]
    assert (sheet["C9"].value, sheet["D9"].value, sheet["E9"].value) == (0.1, 10, 10)
    if rate.approx:  # (its note gives the rate as read, not the cell's fraction)
        assert "10" in sheet["C9"].comment.text and "0.1" not in sheet["C9"].comment.text


def test_a_sheet_named_with_an_exclamation_mark_or_a_hash_round_trips(io_world):
    from campaigndesk.ledger.io.mapping import mapping_from_lines, mapping_to_lines

    workbook = openpyxl.Workbook()
    workbook.active.title = "a!b"
    workbook.create_sheet("#汇总")
    buffer = io.BytesIO()
    workbook.save(buffer)
    # (a line starting with # is a comment: such a sheet is named in quotes)
    lines = "a!b!C5 lectures\n'#汇总'!C6 banners\n#汇总!C7 banners\n# a comment\n"
    template = create(io_world, mapping_from_lines(lines), data=buffer.getvalue())
    assert [e["cell"] for e in template.mapping] == ["a!b!C5", "#汇总!C6"]
    # What the edit page shows reads back the same, and a rename re-checks it.
    assert mapping_from_lines(mapping_to_lines(template.mapping)) == template.mapping
    renamed = export_template_update(actor=io_world.world.office, template=template, name="改名")
    assert renamed.name == "改名"


def test_a_group_naming_a_region_of_another_level_is_refused(io_world):
    township = io_world.world.township
    with pytest.raises(FieldError) as caught:
        create(
            io_world, [{"cell": "C3", "indicator": "lectures", "group": {"village": township.code}}]
        )
    assert caught.value.field == "mapping.0.group.village"
    assert township.name in caught.value.message


def test_an_entrys_dates_ending_before_they_start_are_refused(io_world):
    entry = {"cell": "C3", "indicator": "lectures"}
    for key in ("date_to", "as_of"):
        with pytest.raises(FieldError) as caught:
            create(io_world, [{**entry, "filters": {"date_from": "2024-03-01", key: "2024-02-01"}}])
        assert caught.value.field == f"mapping.0.filters.{key}"


def test_an_office_template_fills_any_campaign(filled_ledger):
    io_world = filled_ledger
    template = create(
        io_world, campaign=None, office_unit=io_world.world.office_unit, mapping=MAPPING[:1]
    )
    with pytest.raises(DomainError):
        export_template_fill(actor=SYSTEM, template=template)
    export = export_template_fill(actor=SYSTEM, template=template, campaign=io_world.campaign)
    sheet = openpyxl.load_workbook(io.BytesIO(export.read()))["进度表"]
    assert sheet["C3"].value == 12
    # A campaign's own template is for that campaign only.
    own = create(io_world, mapping=MAPPING[:1])
    with pytest.raises(DomainError):
        export_template_fill(actor=SYSTEM, template=own, campaign=io_world.world.other_campaign)


def test_a_group_by_kind_finds_the_rollups_kind_rows(filled_ledger):
    """Plain figures have no kinds ("figure" is their one kind group); a record kind with
    kinds of its own names one, or is grouped by record_kind."""
    io_world = filled_ledger
    office = io_world.world.office
    mapping = [
        {"cell": "进度表!C3", "indicator": "respondents", "group": {"kind": "figure"}},
        {"cell": "进度表!C4", "indicator": "lectures", "group": {"kind": "event:宣讲"}},
        {"cell": "进度表!C5", "indicator": "lectures", "group": {"record_kind": "event"}},
    ]
    template = create(io_world, mapping)
    by_kind = rollup(
        actor=office,
        campaign=io_world.campaign,
        indicators=["respondents", "lectures"],
        group_by=["kind"],
        include_total=False,
    )
    figures = next(
        r
        for r in by_kind.rows
        if r.indicator.code == "respondents" and r.group["kind"] == "figure:"
    )
    lectures = next(
        r
        for r in by_kind.rows
        if r.indicator.code == "lectures" and r.group["kind"] == "event:lecture"
    )
    assert figures.value and lectures.value
    sheet = openpyxl.load_workbook(
        io.BytesIO(export_template_fill(actor=office, template=template).read())
    )["进度表"]
    assert sheet["C3"].value == figures.value
    assert sheet["C4"].value == sheet["C5"].value == lectures.value
    with pytest.raises(FieldError) as caught:
        create(io_world, [{"cell": "C3", "indicator": "lectures", "group": {"kind": "event"}}])
    assert caught.value.field == "mapping.0.group.kind"
    assert "record_kind" in caught.value.message


def test_a_group_by_an_existing_unit_fills_its_figure(filled_ledger):
    io_world = filled_ledger
    unit = io_world.world.township_unit
    mapping = [{"cell": "进度表!C3", "indicator": "lectures", "group": {"unit": str(unit.pk)}}]
    template = create(io_world, mapping)
    assert template.mapping[0]["group"] == {"unit": unit.pk}
    export = export_template_fill(actor=io_world.world.office, template=template)
    sheet = openpyxl.load_workbook(io.BytesIO(export.read()))["进度表"]
    by_unit = rollup(
        actor=io_world.world.office,
        campaign=io_world.campaign,
        group_by=["unit"],
        indicators=["lectures"],
    )
    (row,) = [r for r in by_unit.rows if r.group.get("unit") == unit.pk]
    assert sheet["C3"].value == row.value == 12
