"""The demo's generated part, decided before anything is written: which units exist on
which real regions, where the touring shows go, who sits in the leading groups.

``build_plan`` reads only the region tree and draws from ``random.Random(SEED)`` in a fixed
order, so every run (and every machine) gets the same names; that is what makes a second
run find everything in place.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError
from campaigndesk.regions.models import Region, RegionLevel, UnitKind
from campaigndesk.regions.paths import subtree_q

from . import facts as F
from .facts import UnitSpec

# Committee suffixes in the official village names, and what the bare place name keeps.
_COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("居民委员会", "社区"),
    ("村民委员会", "村"),
    ("社区居委会", "社区"),
    ("居委会", "社区"),
    ("村委会", "村"),
)


def village_place(name: str) -> str:
    """The village's own name without the committee: "乐甫村民委员会" → "乐甫村"."""
    for suffix, keep in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] + ("" if name[: -len(suffix)].endswith(keep) else keep)
    return name


def village_committee(name: str) -> str:
    """The committee's name for a village region ("石塘村" → "石塘村村民委员会")."""
    if name.endswith(("委员会", "居委会", "村委会")):
        return name
    return name + ("村民委员会" if name.endswith("村") else "居民委员会")


def township_government(name: str) -> str:
    return name + ("办事处" if name.endswith("街道") else "人民政府")


def is_township(region: Region) -> bool:
    """Towns, townships and sub-districts; farms and forest stations have no government."""
    return region.name.endswith(("镇", "乡", "街道"))


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # LeadingGroupMember.Role value
    position: str
    unit: tuple[str, str]


@dataclass(frozen=True)
class TourStop:
    seq: int
    county: str  # region code
    township: str  # region code
    site: str
    day: datetime.date
    units: tuple[tuple[str, str], ...]


@dataclass
class DemoPlan:
    units: list[UnitSpec] = field(default_factory=list)
    cx_counties: list[Region] = field(default_factory=list)
    cx_county_offices: list[tuple[str, str]] = field(default_factory=list)
    cx_county_media: list[tuple[str, str]] = field(default_factory=list)
    cx_members: list[tuple[str, str]] = field(default_factory=list)
    cx_tour: list[TourStop] = field(default_factory=list)
    cx_people: list[Person] = field(default_factory=list)
    sy_responsible: list[tuple[str, str]] = field(default_factory=list)
    sy_members: list[tuple[str, str]] = field(default_factory=list)
    sy_media: list[tuple[str, str]] = field(default_factory=list)
    sy_people: list[Person] = field(default_factory=list)

    def add(self, spec: UnitSpec) -> tuple[str, str]:
        if spec.key not in {u.key for u in self.units}:
            self.units.append(spec)
        return spec.key


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise DomainError(_("The region %(code)s is not loaded.") % {"code": code}) from None


def _children(region: Region, level: int) -> list[Region]:
    return list(Region.objects.filter(subtree_q("path", region.path), level=level).order_by("code"))


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    result = []
    while len(result) < count:
        given = "".join(rng.sample(F.GIVEN, rng.choice((1, 2, 2))))
        name = rng.choice(F.SURNAMES) + given
        if name not in taken:
            taken.add(name)
            result.append(name)
    return result


def build_plan() -> DemoPlan:
    """The whole demo as data (needs the two region trees loaded)."""
    rng = random.Random(F.SEED)
    plan = DemoPlan()
    _plan_chuxiong(plan, rng)
    _plan_shaoyang(plan, rng)
    _plan_people(plan, rng)
    return plan


