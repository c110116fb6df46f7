"""What the dashboard and the campaign pages show, read through the selectors: every figure
comes from ``ledger.rollup.rollup`` (and coverage from ``ledger.selectors.coverage``);
nothing here adds anything up. Collection tasks are read through ``collection.selectors``
when that app is installed; a part whose module is missing shows "No data"."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import read_scope
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign, QuotaTarget, RateKind, ScheduleItem
from campaigndesk.ledger import selectors as ledger
from campaigndesk.ledger.models import Aggregation, Indicator, IndicatorCategory
from campaigndesk.ledger.rollup import RollupFilter, RollupRow
from campaigndesk.regions.models import Channel, OutletLevel, Region, RegionLevel
from campaigndesk.regions.selectors import region_subtree

# The headline tiles, in order; a tile whose indicator has no fact says "No data" (the
# information items come with the reporting module).
HEADLINE = [
    "media_outputs",
    "views",
    "lectures",
    "performances",
    "event_participants",
    "leaflets",
    "villages_covered",
    "info_items_submitted",
]
# Week by week: counts on the left axis, people on the right.
TREND_COUNTS = ["media_outputs", "lectures", "performances", "film_screenings", "home_visits"]
TREND_PEOPLE = ["event_participants"]
# By area: the columns of the table (the counts are charted).
AREA_INDICATORS = ["media_outputs", "lectures", "performances", "event_participants"]
AREA_CHARTED = ["media_outputs", "lectures", "performances"]
AREA_CHART_LIMIT = 20
COVERAGE_INDICATOR = {
    RegionLevel.COUNTY: "counties_covered",
    RegionLevel.TOWNSHIP: "townships_covered",
    RegionLevel.VILLAGE: "villages_covered",
}
RATE_INDICATOR = {
    RateKind.AWARENESS: "awareness_rate",
    RateKind.PARTICIPATION: "participation_rate",
    RateKind.SUPPORT: "support_rate",
    RateKind.SATISFACTION: "satisfaction_rate",
}
GAP_LIST_LIMIT = 60
# How many of the latest audit ids the ledger's version counts (see ``ledger_version``).
VERSION_WINDOW = 256
# Charted per category: counts that add up (not views, snapshots, distinct counts or rates).
NOT_CHARTED = {"views", "material_area"}


def collection_installed() -> bool:
    return apps.is_installed("campaigndesk.collection")


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the week holding ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


# --- choosing ----------------------------------------------------------------------------


def region_choices(campaign: Campaign) -> list[Region]:
    """The regions the dashboard can narrow a campaign to: its region and two levels below
    it (a prefecture: its counties and townships), in tree order."""
    root = campaign.region
    levels = [lvl for lvl in (root.level + 1, root.level + 2) if lvl <= RegionLevel.VILLAGE]
    below = region_subtree(root=root, levels=levels).order_by("path")
    return [root, *below]


def region_within(campaign: Campaign, code: str | None) -> Region:
    """The region of ``code`` when it lies in the campaign's region, else the campaign's."""
    if code:
        region = Region.objects.filter(code=code).first()
        if region is not None and region.path.startswith(campaign.region_path):
            return region
    return campaign.region


# --- figures -----------------------------------------------------------------------------


@dataclass
class Figure:
    """An indicator with its rollup row (None: no data)."""

    indicator: Indicator
    row: RollupRow | None = None

    @property
    def value(self) -> Decimal | None:
        return self.row.value if self.row is not None else None

    @property
    def approx(self) -> str:
        return self.row.approx if self.row is not None else ""


@dataclass
class Chart:
    """A chart's data for dashboard.js: ``kind`` (line, bar, hbar, pie), category labels,
    series of (name, values[, axis]), and a caption that names it for screen readers (the
    same figures are in the table next to it)."""

    id: str
    kind: str
    title: str
    labels: list[str] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.labels or not any(
            any(v for v in s["values"] if v is not None) for s in self.series
        )

    @property
    def table(self) -> list[tuple[str, list[float | None]]]:
        """The chart's figures by label, one value per series."""
        return [
            (label, [s["values"][n] for s in self.series]) for n, label in enumerate(self.labels)
        ]

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "labels": self.labels,
            "series": self.series,
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class CategoryBlock:
    label: str
    figures: list[Figure]
    chart: Chart


@dataclass
class Breakdown:
    """A rollup grouped by one dimension: table rows and a chart."""

    title: str
    dimension: str
    indicators: list[Indicator]
    rows: list[tuple[str, list[RollupRow | None]]]
    chart: Chart
    total_groups: int = 0


