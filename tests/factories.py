"""Factories for test data: a small region tree, units, campaigns, users with roles."""

import datetime

import factory

from campaigndesk.accounts.models import RoleGrant, User
from campaigndesk.campaigns.models import Campaign, CampaignUnit
from campaigndesk.documents.textnorm import match_key
from campaigndesk.regions.models import Outlet, Region, RegionLevel, Unit, UnitKind
from campaigndesk.regions.paths import child_path

TEST_PASSWORD = "Correct-Horse-42"


def make_region(code: str, name: str, level: int, parent: Region | None = None) -> Region:
    """A region under ``parent`` with its path derived the way the loaders derive it."""
    path = child_path(parent.path if parent else "", code)
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    region = None
    region_path = factory.LazyAttribute(lambda o: o.region.path)
    name_key = factory.LazyAttribute(lambda o: match_key(o.name))


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"测试媒体{n}")
    channel = "newspaper"
    level = 3
    name_key = factory.LazyAttribute(lambda o: match_key(o.name))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试宣传活动{n}")
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2024, 12, 31)
    lead_unit = None
    region = factory.LazyAttribute(lambda o: o.lead_unit.region)
    region_path = factory.LazyAttribute(lambda o: o.region.path)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create:
            CampaignUnit.objects.get_or_create(
                campaign=self, unit=self.lead_unit, defaults={"role": CampaignUnit.Role.LEAD}
            )
            for unit in extracted or ():
                CampaignUnit.objects.get_or_create(campaign=self, unit=unit)


def make_user(username: str, unit: Unit | None, *roles: str, **extra) -> User:
    user = User.objects.create_user(
        username=username, password=TEST_PASSWORD, unit=unit, must_change_password=False, **extra
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in roles)
    return user


__all__ = [
    "TEST_PASSWORD",
    "CampaignFactory",
    "OutletFactory",
    "RegionLevel",
    "UnitFactory",
    "make_region",
    "make_user",
]
