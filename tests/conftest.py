"""Shared fixtures: a small region tree, units in it, and one fixed user per role.

The tree (codes are real Chuxiong codes, trimmed):
    53 云南省 / 5323 楚雄州 / 532301 楚雄市 / 532301001 鹿城镇 / 532301001001 村A
                            / 532322 双柏县 / 532322100 妥甸镇
Office users sit at the prefecture (sees both counties) or at 双柏县 (sees only that one).
"""

from dataclasses import dataclass

import pytest
from django.utils import translation

from campaigndesk.accounts.models import Role, User
from campaigndesk.campaigns.models import Campaign
from campaigndesk.regions.models import Region, RegionLevel, Unit, UnitKind

from .factories import CampaignFactory, UnitFactory, make_region, make_user


@pytest.fixture(autouse=True)
def english_messages():
    """Service and selector messages in English, so tests can look for the source strings
    whatever the catalogues hold. Requests still pick their own language (middleware)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The world fixture creates nine users; the production hasher takes ~0.2 s for each.
    # Password *policy* (validators) is unaffected.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    province: Region
    prefecture: Region
    county: Region
    township: Region
    village: Region
    other_county: Region
    other_township: Region
    office_unit: Unit
    county_unit: Unit
    township_unit: Unit
    other_county_office_unit: Unit
    other_township_unit: Unit
    campaign: Campaign
    other_campaign: Campaign
    admin: User
    office: User
    reporter: User
    editor: User
    reviewer: User
    approver: User
    observer: User
    other_office: User
    other_reporter: User

    def user(self, role: str) -> User:
        return getattr(self, role)


@pytest.fixture
def world(db) -> World:
    province = make_region("53", "云南省", RegionLevel.PROVINCE)
    prefecture = make_region("5323", "楚雄彝族自治州", RegionLevel.PREFECTURE, province)
    county = make_region("532301", "楚雄市", RegionLevel.COUNTY, prefecture)
    township = make_region("532301001", "鹿城镇", RegionLevel.TOWNSHIP, county)
    village = make_region("532301001001", "北浦社区", RegionLevel.VILLAGE, township)
    other_county = make_region("532322", "双柏县", RegionLevel.COUNTY, prefecture)
    other_township = make_region("532322100", "妥甸镇", RegionLevel.TOWNSHIP, other_county)

    office_unit = UnitFactory(name="楚雄州委宣传部", kind=UnitKind.OFFICE, region=prefecture)
    county_unit = UnitFactory(name="楚雄市融媒体中心", kind=UnitKind.MEDIA, region=county)
    township_unit = UnitFactory(
        name="鹿城镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=township
    )
    other_county_office_unit = UnitFactory(
        name="双柏县委宣传部", kind=UnitKind.OFFICE, region=other_county
    )
    other_township_unit = UnitFactory(
        name="妥甸镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=other_township
    )
    campaign = CampaignFactory(
        name="和谐库区宣传活动", lead_unit=county_unit, units=[township_unit]
    )
    other_campaign = CampaignFactory(
        name="双柏县民生宣传", lead_unit=other_county_office_unit, units=[other_township_unit]
    )
    return World(
        province=province,
        prefecture=prefecture,
        county=county,
        township=township,
        village=village,
        other_county=other_county,
        other_township=other_township,
        office_unit=office_unit,
        county_unit=county_unit,
        township_unit=township_unit,
        other_county_office_unit=other_county_office_unit,
        other_township_unit=other_township_unit,
        campaign=campaign,
        other_campaign=other_campaign,
        admin=make_user("admin", None, Role.ADMIN),
        office=make_user("office", office_unit, Role.OFFICE),
        reporter=make_user("reporter", township_unit, Role.REPORTER),
        editor=make_user("editor", office_unit, Role.EDITOR),
        reviewer=make_user("reviewer", office_unit, Role.REVIEWER),
        approver=make_user("approver", office_unit, Role.APPROVER),
        observer=make_user("observer", office_unit, Role.OBSERVER),
        other_office=make_user("other_office", other_county_office_unit, Role.OFFICE),
        other_reporter=make_user("other_reporter", other_township_unit, Role.REPORTER),
    )