@dataclass
class CoverageGap:
    level_label: str
    active: int
    total: int
    inactive: list[Region]
    more: int

    @property
    def percent(self) -> float:
        return 100 * self.active / self.total if self.total else 0.0


@dataclass
class TargetProgress:
    """A campaign target and how far the ledger says it has come."""

    label: str
    target: Decimal
    figure: Figure | None
    unit: str = ""  # "%" for rates

    @property
    def percent(self) -> float | None:
        if self.figure is None or self.figure.value is None or not self.target:
            return None
        return min(100.0, float(self.figure.value) * 100 / float(self.target))

    @property
    def reached(self) -> bool:
        return bool(
            self.figure is not None
            and self.figure.value is not None
            and self.figure.value >= self.target
        )


@dataclass
class BehindQuota:
    """A collection task's latest closed round and the units that did not answer it."""

    task: object
    round: object
    missing: list
    late: list
    deadline: str
    period: str


@dataclass
class DueRound:
    round: object
    deadline: str
    period: str
    missing: int | None


@dataclass
class Dashboard:
    campaign: Campaign
    region: Region
    today: datetime.date
    week: tuple[datetime.date, datetime.date]
    tiles: list[Figure]
    categories: list[CategoryBlock]
    trend: Chart
    channel: Breakdown
    outlet_level: Breakdown
    areas: list[Breakdown]
    gaps: list[CoverageGap]
    targets: "Targets"
    behind: list[BehindQuota] | None
    owed: list | None  # a reporter's own forms due (collection.selectors.tasks_due_for)
    due_items: list[ScheduleItem]
    due_rounds: list[DueRound] | None
    overdue_count: int

    @property
    def main_breakdowns(self) -> list[Breakdown]:
        return [self.channel, self.outlet_level, *self.areas]

    @property
    def charts(self) -> list[Chart]:
        charts = [self.trend, self.channel.chart, self.outlet_level.chart]
        charts += [a.chart for a in self.areas] + [c.chart for c in self.categories]
        return [c for c in charts if not c.empty]


@dataclass
class Targets:
    coverage: list[TargetProgress]
    rates: list[TargetProgress]
    quotas: list[tuple[QuotaTarget, str]]

    @property
    def empty(self) -> bool:
        return not (self.coverage or self.rates or self.quotas)


def _indicators(codes: list[str]) -> list[Indicator]:
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


@dataclass
class Figures:
    """The part of the dashboard read from the ledger (the costly part, cached)."""

    tiles: list[Figure]
    categories: list[CategoryBlock]
    trend: Chart
    channel: Breakdown
    outlet_level: Breakdown
    areas: list[Breakdown]
    gaps: list[CoverageGap]
    targets: Targets


def figures(*, actor, campaign: Campaign, region: Region, today: datetime.date) -> Figures:
    """The ledger's figures for the campaign narrowed to ``region`` as of ``today``."""
    filters = RollupFilter(region=region, as_of=today)
    totals = ledger.rollup(actor=actor, campaign=campaign, filters=filters)
    by_code = {row.indicator.code: row for row in totals.rows if not row.group}
    all_indicators = list(Indicator.objects.filter(is_active=True))
    lookup = {i.code: i for i in all_indicators}
    return Figures(
        tiles=[Figure(indicator=lookup[c], row=by_code.get(c)) for c in HEADLINE if c in lookup],
        categories=_categories(all_indicators, by_code),
        trend=_trend(actor, campaign, filters, today),
        channel=_channel(actor, campaign, filters),
        outlet_level=_outlet_level(actor, campaign, filters),
        areas=_areas(actor, campaign, filters, region),
        gaps=_gaps(actor, campaign, region, today),
        targets=targets(actor=actor, campaign=campaign, today=today, totals=by_code, region=region),
    )


def ledger_version() -> tuple[int, int]:
    """What changes whenever anything is written: every service (ledger records, imports,
    collection submissions, targets, schedules) writes its audit entry in the same
    transaction as its change. The number of entries among the latest ids is part of it
    because ids are handed out before commit: a write committing after a later one
    fills a gap without raising the highest id."""
    latest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    recent = AuditEntry.objects.filter(id__gt=latest - VERSION_WINDOW).count()
    return latest, recent


