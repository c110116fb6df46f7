"""A campaign with every part its page shows: leading group, strands, phases, targets and a
schedule with one overdue, one done and one future item."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services
from campaigndesk.campaigns.models import Campaign, LeadingGroupMember, QuotaTarget, ScheduleItem
from campaigndesk.regions.models import RegionLevel


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard's cache starts empty in each test (ids repeat between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    """A browser that asks for English, so that tests can look for the source strings
    whatever the catalogues hold (the default language is Simplified Chinese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


DAY = datetime.timedelta(days=1)


@dataclass
class Plan:
    campaign: Campaign
    overdue: ScheduleItem
    done_late: ScheduleItem
    future: ScheduleItem


@pytest.fixture
def plan(world) -> Plan:
    today = timezone.localdate()  # the day the pages judge "overdue" by
    campaign = world.campaign
    campaign.slogan = "库区和谐 共建家园"
    campaign.save(update_fields=["slogan"])
    services.strand_create(actor=SYSTEM, campaign=campaign, name="媒体宣传")
    services.phase_create(
        actor=SYSTEM,
        campaign=campaign,
        name="前期预热",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 2, 1),
    )
    services.leading_group_member_add(
        actor=SYSTEM,
        campaign=campaign,
        person_name="张组长",
        role=LeadingGroupMember.Role.LEADER,
        position="市委常委、宣传部部长",
        unit=world.county_unit,
    )
    services.leading_group_member_add(
        actor=SYSTEM,
        campaign=campaign,
        person_name="李联络",
        role=LeadingGroupMember.Role.LIAISON,
        position="干事",
        unit=world.township_unit,
    )
    services.coverage_target_set(
        actor=SYSTEM, campaign=campaign, level=RegionLevel.VILLAGE, target_count=445
    )
    services.rate_target_set(actor=SYSTEM, campaign=campaign, kind="awareness", target_percent=92)
    services.quota_target_set(
        actor=SYSTEM,
        campaign=campaign,
        item_kind=QuotaTarget.ItemKind.INFORMATION,
        count=3,
        period=QuotaTarget.Period.MONTH,
        due_day=5,
    )
    overdue = services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="政策宣讲进村",
        project="移民后扶政策宣讲",
        window_start=today - 10 * DAY,
        window_end=today - DAY,
        window_text="10月8-10日",
        responsible_units=[world.township_unit, world.county_unit],
    )
    done_late = services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="文艺巡演",
        window_start=today - 10 * DAY,
        window_end=today - 2 * DAY,
        responsible_units=[world.county_unit],
    )
    services.schedule_item_set_status(actor=SYSTEM, item=done_late, status="done")
    future = services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="成果展示",
        window_start=today,
        window_end=today + 10 * DAY,
        window_text="12月初",
        responsible_units=[world.township_unit],
    )
    return Plan(campaign=campaign, overdue=overdue, done_late=done_late, future=future)