def _township_units(
    plan: DemoPlan,
    rng: random.Random,
    township: Region,
    villages: int,
    centre: tuple[str, str] | None,
) -> tuple[str, str]:
    """A township government, maybe a practice institute, and committees (maybe stations)
    for ``villages`` of its villages; returns the government's key."""
    government = plan.add(
        UnitSpec(township.code, township_government(township.name), UnitKind.TOWNSHIP_COMMITTEE)
    )
    institute = None
    if rng.random() < 0.5:
        institute = plan.add(
            UnitSpec(
                township.code,
                f"{township.name}新时代文明实践所",
                UnitKind.PRACTICE_INSTITUTE,
                parent=centre,
            )
        )
    candidates = _children(township, RegionLevel.VILLAGE)
    for village in rng.sample(candidates, min(villages, len(candidates))):
        plan.add(
            UnitSpec(village.code, village_committee(village.name), UnitKind.VILLAGE_COMMITTEE)
        )
        if rng.random() < 0.4:
            plan.add(
                UnitSpec(
                    village.code,
                    f"{village_place(village.name)}新时代文明实践站",
                    UnitKind.PRACTICE_STATION,
                    parent=institute,
                )
            )
    return government


def _plan_chuxiong(plan: DemoPlan, rng: random.Random) -> None:
    prefecture = _region(F.CHUXIONG)
    code = prefecture.code
    plan.add(UnitSpec(code, F.CX_OFFICE, UnitKind.OFFICE))
    lead = plan.add(UnitSpec(code, F.CX_LEAD, UnitKind.DEPARTMENT, aliases=("州搬迁安置办",)))
    media = plan.add(UnitSpec(code, F.CX_MEDIA, UnitKind.MEDIA, aliases=("州融媒体中心",)))
    plan.add(UnitSpec(code, F.CX_GROUP_TENDER, UnitKind.WORKING_GROUP, parent=lead))
    plan.add(UnitSpec(code, F.CX_GROUP_EVENTS, UnitKind.WORKING_GROUP, parent=lead))
    plan.add(UnitSpec(code, F.CX_MEDIA_TASKFORCE, UnitKind.WORKING_GROUP, parent=media))

    plan.cx_counties = _children(prefecture, RegionLevel.COUNTY)
    townships_of: dict[str, list[Region]] = {}
    for county in plan.cx_counties:
        name = county.name
        plan.cx_county_offices.append(
            plan.add(
                UnitSpec(
                    county.code,
                    f"{name}搬迁安置办公室",
                    UnitKind.DEPARTMENT,
                    aliases=(f"{name}搬迁办",),
                )
            )
        )
        plan.cx_county_media.append(
            plan.add(UnitSpec(county.code, f"{name}融媒体中心", UnitKind.MEDIA))
        )
        suffix, kind = rng.choice(F.CX_COUNTY_DEPARTMENTS)
        department = plan.add(UnitSpec(county.code, f"{name}{suffix}", kind))
        centre = department if kind == UnitKind.PRACTICE_CENTRE else None
        townships = [t for t in _children(county, RegionLevel.TOWNSHIP) if is_township(t)]
        townships_of[county.name] = townships
        for township in rng.sample(townships, min(1, len(townships))):
            _township_units(plan, rng, township, villages=2, centre=centre)

    # Touring shows: one site in each touring county, a second one in two of them.
    counties = {c.name: c for c in plan.cx_counties}
    missing = [name for name in F.CX_TOUR_COUNTIES if name not in counties]
    if missing:
        raise DomainError(_("Not in the region tree: %(names)s") % {"names": "、".join(missing)})
    doubled = set(rng.sample(F.CX_TOUR_COUNTIES, F.CX_TOUR_SITES - len(F.CX_TOUR_COUNTIES)))
    days = iter(F.CX_TOUR_DAYS)
    seq = 0
    for name in F.CX_TOUR_COUNTIES:
        county = counties[name]
        office = (county.code, f"{name}搬迁安置办公室")
        for township in rng.sample(townships_of[name], 2 if name in doubled else 1):
            villages = _children(township, RegionLevel.VILLAGE)
            village = rng.choice(villages)
            government = plan.add(
                UnitSpec(
                    township.code, township_government(township.name), UnitKind.TOWNSHIP_COMMITTEE
                )
            )
            committee = plan.add(
                UnitSpec(village.code, village_committee(village.name), UnitKind.VILLAGE_COMMITTEE)
            )
            plan.cx_members.extend([government, committee])
            seq += 1
            plan.cx_tour.append(
                TourStop(
                    seq=seq,
                    county=county.code,
                    township=township.code,
                    site=f"{township.name}{village_place(village.name)}移民安置点",
                    day=next(days),
                    units=(office, media),
                )
            )


