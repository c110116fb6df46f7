"""`campaigndesk demo`: both example campaigns on the real region trees, about 150 units,
the demo accounts; a second run changes nothing.

Loading the official trees takes a few seconds, so the module runs the command twice once,
inside one transaction that is rolled back when the module is done; each test runs in a
savepoint inside it (the ``db`` fixture), so a test that reruns the command leaves the
others the data as the two runs left it.
"""

import datetime
import io
import itertools
import os
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext as _

from campaigndesk.accounts.models import AuditEntry, Role, RoleGrant, User
from campaigndesk.campaigns.models import (
    Campaign,
    CampaignUnit,
    CoverageTarget,
    LeadingGroupMember,
    Phase,
    QuotaTarget,
    RateTarget,
    ScheduleItem,
    Strand,
)
from campaigndesk.campaigns.selectors import campaign_list
from campaigndesk.demo import facts
from campaigndesk.demo.plan import build_plan
from campaigndesk.ledger.models import EventRecord, FigureRecord, MediaOutput
from campaigndesk.regions.models import Outlet, Region, RegionLevel, Unit, UnitAlias, UnitKind
from campaigndesk.regions.paths import is_within, subtree_q
from campaigndesk.reporting.models import Adoption, Briefing, Bulletin, InfoItem, ItemTransition

MODELS = (
    Region,
    Unit,
    UnitAlias,
    Outlet,
    Campaign,
    CampaignUnit,
    Strand,
    Phase,
    LeadingGroupMember,
    CoverageTarget,
    RateTarget,
    QuotaTarget,
    ScheduleItem,
    User,
    RoleGrant,
    AuditEntry,
    InfoItem,
    ItemTransition,
    Adoption,
    Briefing,
    Bulletin,
    MediaOutput,
    EventRecord,
    FigureRecord,
)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USERNAMES = [spec.username for spec in facts.ACCOUNTS]
CX_NAME = "“和谐库区·美丽家园·幸福生活”系列宣传活动"
SY_NAME = "邵阳县2023年重点民生实事宣传工作"


@dataclass
class Runs:
    accounts_before: int
    first: str
    second: str
    counts_first: dict[str, int]
    counts_second: dict[str, int]
    units_first: list[tuple[str, str]]
    units_second: list[tuple[str, str]]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def unit_names() -> list[tuple[str, str]]:
    return sorted(Unit.objects.values_list("region__code", "name"))