def cached_figures(*, actor, campaign: Campaign, region: Region, today: datetime.date) -> Figures:
    """``figures``, kept for settings.DASHBOARD_CACHE_SECONDS (0: not kept) under the
    ledger's version, so that a write shows on the next request. Readers with the same
    scope (an office's staff) share an entry; the language is part of the key (labels)."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 0)
    if not seconds:
        return figures(actor=actor, campaign=campaign, region=region, today=today)
    scope = read_scope(actor)
    key = "dashboard:" + ":".join(
        str(part)
        for part in (
            campaign.pk,
            region.pk,
            scope.everything,
            scope.subtree_path,
            scope.unit_id,
            translation.get_language(),
            today.isoformat(),
            *ledger_version(),
        )
    )
    found = cache.get(key)
    if found is None:
        found = figures(actor=actor, campaign=campaign, region=region, today=today)
        cache.set(key, found, seconds)
    return found


def build(
    *,
    actor,
    campaign: Campaign,
    region: Region | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Dashboard:
    """Everything the dashboard shows for the campaign narrowed to ``region`` (default its
    own), as of ``today`` (default the office's today). The ledger's figures may come from
    the cache (see ``cached_figures``); the schedule and the collection rounds are read
    afresh."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    region = region or campaign.region
    part = cached_figures(actor=actor, campaign=campaign, region=region, today=today)
    week = week_of(today)
    schedule = list(campaign_selectors.schedule_for_campaign(campaign=campaign, today=today))
    tasks = _active_tasks(actor, campaign, now) if collection_installed() else None
    return Dashboard(
        campaign=campaign,
        region=region,
        today=today,
        week=week,
        tiles=part.tiles,
        categories=part.categories,
        trend=part.trend,
        channel=part.channel,
        outlet_level=part.outlet_level,
        areas=part.areas,
        gaps=part.gaps,
        targets=part.targets,
        behind=_behind(actor, tasks, now) if tasks is not None else None,
        owed=_owed(actor, campaign, now) if tasks is not None else None,
        due_items=[
            item for item in schedule if item.window_start <= week[1] and item.window_end >= week[0]
        ],
        due_rounds=_due_rounds(actor, tasks, week) if tasks is not None else None,
        overdue_count=sum(1 for item in schedule if item.is_overdue),
    )


def _categories(indicators: list[Indicator], by_code: dict[str, RollupRow]) -> list[CategoryBlock]:
    """Per category, every indicator with a figure; the counts that add up are charted."""
    grouped: dict[str, list[Figure]] = defaultdict(list)
    for indicator in indicators:
        row = by_code.get(indicator.code)
        if row is not None and row.value is not None:
            grouped[indicator.category].append(Figure(indicator=indicator, row=row))
    blocks = []
    for category, label in IndicatorCategory.choices:
        figures = grouped.get(category)
        if not figures:
            continue
        charted = [
            f
            for f in figures
            if f.indicator.aggregation == Aggregation.SUM and f.indicator.code not in NOT_CHARTED
        ]
        chart = Chart(
            id=f"category-{category}",
            kind="hbar",
            title=str(label),
            labels=[f"{f.indicator.name}({f.indicator.measure_word})" for f in charted],
            series=[{"name": str(label), "values": [_float(f.value) for f in charted]}],
        )
        blocks.append(CategoryBlock(label=str(label), figures=figures, chart=chart))
    return blocks


def _trend(actor, campaign: Campaign, filters: RollupFilter, today: datetime.date) -> Chart:
    """Week by week from the campaign's first week to this week (or its last)."""
    codes = TREND_COUNTS + TREND_PEOPLE
    indicators = _indicators(codes)
    result = ledger.rollup(
        actor=actor,
        campaign=campaign,
        filters=filters,
        series="week",
        indicators=[i.code for i in indicators],
        include_total=False,
    )
    last = min(today, campaign.end_date)
    weeks = []
    monday = week_of(campaign.start_date)[0]
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    values: dict[tuple[str, datetime.date], Decimal | None] = {
        (row.indicator.code, row.group.get("period")): row.value for row in result.rows
    }
    series = []
    for indicator in indicators:
        points = [_float(values.get((indicator.code, week))) or 0 for week in weeks]
        if not any(points):
            continue
        series.append(
            {
                "name": f"{indicator.name}({indicator.measure_word})",
                "values": points,
                "axis": 1 if indicator.code in TREND_PEOPLE else 0,
            }
        )
    return Chart(
        id="trend",
        kind="line",
        title=_("Week by week"),
        labels=[formats.date_format(w, "MONTH_DAY_FORMAT") for w in weeks],
        series=series,
    )


def _grouped(
    actor, campaign, filters, dimension: str, codes: list[str]
) -> tuple[list[Indicator], dict[object, dict[str, RollupRow]]]:
    indicators = _indicators(codes)
    result = ledger.rollup(
        actor=actor,
        campaign=campaign,
        filters=filters,
        group_by=[dimension],
        indicators=[i.code for i in indicators],
        include_total=False,
    )
    groups: dict[object, dict[str, RollupRow]] = defaultdict(dict)
    for row in result.rows:
        groups[row.group.get(dimension)][row.indicator.code] = row
    return indicators, groups


def _by_first(groups: dict, code: str) -> list:
    """Group keys, the largest ``code`` figure first."""

    def size(key) -> Decimal:
        row = groups[key].get(code)
        return row.value if row is not None and row.value is not None else Decimal(0)

    return sorted(groups, key=lambda key: (-size(key), str(key)))


def _first_values(rows: list[tuple[str, list[RollupRow | None]]]) -> list[float]:
    return [_float(cells[0].value) or 0 if cells and cells[0] else 0 for _name, cells in rows]


def _channel(actor, campaign, filters) -> Breakdown:
    indicators, groups = _grouped(actor, campaign, filters, "channel", ["media_outputs", "views"])
    labels = dict(Channel.choices)
    rows = [
        (str(labels.get(key) or _("Other")), [groups[key].get(i.code) for i in indicators])
        for key in _by_first(groups, "media_outputs")
    ]
    chart = Chart(
        id="channel",
        kind="pie",
        title=_("Media outputs by channel"),
        labels=[name for name, _cells in rows],
        series=[{"name": _("Media outputs"), "values": _first_values(rows)}],
    )
    return Breakdown(
        title=_("By channel"),
        dimension="channel",
        indicators=indicators,
        rows=rows,
        chart=chart,
        total_groups=len(rows),
    )


def _outlet_level(actor, campaign, filters) -> Breakdown:
    indicators, groups = _grouped(
        actor, campaign, filters, "outlet_level", ["media_outputs", "views"]
    )
    labels = dict(OutletLevel.choices)
    keys = sorted((k for k in groups if k is not None), key=int) + (
        [None] if None in groups else []
    )
    rows = [
        (str(labels.get(k, _("Other"))), [groups[k].get(i.code) for i in indicators]) for k in keys
    ]
    chart = Chart(
        id="outlet-level",
        kind="bar",
        title=_("Media outputs by outlet level"),
        labels=[name for name, _cells in rows],
        series=[{"name": _("Media outputs"), "values": _first_values(rows)}],
    )
    return Breakdown(
        title=_("By outlet level"),
        dimension="outlet_level",
        indicators=indicators,
        rows=rows,
        chart=chart,
        total_groups=len(rows),
    )


AREA_DIMENSION = {
    RegionLevel.COUNTY: "county",
    RegionLevel.TOWNSHIP: "township",
    RegionLevel.VILLAGE: "village",
}


def area_levels(region: Region) -> list[int]:
    """Which levels to break a region down by: a prefecture (or province) by county and by
    township, a county by township, a township by village."""
    if region.level <= RegionLevel.PREFECTURE:
        return [RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    if region.level == RegionLevel.COUNTY:
        return [RegionLevel.TOWNSHIP]
    if region.level == RegionLevel.TOWNSHIP:
        return [RegionLevel.VILLAGE]
    return []


def _areas(actor, campaign, filters, region: Region) -> list[Breakdown]:
    breakdowns = []
    for level in area_levels(region):
        dimension = AREA_DIMENSION[level]
        indicators, groups = _grouped(actor, campaign, filters, dimension, AREA_INDICATORS)
        codes = [k for k in groups if k]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

        def weight(key, groups=groups):
            return sum((row.value or 0) for row in groups[key].values())

        keys = sorted(codes, key=lambda k: (-weight(k), k))
        rows = [(names.get(k, k), [groups[k].get(i.code) for i in indicators]) for k in keys]
        if "" in groups or None in groups:
            blank = groups.get("") or groups.get(None)
            rows.append(
                (_("Above this level"), [blank.get(i.code) for i in indicators])  # type: ignore[union-attr]
            )
        charted = [i for i in indicators if i.code in AREA_CHARTED]
        top = rows[:AREA_CHART_LIMIT]
        chart = Chart(
            id=f"area-{dimension}",
            kind="bar",
            title=str(RegionLevel(level).label),
            labels=[name for name, _cells in top],
            series=[
                {
                    "name": f"{i.name}({i.measure_word})",
                    "values": [
                        _float(cells[indicators.index(i)].value)
                        if cells[indicators.index(i)]
                        else 0
                        for _n, cells in top
                    ],
                }
                for i in charted
            ],
        )
        breakdowns.append(
            Breakdown(
                title=_("By %(level)s") % {"level": RegionLevel(level).label},
                dimension=dimension,
                indicators=indicators,
                rows=rows,
                chart=chart,
                total_groups=len(rows),
            )
        )
    return breakdowns


def gap_levels(region: Region) -> list[int]:
    if region.level <= RegionLevel.PREFECTURE:
        return [RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    if region.level == RegionLevel.COUNTY:
        return [RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
    if region.level == RegionLevel.TOWNSHIP:
        return [RegionLevel.VILLAGE]
    return []


def _gaps(actor, campaign, region: Region, today: datetime.date) -> list[CoverageGap]:
    gaps = []
    for level in gap_levels(region):
        result = ledger.coverage(
            actor=actor,
            campaign=campaign,
            level=level,
            filters=RollupFilter(as_of=today),
            within=region,
        )
        total = len(result.active) + len(result.inactive)
        if not total:
            continue
        gaps.append(
            CoverageGap(
                level_label=str(RegionLevel(level).label),
                active=len(result.active),
                total=total,
                inactive=result.inactive[:GAP_LIST_LIMIT],
                more=max(0, len(result.inactive) - GAP_LIST_LIMIT),
            )
        )
    return gaps


def quota_text(quota: QuotaTarget) -> str:
    """A quota as people say it: "3 Information items per unit per month, due by day 5"."""
    text = _("%(count)s %(kind)s per unit %(period)s") % {
        "count": quota.count,
        "kind": quota.get_item_kind_display(),
        "period": quota.get_period_display(),
    }
    if quota.due_day:
        text += ", " + _("due by day %(day)s of the next period") % {"day": quota.due_day}
    else:
        text += ", " + _("due by the last day of the period")
    return text


def targets(
    *,
    actor,
    campaign: Campaign,
    today: datetime.date | None = None,
    totals: dict[str, RollupRow] | None = None,
    region: Region | None = None,
) -> Targets:
    """The campaign's coverage and rate targets against the rollup's distinct counts and
    rates over the whole campaign (reusing ``totals`` when they are the campaign's own),
    and its quotas in words."""
    today = today or timezone.localdate()
    coverage_targets = list(campaign.coverage_targets.all())
    rate_targets = list(campaign.rate_targets.all())
    codes = [COVERAGE_INDICATOR[t.level] for t in coverage_targets if t.level in COVERAGE_INDICATOR]
    codes += [RATE_INDICATOR[t.kind] for t in rate_targets if t.kind in RATE_INDICATOR]
    own_region = region is None or region == campaign.region
    whole = totals if totals is not None and own_region else None
    if whole is None and codes:
        result = ledger.rollup(
            actor=actor,
            campaign=campaign,
            filters=RollupFilter(as_of=today),
            indicators=codes,
        )
        whole = {row.indicator.code: row for row in result.rows if not row.group}
    whole = whole or {}
    lookup = {i.code: i for i in Indicator.objects.filter(code__in=codes)}

    def figure(code: str | None) -> Figure | None:
        if code is None or code not in lookup:
            return None
        return Figure(indicator=lookup[code], row=whole.get(code))

    return Targets(
        coverage=[
            TargetProgress(
                label=str(t.get_level_display()),
                target=Decimal(t.target_count),
                figure=figure(COVERAGE_INDICATOR.get(t.level)),
            )
            for t in coverage_targets
        ],
        rates=[
            TargetProgress(
                label=str(t.get_kind_display()),
                target=t.target_percent,
                figure=figure(RATE_INDICATOR.get(t.kind)),
                unit="%",
            )
            for t in rate_targets
        ],
        quotas=[(q, quota_text(q)) for q in campaign.quota_targets.all()],
    )


# --- collection tasks (周调度) --------------------------------------------------------------


def _active_tasks(actor, campaign, now):
    from campaigndesk.collection import selectors as collection
    from campaigndesk.collection import services as collection_services

    tasks = [t for t in collection.task_list(actor=actor, campaign=campaign) if t.is_active]
    for task in tasks:
        # The calendar opens rounds; the collection pages do the same when they are opened.
        collection_services.rounds_ensure(task=task, until=now)
    return tasks


def _behind(actor, tasks, now) -> list[BehindQuota]:
    """For each task the actor oversees: the latest round past its deadline and the units
    that have not answered it (late answers are listed apart)."""
    from campaigndesk.collection import selectors as collection

    behind = []
    for task in tasks:
        if not collection.can_view_status(actor, task):
            continue
        # (past its deadline as everywhere: an answer at the deadline itself is on time)
        closed = task.rounds.filter(due_at__lt=now).order_by("-due_at").first()
        if closed is None:
            continue
        status = collection.round_status(round=closed, now=now)
        behind.append(
            BehindQuota(
                task=task,
                round=closed,
                missing=[s.unit for s in status.missing],
                late=[s.unit for s in status.late],
                deadline=collection.deadline_text(closed.due_at),
                period=collection.period_text(closed),
            )
        )
    return behind


def _owed(actor, campaign, now) -> list:
    """The forms the actor's own unit still owes in this campaign."""
    from campaigndesk.collection import selectors as collection

    return [
        due
        for due in collection.tasks_due_for(actor=actor, now=now)
        if due.round.task.campaign_id == campaign.pk
    ]


def _due_rounds(actor, tasks, week) -> list[DueRound]:
    """Rounds of the campaign's active tasks (those the actor sees) due this week, with
    the number of units yet to answer for those who oversee the task."""
    from campaigndesk.collection import selectors as collection

    start = timezone.make_aware(
        datetime.datetime.combine(week[0], datetime.time()), timezone.get_default_timezone()
    )
    end = start + datetime.timedelta(days=7)
    due = []
    for task in tasks:
        oversees = collection.can_view_status(actor, task)
        for round_ in collection.round_list(task=task).filter(due_at__gte=start, due_at__lt=end):
            due.append(
                DueRound(
                    round=round_,
                    deadline=collection.deadline_text(round_.due_at),
                    period=collection.period_text(round_),
                    missing=round_.missing_count if oversees else None,
                )
            )
    due.sort(key=lambda d: d.round.due_at)
    return due


# --- a unit ------------------------------------------------------------------------------


@dataclass
class UnitCampaign:
    """What a unit has done in a campaign (its figures) and what the campaign asks of
    every unit (its quotas)."""

    campaign: Campaign
    figures: list[Figure]
    quotas: list[str]


def unit_done(*, actor, unit, campaigns, today: datetime.date | None = None) -> list[UnitCampaign]:
    """Per campaign, the unit's figures as of today (the rollup filtered by the unit)."""
    today = today or timezone.localdate()
    done = []
    for campaign in campaigns:
        result = ledger.rollup(
            actor=actor, campaign=campaign, filters=RollupFilter(unit=unit, as_of=today)
        )
        figures = [
            Figure(indicator=row.indicator, row=row)
            for row in result.rows
            if not row.group and row.value is not None
        ]
        quotas = [quota_text(q) for q in campaign.quota_targets.all()]
        done.append(UnitCampaign(campaign=campaign, figures=figures, quotas=quotas))
    return done


@dataclass
class OwedRound:
    round: object
    deadline: str
    period: str
    is_overdue: bool
    can_fill: bool


def unit_owes(*, actor, unit, campaigns, now: datetime.datetime | None = None) -> list | None:
    """The collection rounds the unit has not answered yet (periods begun, tasks active,
    among the tasks the actor sees), the earliest deadline first; None without the
    collection module. For the actor's own unit this is ``tasks_due_for``."""
    if not collection_installed():
        return None
    from campaigndesk.collection import selectors as collection

    now = now or timezone.now()
    if getattr(actor, "unit_id", None) == unit.pk:
        return [
            OwedRound(
                round=due.round,
                deadline=collection.deadline_text(due.round.due_at),
                period=collection.period_text(due.round),
                is_overdue=due.is_overdue,
                can_fill=True,
            )
            for due in collection.tasks_due_for(actor=actor, now=now)
        ]
    tasks = [
        task.pk
        for campaign in campaigns
        for task in collection.task_list(actor=actor, campaign=campaign)
        if task.is_active
    ]
    if not tasks:
        return []
    rounds = collection.rounds_owed(unit=unit, now=now).filter(task__in=tasks)
    can_fill = collection.can_submit(actor, unit)
    return [
        OwedRound(
            round=r,
            deadline=collection.deadline_text(r.due_at),
            period=collection.period_text(r),
            is_overdue=now > r.due_at,
            can_fill=can_fill,
        )
        for r in rounds
    ]