def _plan_shaoyang(plan: DemoPlan, rng: random.Random) -> None:
    county = _region(F.SHAOYANG_COUNTY)
    city = county.parent
    if city is None:
        raise DomainError(_("The region %(code)s is not loaded.") % {"code": "4305"})
    code = county.code
    plan.add(UnitSpec(city.code, F.SY_CITY_OFFICE, UnitKind.OFFICE, aliases=("市专班办公室",)))
    paper = plan.add(UnitSpec(city.code, F.SY_PAPER, UnitKind.MEDIA))
    plan.add(UnitSpec(code, F.SY_LEAD, UnitKind.OFFICE, aliases=("县专班办公室", "县专班办")))
    publicity = plan.add(UnitSpec(code, F.SY_PUBLICITY, UnitKind.OFFICE, aliases=("县委宣传部",)))
    media = plan.add(UnitSpec(code, F.SY_MEDIA, UnitKind.MEDIA, aliases=("县融媒体中心",)))
    centre = plan.add(UnitSpec(code, F.SY_PRACTICE_CENTRE, UnitKind.PRACTICE_CENTRE))
    plan.sy_media = [media, paper]
    for name, kind, aliases in F.SY_RESPONSIBLE:
        plan.sy_responsible.append(plan.add(UnitSpec(code, name, kind, aliases=aliases)))
    plan.sy_members.append(publicity)
    for name in rng.sample(F.SY_OTHER_DEPARTMENTS, 3):
        plan.sy_members.append(plan.add(UnitSpec(code, name, UnitKind.DEPARTMENT)))
    townships = [t for t in _children(county, RegionLevel.TOWNSHIP) if is_township(t)]
    for township in sorted(rng.sample(townships, min(8, len(townships))), key=lambda r: r.code):
        plan.sy_members.append(_township_units(plan, rng, township, villages=2, centre=centre))


def _plan_people(plan: DemoPlan, rng: random.Random) -> None:
    from campaigndesk.campaigns.models import LeadingGroupMember as M

    cx = F.CHUXIONG
    names = iter(_names(rng, 5 + len(plan.cx_county_offices), set()))
    plan.cx_people = [
        Person(next(names), M.Role.LEADER, "州搬迁安置办公室党组书记、主任", (cx, F.CX_LEAD)),
        Person(
            next(names),
            M.Role.DEPUTY,
            "州搬迁安置办公室党组成员、副主任,招标采购组组长",
            (cx, F.CX_GROUP_TENDER),
        ),
        Person(
            next(names),
            M.Role.DEPUTY,
            "州搬迁安置办公室党组成员、副主任,活动组织组组长",
            (cx, F.CX_GROUP_EVENTS),
        ),
        Person(
            next(names),
            M.Role.DEPUTY,
            "州融媒体中心副主任,活动工作专班负责人",
            (cx, F.CX_MEDIA_TASKFORCE),
        ),
        Person(next(names), M.Role.MEMBER, "州搬迁安置办公室综合科科长", (cx, F.CX_LEAD)),
    ]
    for office in plan.cx_county_offices:
        plan.cx_people.append(Person(next(names), M.Role.LIAISON, f"{office[1]}副主任", office))

    sy = F.SHAOYANG_COUNTY
    names = iter(_names(rng, 3 + len(plan.sy_responsible), set()))
    plan.sy_people = [
        Person(
            next(names), M.Role.LEADER, "县打好重点民生保障仗工作专班办公室主任", (sy, F.SY_LEAD)
        ),
        Person(next(names), M.Role.DEPUTY, "县委宣传部副部长", (sy, F.SY_PUBLICITY)),
        Person(next(names), M.Role.DEPUTY, "县融媒体中心主任", (sy, F.SY_MEDIA)),
    ]
    for unit in plan.sy_responsible:
        plan.sy_people.append(Person(next(names), M.Role.LIAISON, "宣传信息联络员", unit))
