"""Ledger benchmarks: rollup latency on the real tree of Yunnan province with 5 million
generated records (at scale 1.0), against the best hand-written SQL for the same answer.

The data: one campaign over the province (53: 129 counties, 1,461 townships, 14,888
villages, loaded with ``region_tree_load_official``); units across the tree (county
offices, media centres and practice centres, township and village committees, provincial
and prefecture offices); outlets of every level and channel; records of all four kinds
spread over 2024, generated deterministically (fixed seed). Records are written with bulk
inserts (COPY on PostgreSQL, executemany on SQLite) and their facts are built by
``ledger.facts.build_facts``, the code the services use, so every fact is the one a
service would have written. The secondary indexes of the ledger tables are dropped during
the load and rebuilt from their own definitions afterwards (all in one transaction, so
an interrupted load leaves the database as it was), then the tables are analysed.

The data is kept: a later run at the same scale (with the same fact-building code and
generator) finds its marker on the campaign and reuses it.

The measurements: ``ledger.rollup.rollup`` as the office user of a county (532301), a
prefecture (5323) and the province (53), scoped like every page, for all indicators:
ungrouped totals, grouped (by township in a county, by county above) and as a weekly
series; warm p50 and p95, and the ratio of the p50 to that of hand-written SQL giving the
same figures (sums, latest snapshots and distinct counts) on the same database.
"""

import bisect
import datetime
import gc
import hashlib
import inspect
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.db.models.base import ModelState
from django.utils import timezone

from campaigndesk.accounts.models import Role, RoleGrant, User
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign, CampaignUnit
from campaigndesk.documents.textnorm import match_key
from campaigndesk.ledger import facts as facts_module
from campaigndesk.ledger import summary as summary_module
from campaigndesk.ledger import vocabulary
from campaigndesk.ledger.facts import AncestorCache, IndicatorCache, build_facts
from campaigndesk.ledger.links import link_key
from campaigndesk.ledger.models import (
    Aggregation,
    Approx,
    EventRecord,
    Fact,
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    FigureRecord,
    Indicator,
    MaterialRecord,
    MediaOutput,
    RecordKind,
    RecordStatus,
)
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.regions.models import (
    Channel,
    Outlet,
    OutletLevel,
    Region,
    RegionLevel,
    Unit,
    UnitKind,
)
from campaigndesk.regions.paths import codes_of, subtree_upper_bound
from campaigndesk.regions.services import region_tree_load_official

Row = tuple[str, float, str, str]

FULL_RECORDS = 5_000_000
SEED = 20240222
# Bump when the generator changes what it writes (the marker then no longer matches).
GENERATOR_VERSION = 3
CHUNK = 20_000
CAMPAIGN_NAME = "基准台账活动"
PROVINCE, PREFECTURE, COUNTY = "53", "5323", "532301"
YEAR_START = datetime.date(2024, 1, 1)
YEAR_DAYS = 366
# Targets for the rollup p95 on PostgreSQL, in ms.
P95_TARGET = {"county": 50, "prefecture": 150, "province": 500}
RATIO_TARGET = "<= 1.3"

# Share of each record kind (the rest are figures).
SHARE_OUTPUT, SHARE_MATERIAL, SHARE_EVENT = 0.30, 0.25, 0.35

OUTPUT_KINDS = [k for k in MediaOutput.Kind.values]
OUTPUT_KIND_WEIGHTS = [30, 10, 20, 18, 3, 5, 4, 6, 4]
MATERIAL_KINDS = [k for k in MaterialRecord.Kind.values]
MATERIAL_KIND_WEIGHTS = [25, 5, 10, 12, 20, 6, 8, 2, 8, 3, 1]
EVENT_KINDS = [k for k in EventRecord.Kind.values]
EVENT_KIND_WEIGHTS = [30, 8, 8, 4, 5, 4, 15, 8, 3, 10, 5]
# Plain figures: what offices report as figures (two cumulative snapshots among them).
FIGURE_INDICATORS = [
    "meetings",
    "working_groups",
    "info_items_submitted",
    "info_items_adopted",
    "briefings",
    "opinion_incidents",
    "media_adoptions",
    "respondents",
    "aware_respondents",
    "participating_respondents",
    "supporting_respondents",
    "satisfied_respondents",
    "views_cumulative",
    "materials_cumulative",
]
APPROXES = ["", "", "", "", "", Approx.MORE, Approx.ABOUT, Approx.UNDER, Approx.AT_LEAST]
MEASURE_WORDS = {"banner": "条", "leaflet": "张", "poster": "张", "slogan_site": "处"}


def _say(message: str) -> None:
    print(f"  [ledger] {message}", file=sys.stderr, flush=True)


# --- The world: tree, units, outlets, users, campaign ------------------------------------


@dataclass
class World:
    campaign: Campaign
    province: Region
    prefecture: Region
    county: Region
    users: dict[str, User]  # "province" / "prefecture" / "county" -> office user
    regions: dict[str, Region] = field(default_factory=dict)
    counties: list[Region] = field(default_factory=list)
    townships: dict[str, list[Region]] = field(default_factory=dict)  # county code -> ...
    villages: dict[str, list[Region]] = field(default_factory=dict)  # township code -> ...
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)  # (region code, role)
    outlets: dict[tuple[int, str], list[Outlet]] = field(default_factory=dict)


def ensure_tree() -> None:
    """The official tree of Yunnan province, loaded unless it is already there."""
    villages = Region.objects.filter(
        path__startswith=f"{PROVINCE}/", level=RegionLevel.VILLAGE
    ).count()
    if villages < 14_888:
        _say("loading the official tree of Yunnan (53)")
        region_tree_load_official(actor=SYSTEM, under=PROVINCE)


