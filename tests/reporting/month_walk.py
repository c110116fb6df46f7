"""The month of reporting that tests/reporting/test_month_walk.py hand-computes (its
docstring has every unit's figures): four units, February issued as 2024年第1期, a briefing
issued meanwhile, and March's items, adoptions, returns and comments entered through the
real services, up to (not including) the March bulletin. Shared with test_consistency.py,
which compares the March bulletin's page, API and files."""

import datetime
from types import SimpleNamespace

from campaigndesk.campaigns.models import CampaignUnit
from campaigndesk.regions.models import OutletLevel, RegionLevel, UnitKind
from campaigndesk.reporting import services
from campaigndesk.reporting.issuing import (
    briefing_create,
    briefing_issue,
    bulletin_create,
    bulletin_issue,
)
from campaigndesk.reporting.models import InfoItem, ItemState, ItemTransition, ScoringMode

from ..factories import UnitFactory, make_region
from .factories import (
    OutletFactory,
    QuotaTargetFactory,
    local,
    reporter_for,
    reporting_clock,
    submitted_item,
)

D = datetime.date
FEB, MAR = D(2024, 2, 1), D(2024, 3, 1)


def walk_the_month(world) -> SimpleNamespace:
    """Enter February and March as test_month_walk's docstring tells (asserting the steps
    on the way); returns the campaign, units ``unit_a``…``unit_d``, outlets, items
    ``a0``…``d4``, the issued February bulletin ``feb`` and the issued ``briefing``."""
    office = world.office
    campaign = world.campaign
    unit_a, unit_b = world.county_unit, world.township_unit
    unit_c = UnitFactory(
        name="东瓜镇人民政府",
        kind=UnitKind.TOWNSHIP_COMMITTEE,
        region=make_region("532301002", "东瓜镇", RegionLevel.TOWNSHIP, world.county),
    )
    unit_d = UnitFactory(
        name="紫溪镇人民政府",
        kind=UnitKind.TOWNSHIP_COMMITTEE,
        region=make_region("532301003", "紫溪镇", RegionLevel.TOWNSHIP, world.county),
    )
    for unit in (unit_c, unit_d):
        CampaignUnit.objects.create(campaign=campaign, unit=unit)
    QuotaTargetFactory(campaign=campaign, count=3, period="month", due_day=5)
    services.rules_create(
        actor=office,
        campaign=campaign,
        valid_from=D(2024, 1, 1),
        points_central=20,
        points_provincial=6,
        points_municipal=4,
        points_county=2,
        points_township=0,
        scoring_mode=ScoringMode.HIGHEST_ONCE,
        headline_multiplier=2,
        leader_comment_bonus=5,
        missing_quota_penalty=2,
        false_report_penalty=10,
        base_points=10,
    )
    people_net = OutletFactory(name="人民网", level=OutletLevel.CENTRAL)
    yunnan_daily = OutletFactory(name="云南日报", level=OutletLevel.PROVINCIAL)
    yunnan_net = OutletFactory(name="云南网", level=OutletLevel.PROVINCIAL)
    chuxiong_daily = OutletFactory(name="楚雄日报", level=OutletLevel.MUNICIPAL)
    prefecture_tv = OutletFactory(name="楚雄州广播电视台", level=OutletLevel.MUNICIPAL)
    county_tv = OutletFactory(name="楚雄市广播电视台", level=OutletLevel.COUNTY)

    def submit(unit, at, title, period=None) -> InfoItem:
        return submitted_item(world, unit=unit, at=at, title=title, quota_period_start=period)

    def edit(item, at):
        with reporting_clock(at):
            services.item_edit(actor=world.editor, item=item)

    def review(item, at):
        with reporting_clock(at):
            services.item_review(actor=world.reviewer, item=item)

    def sign_off(item, at):
        edit(item, at)
        review(item, at)
        with reporting_clock(at):
            services.item_sign_off(actor=world.approver, item=item)

    def adopt(item, outlet, day, headline=False):
        services.adoption_create(
            actor=office, item=item, outlet=outlet, date=day, is_headline=headline
        )

    # --- February ---------------------------------------------------------------------
    a0 = submit(unit_a, local(2024, 2, 10), "楚雄市启动和谐库区宣传月")
    sign_off(a0, local(2024, 2, 11))
    adopt(a0, county_tv, D(2024, 2, 20))

    feb = bulletin_create(actor=office, campaign=campaign, period_start=FEB, signer="张三")
    feb = bulletin_issue(actor=office, bulletin=feb, issue_date=D(2024, 3, 6))
    assert [(r["rank"], r["unit"], r["points"]) for r in feb.snapshot["rows"]] == [
        (1, "楚雄市融媒体中心", "8.00"),
        (2, "东瓜镇人民政府", "4.00"),
        (2, "紫溪镇人民政府", "4.00"),
        (2, "鹿城镇人民政府", "4.00"),
    ]
    assert (feb.year, feb.number, feb.total_number) == (2024, 1, 1)

    # --- March: unit A ----------------------------------------------------------------
    a1 = submit(unit_a, local(2024, 3, 4), "库区移民新村文艺汇演")
    sign_off(a1, local(2024, 3, 5))
    adopt(a1, yunnan_daily, D(2024, 3, 8), headline=True)
    adopt(a1, chuxiong_daily, D(2024, 3, 9))

    a2 = submit(unit_a, local(2024, 3, 5), "政策宣讲进村组")
    with reporting_clock(local(2024, 3, 6)):
        services.item_return(actor=world.editor, item=a2, reason="请补充参加人数。")
    assert a2.state == ItemState.RETURNED
    reporter_a = reporter_for(unit_a)
    with reporting_clock(local(2024, 3, 7)):
        services.item_update(actor=reporter_a, item=a2, body="政策宣讲进村组，参加群众320人次。")
        services.item_submit(actor=reporter_a, item=a2)
    a2.refresh_from_db()
    assert (a2.state, a2.submitted_at, a2.quota_period_start) == (
        ItemState.SUBMITTED,
        local(2024, 3, 5),
        MAR,
    )
    sign_off(a2, local(2024, 3, 8))
    assert list(a2.transitions.values_list("step", flat=True)) == [
        ItemTransition.Step.SUBMIT,
        ItemTransition.Step.RETURN,
        ItemTransition.Step.RESUBMIT,
        ItemTransition.Step.EDIT,
        ItemTransition.Step.REVIEW,
        ItemTransition.Step.SIGN_OFF,
    ]
    adopt(a2, people_net, D(2024, 3, 20))
    services.leader_comment_add(
        actor=office, item=a2, leader="李书记", date=D(2024, 3, 21), comment="经验值得推广。"
    )
    adopt(a0, yunnan_net, D(2024, 3, 15))

    # --- March: unit B ----------------------------------------------------------------
    b1 = submit(unit_b, local(2024, 3, 11), "鹿城镇开展入户走访")
    sign_off(b1, local(2024, 3, 12))
    adopt(b1, chuxiong_daily, D(2024, 3, 15))
    b2 = submit(unit_b, local(2024, 3, 12), "鹿城镇宣传展板进社区")
    sign_off(b2, local(2024, 3, 13))
    adopt(b2, county_tv, D(2024, 3, 16))
    b3 = submit(unit_b, local(2024, 3, 13), "重复报送的信息")
    with reporting_clock(local(2024, 3, 14)):
        services.item_withdraw(actor=world.reporter, item=b3, reason="与上一条重复")
    b4 = submit(unit_b, local(2024, 3, 14), "鹿城镇培训宣传员200名")
    services.item_flag_false_report(actor=office, item=b4, note="核实仅培训20名")

    # A briefing meanwhile: its own series, not the bulletins'.
    briefing = briefing_create(actor=office, campaign=campaign, items=[a1, b1])
    briefing = briefing_issue(actor=office, briefing=briefing, issue_date=D(2024, 3, 16))
    assert (briefing.number, briefing.total_number) == (1, 1)

    # --- March: unit C ----------------------------------------------------------------
    c1 = submit(unit_c, local(2024, 3, 18), "东瓜镇库区产业发展")
    sign_off(c1, local(2024, 3, 19))
    adopt(c1, prefecture_tv, D(2024, 3, 25))
    adopt(c1, county_tv, D(2024, 3, 26))
    c2 = submit(unit_c, local(2024, 3, 19), "东瓜镇文明实践活动")
    edit(c2, local(2024, 3, 20))
    c3 = submit(unit_c, local(2024, 3, 20), "东瓜镇志愿服务")
    edit(c3, local(2024, 3, 21))
    review(c3, local(2024, 3, 21))

    # --- March: unit D ----------------------------------------------------------------
    d1 = submit(unit_d, local(2024, 3, 21), "紫溪镇彝族火把节宣传")
    sign_off(d1, local(2024, 3, 22))
    adopt(d1, county_tv, D(2024, 3, 27))
    d2 = submit(unit_d, local(2024, 3, 22), "紫溪镇知识竞赛")
    sign_off(d2, local(2024, 3, 23))
    adopt(d2, county_tv, D(2024, 3, 28))
    d3 = submit(unit_d, local(2024, 3, 31, 23, 30), "紫溪镇月末总结")
    assert d3.quota_period_start == MAR
    d4 = submit(unit_d, local(2024, 4, 2), "紫溪镇四月动态")
    assert d4.quota_period_start == D(2024, 4, 1)

    # --- April 3: unit A's late item for March ------------------------------------------
    a3 = submit(unit_a, local(2024, 4, 3), "三月工作补报", period=MAR)
    assert a3.quota_period_start == MAR

    return SimpleNamespace(
        campaign=campaign,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_c=unit_c,
        unit_d=unit_d,
        people_net=people_net,
        yunnan_daily=yunnan_daily,
        yunnan_net=yunnan_net,
        chuxiong_daily=chuxiong_daily,
        prefecture_tv=prefecture_tv,
        county_tv=county_tv,
        a0=a0,
        a1=a1,
        a2=a2,
        a3=a3,
        b1=b1,
        b2=b2,
        b3=b3,
        b4=b4,
        c1=c1,
        c2=c2,
        c3=c3,
        d1=d1,
        d2=d2,
        d3=d3,
        d4=d4,
        feb=feb,
        briefing=briefing,
    )
