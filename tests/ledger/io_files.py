"""Import files built in memory (CSV in several encodings, XLSX) and a small world for the
import and export tests.

On top of the ``world`` tree (campaign over 楚雄市 532301, 2024):
    outlets 楚雄日报 (newspaper, municipal), 楚雄发布 (WeChat, municipal), and two outlets
    both called 楚雄融媒 (WeChat and Douyin, county).
    a second township 东瓜镇 532301002 and its village 532301002001, with 东瓜镇人民政府.
"""

import csv
import io
from dataclasses import dataclass

import openpyxl
import pytest

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign
from campaigndesk.ledger.io.imports import ImportResult, ledger_import
from campaigndesk.regions.models import Outlet, Region, RegionLevel, Unit, UnitKind

from ..factories import CampaignFactory, OutletFactory, UnitFactory, make_region

HEADERS = {
    "output": [
        "单位",
        "行政区划代码",
        "日期",
        "媒体",
        "类型",
        "标题",
        "原创/转载",
        "阅读量",
        "受众",
        "链接",
    ],
    "material": ["单位", "行政区划代码", "日期", "类型", "数量", "量词", "面积", "点位数"],
    "event": ["单位", "行政区划代码", "日期", "类型", "标题", "场次", "人次", "地点"],
    "figure": ["单位", "行政区划代码", "日期", "指标", "数值", "近似", "起始日期"],
}

# Good rows of each kind, as an office would write them (labels, not codes, mostly).
GOOD = {
    "output": [
        [
            "楚雄市融媒体中心",
            "",
            "2024-02-05",
            "楚雄日报",
            "图文",
            "库区新貌",
            "原创",
            "1000",
            "",
            "https://example.org/a/1",
        ],
        [
            "楚雄市融媒体中心",
            "532301001",
            "2024-02-07",
            "楚雄发布",
            "短视频",
            "搬迁第一天",
            "转载",
            "500",
            "3000",
            "",
        ],
        [
            "鹿城镇人民政府",
            "",
            "2024-02-12",
            "楚雄发布",
            "video",
            "新家",
            "",
            "",
            "",
            "https://example.org/a/2",
        ],
    ],
    "material": [
        ["楚雄市融媒体中心", "", "2024-02-05", "横幅", "1800", "条", "", ""],
        ["鹿城镇人民政府", "532301001001", "2024-02-12", "标语点位", "31", "处", "6200.5", "31"],
        ["楚雄市融媒体中心", "532301", "2024-02-22", "leaflet", "176128", "张", "", ""],
    ],
    "event": [
        [
            "鹿城镇人民政府",
            "532301001001",
            "2024-02-07",
            "宣讲",
            "政策宣讲进安置点",
            "12",
            "860",
            "安置点广场",
        ],
        ["鹿城镇人民政府", "", "2024-02-18", "文艺巡演", "", "2", "400", ""],
        ["楚雄市融媒体中心", "", "2024-01-31", "home_visit", "", "5", "", ""],
    ],
    "figure": [
        ["楚雄市融媒体中心", "", "2024-02-10", "views_cumulative", "10000", "余", ""],
        ["楚雄市融媒体中心", "", "2024-02-20", "累计点击量", "12000", "", "2024-02-01"],
        ["鹿城镇人民政府", "", "2024-02-22", "respondents", "200", "", ""],
    ],
}


def csv_bytes(
    rows: list[list], *, encoding: str = "utf-8", bom: bool = False, delimiter: str = ","
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], *, merge: str | None = None, extra_sheet: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    if merge:
        sheet.merge_cells(merge)
    if extra_sheet:
        workbook.create_sheet("说明").append(["这一页不导入"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_file(kind: str, fmt: str = "csv") -> tuple[bytes, str]:
    rows = [HEADERS[kind], *GOOD[kind]]
    if fmt == "xlsx":
        return xlsx_bytes(rows), f"{kind}.xlsx"
    return csv_bytes(rows), f"{kind}.csv"


def run_import(actor, campaign: Campaign, kind: str, data: bytes, name: str) -> ImportResult:
    return ledger_import(
        actor=actor, campaign=campaign, record_kind=kind, source=data, filename=name
    )


@dataclass
class IoWorld:
    world: object
    campaign: Campaign
    township2: Region
    village2: Region
    township2_unit: Unit
    daily: Outlet
    wechat: Outlet
    twins: tuple[Outlet, Outlet]


@pytest.fixture
def io_world(world) -> IoWorld:
    township2 = make_region("532301002", "东瓜镇", RegionLevel.TOWNSHIP, world.county)
    village2 = make_region("532301002001", "东瓜村", RegionLevel.VILLAGE, township2)
    township2_unit = UnitFactory(
        name="东瓜镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=township2
    )
    daily = OutletFactory(name="楚雄日报", channel="newspaper", level=3)
    wechat = OutletFactory(name="楚雄发布", channel="wechat", level=3)
    twins = (
        OutletFactory(name="楚雄融媒", channel="wechat", level=4),
        OutletFactory(name="楚雄融媒", channel="douyin", level=4),
    )
    return IoWorld(
        world=world,
        campaign=world.campaign,
        township2=township2,
        village2=village2,
        township2_unit=township2_unit,
        daily=daily,
        wechat=wechat,
        twins=twins,
    )


def second_campaign(io: IoWorld) -> Campaign:
    """Another campaign over the same county, for round trips."""
    return CampaignFactory(name="第二个宣传活动", lead_unit=io.world.county_unit)


__all__ = [
    "GOOD",
    "HEADERS",
    "SYSTEM",
    "IoWorld",
    "csv_bytes",
    "good_file",
    "io_world",
    "run_import",
    "second_campaign",
    "xlsx_bytes",
]
