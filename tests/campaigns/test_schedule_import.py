"""Importing a schedule table: good files, the Shaoyang table in Traditional script, every
kind of bad row (nothing written), one audit entry per batch, and who may import."""

import datetime
import hashlib

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import ScheduleItem
from campaigndesk.campaigns.services import schedule_import
from campaigndesk.common.errors import DomainError, Forbidden, ImportRejected
from campaigndesk.documents.textnorm import match_key
from campaigndesk.regions.models import RegionLevel, UnitAlias

from ..factories import UnitFactory, make_region
from .files import (
    HEADER,
    SHAOYANG_HEADER,
    SHAOYANG_ROWS,
    SHAOYANG_TITLE,
    SHAOYANG_UNITS,
    csv_bytes,
    xlsx_bytes,
)

D = datetime.date
IMPORTED = "campaigns.schedule.imported"


@pytest.fixture
def units(world):
    """The Shaoyang example's units, registered in Simplified in the campaign's county."""
    return {name: UnitFactory(name=name, region=world.county) for name in SHAOYANG_UNITS}


def run(world, data: bytes, filename: str, *, actor=None, campaign=None, year: int = 2023):
    return schedule_import(
        actor=actor or world.office,
        campaign=campaign or world.campaign,
        data=data,
        filename=filename,
        year=year,
    )


def names(item: ScheduleItem) -> set[str]:
    return {u.name for u in item.responsible_units.all()}


GOOD_ROWS = [
    ["1", "医疗保障", "异地就医结算", "县卫健局、县医保局", "10月8-10日"],
    ["2", "水利建设", "", "县水利局", "10月30-11月3日"],
    ["3", "综合报道", "全面宣传完成情况", "县人社局", "12月初"],
]


def check_good_rows(world, result):
    items = list(world.campaign.schedule.order_by("seq"))
    assert [i.pk for i in result.items] == [i.pk for i in items]
    assert [(i.seq, i.theme, i.project) for i in items] == [
        (1, "医疗保障", "异地就医结算"),
        (2, "水利建设", ""),
        (3, "综合报道", "全面宣传完成情况"),
    ]
    assert [(i.window_start, i.window_end, i.window_text) for i in items] == [
        (D(2023, 10, 8), D(2023, 10, 10), "10月8-10日"),
        (D(2023, 10, 30), D(2023, 11, 3), "10月30-11月3日"),
        (D(2023, 12, 1), D(2023, 12, 10), "12月初"),
    ]
    assert [names(i) for i in items] == [{"县卫健局", "县医保局"}, {"县水利局"}, {"县人社局"}]
    assert {i.status for i in items} == {ScheduleItem.Status.PLANNED}
    assert result.warnings == []


def test_good_csv(world, units):
    result = run(world, csv_bytes([HEADER, *GOOD_ROWS]), "plan.csv")
    check_good_rows(world, result)


def test_good_xlsx_with_title_blank_rows_numbers_and_synonyms(world, units):
    rows = [
        ["宣传活动时间安排表"],
        [],
        ["序号", "主题", "项目名称", "牵头单位", "时间安排", "备注"],
        [1, "医疗保障", "异地就医结算", "县卫健局,县医保局", "10月8-10日", "x"],
        [None, None, None, None, None, None],
        [2.0, "水利建设", None, "县水利局", "10月30-11月3日"],
        [3, "综合报道", "全面宣传完成情况", "县人社局", "12月初"],
    ]
    result = run(world, xlsx_bytes(rows), "plan.XLSX")
    check_good_rows(world, result)


def test_a_hidden_first_sheet_is_not_the_schedule(world, units):
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([HEADER, *GOOD_ROWS])))
    lists = workbook.create_sheet("lists", 0)
    lists.append(["x", "y"])
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_good_rows(world, run(world, buffer.getvalue(), "plan.xlsx"))


def test_xlsx_date_cell_is_a_single_day(world, units):
    rows = [HEADER, [1, "医疗保障", "", "县卫健局", datetime.datetime(2023, 10, 8)]]
    [item] = run(world, xlsx_bytes(rows), "plan.xlsx").items
    assert (item.window_start, item.window_end) == (D(2023, 10, 8), D(2023, 10, 8))