def _unit_specs(world: World) -> list[tuple[str, str, Region, str]]:
    """(role key, name, region, kind) for every bench unit."""
    specs = [("office", "云南省委宣传部", world.province, UnitKind.OFFICE)]
    specs.append(("media", "云南省融媒体中心", world.province, UnitKind.MEDIA))
    for prefecture in (r for r in world.regions.values() if r.level == RegionLevel.PREFECTURE):
        specs.append(("office", f"{prefecture.name}委宣传部", prefecture, UnitKind.OFFICE))
    for county in world.counties:
        specs.append(("office", f"{county.name}委宣传部", county, UnitKind.OFFICE))
        specs.append(("media", f"{county.name}融媒体中心", county, UnitKind.MEDIA))
        specs.append(
            ("centre", f"{county.name}新时代文明实践中心", county, UnitKind.PRACTICE_CENTRE)
        )
        for township in world.townships[county.code]:
            specs.append(
                ("township", f"{township.name}人民政府", township, UnitKind.TOWNSHIP_COMMITTEE)
            )
            # One village in four has its own committee reporting.
            for village in world.villages[township.code][::4]:
                specs.append(
                    ("village", f"{village.name}委员会", village, UnitKind.VILLAGE_COMMITTEE)
                )
    return specs


def _outlet_specs(world: World) -> list[tuple[str, str, int, Region | None, str]]:
    """(name, channel, level, region, unit role key) for every bench outlet."""
    specs: list[tuple[str, str, int, Region | None, str]] = [
        ("人民日报", Channel.NEWSPAPER, OutletLevel.CENTRAL, None, ""),
        ("新华社客户端", Channel.APP, OutletLevel.CENTRAL, None, ""),
        ("央视新闻", Channel.TV, OutletLevel.CENTRAL, None, ""),
        ("学习强国", Channel.XUEXI, OutletLevel.CENTRAL, None, ""),
        ("云南日报", Channel.NEWSPAPER, OutletLevel.PROVINCIAL, world.province, "media"),
        ("云南广播电视台", Channel.TV, OutletLevel.PROVINCIAL, world.province, "media"),
        ("云南发布", Channel.WECHAT, OutletLevel.PROVINCIAL, world.province, "office"),
        ("云南网", Channel.WEBSITE, OutletLevel.PROVINCIAL, world.province, "media"),
        ("七彩云南", Channel.APP, OutletLevel.PROVINCIAL, world.province, "media"),
    ]
    for prefecture in (r for r in world.regions.values() if r.level == RegionLevel.PREFECTURE):
        short = prefecture.name[:2]
        specs.append((f"{short}日报", Channel.NEWSPAPER, OutletLevel.MUNICIPAL, prefecture, ""))
        specs.append((f"{short}发布", Channel.WECHAT, OutletLevel.MUNICIPAL, prefecture, ""))
        specs.append((f"{short}电视台", Channel.TV, OutletLevel.MUNICIPAL, prefecture, ""))
    for county in world.counties:
        for suffix, channel in (
            ("融媒", Channel.WECHAT),
            ("视频号", Channel.VIDEO_ACCOUNT),
            ("抖音号", Channel.DOUYIN),
            ("广播", Channel.RADIO),
        ):
            specs.append((f"{county.name}{suffix}", channel, OutletLevel.COUNTY, county, "media"))
        township = world.townships[county.code][0] if world.townships[county.code] else county
        specs.append(
            (
                f"{county.name}{township.name}之声",
                Channel.LOUDSPEAKER,
                OutletLevel.TOWNSHIP,
                township,
                "",
            )
        )
    return specs


def ensure_world() -> World:
    """Units, outlets, office users and the campaign (created once, found afterwards)."""
    ensure_tree()
    regions = {
        r.code: r for r in Region.objects.filter(path__startswith=f"{PROVINCE}/").order_by("path")
    }
    world = World(
        campaign=None,  # type: ignore[arg-type]
        province=regions[PROVINCE],
        prefecture=regions[PREFECTURE],
        county=regions[COUNTY],
        users={},
        regions=regions,
    )
    world.counties = [r for r in regions.values() if r.level == RegionLevel.COUNTY]
    world.townships = {c.code: [] for c in world.counties}
    world.villages = {}
    for region in regions.values():
        if region.level == RegionLevel.TOWNSHIP:
            world.townships[_parent_code(region)].append(region)
            world.villages.setdefault(region.code, [])
        elif region.level == RegionLevel.VILLAGE:
            world.villages.setdefault(_parent_code(region), []).append(region)

    specs = _unit_specs(world)
    existing = {(u.region_id, u.name): u for u in Unit.objects.filter(region__in=regions.values())}
    missing = [
        Unit(name=name, kind=kind, region=region, region_path=region.path, name_key=match_key(name))
        for _role, name, region, kind in specs
        if (region.pk, name) not in existing
    ]
    if missing:
        _say(f"creating {len(missing):,} units")
        Unit.objects.bulk_create(missing, batch_size=1000)
        existing = {
            (u.region_id, u.name): u for u in Unit.objects.filter(region__in=regions.values())
        }
    for role, name, region, _kind in specs:
        world.units[(region.code, role)] = existing[(region.pk, name)]

    outlet_specs = _outlet_specs(world)
    known = {(o.name, o.channel): o for o in Outlet.objects.all()}
    new, seen = [], set()
    for name, channel, level, region, unit_role in outlet_specs:
        if (name, channel) not in known and (name, channel) not in seen:
            seen.add((name, channel))
            unit = world.units.get((region.code, unit_role)) if region and unit_role else None
            new.append(
                Outlet(
                    name=name,
                    channel=channel,
                    level=level,
                    region=region,
                    unit=unit,
                    name_key=match_key(name),
                )
            )
    if new:
        Outlet.objects.bulk_create(new, batch_size=1000)
        known = {(o.name, o.channel): o for o in Outlet.objects.all()}
    for name, channel, level, region, _role in outlet_specs:
        key = (level, region.code if region and level >= OutletLevel.MUNICIPAL else "")
        world.outlets.setdefault(key, []).append(known[(name, channel)])

    lead = world.units[(PROVINCE, "office")]
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        campaign = Campaign.objects.create(
            name=CAMPAIGN_NAME,
            start_date=YEAR_START,
            end_date=YEAR_START + datetime.timedelta(days=YEAR_DAYS - 1),
            lead_unit=lead,
            region=world.province,
            region_path=world.province.path,
        )
        CampaignUnit.objects.get_or_create(
            campaign=campaign, unit=lead, defaults={"role": CampaignUnit.Role.LEAD}
        )
    world.campaign = campaign
    for key, code in (("province", PROVINCE), ("prefecture", PREFECTURE), ("county", COUNTY)):
        world.users[key] = office_user(world.units[(code, "office")], f"bench_office_{code}")
    return world


