"""Scoring rules of the monthly bulletin and the annual assessment, each checked against a
hand computation (rows written as raw factory rows, so only the counting is under test)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigndesk.campaigns.models import CampaignUnit
from campaigndesk.regions.models import OutletLevel, UnitKind
from campaigndesk.reporting.models import Bulletin, IssueState, ItemState, ScoringMode
from campaigndesk.reporting.scoring import (
    annual_from_bulletins,
    bulletin_compute,
    competition_ranks,
    money,
    rules_as_dict,
    rules_in_force,
    weeks_due_in,
)

from ..factories import UnitFactory
from .factories import (
    AdoptionFactory,
    AssessmentRulesFactory,
    InfoItemFactory,
    LeaderCommentFactory,
    OutletFactory,
    QuotaTargetFactory,
    local,
)

D = datetime.date
MARCH = D(2024, 3, 1)


def _item(world, *, unit=None, at, period, state=ItemState.SIGNED_OFF, **fields):
    return InfoItemFactory(
        campaign=world.campaign,
        unit=unit or world.township_unit,
        state=state,
        submitted_at=at,
        quota_period_start=period,
        **fields,
    )


def _outlet(level: int):
    return OutletFactory(level=level)


def _row(figures: dict, unit) -> dict:
    [row] = [r for r in figures["rows"] if r["unit_id"] == unit.pk]
    return row


def test_competition_ranks_share_equal_points():
    values = [Decimal("5"), Decimal("7.00"), Decimal("7"), Decimal("3"), Decimal("7")]
    assert competition_ranks(values) == [4, 1, 1, 5, 1]
    assert competition_ranks([]) == []


def test_money_has_two_places():
    assert money(Decimal("23")) == "23.00"
    assert money(Decimal("-2.5")) == "-2.50"
    assert money(0) == "0.00"


def test_rules_in_force_greatest_valid_from_then_version(world):
    v1 = AssessmentRulesFactory(campaign=world.campaign, valid_from=D(2024, 1, 1))
    v2 = AssessmentRulesFactory(campaign=world.campaign, valid_from=D(2024, 3, 1))
    v3 = AssessmentRulesFactory(campaign=world.campaign, valid_from=D(2024, 1, 1))
    AssessmentRulesFactory(campaign=world.other_campaign, valid_from=D(2023, 1, 1))
    assert (v1.version, v2.version, v3.version) == (1, 2, 3)
    assert rules_in_force(campaign=world.campaign, period_start=D(2024, 2, 1)) == v3
    assert rules_in_force(campaign=world.campaign, period_start=D(2024, 3, 1)) == v2
    assert rules_in_force(campaign=world.campaign, period_start=D(2024, 12, 1)) == v2
    assert rules_in_force(campaign=world.campaign, period_start=D(2023, 12, 1)) is None


def test_rules_as_dict_writes_decimals_with_two_places(world):
    rules = AssessmentRulesFactory(
        campaign=world.campaign, headline_multiplier=Decimal("2"), base_points=Decimal("1.5")
    )
    data = rules_as_dict(rules)
    assert data["points"] == {
        "central": "20.00",
        "provincial": "6.00",
        "municipal": "4.00",
        "county": "2.00",
        "township": "0.00",
    }
    assert (data["headline_multiplier"], data["base_points"]) == ("2.00", "1.50")
    assert (data["version"], data["valid_from"], data["scoring_mode"]) == (
        1,
        "2024-01-01",
        "highest_once",
    )


@pytest.mark.parametrize(
    ("mode", "feb", "mar", "apr"),
    [
        # Adoptions of one item: county 2 (20 Feb); provincial headline 6×2 = 12 and
        # municipal 4 (March); another municipal outlet, 4 (April).
        # HIGHEST_ONCE: Feb best 2 → 2; Mar best 12 → 12 − 2 = 10; Apr best still 12 → 0.
        (ScoringMode.HIGHEST_ONCE, "2.00", "10.00", "0.00"),
        # PER_ADOPTION: Feb 2; Mar 12 + 4 = 16; Apr 4.
        (ScoringMode.PER_ADOPTION, "2.00", "16.00", "4.00"),
    ],
)
def test_adoption_points_by_mode_across_months(world, mode, feb, mar, apr):
    rules = AssessmentRulesFactory(
        campaign=world.campaign, scoring_mode=mode, headline_multiplier=Decimal("2")
    )
    item = _item(world, at=local(2024, 2, 10), period=D(2024, 2, 1))
    AdoptionFactory(item=item, outlet=_outlet(OutletLevel.COUNTY), date=D(2024, 2, 20))
    AdoptionFactory(
        item=item, outlet=_outlet(OutletLevel.PROVINCIAL), date=D(2024, 3, 5), is_headline=True
    )
    AdoptionFactory(item=item, outlet=_outlet(OutletLevel.MUNICIPAL), date=D(2024, 3, 6))
    AdoptionFactory(item=item, outlet=_outlet(OutletLevel.MUNICIPAL), date=D(2024, 4, 2))
    got = [
        _row(
            bulletin_compute(campaign=world.campaign, period_start=month, rules=rules),
            world.township_unit,
        )["adoption_points"]
        for month in (D(2024, 2, 1), MARCH, D(2024, 4, 1))
    ]
    assert got == [feb, mar, apr]


def test_a_month_under_a_monthly_quota(world):
    """Township unit, March, quota 3 a month due the 5th; rules: municipal 4, county 2,
    central 20, headline ×1.5, leader comment 5, missing 2.5 each, false report 10,
    base 3; highest once.

    Items (quota period March unless said):
      i1 signed off, adopted municipal 4 (headline ×1.5 = 6.00) and county 2 → best 6.00
      i2 returned (still counts), no adoption
      i3 submitted 5 April for March: counts (the due date)
      i4 false report (flagged), March: does not count, penalty 10
      i5 withdrawn: does not count
      i6 submitted 6 April for March (too late): does not count
      i7 April's item (submitted 1 April), adopted 1 April: not in March
    submitted = i1, i2, i3 = 3; signed off = i1 = 1; quota 3 counted 3 missing 0;
    adopted municipal 1, county 1; headlines 1; one leader comment on i2 (15 March) and one
    dated 1 April (not March) → 1.
    points = 3 + 6.00 + 5 − (0 × 2.5 + 1 × 10) = 4.00.

    County unit: nothing → submitted 0, missing 3 → penalty 7.50, points 3 − 7.50 = −4.50.
    """
    QuotaTargetFactory(campaign=world.campaign)
    rules = AssessmentRulesFactory(
        campaign=world.campaign,
        headline_multiplier=Decimal("1.5"),
        leader_comment_bonus=Decimal("5"),
        missing_quota_penalty=Decimal("2.5"),
        false_report_penalty=Decimal("10"),
        base_points=Decimal("3"),
    )
    i1 = _item(world, at=local(2024, 3, 4), period=MARCH)
    i2 = _item(world, at=local(2024, 3, 5), period=MARCH, state=ItemState.RETURNED)
    _item(world, at=local(2024, 4, 5, 21), period=MARCH, state=ItemState.SUBMITTED)
    _item(world, at=local(2024, 3, 7), period=MARCH, false_report=True)
    _item(world, at=local(2024, 3, 8), period=MARCH, state=ItemState.WITHDRAWN)
    _item(world, at=local(2024, 4, 6), period=MARCH, state=ItemState.SUBMITTED)
    i7 = _item(world, at=local(2024, 4, 1, 9), period=D(2024, 4, 1))
    AdoptionFactory(
        item=i1, outlet=_outlet(OutletLevel.MUNICIPAL), date=D(2024, 3, 9), is_headline=True
    )
    AdoptionFactory(item=i1, outlet=_outlet(OutletLevel.COUNTY), date=D(2024, 3, 10))
    AdoptionFactory(item=i7, outlet=_outlet(OutletLevel.COUNTY), date=D(2024, 4, 1))
    LeaderCommentFactory(item=i2, date=D(2024, 3, 15))
    LeaderCommentFactory(item=i2, date=D(2024, 4, 1))

    figures = bulletin_compute(campaign=world.campaign, period_start=MARCH, rules=rules)
    assert figures["period"] == {"start": "2024-03-01", "end": "2024-03-31"}
    assert figures["quota"] == {"count": 3, "period": "month", "due_day": 5}
    township = _row(figures, world.township_unit)
    assert township == {
        "rank": 1,
        "unit_id": world.township_unit.pk,
        "unit": "鹿城镇人民政府",
        "submitted": 3,
        "signed_off": 1,
        "adopted": {"central": 0, "provincial": 0, "municipal": 1, "county": 1, "township": 0},
        "headlines": 1,
        "leader_comments": 1,
        "false_reports": 1,
        "quota_required": 3,
        "quota_counted": 3,
        "missing": 0,
        "quota_met": True,
        "adoption_points": "6.00",
        "bonus": "5.00",
        "penalty": "10.00",
        "points": "4.00",
    }
    county = _row(figures, world.county_unit)
    assert (county["submitted"], county["missing"], county["quota_met"]) == (0, 3, False)
    assert (county["penalty"], county["points"], county["rank"]) == ("7.50", "-4.50", 2)
    assert figures["totals"]["submitted"] == 3
    assert figures["totals"]["adopted"]["municipal"] == 1
    assert figures["totals"]["headlines"] == 1


def test_weeks_due_in_a_month():
    quota = QuotaTargetFactory.build(period="week", due_day=2, count=1)
    # Sundays 3, 10, 17, 24 March + 2 days fall in March; the week of 25 March is due
    # 2 April, the week of 19 February on 27 February.
    assert weeks_due_in(quota=quota, start=MARCH, end=D(2024, 3, 31)) == [
        D(2024, 2, 26),
        D(2024, 3, 4),
        D(2024, 3, 11),
        D(2024, 3, 18),
    ]


def test_a_month_under_a_weekly_quota(world):
    """Weekly quota 1, due 2 days after Sunday: March judges the weeks of 26 Feb, 4, 11
    and 18 March (4 weeks → required 4). Items (week): x1 28 Feb (26 Feb), x2 and x3 5 and
    6 March (4 March), x4 20 March (18 March), x5 29 March (25 March, judged in April).
    counted = 1 + 2 + 0 + 1 = 4, missing = 0 + 0 + 1 + 0 = 1 (the week of 11 March).
    submitted (first submission in March, no monthly quota) = x2, x3, x4, x5 = 4."""
    QuotaTargetFactory(campaign=world.campaign, period="week", count=1, due_day=2)
    rules = AssessmentRulesFactory(campaign=world.campaign, missing_quota_penalty=Decimal("1"))
    _item(world, at=local(2024, 2, 28), period=D(2024, 2, 26))
    _item(world, at=local(2024, 3, 5), period=D(2024, 3, 4))
    _item(world, at=local(2024, 3, 6), period=D(2024, 3, 4))
    _item(world, at=local(2024, 3, 20), period=D(2024, 3, 18))
    _item(world, at=local(2024, 3, 29), period=D(2024, 3, 25))
    figures = bulletin_compute(campaign=world.campaign, period_start=MARCH, rules=rules)
    row = _row(figures, world.township_unit)
    assert (row["submitted"], row["quota_required"], row["quota_counted"], row["missing"]) == (
        4,
        4,
        4,
        1,
    )
    assert (row["penalty"], row["points"]) == ("1.00", "-1.00")
    county = _row(figures, world.county_unit)
    assert (county["quota_required"], county["missing"], county["points"]) == (4, 4, "-4.00")


def test_without_a_quota_items_are_taken_by_first_submission_in_the_month(world):
    """No quota: submitted = first submission's local date in March. 31 March 23:30 in
    Shanghai is still March; 1 April 00:30 is not. Nothing is required or missing."""
    rules = AssessmentRulesFactory(campaign=world.campaign)
    _item(world, at=local(2024, 3, 31, 23, 30), period=MARCH)
    _item(world, at=local(2024, 4, 1, 0, 30), period=D(2024, 4, 1))
    _item(world, at=local(2024, 2, 29, 23, 59), period=D(2024, 2, 1))
    figures = bulletin_compute(campaign=world.campaign, period_start=MARCH, rules=rules)
    assert figures["quota"] is None
    row = _row(figures, world.township_unit)
    assert (row["submitted"], row["quota_required"], row["quota_counted"], row["missing"]) == (
        1,
        0,
        1,
        0,
    )
    assert row["quota_met"] is True


def test_rows_by_rank_then_name_with_shared_ranks(world):
    """Per adoption, county 2. 东瓜镇 and 鹿城镇 each one county adoption (2.00), 楚雄市 two
    (4.00), 紫溪镇 none (0.00): ranks 楚雄市 1, 东瓜镇 2, 鹿城镇 2, 紫溪镇 4; equal ranks in
    name (code point) order: 东 U+4E1C before 鹿 U+9E7F."""
    rules = AssessmentRulesFactory(campaign=world.campaign, scoring_mode=ScoringMode.PER_ADOPTION)
    dong = UnitFactory(name="东瓜镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=world.county)
    zi = UnitFactory(name="紫溪镇人民政府", kind=UnitKind.TOWNSHIP_COMMITTEE, region=world.county)
    for unit in (dong, zi):
        CampaignUnit.objects.create(campaign=world.campaign, unit=unit)
    for unit, adoptions in ((world.county_unit, 2), (dong, 1), (world.township_unit, 1)):
        item = _item(world, unit=unit, at=local(2024, 3, 4), period=MARCH)
        for _ in range(adoptions):
            AdoptionFactory(item=item, outlet=_outlet(OutletLevel.COUNTY), date=D(2024, 3, 9))
    figures = bulletin_compute(campaign=world.campaign, period_start=MARCH, rules=rules)
    assert [(r["rank"], r["unit"], r["points"]) for r in figures["rows"]] == [
        (1, "楚雄市融媒体中心", "4.00"),
        (2, "东瓜镇人民政府", "2.00"),
        (2, "鹿城镇人民政府", "2.00"),
        (4, "紫溪镇人民政府", "0.00"),
    ]
    assert figures["totals"]["adopted"]["county"] == 4


# --- the annual assessment -------------------------------------------------------------


def _bulletin(pk, month, points, *, corrects=None, minute=0):
    """An issued bulletin in memory: ``points`` maps (unit id, name) to a points string."""
    return Bulletin(
        pk=pk,
        state=IssueState.ISSUED,
        period_start=month,
        issued_at=timezone.make_aware(datetime.datetime(2024, 12, 1, 9, minute)),
        corrects_id=corrects,
        snapshot={
            "rows": [
                {"unit_id": uid, "unit": name, "points": value}
                for (uid, name), value in points.items()
            ]
        },
    )


def test_annual_from_bulletins_uses_the_latest_issue_of_each_month(world):
    """January: A 10, B 4. February issued as A 3, B 8, then corrected to A 5, B 8 (the
    correction counts). March: A 1.50, B 0. December 2023 is another year and a draft has
    no snapshot: both ignored.
    A = 10 + 5 + 1.50 = 16.50; B = 4 + 8 + 0 = 12.00 → A 1, B 2."""
    a, b = (1, "甲单位"), (2, "乙单位")
    bulletins = [
        _bulletin(10, D(2024, 1, 1), {a: "10.00", b: "4.00"}),
        _bulletin(11, D(2024, 2, 1), {a: "3.00", b: "8.00"}),
        _bulletin(12, D(2024, 2, 1), {a: "5.00", b: "8.00"}, corrects=11, minute=5),
        _bulletin(13, D(2024, 3, 1), {a: "1.50", b: "0.00"}),
        _bulletin(14, D(2023, 12, 1), {a: "99.00", b: "0.00"}),
        Bulletin(pk=15, state=IssueState.DRAFT, period_start=D(2024, 4, 1), snapshot=None),
    ]
    annual = annual_from_bulletins(campaign=world.campaign, year=2024, bulletins=bulletins)
    assert annual["months"] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert annual["rows"] == [
        {
            "rank": 1,
            "unit_id": 1,
            "unit": "甲单位",
            "by_month": {"2024-01-01": "10.00", "2024-02-01": "5.00", "2024-03-01": "1.50"},
            "points": "16.50",
        },
        {
            "rank": 2,
            "unit_id": 2,
            "unit": "乙单位",
            "by_month": {"2024-01-01": "4.00", "2024-02-01": "8.00", "2024-03-01": "0.00"},
            "points": "12.00",
        },
    ]
    assert annual["kind"] == "annual" and annual["year"] == 2024


def test_annual_ranks_are_shared(world):
    a, b, c = (1, "甲"), (2, "乙"), (3, "丙")
    bulletins = [
        _bulletin(1, D(2024, 1, 1), {a: "2.00", b: "3.00", c: "1.00"}),
        _bulletin(2, D(2024, 2, 1), {a: "1.00", b: "0.00", c: "1.00"}),
    ]
    # A 3, B 3, C 2: A and B share rank 1 (丙 U+4E19 < 乙 U+4E59 < 甲 U+7532 by name).
    rows = annual_from_bulletins(campaign=world.campaign, year=2024, bulletins=bulletins)["rows"]
    assert [(r["rank"], r["unit"], r["points"]) for r in rows] == [
        (1, "乙", "3.00"),
        (1, "甲", "3.00"),
        (3, "丙", "2.00"),
    ]