def run_demo(**env: str) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DEMO_PASSWORD", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def runs(django_db_setup, django_db_blocker, tmp_path_factory):
    # The production hasher takes a second per account; the policy check does not care.
    # Issued bulletins store their files: in a temporary media folder, not data/.
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))
        ),
        translation.override("en"),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            accounts_before = User.objects.filter(username__in=USERNAMES).count()
            first = run_demo()
            counts_first, units_first = counts(), unit_names()
            second = run_demo()
            yield Runs(
                accounts_before=accounts_before,
                first=first,
                second=second,
                counts_first=counts_first,
                counts_second=counts(),
                units_first=units_first,
                units_second=unit_names(),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(runs, db) -> Runs:
    return runs


def campaign(name: str) -> Campaign:
    return Campaign.objects.get(name=name)


# --- Regions ------------------------------------------------------------------------------


def test_loads_the_official_trees(demo):
    prefecture = Region.objects.get(code="5323")
    assert prefecture.path == "53/5323/"
    subtree = Region.objects.filter(subtree_q("path", prefecture.path))
    assert subtree.filter(level=RegionLevel.COUNTY).count() == 10
    assert subtree.filter(level=RegionLevel.TOWNSHIP).count() == 103
    assert subtree.filter(level=RegionLevel.VILLAGE).count() == 1106
    county = Region.objects.get(code="430523")
    assert county.name == "邵阳县"
    assert county.path == "43/4305/430523/"
    assert Region.objects.get(code="4305").name == "邵阳市"
    assert Region.objects.get(code="43").name == "湖南省"
    assert Region.objects.filter(subtree_q("path", county.path), level=RegionLevel.VILLAGE).exists()
    assert "5323" in demo.first and "430523" in demo.first


# --- The Chuxiong campaign ----------------------------------------------------------------


def test_chuxiong_campaign(demo):
    c = campaign(CX_NAME)
    assert c.slogan == "和谐库区·美丽家园·幸福生活"
    assert c.region.code == "5323"
    assert c.lead_unit.name == "楚雄州搬迁安置办公室"
    assert (c.start_date, c.end_date) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert list(c.strands.values_list("name", flat=True)) == ["媒体宣传", "大型巡演", "常态化宣传"]
    phases = list(c.phases.all())
    assert [p.name for p in phases] == ["前期预热", "中期集中报道", "后期持续发力"]
    for earlier, later in itertools.pairwise(phases):
        assert earlier.end_date < later.start_date
    links = {link.unit.name: link.role for link in c.unit_links.select_related("unit")}
    assert links["楚雄州融媒体中心"] == CampaignUnit.Role.MEDIA
    assert links["招标采购组"] == links["活动组织组"] == CampaignUnit.Role.MEMBER


def test_chuxiong_working_groups_and_county_offices(demo):
    c = campaign(CX_NAME)
    groups = Unit.objects.filter(kind=UnitKind.WORKING_GROUP, name__in=["招标采购组", "活动组织组"])
    assert groups.count() == 2
    assert {g.parent for g in groups} == {c.lead_unit}
    offices = c.unit_links.filter(role=CampaignUnit.Role.RESPONSIBLE).select_related("unit__region")
    assert offices.count() == 10
    for link in offices:
        region = link.unit.region
        assert region.level == RegionLevel.COUNTY and region.parent.code == "5323"
        assert link.unit.name == f"{region.name}搬迁安置办公室"


def test_chuxiong_leading_group(demo):
    c = campaign(CX_NAME)
    members = list(c.leading_group.select_related("unit__region"))
    roles = [m.role for m in members]
    Role_ = LeadingGroupMember.Role
    assert roles.count(Role_.LEADER) == 1
    assert roles.count(Role_.DEPUTY) >= 2
    deputies = {m.unit.name for m in members if m.role == Role_.DEPUTY}
    assert {"招标采购组", "活动组织组"} <= deputies
    liaisons = [m for m in members if m.role == Role_.LIAISON]
    assert len(liaisons) == 10
    assert {m.unit.region.code for m in liaisons} == set(
        Region.objects.filter(parent__code="5323").values_list("code", flat=True)
    )
    assert all(m.person_name for m in members)


def test_chuxiong_targets_and_tour(demo):
    c = campaign(CX_NAME)
    coverage = {t.level: t.target_count for t in c.coverage_targets.all()}
    assert coverage == {RegionLevel.COUNTY: 10, RegionLevel.TOWNSHIP: 77, RegionLevel.VILLAGE: 445}
    counties = c.coverage_targets.get(level=RegionLevel.COUNTY).regions
    assert counties.count() == 10
    tour = list(c.schedule.prefetch_related("responsible_units__region"))
    assert len(tour) == 10
    assert {item.strand.name for item in tour} == {"大型巡演"}
    touring = set()
    for item in tour:
        assert datetime.date(2024, 1, 1) <= item.window_start <= item.window_end
        assert item.window_end <= datetime.date(2024, 2, 29)
        county_units = [u for u in item.responsible_units.all() if u.region.level == 3]
        assert len(county_units) == 1 and county_units[0].name.endswith("搬迁安置办公室")
        touring.add(county_units[0].region.name)
    assert touring == set(facts.CX_TOUR_COUNTIES)


def test_outlets(demo):
    by_name = {(o.name, o.channel): o for o in Outlet.objects.select_related("unit")}
    assert by_name[("云南日报", "newspaper")].level == 2
    assert by_name[("人民日报", "newspaper")].level == 1
    assert by_name[("楚雄发布", "video_account")].unit.name == "楚雄州融媒体中心"
    assert by_name[("楚雄发布", "wechat")].level == 3
    assert by_name[("学习强国楚雄州平台", "xuexi")].region.code == "5323"
    assert by_name[("邵阳日报", "newspaper")].region.code == "4305"
    assert ("邵阳日报《民生实事观察哨》专栏", "newspaper") in by_name


# --- The Shaoyang campaign ----------------------------------------------------------------

HEALTH = {"邵阳县卫生健康局", "邵阳县医疗保障局", "邵阳县妇女联合会"}
HOUSING = {"邵阳县住房和城乡建设局", "邵阳县住房保障服务中心", "国网邵阳县供电公司"}
SCHEDULE = {
    1: ("医疗保障", (2023, 10, 8), (2023, 10, 10), HEALTH),
    2: ("住房保障", (2023, 10, 10), (2023, 10, 15), HOUSING),
    3: ("就业社保", (2023, 10, 16), (2023, 10, 20), {"邵阳县人力资源和社会保障局"}),
    4: ("社会关爱", (2023, 10, 23), (2023, 10, 27), {"邵阳县民政局", "邵阳县残疾人联合会"}),
    5: ("水利建设", (2023, 10, 30), (2023, 11, 3), {"邵阳县水利局"}),
    6: ("养老服务", (2023, 11, 6), (2023, 11, 10), {"邵阳县民政局"}),
    7: ("农村建设", (2023, 11, 13), (2023, 11, 17), {"邵阳县交通运输局", "国网邵阳县供电公司"}),
    8: ("教育强省", (2023, 11, 20), (2023, 11, 24), {"邵阳县教育局"}),
    9: ("政务服务", (2023, 11, 27), (2023, 11, 30), {"邵阳县行政审批服务局"}),
    10: ("综合报道", (2023, 12, 1), (2023, 12, 10), {"邵阳县人力资源和社会保障局"}),
}


def test_shaoyang_campaign(demo):
    c = campaign(SY_NAME)
    assert c.region.code == "430523"
    assert c.lead_unit.name == "邵阳县打好重点民生保障仗工作专班办公室"
    assert c.lead_unit.kind == UnitKind.OFFICE
    responsible = c.unit_links.filter(role=CampaignUnit.Role.RESPONSIBLE).select_related("unit")
    assert responsible.count() == 13
    for link in responsible:
        assert link.unit.region.code == "430523"
    health = Unit.objects.get(name="邵阳县卫生健康局")
    assert "县卫健局" in set(health.aliases.values_list("alias", flat=True))
    assert c.leading_group.filter(role=LeadingGroupMember.Role.LEADER).count() == 1


def test_shaoyang_targets(demo):
    c = campaign(SY_NAME)
    rates = {t.kind: t.target_percent for t in c.rate_targets.all()}
    assert set(rates) == {"awareness", "satisfaction"}
    assert all(Decimal(50) < value <= Decimal(100) for value in rates.values())
    quota = c.quota_targets.get()
    assert (quota.item_kind, quota.count, quota.period, quota.due_day) == (
        "information",
        3,
        "month",
        5,
    )


def test_shaoyang_schedule(demo):
    items = list(campaign(SY_NAME).schedule.prefetch_related("responsible_units"))
    assert [i.seq for i in items] == list(range(1, 11))
    for item in items:
        theme, start, end, units = SCHEDULE[item.seq]
        assert item.theme == theme
        assert (item.window_start, item.window_end) == (datetime.date(*start), datetime.date(*end))
        assert {u.name for u in item.responsible_units.all()} == units
    assert items[-1].window_text == "12月初"


# --- Units --------------------------------------------------------------------------------


def test_about_150_units_on_real_regions(demo):
    units = list(Unit.objects.select_related("region"))
    assert 135 <= len(units) <= 165
    for unit in units:
        if unit.kind == UnitKind.TOWNSHIP_COMMITTEE:
            assert unit.region.level == RegionLevel.TOWNSHIP
            assert unit.name.startswith(unit.region.name)
        if unit.kind == UnitKind.VILLAGE_COMMITTEE:
            assert unit.region.level == RegionLevel.VILLAGE
        if unit.kind in (UnitKind.TOWNSHIP_COMMITTEE, UnitKind.VILLAGE_COMMITTEE):
            assert unit.region_path == unit.region.path
        assert is_within(unit.region_path, "53/5323/") or is_within(unit.region_path, "43/4305/")
    kinds = {unit.kind for unit in units}
    assert {
        UnitKind.PRACTICE_STATION,
        UnitKind.PRACTICE_INSTITUTE,
        UnitKind.VILLAGE_COMMITTEE,
        UnitKind.MEDIA,
    } <= kinds
    county = Region.objects.get(code="430523")
    for name in ("邵阳县水利局", "邵阳县委宣传部", "邵阳县融媒体中心"):
        assert Unit.objects.get(name=name).region == county


def test_units_are_deterministic(demo):
    assert demo.units_first == demo.units_second
    assert build_plan() == build_plan()
    planned = sorted(spec.key for spec in build_plan().units)
    assert planned == demo.units_first


# --- Accounts -----------------------------------------------------------------------------


def test_no_demo_account_before_the_loader(demo):
    assert demo.accounts_before == 0


def test_demo_accounts(demo):
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    assert set(users) == set(USERNAMES)
    for spec in facts.ACCOUNTS:
        user = users[spec.username]
        assert user.role_set == frozenset(spec.roles)
        assert user.must_change_password
        assert user.check_password("campaigndesk")
        assert not user.is_superuser
        if spec.unit is None:
            assert user.unit is None
        else:
            assert (user.unit.region.code, user.unit.name) == spec.unit
    assert users["admin"].role_set == {Role.ADMIN}
    reporter_unit = users["reporter"].unit
    assert reporter_unit.region.level == RegionLevel.COUNTY
    assert CampaignUnit.objects.filter(unit=reporter_unit, campaign__name=CX_NAME).exists()


def test_each_office_sees_its_own_campaign(demo):
    def names(username):
        return set(
            campaign_list(actor=User.objects.get(username=username)).values_list("name", flat=True)
        )

    assert names("office") == {CX_NAME}
    assert names("office_shaoyang") == {SY_NAME}
    assert names("reporter") == {CX_NAME}
    assert names("reviewer") == {CX_NAME}
    assert names("admin") == {CX_NAME, SY_NAME}


def test_summary_lists_the_accounts(demo):
    for username in USERNAMES:
        assert username in demo.first
    assert "campaigndesk" in demo.first
    assert "http://127.0.0.1:8000/" in demo.first
    assert "office_shaoyang" in demo.first
    # The rerun shows the accounts but not a password it did not set.
    lines = [line for line in demo.second.splitlines() if line.strip().startswith("observer ")]
    assert len(lines) == 1 and "campaigndesk" not in lines[0]


# --- Idempotence and audit ----------------------------------------------------------------


def test_second_run_changes_nothing(demo):
    assert demo.counts_second == demo.counts_first
    assert _("The demo data is already loaded; nothing was changed.") in demo.second
    assert _("Demo data loaded. Created:") in demo.first


def test_everything_is_audited_as_system(demo):
    entries = AuditEntry.objects.filter(actor_label="system")
    assert entries.filter(action="regions.tree.loaded").count() == 2
    assert entries.filter(action="regions.unit.created").count() == Unit.objects.count()
    assert entries.filter(action="campaigns.campaign.created").count() == 2
    assert entries.filter(action="campaigns.schedule.created").count() == 20
    assert entries.filter(action="accounts.user.created").count() == len(USERNAMES)
    assert not AuditEntry.objects.exclude(actor_label="system").exists()


# --- The password -------------------------------------------------------------------------


def test_demo_password_from_the_environment(demo):
    User.objects.filter(username__in=USERNAMES).delete()
    out = run_demo(DEMO_PASSWORD="Harbour-Lantern-93")
    for username in USERNAMES:
        user = User.objects.get(username=username)
        assert user.check_password("Harbour-Lantern-93")
        assert not user.check_password("campaigndesk")
        assert user.must_change_password
    assert "Harbour-Lantern-93" in out


def test_existing_account_keeps_its_password(demo):
    user = User.objects.get(username="reporter")
    user.set_password("Owner-Chosen-Pass-5")
    user.save()
    out = run_demo(DEMO_PASSWORD="Harbour-Lantern-93")
    user.refresh_from_db()
    assert user.check_password("Owner-Chosen-Pass-5")
    assert "Harbour-Lantern-93" not in out


def test_weak_password_fails_before_writing(demo):
    User.objects.filter(username__in=["observer", "editor"]).delete()
    before = counts()
    with pytest.raises(CommandError) as error:
        run_demo(DEMO_PASSWORD="1234")
    with pytest.raises(ValidationError) as policy:
        validate_password("1234", User(username="editor"))
    for reason in policy.value.messages:
        assert reason in str(error.value)
    assert counts() == before
    assert not User.objects.filter(username__in=["observer", "editor"]).exists()
    assert os.environ.get("DEMO_PASSWORD") is None


# --- The Chuxiong ledger ------------------------------------------------------------------


def test_chuxiong_ledger_gives_the_reports_figures(demo):
    """The demo files the outputs and shows the Chuxiong report counts to 22 February, so
    the rollup (and every page that reads it) repeats the report's own figures."""
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.rollup import RollupFilter, rollup

    result = rollup(
        actor=SYSTEM,
        campaign=campaign(CX_NAME),
        filters=RollupFilter(as_of=datetime.date(2024, 2, 22)),
    )
    figures = {
        code: (result.total(code).value, result.total(code).approx)
        for code in (
            "news_reports",  # 云南卫视 3 + 楚雄新闻联播/民情直通车 5
            "articles",  # 文图 7 + 7 + 5 + 7 + 2
            "special_films",
            "short_videos",
            "live_streams",
            "performances",
            "event_participants",
            "views_cumulative",
            "counties_covered",
        )
    }
    assert figures == {
        "news_reports": (8, ""),
        "articles": (28, ""),
        "special_films": (10, ""),
        "short_videos": (10, ""),
        "live_streams": (10, ""),
        "performances": (10, ""),
        "event_participants": (3000, ""),
        "views_cumulative": (6_000_000, "more"),
        "counties_covered": (8, ""),
    }


# --- The Shaoyang reporting up ------------------------------------------------------------


def test_shaoyang_october_bulletin_is_issued_from_the_items(demo):
    """The October bulletin is issued (2023 第1期), frozen with the figures the scoring
    gives for the items the demo filed; two units fall short of the quota of 3."""
    from campaigndesk.reporting.scoring import bulletin_compute
    from campaigndesk.reporting.selectors import rules_in_force

    c = campaign(SY_NAME)
    bulletin = Bulletin.objects.get(campaign=c)
    assert (bulletin.state, bulletin.year, bulletin.number) == ("issued", 2023, 1)
    assert bulletin.issue_date == datetime.date(2023, 11, 6)
    rows = bulletin.snapshot["rows"]
    # The 13 responsible units; the lead unit is the office issuing it and is not ranked.
    assert len(rows) == 13
    assert bulletin.office.name not in {row["unit"] for row in rows}
    assert sorted(row["missing"] for row in rows if not row["quota_met"]) == [1, 2]
    fresh = bulletin_compute(
        campaign=c,
        period_start=datetime.date(2023, 10, 1),
        rules=rules_in_force(campaign=c, on=datetime.date(2023, 10, 1)),
        issuing_office=bulletin.office,
    )
    assert fresh["rows"] == rows
    assert any(Decimal(row["points"]) > 0 for row in rows)
    assert Briefing.objects.filter(campaign=c, state="issued").count() == 2


def test_shaoyang_desk_has_items_at_every_step(demo):
    c = campaign(SY_NAME)
    states = set(InfoItem.objects.filter(campaign=c).values_list("state", flat=True))
    assert {"submitted", "edited", "reviewed", "signed_off"} <= states
    returned = ItemTransition.objects.filter(item__campaign=c, step="return")
    assert returned.count() == 1
    # Replayed at the times they happened, not when the demo ran.
    assert {t.at.year for t in ItemTransition.objects.filter(item__campaign=c)} == {2023}
