"""A small, hand-countable ledger on top of the ``world`` tree.

Extra regions (under 楚雄市 532301, the scope of ``world.campaign``):
    532301001 鹿城镇 (world.township, "T1") / 532301001001 北浦社区 (world.village, "VA")
                                          / 532301001002 村C ("VC")
    532301002 东瓜镇 ("T2")               / 532301002001 村B ("VB")
                                          / 532301002002 村D (never active)
    532301003 子午镇 ("T3", never active)
Units: county_unit "CU" (532301), township_unit "TU" (T1), township2_unit "T2U" (T2).
Outlets: daily (newspaper, municipal 3), video (video account, county 4), tv (provincial 2).

Every record is filed through ``record_create``; the facts the rollup reads are therefore
the services' own. The table below is what the tests add up by hand (dates are 2024):

  label kind/indicator        value  approx  date   region unit  outlet
  O1  output image_text  articles+media_outputs, views 1000   02-05  C   CU  daily
  O2  output video       short_videos+media_outputs, views 500 02-07 T1  CU  video
  O3  output video       short_videos+media_outputs            02-12  C   CU  video
  O4  output news        news_reports+media_outputs, views 2000 02-22 T2 T2U tv
  O5  output live_stream live_streams+media_outputs, views 300  01-31 VA TU  video
  O6  output article     duplicate of O1 (same URL): no facts   02-06 T1  TU  daily
  O7  output other       media_outputs only                     03-04 T1  TU  daily
  O8  output video       duplicate of O2 (outlet+title+date)    02-07  C  CU  video
  M1  material banner        1800                               02-05  C   CU
  M2  material banner          20                               02-12  VA  TU
  M3  material slogan_site     31, area 6200.5                  02-18  T2  T2U
  M4  material leaflet     176128                               02-22  VC  CU
  M5  material led_slogan  130000                               03-04  C   CU
  E1  event lecture      12 sessions, 860 participants          02-07  VA  TU
  E2  event lecture       3 sessions, 150 participants          02-18  VB  T2U
  E3  event performance   2 sessions, 400 participants          02-22  T1  CU
  E4  event home_visit    5 sessions,   0 participants          01-31  VB  TU
  E5  event film          1 session,   80 participants          03-04  T1  T2U
  F1  figure views_cumulative      10000  more                  02-10  C   CU
  F2  figure views_cumulative      12000  exact                 02-20  T1  CU
  F3  figure views_cumulative      15000  about                 02-20  T2  T2U
  F4  figure views_cumulative      11000  exact                 02-20  C   CU
  F5  figure views_cumulative       9000  under                 02-20  T1  TU
  S1  figure respondents             200  exact                 02-22  T1  TU
  S2  figure aware_respondents       150  more                  02-22  T1  TU
  S3  figure respondents             100  exact                 02-22  T2  T2U
  S4  figure aware_respondents        90  exact                 02-22  T2  T2U
  S6  figure satisfied_respondents    67  about                 02-22  T2  T2U
  F6  figure event_participants     1000  about                 03-04  T2  T2U
  F7  figure leaflets               5000  at_least              02-22  T1  TU
  F8  figure leaflets               2000  under                 03-04  T2  T2U
  X1  (other_campaign) event lecture 7 sessions, 70 participants 02-07 妥甸镇 其他单位

Records F1..F5 are created in that order (F5 is the newest of the 02-20 snapshots).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from campaigndesk.accounts.models import Role, User
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger.models import Indicator, Record
from campaigndesk.ledger.services import record_create
from campaigndesk.regions.models import (
    Channel,
    Outlet,
    OutletLevel,
    Region,
    RegionLevel,
    Unit,
    UnitKind,
)

from ..factories import OutletFactory, UnitFactory, make_region, make_user


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2024, month, day)


@dataclass
class Ledger:
    world: object
    township2: Region
    township3: Region
    village_b: Region
    village_c: Region
    village_d: Region
    township2_unit: Unit
    township_office: User
    daily: Outlet
    video: Outlet
    tv: Outlet
    records: dict[str, Record] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def __getattr__(self, name):
        # ledger.office, ledger.campaign, ... come from the world.
        return getattr(self.world, name)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


# The records of the table above, filed in this order.
URL1 = "https://news.example.cn/a/1"
OUTPUTS = [
    # label unit region date outlet kind title views url
    ("O1", "CU", "C", (2, 5), "daily", "image_text", "库区新貌", 1000, URL1),
    ("O2", "CU", "T1", (2, 7), "video", "video", "移民新村", 500, ""),
    ("O3", "CU", "C", (2, 12), "video", "video", "搬迁一周年", None, ""),
    ("O4", "T2U", "T2", (2, 22), "tv", "news", "东瓜镇宣讲", 2000, "https://tv.example.cn/4"),
    ("O5", "TU", "VA", (1, 31), "video", "live_stream", "直播宣讲", 300, ""),
    ("O6", "TU", "T1", (2, 6), "daily", "article", "转载库区新貌", 50, URL1),
    ("O7", "TU", "T1", (3, 4), "daily", "other", "其他作品", None, ""),
    ("O8", "CU", "C", (2, 7), "video", "video", "移民新村", 70, ""),
]
MATERIALS = [
    # label unit region date kind quantity area sites
    ("M1", "CU", "C", (2, 5), "banner", "1800", None, None),
    ("M2", "TU", "VA", (2, 12), "banner", "20", None, None),
    ("M3", "T2U", "T2", (2, 18), "slogan_site", "31", "6200.5", 31),
    ("M4", "CU", "VC", (2, 22), "leaflet", "176128", None, None),
    ("M5", "CU", "C", (3, 4), "led_slogan", "130000", None, None),
]
EVENTS = [
    # label unit region date kind sessions participants
    ("E1", "TU", "VA", (2, 7), "lecture", 12, 860),
    ("E2", "T2U", "VB", (2, 18), "lecture", 3, 150),
    ("E3", "CU", "T1", (2, 22), "performance", 2, 400),
    ("E4", "TU", "VB", (1, 31), "home_visit", 5, 0),
    ("E5", "T2U", "T1", (3, 4), "film", 1, 80),
]
FIGURES = [
    # label unit region date indicator value approx
    ("F1", "CU", "C", (2, 10), "views_cumulative", "10000", "more"),
    ("F2", "CU", "T1", (2, 20), "views_cumulative", "12000", ""),
    ("F3", "T2U", "T2", (2, 20), "views_cumulative", "15000", "about"),
    ("F4", "CU", "C", (2, 20), "views_cumulative", "11000", ""),
    ("F5", "TU", "T1", (2, 20), "views_cumulative", "9000", "under"),
    ("S1", "TU", "T1", (2, 22), "respondents", "200", ""),
    ("S2", "TU", "T1", (2, 22), "aware_respondents", "150", "more"),
    ("S3", "T2U", "T2", (2, 22), "respondents", "100", ""),
    ("S4", "T2U", "T2", (2, 22), "aware_respondents", "90", ""),
    ("S6", "T2U", "T2", (2, 22), "satisfied_respondents", "67", "about"),
    ("F6", "T2U", "T2", (3, 4), "event_participants", "1000", "about"),
    ("F7", "TU", "T1", (2, 22), "leaflets", "5000", "at_least"),
    ("F8", "T2U", "T2", (3, 4), "leaflets", "2000", "under"),
]


@pytest.fixture
def ledger(world) -> Ledger:
    township2 = make_region("532301002", "东瓜镇", RegionLevel.TOWNSHIP, world.county)
    township3 = make_region("532301003", "子午镇", RegionLevel.TOWNSHIP, world.county)
    village_c = make_region("532301001002", "村C", RegionLevel.VILLAGE, world.township)
    village_b = make_region("532301002001", "村B", RegionLevel.VILLAGE, township2)
    village_d = make_region("532301002002", "村D", RegionLevel.VILLAGE, township2)
    township2_unit = UnitFactory(
        name="东瓜镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=township2
    )
    lg = Ledger(
        world=world,
        township2=township2,
        township3=township3,
        village_b=village_b,
        village_c=village_c,
        village_d=village_d,
        township2_unit=township2_unit,
        township_office=make_user("township_office", world.township_unit, Role.OFFICE),
        daily=OutletFactory(
            name="楚雄日报", channel=Channel.NEWSPAPER, level=OutletLevel.MUNICIPAL
        ),
        video=OutletFactory(
            name="楚雄发布视频号", channel=Channel.VIDEO_ACCOUNT, level=OutletLevel.COUNTY
        ),
        tv=OutletFactory(name="云南卫视", channel=Channel.TV, level=OutletLevel.PROVINCIAL),
    )
    units = {"CU": world.county_unit, "TU": world.township_unit, "T2U": township2_unit}
    regions = {
        "C": world.county,
        "T1": world.township,
        "T2": township2,
        "VA": world.village,
        "VB": village_b,
        "VC": village_c,
    }
    outlets = {"daily": lg.daily, "video": lg.video, "tv": lg.tv}

    def add(label, record_kind, unit, region, date, campaign=None, **values):
        outcome = record_create(
            actor=SYSTEM,
            campaign=campaign or world.campaign,
            record_kind=record_kind,
            unit=units.get(unit, unit),
            region=regions.get(region, region),
            date=d(*date),
            **values,
        )
        lg.records[label] = outcome.record
        lg.warnings[label] = outcome.warnings

    for label, unit, region, date, outlet, kind, title, views, url in OUTPUTS:
        add(label, "output", unit, region, date, outlet=outlets[outlet], kind=kind,
            title=title, views=views, url=url)  # fmt: skip
    for label, unit, region, date, kind, quantity, area, sites in MATERIALS:
        add(label, "material", unit, region, date, kind=kind, quantity=Decimal(quantity),
            area_m2=Decimal(area) if area else None, sites=sites)  # fmt: skip
    for label, unit, region, date, kind, sessions, participants in EVENTS:
        add(label, "event", unit, region, date, kind=kind, sessions=sessions,
            participants=participants)  # fmt: skip
    for label, unit, region, date, code, value, approx in FIGURES:
        add(label, "figure", unit, region, date, indicator=indicator(code),
            value=Decimal(value), approx=approx)  # fmt: skip
    add("X1", "event", world.other_township_unit, world.other_township, (2, 7),
        campaign=world.other_campaign, kind="lecture", sessions=7, participants=70)  # fmt: skip
    return lg