def _parent_code(region: Region) -> str:
    # The path lists the codes from the root: the parent's is the one before the last.
    return region.path.rstrip("/").split("/")[-2]


def office_user(unit: Unit, username: str) -> User:
    """An office user of ``unit`` (made once; no password: the bench calls as it)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, unit=unit, must_change_password=False)
        user.set_unusable_password()
        user.save()
        RoleGrant.objects.create(user=user, role=Role.OFFICE)
    return User.objects.select_related("unit").get(pk=user.pk)


# --- Generating the records --------------------------------------------------------------


class Generator:
    """Deterministic records: chunk ``n`` is the same whatever ran before it."""

    def __init__(self, world: World, indicators: dict[str, Indicator]):
        self.world = world
        self.indicators = indicators
        rng = random.Random(SEED)
        # Counties differ in how busy they are (a long-tailed spread, fixed by the seed).
        self.counties = world.counties
        # County-level cities and districts (…市, …区) are busier.
        weights = [
            math.exp(rng.gauss(0, 0.5)) * (1.5 if county.name[-1] in "市区" else 1.0)
            for county in self.counties
        ]
        total = sum(weights)
        running, self.county_cum = 0.0, []
        for weight in weights:
            running += weight / total
            self.county_cum.append(running)
        self.now = timezone.now()
        self.output_cum = _cumulative(OUTPUT_KIND_WEIGHTS)
        self.material_cum = _cumulative(MATERIAL_KIND_WEIGHTS)
        self.event_cum = _cumulative(EVENT_KIND_WEIGHTS)
        self.figure_indicators = [indicators[code] for code in FIGURE_INDICATORS]
        self.makers = {kind: RecordMaker(model) for kind, model in MODEL_OF.items()}

    def chunk(self, number: int, size: int, first_ids: dict[str, int]) -> dict[str, list]:
        """Records ``number * CHUNK ...``: {record kind: [(record, row), ...]} with ids
        from ``first_ids`` (advanced in place); ``row`` is the record's column values."""
        rng = random.Random(SEED * 1_000_003 + number)
        out: dict[str, list] = {kind: [] for kind in RecordKind.values}
        counties = rng.choices(self.counties, cum_weights=self.county_cum, k=size)
        for index in range(size):
            county = counties[index]
            draw = rng.random()
            if draw < SHARE_OUTPUT:
                kind, (values, relations) = (
                    RecordKind.OUTPUT,
                    self._output(rng, county, number, index),
                )
            elif draw < SHARE_OUTPUT + SHARE_MATERIAL:
                kind, (values, relations) = RecordKind.MATERIAL, self._material(rng, county)
            elif draw < SHARE_OUTPUT + SHARE_MATERIAL + SHARE_EVENT:
                kind, (values, relations) = RecordKind.EVENT, self._event(rng, county)
            else:
                kind, (values, relations) = RecordKind.FIGURE, self._figure(rng, county)
            values["id"] = first_ids[kind]
            first_ids[kind] += 1
            out[kind].append(self.makers[kind].make(values, relations))
        return out

    # Who did it and where: mostly the county's own units, sometimes a provincial or
    # prefecture office working in the county (so the unit's and the record's scopes
    # differ); activities happen in townships and villages, media work at the county.
    def _place(self, rng: random.Random, county: Region, *, local: bool) -> tuple[Unit, Region]:
        world = self.world
        draw = rng.random()
        if draw < 0.02:
            above = world.province if draw < 0.01 else world.regions[_parent_code(county)]
            unit = world.units[(above.code, "office")]
            return unit, (self._spot(rng, county) if local else county)
        if not local:
            role = _pick(rng, ["media", "office", "centre"], [0.7, 0.85, 1.0])
            return world.units[(county.code, role)], county
        townships = world.townships[county.code]
        if not townships:
            return world.units[(county.code, "centre")], county
        township = rng.choice(townships)
        villages = world.villages[township.code]
        draw = rng.random()
        if villages and draw < 0.3:
            # A village committee (one village in four has one) at home.
            committee = villages[(rng.randrange(len(villages)) // 4) * 4]
            return world.units[(committee.code, "village")], committee
        role = "centre" if draw < 0.45 else "township"
        unit = world.units[(county.code if role == "centre" else township.code, role)]
        if villages and rng.random() < 0.6:
            return unit, rng.choice(villages)
        return unit, township

    def _spot(self, rng: random.Random, county: Region) -> Region:
        """A township or village of the county."""
        townships = self.world.townships[county.code]
        if not townships:
            return county
        township = rng.choice(townships)
        villages = self.world.villages[township.code]
        return rng.choice(villages) if villages and rng.random() < 0.6 else township

    def _common(self, rng: random.Random, unit: Unit, region: Region) -> dict:
        return {
            "campaign_id": self.world.campaign.pk,
            "unit_id": unit.pk,
            "region_id": region.pk,
            "region_path": region.path,
            "unit_region_path": unit.region_path,
            "date": YEAR_START + datetime.timedelta(days=rng.randrange(YEAR_DAYS)),
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _output(self, rng: random.Random, county: Region, number: int, index: int):
        unit, region = self._place(rng, county, local=False)
        level = _pick(rng, [1, 2, 3, 4, 5], [0.05, 0.2, 0.45, 0.9, 1.0])
        if level <= OutletLevel.PROVINCIAL:
            outlets = self.world.outlets[(level, "")]
        elif level == OutletLevel.MUNICIPAL:
            outlets = self.world.outlets[(level, _parent_code(county))]
        elif level == OutletLevel.COUNTY:
            outlets = self.world.outlets[(level, county.code)]
        else:
            first = self.world.townships[county.code]
            outlets = self.world.outlets[(level, first[0].code if first else county.code)]
        outlet = rng.choice(outlets)
        kind = _pick(rng, OUTPUT_KINDS, self.output_cum)
        views = rng.randrange(50, 200_000) if rng.random() < 0.7 else None
        values = self._common(rng, unit, region)
        # (drawn in the order they always were: the same seed gives the same records)
        is_original = rng.random() < 0.8
        url = f"https://bench.example/{county.code}/{number}/{index}" if rng.random() < 0.6 else ""
        values.update(
            kind=kind,
            title=f"{county.name}宣传稿件{number}-{index}",
            is_original=is_original,
            language="zh",
            views=views,
            audience=None,
            url=url,
            url_key=link_key(url),
            outlet_id=outlet.pk,
            status=RecordStatus.DUPLICATE if rng.random() < 0.002 else RecordStatus.ACTIVE,
        )
        return values, {"region": region, "outlet": outlet}

    def _material(self, rng: random.Random, county: Region):
        unit, region = self._place(rng, county, local=True)
        kind = _pick(rng, MATERIAL_KINDS, self.material_cum)
        area = sites = None
        if kind in ("slogan_site", "billboard", "exhibition_board"):
            area = Decimal(rng.randrange(10, 20_000)) / 10
            sites = rng.randrange(1, 12) if kind == "slogan_site" else None
        quantity = Decimal(rng.randrange(1, 5_000 if kind == "leaflet" else 60))
        values = self._common(rng, unit, region)
        values.update(
            kind=kind,
            quantity=quantity,
            measure_word=MEASURE_WORDS.get(kind, "件"),
            area_m2=area,
            sites=sites,
        )
        return values, {"region": region}

    def _event(self, rng: random.Random, county: Region):
        unit, region = self._place(rng, county, local=True)
        kind = _pick(rng, EVENT_KINDS, self.event_cum)
        sessions = rng.randrange(1, 6)
        values = self._common(rng, unit, region)
        values.update(
            kind=kind, title="", sessions=sessions, participants=rng.randrange(0, 120) * sessions
        )
        return values, {"region": region}

    def _figure(self, rng: random.Random, county: Region):
        if rng.random() < 0.5:
            unit, region = self.world.units[(county.code, "office")], county
        else:
            unit, region = self._place(rng, county, local=True)
            if region.level == RegionLevel.VILLAGE:
                region = self.world.regions[_parent_code(region)]
        indicator = rng.choice(self.figure_indicators)
        value = Decimal(rng.randrange(1, 100_000 if "cumulative" in indicator.code else 500))
        values = self._common(rng, unit, region)
        values.update(
            indicator_id=indicator.pk, value=value, approx=rng.choice(APPROXES), source="基准生成"
        )
        return values, {"region": region, "indicator": indicator}


def _pick(rng: random.Random, items: list, cumulative: list[float]):
    """One of ``items`` by cumulative weights (random.choices without its overhead)."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _cumulative(weights: list[float]) -> list[float]:
    total, running, out = sum(weights), 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return out


class RecordMaker:
    """Records of a model from their column values (positional construction: the fast
    path of Model.__init__), with the related objects build_facts reads cached."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}

    def make(self, values: dict, relations: dict) -> tuple:
        merged = {**self.defaults, **values}
        row = tuple([merged[name] for name in self.attnames])
        # Filled the way a row read from the database is, minus Model.__init__'s per-field
        # descriptor calls (a third of the generation time otherwise).
        record = self.model.__new__(self.model)
        record.__dict__.update(merged)
        state = ModelState()
        state.adding = False
        state.fields_cache = dict(relations)
        record._state = state
        return record, row


class FactRows:
    """A record's facts as rows of Fact's columns, assembled from build_facts's own
    building blocks (``_contributions``, ``_kind_of``, the indicator and ancestor
    caches) without a model instance per fact (five times faster). Every ``check_every``-th
    record is also run through ``build_facts`` itself and must give the same rows, so the
    bench cannot drift from the services."""

    def __init__(self, check_every: int = 50):
        self.indicators = IndicatorCache()
        self.ancestors = AncestorCache()
        self.attnames = [f.attname for f in Fact._meta.concrete_fields if not f.primary_key]
        self.check_every = check_every
        self.seen = 0
        self.checked = 0

    def rows(self, record_kind: str, record) -> list[tuple]:
        out = self._rows(record_kind, record)
        self.seen += 1
        if self.seen % self.check_every == 0:
            self.check(record_kind, record, out)
        return out

    def _rows(self, record_kind: str, record) -> list[tuple]:
        if record.status != RecordStatus.ACTIVE:
            return []
        codes = self.ancestors.codes(record.region)
        outlet = getattr(record, "outlet", None)
        values = {
            "campaign_id": record.campaign_id,
            "date": record.date,
            "region_path": record.region_path,
            "unit_region_path": record.unit_region_path,
            "region_depth": len(codes_of(record.region_path)),
            "unit_id": record.unit_id,
            "outlet_id": outlet.pk if outlet else None,
            "channel": outlet.channel if outlet else "",
            "outlet_level": outlet.level if outlet else None,
            "kind": facts_module._kind_of(record_kind, record),
            "record_kind": record_kind,
            "record_id": record.pk,
            **codes,
        }
        names = self.attnames
        out = []
        for indicator, value, rank in facts_module._contributions(record_kind, record):
            values["indicator_id"] = (
                indicator if isinstance(indicator, int) else self.indicators[indicator].pk
            )
            values["value"] = value
            values["approx_rank"] = rank
            out.append(tuple([values[name] for name in names]))
        return out

    def check(self, record_kind: str, record, rows: list[tuple]) -> None:
        expected = [
            tuple([fact.__dict__[name] for name in self.attnames])
            for fact in build_facts(
                record_kind, record, indicators=self.indicators, ancestors=self.ancestors
            )
        ]
        if expected != rows:
            raise RuntimeError(
                f"The bench's fact rows for {record_kind} {record.pk} differ from "
                f"build_facts: {rows!r} != {expected!r}. Update FactRows in bench/ledger.py."
            )
        self.checked += 1


# --- Writing in bulk ---------------------------------------------------------------------

LEDGER_MODELS = [MediaOutput, MaterialRecord, EventRecord, FigureRecord]
MODEL_OF = {
    RecordKind.OUTPUT: MediaOutput,
    RecordKind.MATERIAL: MaterialRecord,
    RecordKind.EVENT: EventRecord,
    RecordKind.FIGURE: FigureRecord,
}


class Writer:
    """Rows of a model written in bulk: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model, *, with_id: bool):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.table = model._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        if connection.vendor == "postgresql":
            self.sql = f"COPY {connection.ops.quote_name(self.table)} ({columns}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in self.fields)
            self.sql = (
                f"INSERT INTO {connection.ops.quote_name(self.table)} ({columns}) VALUES ({marks})"
            )
        # SQLite: datetimes as Django stores them (the sqlite3 adapters Django registers
        # handle dates, decimals and booleans).
        self.datetimes = [
            i for i, f in enumerate(self.fields) if f.get_internal_type() == "DateTimeField"
        ]

    def rows(self, rows: list[tuple]) -> Iterator[tuple]:
        if connection.vendor == "postgresql" or not self.datetimes:
            yield from rows
            return
        adapt = connection.ops.adapt_datetimefield_value
        stamps = self.datetimes
        cache: dict = {}
        for row in rows:
            row = list(row)
            for i in stamps:
                value = row[i]
                if value is not None:
                    if value not in cache:
                        cache[value] = adapt(value)
                    row[i] = cache[value]
            yield tuple(row)

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(self.sql) as copy:
                for row in self.rows(rows):
                    copy.write_row(row)
        else:
            raw.executemany(self.sql, self.rows(rows))


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = %s AND NOT x.indisprimary AND NOT x.indisunique
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                ORDER BY i.relname
                """,
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                [table],
            )
        return list(cursor.fetchall())


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's foreign keys on PostgreSQL (whose deferred checks
    would queue one trigger event per inserted row); none on SQLite, where they cannot
    be dropped and are checked as rows arrive."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        return list(cursor.fetchall())


def _clear_ledger(campaign: Campaign) -> None:
    """Remove the bench campaign's records and facts: the tables are emptied outright when
    no other campaign has any (the bench database is the benchmarks' own)."""
    others = list(Campaign.objects.exclude(pk=campaign.pk).values_list("pk", flat=True))
    models = [Fact, *LEDGER_MODELS]
    shared = any(model.objects.filter(campaign_id__in=others).exists() for model in models)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = quote(model._meta.db_table)
            if shared:
                cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])
            elif connection.vendor == "postgresql":
                # (collection values that pointed at bench figures go with them)
                cursor.execute(f"TRUNCATE {table} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {table}")


