"""Data for the documents tests: a report written for them, a ledger to draft from, and a
report with figures for the page and API permission matrices."""

import datetime
from decimal import Decimal

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services as campaign_services
from campaigndesk.documents import services
from campaigndesk.documents.models import SourceReport
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.models import Indicator
from campaigndesk.regions.models import UnitKind

from ..factories import OutletFactory, UnitFactory

D = datetime.date

# A short summary report in the register of the examples (written for these tests).
REPORT = (
    "鹿城镇移民政策宣传工作情况\n"
    "截至2024年5月31日，全镇累计开展政策宣讲36场次，参与群众4200余人次，"
    "发放宣传单1.2万张，悬挂横幅86条。\n"
    "各级媒体播发新闻15条，刊发文图7篇。2024年第3期工作简报已编发。\n"
)


def upload(world, *, text: str = REPORT, actor=None, title: str = "") -> SourceReport:
    return services.report_upload(
        actor=actor or world.office,
        campaign=world.campaign,
        data=text.encode("utf-8"),
        filename="report.txt",
        title=title,
    )


def matrix_report(world) -> dict[str, int]:
    """A report on the world's campaign with its figures, for the permission matrices:
    ``report`` and ``report_figure`` (the first figure, 36场次)."""
    report = upload(world, actor=SYSTEM)
    return {"report": report.pk, "report_figure": report.figures.order_by("start")[0].pk}


def record(world, record_kind: str, **values):
    return ledger.record_create(
        actor=SYSTEM, campaign=world.campaign, record_kind=record_kind, **values
    ).record


def seed_ledger(world) -> D:
    """A ledger in every category the draft writes about, and the organisation of the
    campaign; returns the as-of date (one record after it must not count)."""
    campaign = world.campaign
    campaign_services.leading_group_member_add(
        actor=SYSTEM,
        campaign=campaign,
        person_name="李明",
        role="leader",
        position="市委常委、宣传部部长",
    )
    campaign_services.leading_group_member_add(
        actor=SYSTEM, campaign=campaign, person_name="王芳", role="deputy", position="副部长"
    )
    campaign_services.strand_create(actor=SYSTEM, campaign=campaign, name="媒体宣传")
    township, county = world.township_unit, world.county_unit
    outlet = OutletFactory(name="楚雄市融媒体中心公众号", channel="wechat", level=4)
    for n, (kind, day, views) in enumerate(
        [("news", 3, 1200), ("news", 9, 800), ("video", 12, 56000), ("article", 20, 300)]
    ):
        record(
            world,
            "output",
            unit=county,
            outlet=outlet,
            kind=kind,
            title=f"和谐库区宣传报道{n}",
            date=D(2024, 3, day),
            views=views,
        )
    record(
        world,
        "event",
        unit=township,
        region=world.village,
        kind="lecture",
        sessions=14,
        participants=862,
        date=D(2024, 3, 5),
    )
    record(
        world,
        "event",
        unit=county,
        kind="performance",
        sessions=3,
        participants=2400,
        date=D(2024, 4, 2),
    )
    record(
        world,
        "material",
        unit=township,
        kind="banner",
        quantity=Decimal(37),
        measure_word="条",
        date=D(2024, 3, 8),
    )

    def figure(code: str, value: int, approx: str = "", day: D | None = None):
        record(
            world,
            "figure",
            unit=county,
            indicator=Indicator.objects.get(code=code),
            value=Decimal(value),
            approx=approx,
            date=day or D(2024, 4, 20),
        )

    figure("leaflets", 176128, "more")
    figure("meetings", 5)
    figure("respondents", 1000)
    figure("aware_respondents", 934)
    # After the as-of date: left out of the draft.
    figure("leaflets", 999, day=D(2024, 6, 15))
    return D(2024, 5, 31)


# The appendix of the Shaoyang plan as it comes out of the web page: Traditional script,
# pinyin left by a careless conversion ("醫(yī)"), one cell a line ending in " |".
HEADER = ["序號", "宣傳主題", "實事(項目)名稱", "責任單位", "宣傳時間"]
ROWS = [
    [
        "1",
        "醫(yī)療保障",
        "異地就醫(yī)結(jié)算與基層醫(yī)保代辦服務",
        "縣衛(wèi)健局、縣醫(yī)保局、縣婦聯(lián)",
        "10月8-10日",
    ],
    [
        "2",
        "住房保障",
        "城鎮(zhèn)老舊小區(qū)開工改造",
        "縣住建局、縣住房保障中心、縣電力公司",
        "10月10-15日",
    ],
    [
        "3",
        "就業(yè)社保",
        "促進高質(zhì)量充分就業(yè)和擴大社會保險覆蓋面",
        "縣人社局",
        "10月16-20日",
    ],
    [
        "4",
        "社會關(guān)愛",
        "提高困難群體救助標準和開展殘疾人關(guān)愛服務",
        "縣民政局、縣殘聯(lián)",
        "10月23-27日",
    ],
    ["5", "水利建設", "農(nóng)村水源保障及灌溉能力提升", "縣水利局", "10月30-11月3日"],
    ["6", "養(yǎng)老服務", "養(yǎng)老機構(gòu)新增護理型床位", "縣民政局", "11月6-10日"],
    ["7", "農(nóng)村建設", "農(nóng)村“三路”建設", "縣交通局、縣電力公司", "11月13-17日"],
    ["8", "教育強省", "縣域普通高中“徐特立項目”", "縣教育局", "11月20-24日"],
    ["9", "政務服務", "“湘易辦”超級服務端應用推廣", "縣行政審批服務局", "11月27-30日"],
    ["10", "綜合報道", "全面宣傳2023年重點民生實事工作完成情況", "縣人社局", "12月初"],
]
PASTED = "\n".join(
    [
        "附件",
        "“2023年溫暖民生答卷”系列宣傳活動時間安排表",
        *(f"{cell} |" for row in [HEADER, *ROWS] for cell in row),
    ]
)
UNITS = [
    "县卫健局",
    "县医保局",
    "县妇联",
    "县住建局",
    "县住房保障中心",
    "县电力公司",
    "县人社局",
    "县民政局",
    "县残联",
    "县水利局",
    "县交通局",
    "县教育局",
    "县行政审批服务局",
]


def shaoyang_units(world) -> dict:
    """The Shaoyang plan's responsible units (Simplified names), in the world's county."""
    return {
        name: UnitFactory(name=name, kind=UnitKind.DEPARTMENT, region=world.county)
        for name in UNITS
    }