def test_tab_separated_gb18030_csv(world, units):
    rows = [["序號", "宣傳主題", "實事名稱", "責任單位", "宣傳時間"], *GOOD_ROWS]
    data = csv_bytes(rows, delimiter="\t", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really needs the fallback
    check_good_rows(world, run(world, data, "plan.csv"))


def test_csv_with_bom(world, units):
    data = "\ufeff".encode() + csv_bytes([HEADER, *GOOD_ROWS])
    check_good_rows(world, run(world, data, "plan.csv"))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_shaoyang_table_in_traditional_script(world, units, kind):
    rows = [[SHAOYANG_TITLE], SHAOYANG_HEADER, *SHAOYANG_ROWS]
    data = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    result = run(world, data, f"附件.{kind}")
    assert result.warnings == []
    items = {i.seq: i for i in world.campaign.schedule.all()}
    assert sorted(items) == list(range(1, 11))
    assert (items[1].window_start, items[1].window_end) == (D(2023, 10, 8), D(2023, 10, 10))
    assert (items[5].window_start, items[5].window_end) == (D(2023, 10, 30), D(2023, 11, 3))
    assert items[5].window_text == "10月30-11月3日"
    assert (items[10].window_start, items[10].window_end) == (D(2023, 12, 1), D(2023, 12, 10))
    assert items[10].window_text == "12月初"
    # The theme as written, without the pinyin the conversion left behind.
    assert items[1].theme == "醫療保障"
    assert items[1].project.startswith("異地就醫結算與基層醫保代辦服務")
    assert names(items[1]) == {"县卫健局", "县医保局", "县妇联"}
    assert names(items[2]) == {"县住建局", "县住房保障中心", "县电力公司"}
    assert names(items[4]) == {"县民政局", "县残联"}
    assert names(items[7]) == {"县交通局", "县电力公司"}
    assert names(items[9]) == {"县行政审批服务局"}
    assert names(items[3]) == names(items[10]) == {"县人社局"}
    assert all(u.pk == units[u.name].pk for i in items.values() for u in i.responsible_units.all())


def test_a_unit_of_the_campaigns_region_wins_over_a_namesake_elsewhere(world, units):
    UnitFactory(name="县民政局", region=world.other_county)
    rows = [HEADER, ["1", "社会关爱", "", "县民政局", "10月"]]
    result = run(world, csv_bytes(rows), "plan.csv")
    assert [u.pk for u in result.items[0].responsible_units.all()] == [units["县民政局"].pk]
    assert result.warnings == []


def test_a_unit_elsewhere_in_the_office_subtree_is_taken_with_a_warning(world, units):
    rows = [HEADER, ["1", "社会关爱", "", "县民政局、妥甸镇人民政府", "10月"]]
    result = run(world, csv_bytes(rows), "plan.csv")
    assert names(result.items[0]) == {"县民政局", "妥甸镇人民政府"}
    assert len(result.warnings) == 1
    assert "妥甸镇人民政府" in result.warnings[0]
    entry = AuditEntry.objects.get(action=IMPORTED)
    assert entry.extra["warnings"] == result.warnings


def test_a_unit_is_found_by_alias(world, units):
    unit = units["县行政审批服务局"]
    UnitAlias.objects.create(unit=unit, alias="县审批局", alias_key=match_key("县审批局"))
    rows = [HEADER, ["1", "政务服务", "", "縣審批局", "11月27-30日"]]
    assert names(run(world, csv_bytes(rows), "plan.csv").items[0]) == {"县行政审批服务局"}


def test_without_a_number_column_items_are_numbered_after_the_schedule(world, units):
    ScheduleItem.objects.create(
        campaign=world.campaign,
        seq=4,
        theme="已有",
        window_start=D(2023, 1, 1),
        window_end=D(2023, 1, 2),
    )
    rows = [
        ["宣传主题", "责任单位", "宣传时间"],
        ["医疗保障", "县卫健局", "10月8-10日"],
        ["水利建设", "县水利局", "10月"],
    ]
    result = run(world, csv_bytes(rows), "plan.csv")
    assert [i.seq for i in result.items] == [5, 6]


def test_the_command_line_matches_units_in_the_campaigns_province(world, units):
    province_unit = UnitFactory(name="省医保局", region=world.province)
    rows = [HEADER, ["1", "医疗保障", "", "省医保局", "10月8-10日"]]
    result = run(world, csv_bytes(rows), "plan.csv", actor=SYSTEM)
    assert [u.pk for u in result.items[0].responsible_units.all()] == [province_unit.pk]
    assert AuditEntry.objects.get(action=IMPORTED).actor_label == "system"


def test_an_office_does_not_reach_units_above_its_region(world, units):
    UnitFactory(name="省医保局", region=world.province)
    rows = [HEADER, ["1", "医疗保障", "", "省医保局", "10月8-10日"]]
    with pytest.raises(ImportRejected) as caught:
        run(world, csv_bytes(rows), "plan.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "责任单位")]


# --- bad rows ---------------------------------------------------------------------------

GOOD_ROW = ["1", "医疗保障", "", "县卫健局", "10月8-10日"]


def bad(*, seq="2", theme="水利建设", units="县水利局", window="10月"):
    return [seq, theme, "", units, window]


BAD_ROWS = [
    # the bad row (file row 3), the field named, words of the reason
    pytest.param(bad(units="县不存在局"), "责任单位", "县不存在局", id="unknown-unit"),
    pytest.param(bad(units="文化站"), "责任单位", "more than one", id="ambiguous-unit"),
    pytest.param(bad(units=""), "责任单位", "No responsible unit", id="no-unit"),
    pytest.param(bad(window=""), "宣传时间", "missing", id="no-window"),
    pytest.param(bad(window="待定"), "宣传时间", "Cannot read", id="bad-window"),
    pytest.param(bad(window="2月30日"), "宣传时间", "not exist", id="no-such-day"),
    pytest.param(bad(window="10月10-8日"), "宣传时间", "before", id="end-before-start"),
    pytest.param(bad(theme=""), "宣传主题", "blank", id="blank-theme"),
    pytest.param(bad(theme="宣" * 201), "宣传主题", "Longer than 200", id="long-theme"),
    pytest.param(bad(seq="1"), "序号", "row 2", id="number-twice-in-file"),
    pytest.param(bad(seq="7"), "序号", "already", id="number-in-campaign"),
    pytest.param(bad(seq="二"), "序号", "not a number", id="not-a-number"),
    pytest.param(bad(seq="2a"), "序号", "not a number", id="not-a-number-2"),
    pytest.param(bad(seq=""), "序号", "missing", id="missing-number"),
]


@pytest.fixture
def crowded(world, units):
    """Two units of one name in the campaign's region, and item no. 7 already planned."""
    UnitFactory(name="文化站", region=world.township)
    UnitFactory(name="文化站", region=world.village)
    ScheduleItem.objects.create(
        campaign=world.campaign,
        seq=7,
        theme="已有",
        window_start=D(2023, 1, 1),
        window_end=D(2023, 1, 2),
    )
    return world


@pytest.mark.parametrize(("bad", "field", "reason"), BAD_ROWS)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_row_rejects_the_file_and_writes_nothing(crowded, bad, field, reason, kind):
    world = crowded
    rows = [HEADER, GOOD_ROW, bad]
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    items_before = ScheduleItem.objects.count()
    with pytest.raises(ImportRejected) as caught:
        run(world, data, f"plan.{kind}")
    [error] = caught.value.errors
    assert (error.row, error.field) == (3, field)
    assert reason in error.message
    assert "row 3" in str(caught.value)
    assert ScheduleItem.objects.count() == items_before
    assert not AuditEntry.objects.filter(action=IMPORTED).exists()


def test_every_bad_row_is_reported(crowded):
    world = crowded
    rows = [
        ["活动安排"],
        HEADER,
        GOOD_ROW,
        ["2", "", "", "县甲局、县乙局", "10月"],
        ["3", "水利建设", "", "县水利局", "9月31日"],
        [],
        ["x", "教育", "", "县教育局、文化站", "10月8日"],
        GOOD_ROW,
    ]
    with pytest.raises(ImportRejected) as caught:
        run(world, csv_bytes(rows), "plan.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (4, "宣传主题"),
        (4, "责任单位"),
        (4, "责任单位"),
        (5, "宣传时间"),
        (7, "序号"),
        (7, "责任单位"),
        (8, "序号"),
    ]
    messages = " ".join(e.message for e in caught.value.errors)
    assert "县甲局" in messages and "县乙局" in messages
    assert ScheduleItem.objects.filter(campaign=world.campaign).count() == 1


def test_headers_as_written_name_the_fields(world, units):
    rows = [SHAOYANG_HEADER, ["1", "醫療保障", "", "縣不存在局", "10月8-10日"]]
    with pytest.raises(ImportRejected) as caught:
        run(world, csv_bytes(rows), "plan.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "責任單位")]


def test_a_missing_column_is_reported(world, units):
    rows = [["序号", "宣传主题", "宣传时间"], ["1", "医疗保障", "10月"]]
    with pytest.raises(ImportRejected) as caught:
        run(world, csv_bytes(rows), "plan.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "责任单位")]


def test_a_file_without_a_header_is_rejected(world, units):
    rows = [["1", "医疗保障", "", "县卫健局", "10月8-10日"]]
    with pytest.raises(ImportRejected) as caught:
        run(world, csv_bytes(rows), "plan.csv")
    assert caught.value.errors[0].row is None
    assert ScheduleItem.objects.count() == 0


def test_a_file_with_only_a_header_is_rejected(world, units):
    with pytest.raises(DomainError, match="no schedule rows"):
        run(world, csv_bytes([HEADER]), "plan.csv")


@pytest.mark.parametrize(
    ("filename", "data"),
    [("plan.xls", b"\xd0\xcf\x11\xe0"), ("plan.docx", b"PK"), ("plan", b"1,2,3")],
)
def test_an_unsupported_file_type_is_a_domain_error(world, units, filename, data):
    with pytest.raises(DomainError) as caught:
        run(world, data, filename)
    assert not isinstance(caught.value, ImportRejected)
    assert filename in str(caught.value)


def test_a_broken_workbook_is_a_domain_error(world, units):
    with pytest.raises(DomainError, match="Excel"):
        run(world, b"this is not a zip file", "plan.xlsx")


# --- audit ------------------------------------------------------------------------------


def test_one_audit_entry_per_batch_with_hash_and_row_count(world, units):
    data = csv_bytes([HEADER, *GOOD_ROWS])
    result = run(world, data, "plan.csv")
    [entry] = AuditEntry.objects.filter(action__startswith="campaigns.schedule")
    assert entry.action == IMPORTED
    assert entry.outcome == AuditEntry.Outcome.DONE
    assert entry.actor == world.office
    assert entry.object_id == str(world.campaign.pk)
    assert entry.region_path == world.campaign.region_path
    assert entry.extra["sha256"] == hashlib.sha256(data).hexdigest() == result.sha256
    assert entry.extra["rows"] == 3
    assert entry.extra["filename"] == "plan.csv"
    assert [i["seq"] for i in entry.after["items"]] == [1, 2, 3]
    assert entry.after["items"][0]["responsible_units"] == [
        units["县卫健局"].pk,
        units["县医保局"].pk,
    ]
    assert entry.after["items"][1]["window_end"] == "2023-11-03"


# --- who may import ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reporter", "observer", "other_office", "editor"])
def test_import_is_denied_and_the_denial_audited(world, units, role):
    user = world.user(role)
    with pytest.raises(Forbidden):
        run(world, csv_bytes([HEADER, *GOOD_ROWS]), "plan.csv", actor=user)
    assert ScheduleItem.objects.count() == 0
    [entry] = AuditEntry.objects.filter(actor=user)
    assert (entry.action, entry.outcome) == ("campaigns.schedule.import", "denied")
    assert entry.region_path == world.campaign.region_path
    assert not AuditEntry.objects.filter(action=IMPORTED).exists()


@pytest.mark.parametrize("role", ["office", "admin"])
def test_import_is_allowed_for_the_office_and_the_admin(world, units, role):
    result = run(world, csv_bytes([HEADER, *GOOD_ROWS]), "plan.csv", actor=world.user(role))
    assert len(result.items) == 3


def test_the_other_office_may_import_into_its_own_campaign(world):
    UnitFactory(name="县水利局", region=world.other_county)
    rows = [HEADER, ["1", "水利建设", "", "县水利局", "10月"]]
    result = run(
        world, csv_bytes(rows), "plan.csv", actor=world.other_office, campaign=world.other_campaign
    )
    assert result.items[0].campaign == world.other_campaign


def test_an_office_matches_only_units_within_its_own_region(world):
    # The other office (双柏县) cannot name a unit of 楚雄市 in its campaign.
    UnitFactory(name="县水利局", region=world.county)
    rows = [HEADER, ["1", "水利建设", "", "县水利局", "10月"]]
    with pytest.raises(ImportRejected):
        run(
            world,
            csv_bytes(rows),
            "plan.csv",
            actor=world.other_office,
            campaign=world.other_campaign,
        )


def test_a_region_outside_the_tree_is_never_searched(world):
    other_province = make_region("43", "湖南省", RegionLevel.PROVINCE)
    UnitFactory(name="县水利局", region=other_province)
    rows = [HEADER, ["1", "水利建设", "", "县水利局", "10月"]]
    with pytest.raises(ImportRejected):
        run(world, csv_bytes(rows), "plan.csv", actor=SYSTEM)
