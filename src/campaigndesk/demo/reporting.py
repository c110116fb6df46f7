"""The demo's reporting up (信息报送) for the Shaoyang campaign, October–November 2023:
the units' information items through the three review steps (one returned and revised),
adoptions at county, city and province level, a leader's comment, the assessment rules,
two briefings and the October bulletin, issued.

Written through the reporting services as the system actor, replayed at the times they
happened (``replaying_history``), so quotas, bulletins and the timeline read as they would
have in 2023. Loaded once: a campaign that already has items is left alone.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign, CampaignUnit
from campaigndesk.regions.models import Channel, Outlet, Unit
from campaigndesk.reporting import issuing, services
from campaigndesk.reporting.models import InfoItem

from . import facts as F

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
OCTOBER = D(2023, 10, 1)
NOVEMBER = D(2023, 11, 1)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def ensure_shaoyang_reporting(*, campaign: Campaign, counts) -> None:
    """Load the Shaoyang items, rules, briefings and October bulletin unless the campaign
    already has items. ``counts`` is a Counter the created objects add to."""
    if InfoItem.objects.filter(campaign=campaign).exists():
        return
    rng = random.Random(F.SEED)
    office = Unit.objects.get(region__code=F.SHAOYANG_COUNTY, name=F.SY_LEAD)
    units = list(
        Unit.objects.filter(
            campaign_links__campaign=campaign,
            campaign_links__role=CampaignUnit.Role.RESPONSIBLE,
        ).order_by("name")
    )
    outlets = {
        "county": Outlet.objects.get(name="邵阳县融媒体中心", channel=Channel.TV),
        "county_wechat": Outlet.objects.get(name="邵阳县发布", channel=Channel.WECHAT),
        "city": Outlet.objects.get(name="邵阳日报", channel=Channel.NEWSPAPER),
        "province": Outlet.objects.get(name="湖南日报", channel=Channel.NEWSPAPER),
        "province_web": Outlet.objects.get(name="红网", channel=Channel.WEBSITE),
    }

    with services.replaying_history(_at(D(2023, 9, 28), 9)):
        services.rules_create(actor=SYSTEM, campaign=campaign, **F.SY_RULES)
    counts["reporting rules"] += 1

    signed_off: dict[datetime.date, list[InfoItem]] = {OCTOBER: [], NOVEMBER: []}
    # October: most units meet the quota of 3; two fall short. November: items still
    # moving through the desk's three steps.
    october_counts = [rng.choice((3, 3, 4, 5)) for _ in units]
    october_counts[3] = 2
    october_counts[-2] = 1
    for index, (unit, how_many) in enumerate(zip(units, october_counts, strict=True)):
        topic = F.SY_TOPICS[index % len(F.SY_TOPICS)]
        for n in range(how_many):
            # The last item of some units comes in on 1–5 November and counts for October.
            if n == how_many - 1 and index % 3 == 0:
                day = D(2023, 11, 1 + rng.randrange(5))
            else:
                day = D(2023, 10, 9 + rng.randrange(21))
            item = _file_item(campaign, unit, topic, n + 1, day, OCTOBER)
            counts["information items"] += 1
            returned = index == 1 and n == 0
            if _review(item, day, rng, returned=returned):
                signed_off[OCTOBER].append(item)
    for index, unit in enumerate(units[:8]):
        topic = F.SY_TOPICS[index % len(F.SY_TOPICS)]
        day = D(2023, 11, 8 + rng.randrange(12))
        item = _file_item(campaign, unit, topic, 10, day, None)
        counts["information items"] += 1
        # Leave some where the desk has them: submitted, edited or reviewed.
        steps = index % 4
        if steps == 3:
            if _review(item, day, rng, returned=False):
                signed_off[NOVEMBER].append(item)
        else:
            _review(item, day, rng, returned=False, steps=steps)

    _adoptions(signed_off[OCTOBER], outlets, rng, counts)
    _issue_documents(campaign, office, signed_off, counts)


def _file_item(campaign, unit, topic, n, day, period) -> InfoItem:
    with services.replaying_history(_at(day, 9)):
        item = services.item_create(
            actor=SYSTEM,
            campaign=campaign,
            unit=unit,
            title=f"{unit.name}:{topic}(之{n})",
            body=(
                f"{unit.name}围绕“{topic}”,本期深入一线走访群众、收集反映,"
                "把政策讲到群众身边,把实事办到群众心坎上。"
            ),
        )
        quota_period = period if period and day >= period and day.month != period.month else None
        services.item_submit(actor=SYSTEM, item=item, quota_period_start=quota_period)
    return item


def _review(item, day, rng, *, returned: bool, steps: int = 3) -> bool:
    """Move an item through the desk's steps from the day after ``day``; True once signed
    off. A returned item is revised and resubmitted two days later first."""
    when = day + datetime.timedelta(days=1)
    if returned:
        with services.replaying_history(_at(when, 10)):
            services.item_return(
                actor=SYSTEM, item=item, reason="数据来源未注明,请补充统计口径后重报。"
            )
        when += datetime.timedelta(days=2)
        with services.replaying_history(_at(when, 9)):
            services.item_update(actor=SYSTEM, item=item, body=item.body + "(数据来源:县统计局)")
            services.item_submit(actor=SYSTEM, item=item)
    actions = (services.item_edit, services.item_review, services.item_sign_off)
    for hour, action in enumerate(actions[:steps], start=10):
        with services.replaying_history(_at(when, hour)):
            action(actor=SYSTEM, item=item)
    return steps == 3


def _adoptions(items, outlets, rng, counts) -> None:
    for position, item in enumerate(items):
        submitted = item.submitted_at.astimezone(SHANGHAI).date()
        day = min(submitted + datetime.timedelta(days=3), D(2023, 10, 31))
        if day < submitted:
            continue  # came in on 1–5 November: adopted later, outside the demo
        picks = []
        if rng.random() < 0.45:
            picks.append(("county", position == 0))
        if rng.random() < 0.25:
            picks.append(("city", False))
        if rng.random() < 0.12:
            picks.append((rng.choice(("province", "province_web")), False))
        for key, headline in picks:
            with services.replaying_history(_at(day, 15)):
                services.adoption_create(
                    actor=SYSTEM,
                    item=item,
                    outlet=outlets[key],
                    date=day,
                    url=f"https://example.cn/shaoyang/{item.pk}/{key}",
                    is_headline=headline,
                )
            counts["adoptions"] += 1
        if position == 1:
            with services.replaying_history(_at(day, 16)):
                services.leader_comment_add(
                    actor=SYSTEM,
                    item=item,
                    leader="县委副书记",
                    date=day,
                    comment="此经验做法好,请县直有关单位学习借鉴。",
                )


def _issue_documents(campaign, office, signed_off, counts) -> None:
    for items, issued_on in (
        (signed_off[OCTOBER][:5], D(2023, 10, 31)),
        (signed_off[OCTOBER][5:9], D(2023, 11, 15)),
    ):
        with services.replaying_history(_at(issued_on, 9)):
            briefing = issuing.briefing_create(
                actor=SYSTEM,
                campaign=campaign,
                items=items,
                signer=F.SY_SIGNER,
                office=office,
                **F.SY_DISTRIBUTION,
            )
            issuing.briefing_issue(actor=SYSTEM, briefing=briefing, issue_date=issued_on)
        counts["briefings"] += 1
    with services.replaying_history(_at(D(2023, 11, 6), 9)):
        bulletin = issuing.bulletin_create(
            actor=SYSTEM,
            campaign=campaign,
            period_start=OCTOBER,
            signer=F.SY_SIGNER,
            office=office,
            **F.SY_DISTRIBUTION,
        )
        issuing.bulletin_issue(actor=SYSTEM, bulletin=bulletin, issue_date=D(2023, 11, 6))
    counts["bulletins"] += 1