def _marker(scale: float, records: int) -> dict:
    # What decides the facts of a record: how a record is turned into fact rows, and the
    # vocabulary. (The rest of ledger/facts.py, e.g. how facts are written and the summary
    # kept, does not change the data, so changing it does not regenerate 5 million rows.)
    source = "".join(
        inspect.getsource(part)
        for part in (
            facts_module.fact_rows,
            facts_module._contributions,
            facts_module._kind_of,
            facts_module.AncestorCache,
            vocabulary,
        )
    )
    return {
        "bench": "ledger",
        "version": GENERATOR_VERSION,
        "seed": SEED,
        "records": records,
        "facts_code": hashlib.sha256(source.encode()).hexdigest()[:16],
    }


@dataclass
class Data:
    world: World
    records: int
    facts: int
    seconds: float  # generation time, 0 when reused
    reused: bool


def ensure_data(scale: float = 1.0) -> Data:
    """The bench campaign with ``FULL_RECORDS * scale`` records and their facts, generated
    unless the database already holds exactly that (by the marker on the campaign)."""
    world = ensure_world()
    records = max(round(FULL_RECORDS * scale), 100)
    marker = _marker(scale, records)
    campaign = world.campaign
    try:
        stored = json.loads(campaign.description or "{}")
    except ValueError:
        stored = {}
    if stored.get("marker") == marker:
        facts = Fact.objects.filter(campaign=campaign).count()
        if facts == stored.get("facts"):
            _say(f"reusing {records:,} records and {facts:,} facts (marker matches)")
            return Data(world, records, facts, 0.0, True)
    start = time.perf_counter()
    # Millions of short-lived objects, none in reference cycles: the cyclic collector
    # would only slow the generation down (by half).
    gc.disable()
    try:
        facts = generate(world, records)
    finally:
        gc.enable()
    seconds = time.perf_counter() - start
    campaign.description = json.dumps({"marker": marker, "facts": facts})
    campaign.save(update_fields=["description"])
    analyse()
    return Data(world, records, facts, seconds, False)


