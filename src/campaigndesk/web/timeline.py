"""The schedule as a timeline: each item a bar over its window on the campaign's time
scale, grouped by theme or by responsible unit, with today's line (CSS, no script)."""

import datetime
from dataclasses import dataclass, field

from django.utils import formats

from campaigndesk.campaigns.models import Campaign, ScheduleItem

MIN_WIDTH = 0.8  # percent: a one-day item stays visible on a year's scale


@dataclass
class Bar:
    item: ScheduleItem
    left: float
    width: float

    @property
    def flip(self) -> bool:
        """Whether its words go left of the bar (a bar near the right end)."""
        return self.left + self.width > 60

    @property
    def dates(self) -> str:
        start = formats.date_format(self.item.window_start, "MONTH_DAY_FORMAT")
        if self.item.window_end == self.item.window_start:
            return start
        return f"{start} – {formats.date_format(self.item.window_end, 'MONTH_DAY_FORMAT')}"


@dataclass
class Lane:
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    label: str
    left: float


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    lanes: list[Lane]
    ticks: list[Tick]
    today: float | None  # percent from the left, None when today is off the scale
    overdue: int


def build(
    *, campaign: Campaign, items: list[ScheduleItem], by: str, today: datetime.date
) -> Timeline:
    """Lanes by ``by`` ("theme" or "unit"); an item of several units shows in each unit's
    lane. Items need ``is_overdue`` (``schedule_for_campaign`` annotates it)."""
    starts = [campaign.start_date] + [i.window_start for i in items]
    ends = [campaign.end_date] + [i.window_end for i in items]
    start, end = min(starts), max(ends)
    days = (end - start).days + 1

    def position(day: datetime.date) -> float:
        return round(100 * (day - start).days / days, 3)

    def bar(item: ScheduleItem) -> Bar:
        width = 100 * ((item.window_end - item.window_start).days + 1) / days
        return Bar(
            item=item, left=position(item.window_start), width=round(max(width, MIN_WIDTH), 3)
        )

    lanes: dict[str, Lane] = {}
    if by == "unit":
        for item in items:
            for unit in item.responsible_units.all():
                lanes.setdefault(unit.name, Lane(label=unit.name)).bars.append(bar(item))
        ordered = sorted(lanes.values(), key=lambda lane: lane.label)
    else:
        for item in items:
            lanes.setdefault(item.theme, Lane(label=item.theme)).bars.append(bar(item))
        ordered = list(lanes.values())
    for lane in ordered:
        lane.bars.sort(key=lambda b: (b.item.window_start, b.item.seq))
    ticks = []
    month = start.replace(day=1)
    while month <= end:
        if month >= start:
            ticks.append(
                Tick(label=formats.date_format(month, "YEAR_MONTH_FORMAT"), left=position(month))
            )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return Timeline(
        start=start,
        end=end,
        lanes=ordered,
        ticks=ticks,
        today=position(today) if start <= today <= end else None,
        overdue=sum(1 for item in items if item.is_overdue),
    )