def ensure_summary(campaign: Campaign) -> float:
    """Rebuild the campaign's summary (``ledger/summary.py``) from its facts, which the
    generator writes directly, unless it was built by the same summary code; returns the
    seconds it took (0 when kept)."""
    code = hashlib.sha256(inspect.getsource(summary_module).encode()).hexdigest()[:16]
    stored = json.loads(campaign.description or "{}")
    if stored.get("summary") == code:
        _say("reusing the summary (built by the same code)")
        return 0.0
    _say("rebuilding the summary from the facts")
    start = time.perf_counter()
    with transaction.atomic():
        summary_module.summary_rebuild(campaign_id=campaign.pk)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        for model in (FactSummary, FactPresence, FactFirstSeen, FactMemberCount):
            table = connection.ops.quote_name(model._meta.db_table)
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {table}")
    stored["summary"] = code
    campaign.description = json.dumps(stored)
    campaign.save(update_fields=["description"])
    return seconds


def generate(world: World, records: int) -> int:
    """Write ``records`` records and their facts (in one transaction); returns the number
    of facts."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    generator = Generator(world, indicators)
    writers = {kind: Writer(MODEL_OF[kind], with_id=True) for kind in MODEL_OF}
    fact_writer = Writer(Fact, with_id=False)
    fact_rows = FactRows()
    tables = [Fact._meta.db_table] + [m._meta.db_table for m in LEDGER_MODELS]
    quote = connection.ops.quote_name
    total_facts = 0
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Check as we go: CREATE INDEX refuses to run with checks still queued.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _clear_ledger(world.campaign)
        first_ids = {
            kind: (model.objects.aggregate(n=Max("id"))["n"] or 0) + 1
            for kind, model in MODEL_OF.items()
        }
        indexes = [index for table in tables for index in _secondary_indexes(table)]
        foreign_keys = [(table, fk) for table in tables for fk in _foreign_keys(table)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            else:
                # A 1 GB page cache for this connection, so that the big transaction
                # does not spill pages to the WAL over and over.
                cursor.execute("PRAGMA cache_size = -1000000")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            for table, (name, _definition) in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        _say(
            f"generating {records:,} records ({len(indexes)} indexes and "
            f"{len(foreign_keys)} foreign keys dropped for the load)"
        )
        done = 0
        number = 0
        while done < records:
            size = min(CHUNK, records - done)
            chunk = generator.chunk(number, size, first_ids)
            facts = []
            for kind, made in chunk.items():
                writers[kind].write([row for _record, row in made])
                for record, _row in made:
                    facts.extend(fact_rows.rows(kind, record))
            fact_writer.write(facts)
            total_facts += len(facts)
            done += size
            number += 1
            if number % 25 == 0:
                rate = done / (time.perf_counter() - started)
                _say(f"  {done:,} records, {total_facts:,} facts ({rate:,.0f} records/s)")
        loaded = time.perf_counter()
        _say(f"loaded in {loaded - started:.1f} s; rebuilding indexes and foreign keys")
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, (name, definition) in foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
            for statement in connection.ops.sequence_reset_sql(_no_style(), LEDGER_MODELS):
                cursor.execute(statement)
        _say(f"rebuilt in {time.perf_counter() - loaded:.1f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again
    _say(
        f"wrote {records:,} records and {total_facts:,} facts "
        f"({fact_rows.checked:,} records checked against build_facts)"
    )
    return total_facts


def _no_style():
    from django.core.management.color import no_style

    return no_style()


def analyse() -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map) after the bulk load, as
    autovacuum or a DBA would provide them."""
    tables = [Fact._meta.db_table] + [m._meta.db_table for m in LEDGER_MODELS]
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
            else:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# --- Measuring ---------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def own_statements(rollup_call: Callable[[], object]) -> Callable[[], None]:
    """The statements ``rollup_call`` sends, as the database received them, to be timed
    alone, one after another (sent and fetched, nothing built from the rows; the rollup
    itself sends them in one pipeline on PostgreSQL)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        rollup_call()
    statements = [query["sql"] for query in captured.captured_queries]

    def run() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                # Literal SQL: a % in it is not a placeholder.
                cursor.execute(statement.replace("%", "%%"), [])
                cursor.fetchall()

    return run


def compare(
    rollup_call: Callable[[], object],
    sql_call: Callable[[], object],
    *,
    repeat: int,
    budget_s: float,
) -> tuple[list[float], list[float]]:
    """Warm both, then time them alternately: ``repeat`` runs each, fewer when a run is
    so slow that ``budget_s`` would be exceeded (but at least 5, or 3 when one run of
    both takes more than 10 s)."""
    first = _timed(rollup_call) + _timed(sql_call)
    least = min(repeat, 5 if first < 10_000 else 3)
    runs = max(least, min(repeat, int(budget_s * 1000 / max(first, 0.001))))
    a, b = [], []
    for _ in range(runs):
        a.append(_timed(rollup_call))
        b.append(_timed(sql_call))
    return a, b


class HandSQL:
    """The same figures as ``rollup`` for one region subtree, written by hand as well as
    we know how: the sums in one GROUP BY (on PostgreSQL with GROUPING SETS, so that a
    grouping and its totals come from one scan), the latest snapshots by a window query
    per pass, and the distinct counts over the distinct combinations first (grouped and
    total from the same combinations). Like the rollup, every statement names its
    indicators so that it can walk the covering index ``fact_rollup``."""

    # What the statements read: the table, the sums, and how a latest snapshot is valued,
    # ranked and counted (HandSummarySQL reads the summary instead).
    table = "ledger_fact"
    sum_columns = "SUM(value), MAX(approx_rank), COUNT(*)"
    latest_value = "value"
    latest_order = "date DESC, region_depth, record_id DESC"
    latest_count = "COUNT(*)"

    def __init__(self, campaign: Campaign, region: Region, indicators: list[Indicator]):
        self.params = [campaign.pk, region.path, subtree_upper_bound(region.path)]
        self.where = "campaign_id = %s AND region_path >= %s AND region_path < %s"
        self.sums = [i.pk for i in indicators if i.aggregation == Aggregation.SUM]
        self.latest = [i.pk for i in indicators if i.aggregation == Aggregation.LATEST]
        self.all = list(Indicator.objects.values_list("pk", flat=True))

    @staticmethod
    def group_expression(group: str | None) -> str | None:
        if group == "week":
            if connection.vendor == "postgresql":
                return "CAST(DATE_TRUNC('week', date) AS date)"
            return "date(date, 'weekday 0', '-6 days')"
        return group

    @staticmethod
    def _in(pks: list[int]) -> str:
        return ", ".join(str(pk) for pk in pks)

    def statements(self, group: str | None) -> list[tuple[str, str]]:
        """(what, SQL) for the answer ungrouped (``group`` None) or grouped by ``group``
        with the ungrouped totals; ``what`` is "sums", "latest" or "distinct"."""
        g = self.group_expression(group)
        table = self.table
        sums = self.sum_columns
        where = f"{self.where} AND indicator_id IN "
        out = []
        if g is None:
            out.append(
                (
                    "sums",
                    f"SELECT indicator_id, NULL, {sums} "
                    f"FROM {table} WHERE {where}({self._in(self.sums)}) GROUP BY indicator_id",
                )
            )
        elif connection.vendor == "postgresql":
            out.append(
                (
                    "sums",
                    f"SELECT indicator_id, {g}, {sums}, "
                    f"GROUPING({g}) FROM {table} WHERE {where}({self._in(self.sums)}) "
                    f"GROUP BY GROUPING SETS ((indicator_id, {g}), (indicator_id))",
                )
            )
        else:
            for key in (g, None):
                out.append(
                    (
                        "sums",
                        f"SELECT indicator_id, {key or 'NULL'}, {sums}, "
                        f"{0 if key else 1} FROM {table} "
                        f"WHERE {where}({self._in(self.sums)}) "
                        f"GROUP BY indicator_id{', ' + key if key else ''}",
                    )
                )
        if self.latest:
            for key in (g, None) if g else (None,):
                part = f", {key}" if key else ""
                out.append(
                    (
                        "latest",
                        f"SELECT indicator_id, g, v, approx_rank, n, {0 if key else 1} "
                        f"FROM (SELECT indicator_id, {key or 'NULL'} AS g, "
                        f"{self.latest_value} AS v, approx_rank, ROW_NUMBER() OVER "
                        f"(PARTITION BY indicator_id{part} ORDER BY {self.latest_order}) AS rn, "
                        f"{self.latest_count} OVER (PARTITION BY indicator_id{part}) AS n "
                        f"FROM {table} WHERE {where}({self._in(self.latest)})) s WHERE rn = 1",
                    )
                )
        out.append(("distinct", self._distinct(group)))
        return out

    def _distinct(self, group: str | None) -> str:
        """The distinct counts (g, counties, townships, villages, units, is total) over
        the distinct combinations of the group and the members."""
        g = self.group_expression(group)
        table = self.table
        where = f"{self.where} AND indicator_id IN "
        members = "county_code, township_code, village_code, unit_id"
        counts = (
            "COUNT(DISTINCT NULLIF(county_code, '')), COUNT(DISTINCT NULLIF(township_code, '')), "
            "COUNT(DISTINCT NULLIF(village_code, '')), COUNT(DISTINCT unit_id)"
        )
        inner = (
            f"SELECT DISTINCT {g + ' AS g, ' if g else ''}{members} FROM {table} "
            f"WHERE {where}({self._in(self.all)})"
        )
        if g:
            distinct = (
                f"WITH s AS ({inner}) SELECT g, {counts}, 0 FROM s GROUP BY g "
                f"UNION ALL SELECT NULL, {counts}, 1 FROM s"
            )
        else:
            distinct = f"SELECT NULL, {counts}, 1 FROM ({inner}) s"
        return distinct

    def run(self, group: str | None) -> list[tuple[str, list[tuple]]]:
        results = []
        with connection.cursor() as cursor:
            for what, statement in self.statements(group):
                cursor.execute(statement, self.params * (statement.count("%s") // 3))
                results.append((what, cursor.fetchall()))
        return results


class HandSummarySQL(HandSQL):
    """The same figures read by hand from the summary tables (``ledger/summary.py``), the
    best hand-written SQL for questions the summary answers: the sums in one GROUP BY
    (GROUPING SETS on PostgreSQL), the latest snapshots from each cell's winner, the
    distinct counts from the members' first buckets and the weekly member counts."""

    table = "ledger_factsummary"
    sum_columns = "SUM(total), MAX(approx_rank), SUM(parts)"
    latest_value = "total"
    latest_order = "latest_date DESC, latest_depth, latest_record DESC"
    latest_count = "SUM(parts)"

    @staticmethod
    def group_expression(group: str | None) -> str | None:
        if group == "week":
            if connection.vendor == "postgresql":
                return "CAST(DATE_TRUNC('week', bucket) AS date)"
            return "date(bucket, 'weekday 0', '-6 days')"
        return group

    def _distinct(self, group: str | None) -> str:
        """The distinct counts (g, counties, townships, villages, units, is total): up to
        now from the members' first buckets; weekly, places from the weekly member counts
        (they add up over counties) and units from the region's own weekly count."""
        kinds = (1, 2, 3, 4)
        # (DISTINCT: a unit may have first buckets under several counties; the kinds
        # named so that the index on the first buckets answers)
        first = (
            "SELECT {g}member_kind, COUNT(*) AS n FROM (SELECT DISTINCT {inner}member_kind, "
            f"member FROM ledger_factfirstseen WHERE {self.where} AND member_kind IN "
            f"({', '.join(map(str, kinds))})) d"
        )

        def pivot(rows: str, g: str | None, total: int) -> str:
            counts = ", ".join(
                f"SUM(CASE WHEN member_kind = {kind} THEN n ELSE 0 END)" for kind in kinds
            )
            return f"SELECT {'g' if g else 'NULL'}, {counts}, {total} FROM ({rows}) r" + (
                " GROUP BY g" if g else ""
            )

        total = pivot(first.format(g="", inner="") + " GROUP BY member_kind", None, 1)
        if group is None:
            return total
        if group == "county_code":
            grouped = first.format(g="g, ", inner="county_code AS g, ") + " GROUP BY g, member_kind"
            return pivot(grouped, "g", 0) + " UNION ALL " + total
        # Weekly: places summed over the counties; units, the region's own count (its
        # "region_path < %s" is always true: it keeps the statement's parameters the
        # (campaign, path, upper bound) triple that ``run`` repeats).
        weekly = (
            f"SELECT period AS g, member_kind, SUM(members) AS n FROM ledger_factmembercount "
            f"WHERE {self.where} AND grain = 1 AND member_kind IN (1, 2, 3) "
            f"GROUP BY period, member_kind UNION ALL SELECT period, member_kind, members "
            f"FROM ledger_factmembercount WHERE campaign_id = %s AND region_path = %s "
            f"AND grain = 1 AND member_kind = 4 AND region_path < %s"
        )
        return pivot(weekly, "g", 0) + " UNION ALL " + total


def _figures_of_rollup(result) -> dict[tuple, Decimal]:
    return {
        (row.indicator.pk, _norm(next(iter(row.group.values()), None))): row.value
        for row in result.rows
        if row.indicator.aggregation != Aggregation.RATIO and row.value is not None
    }


def _norm(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return datetime.date.fromisoformat(value)
    return value


def _figures_of_sql(results: list[tuple[str, list[tuple]]]) -> dict[tuple, Decimal]:
    """{(indicator id, group value or None for a total): figure} from ``HandSQL.run``."""
    distinct = {
        "county": "counties_covered",
        "township": "townships_covered",
        "village": "villages_covered",
        "unit": "units_active",
    }
    by_code = {i.code: i.pk for i in Indicator.objects.filter(code__in=distinct.values())}
    figures: dict[tuple, Decimal] = {}
    for what, rows in results:
        for row in rows:
            if what == "sums":
                indicator, key, total, _rank, _n, *total_row = row
                g = None if total_row and total_row[0] else _norm(key)
                figures[(indicator, g)] = Decimal(str(total))
            elif what == "latest":
                indicator, key, value, _rank, _n, total_row = row
                figures[(indicator, None if total_row else _norm(key))] = Decimal(str(value))
            else:
                key, counties, townships, villages, units, total_row = row
                g = None if total_row else _norm(key)
                for name, count in zip(
                    ("county", "township", "village", "unit"),
                    (counties, townships, villages, units),
                    strict=True,
                ):
                    if count:
                        figures[(by_code[distinct[name]], g)] = Decimal(count)
    return figures


def same_figures(rollup_result, hand: HandSQL, group: str | None) -> bool:
    """Whether the hand-written SQL gives the rollup's figures (to the rollup's rounding)."""
    expected = _figures_of_sql(hand.run(group))
    got = _figures_of_rollup(rollup_result)
    if set(expected) != set(got):
        return False
    return all(abs(expected[k] - got[k]) <= Decimal("0.005") for k in got)


def measure(data: Data, *, repeat: int, budget_s: float) -> list[Row]:
    # As in a server process (see campaigndesk/wsgi.py): what was loaded before (here the
    # generator's leftovers too) is frozen out of the garbage collector's full passes.
    gc.collect()
    gc.freeze()
    world = data.world
    indicators = list(Indicator.objects.filter(is_active=True))
    postgres = connection.vendor == "postgresql"
    rows: list[Row] = []
    cases = [
        ("county", f"county {COUNTY}", world.county, "township"),
        ("prefecture", f"prefecture {PREFECTURE}", world.prefecture, "county"),
        ("province", f"province {PROVINCE}", world.province, "county"),
    ]
    for level, label, region, group in cases:
        user = world.users[level]
        # The hand-written SQL reads what the best answer reads: the summary where it
        # holds the question (a region at county level or above, by county, weekly), the
        # facts otherwise (by township).
        facts_hand = HandSQL(world.campaign, region, indicators)
        summary_hand = HandSummarySQL(world.campaign, region, indicators)
        filters = RollupFilter(region=region)
        variants = [
            ("totals", (), None, None),
            (f"by {group}", (group,), None, f"{group}_code"),
            ("weekly", (), "week", "week"),
        ]
        for name, group_by, series, key in variants:

            def call(group_by=group_by, series=series, user=user, filters=filters):
                return rollup(
                    actor=user,
                    campaign=world.campaign,
                    filters=filters,
                    group_by=group_by,
                    series=series,
                )

            hand = facts_hand if group_by == ("township",) else summary_hand

            def sql(key=key, hand=hand):
                return hand.run(key)

            agrees = same_figures(call(), hand, key)
            own = own_statements(call)
            a, b = compare(call, sql, repeat=repeat, budget_s=budget_s)
            a2, c = compare(call, own, repeat=repeat, budget_s=budget_s)
            p95_target = f"< {P95_TARGET[level]}" if postgres else "(reported)"
            rows.append((f"rollup {label}, {name}: p50 (n={len(a)})", percentile(a, 0.5), "ms", ""))
            rows.append((f"rollup {label}, {name}: p95", percentile(a, 0.95), "ms", p95_target))
            rows.append(("  hand-written SQL p50", percentile(b, 0.5), "ms", ""))
            rows.append(("  the rollup's own statements alone p50", percentile(c, 0.5), "ms", ""))
            # The goal's baseline is the best SQL we have for the answer: the hand-written
            # statements, or the rollup's own when they are faster (they leave totals and
            # rounding to Python, so they are a lower bound rather than an answer).
            # Each ratio from runs timed in turn with its baseline; the worse one counts.
            ratio = max(
                statistics.median(a) / statistics.median(b),
                statistics.median(a2) / statistics.median(c),
            )
            rows.append(
                (
                    f"  rollup / best SQL (p50){'' if agrees else ' DIFFERENT FIGURES'}",
                    ratio,
                    "x",
                    RATIO_TARGET,
                )
            )
    return rows


def run(scale: float = 1.0) -> list[Row]:
    data = ensure_data(scale)
    facts_here = {
        level: Fact.objects.filter(
            campaign=data.world.campaign,
            region_path__gte=region.path,
            region_path__lt=subtree_upper_bound(region.path),
        ).count()
        for level, region in (
            ("county", data.world.county),
            ("prefecture", data.world.prefecture),
        )
    }
    rows: list[Row] = [
        ("ledger records (5,000,000 at scale 1.0)", float(data.records), "", ""),
        ("  facts", float(data.facts), "", ""),
        (f"  facts in county {COUNTY}", float(facts_here["county"]), "", ""),
        (f"  facts in prefecture {PREFECTURE}", float(facts_here["prefecture"]), "", ""),
    ]
    if data.reused:
        rows.append(("  generated (reused: same scale, marker matches)", 0.0, "s", ""))
    else:
        rows.append(("  generated (records + facts, indexes rebuilt)", data.seconds, "s", "< 600"))
        rows.append(("  generation rate", data.records / data.seconds, "rec/s", ""))
    # 30 warm runs (fewer for a slow case, within 30 s); a quick check at tiny scales.
    full = scale >= 0.01
    campaign = data.world.campaign
    seconds = ensure_summary(campaign)
    if seconds:
        rows.append(("  summary rebuilt from the facts", seconds, "s", ""))
    rows.append(
        ("  summary cells", float(FactSummary.objects.filter(campaign=campaign).count()), "", "")
    )
    rows.append(
        (
            "  summary presences",
            float(FactPresence.objects.filter(campaign=campaign).count()),
            "",
            "",
        )
    )
    rows += measure(data, repeat=30 if full else 2, budget_s=30.0 if full else 0.5)
    return rows
