"""The one rollup path against hand computations on the ``ledger`` fixture (see its table).

Every expected number is written out literally with its derivation; none is obtained by
running the same query another way.
"""

import datetime
from decimal import Decimal

import pytest

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError
from campaigndesk.ledger.models import Aggregation, Indicator
from campaigndesk.ledger.rollup import Rollup, RollupFilter, rollup
from campaigndesk.ledger.services import record_create
from campaigndesk.regions.models import RegionLevel

from ..factories import CampaignFactory, make_region
from .conftest import d, indicator

C, T1, T2 = "532301", "532301001", "532301002"
VA, VB, VC = "532301001001", "532301002001", "532301001002"
EXACT, MORE, ABOUT = "", "more", "about"


def run(lg, actor="office", *codes, group_by=(), series=None, **filters) -> Rollup:
    """The rollup of ``codes`` (one None: every active indicator)."""
    user = getattr(lg, actor) if isinstance(actor, str) else actor
    return rollup(
        actor=user,
        campaign=lg.campaign,
        filters=RollupFilter(**filters),
        group_by=group_by,
        series=series,
        indicators=None if codes == (None,) else codes,
    )


def total(result: Rollup, code: str):
    row = result.total(code)
    return None if row is None else (row.value, row.approx)


def groups(result: Rollup, code: str) -> dict:
    """{group value (or tuple of values): (value, approx)} of the grouped rows."""
    table = {}
    for row in result.rows:
        if row.indicator.code != code or not row.group:
            continue
        values = tuple(row.group.values())
        key = values[0] if len(values) == 1 else values
        assert key not in table, f"two rows for {key}"
        table[key] = (row.value, row.approx)
    return table


# --- sums -----------------------------------------------------------------------------


def test_sum_totals(ledger):
    result = run(
        ledger,
        "office",
        "media_outputs",
        "articles",
        "short_videos",
        "views",
        "banners",
        "material_area",
        "lectures",
        "event_participants",
        "leaflets",
        "respondents",
        "aware_respondents",
    )
    # O1 O2 O3 O4 O5 O7 (O6, O8 are flagged duplicates and do not count)
    assert total(result, "media_outputs") == (6, EXACT)
    assert total(result, "articles") == (1, EXACT)  # O1 (O6 is a duplicate)
    assert total(result, "short_videos") == (2, EXACT)  # O2 O3 (O8 is a duplicate)
    assert total(result, "views") == (3800, EXACT)  # 1000 + 500 + 2000 + 300
    assert total(result, "banners") == (1820, EXACT)  # 1800 + 20
    assert total(result, "material_area") == (Decimal("6200.50"), EXACT)  # M3
    assert total(result, "lectures") == (15, EXACT)  # 12 + 3 (X1 is another campaign)
    # 860 + 150 + 400 + 80 (events) + 1000 about (F6) -> about
    assert total(result, "event_participants") == (2490, ABOUT)
    # 176128 + 5000 at-least + 2000 under -> about
    assert total(result, "leaflets") == (183128, ABOUT)
    assert result.total("leaflets").parts == 3
    assert total(result, "respondents") == (300, EXACT)  # 200 + 100
    assert total(result, "aware_respondents") == (240, MORE)  # 150 more + 90
    assert result.value("respondents") == 300
    assert result.value("h5_posters") == 0  # nothing fed it
    assert result.total("h5_posters") is None


def test_approximation_carries_through_sums(ledger):
    # as of 03-03: M4 176128 + F7 5000 at-least (F8 is 03-04) -> more
    assert total(run(ledger, "office", "leaflets", as_of=d(3, 3)), "leaflets") == (181128, MORE)
    # only M4 (county unit): exact
    result = run(ledger, "office", "leaflets", unit=ledger.county_unit)
    assert total(result, "leaflets") == (176128, EXACT)
    # T2 only: F8 2000 under -> about
    assert total(run(ledger, "office", "leaflets", region=ledger.township2), "leaflets") == (
        2000,
        ABOUT,
    )
    # at-least alone reads as "more": F7 (township unit)
    result = run(ledger, "office", "leaflets", unit=ledger.township_unit)
    assert total(result, "leaflets") == (5000, MORE)


# --- every dimension ------------------------------------------------------------------


def test_group_by_township_and_village(ledger):
    result = run(ledger, "office", "media_outputs", group_by=["township"])
    # "": O1 O3 (on the county) | T1: O2 O5(VA) O7 | T2: O4
    assert groups(result, "media_outputs") == {"": (2, EXACT), T1: (3, EXACT), T2: (1, EXACT)}
    assert total(result, "media_outputs") == (6, EXACT)

    result = run(ledger, "office", "event_participants", group_by=["village"])
    # "": E3 400 (T1) + E5 80 (T1) + F6 1000 about (T2) = 1480 about
    # VA: E1 860 | VB: E2 150 (E4 had no participants, so no fact)
    assert groups(result, "event_participants") == {
        "": (1480, ABOUT),
        VA: (860, EXACT),
        VB: (150, EXACT),
    }


def test_group_by_county(ledger):
    # A prefecture-wide campaign with records in both counties and on the prefecture.
    w = ledger.world
    campaign = CampaignFactory(name="全州宣讲", lead_unit=w.office_unit)
    for unit, region, sessions in [
        (w.county_unit, w.county, 2),
        (w.township_unit, w.village, 5),
        (w.other_township_unit, w.other_township, 3),
        (w.office_unit, w.prefecture, 4),
    ]:
        record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind="event",
            unit=unit,
            region=region,
            date=d(5, 1),
            kind="lecture",
            sessions=sessions,
            participants=10,
        )
    result = rollup(
        actor=w.office,
        campaign=campaign,
        group_by=["county"],
        indicators=["lectures", "counties_covered"],
    )
    # 532301: 2 + 5 | 532322: 3 | "" (the prefecture itself): 4
    assert groups(result, "lectures") == {
        C: (7, EXACT),
        "532322": (3, EXACT),
        "": (4, EXACT),
    }
    assert total(result, "lectures") == (14, EXACT)
    assert total(result, "counties_covered") == (2, EXACT)
    assert groups(result, "counties_covered") == {C: (1, EXACT), "532322": (1, EXACT)}
    # the 双柏 office sees only its county (the other_township record)
    result = rollup(actor=w.other_office, campaign=campaign, indicators=["lectures"])
    assert total(result, "lectures") == (3, EXACT)


def test_group_by_unit(ledger):
    result = run(ledger, "office", "media_outputs", "banners", group_by=["unit"])
    cu, tu, t2u = ledger.county_unit.pk, ledger.township_unit.pk, ledger.township2_unit.pk
    # CU: O1 O2 O3 | TU: O5 O7 | T2U: O4
    assert groups(result, "media_outputs") == {cu: (3, EXACT), tu: (2, EXACT), t2u: (1, EXACT)}
    # CU: M1 1800 | TU: M2 20
    assert groups(result, "banners") == {cu: (1800, EXACT), tu: (20, EXACT)}


def test_group_by_outlet_channel_and_level(ledger):
    result = run(ledger, "office", "media_outputs", group_by=["outlet"])
    # daily: O1 O7 | video: O2 O3 O5 | tv: O4
    assert groups(result, "media_outputs") == {
        ledger.daily.pk: (2, EXACT),
        ledger.video.pk: (3, EXACT),
        ledger.tv.pk: (1, EXACT),
    }
    result = run(ledger, "office", "views", "event_participants", group_by=["channel"])
    # newspaper: O1 1000 | video_account: O2 500 + O5 300 | tv: O4 2000
    assert groups(result, "views") == {
        "newspaper": (1000, EXACT),
        "video_account": (800, EXACT),
        "tv": (2000, EXACT),
    }
    # events and figures have no channel
    assert groups(result, "event_participants") == {"": (2490, ABOUT)}
    result = run(ledger, "office", "media_outputs", group_by=["outlet_level"])
    # municipal (3): O1 O7 | county (4): O2 O3 O5 | provincial (2): O4
    assert groups(result, "media_outputs") == {3: (2, EXACT), 4: (3, EXACT), 2: (1, EXACT)}


def test_group_by_kind_and_record_kind(ledger):
    result = run(ledger, "office", "event_participants", "lectures", group_by=["kind"])
    # lecture: E1 860 + E2 150 | performance: E3 400 | film: E5 80 | figure: F6 1000 about
    assert groups(result, "event_participants") == {
        "event:lecture": (1010, EXACT),
        "event:performance": (400, EXACT),
        "event:film": (80, EXACT),
        "figure:": (1000, ABOUT),
    }
    assert groups(result, "lectures") == {"event:lecture": (15, EXACT)}
    result = run(ledger, "office", "leaflets", group_by=["record_kind"])
    # material: M4 176128 | figure: F7 5000 at-least + F8 2000 under -> about
    assert groups(result, "leaflets") == {"material": (176128, EXACT), "figure": (7000, ABOUT)}


def test_series_by_day_week_month(ledger):
    result = run(ledger, "office", "event_participants", series="day")
    # 02-07 E1 860 | 02-18 E2 150 | 02-22 E3 400 | 03-04 E5 80 + F6 1000 about
    assert groups(result, "event_participants") == {
        d(2, 7): (860, EXACT),
        d(2, 18): (150, EXACT),
        d(2, 22): (400, EXACT),
        d(3, 4): (1080, ABOUT),
    }
    assert total(result, "event_participants") == (2490, ABOUT)

    result = run(ledger, "office", "media_outputs", "lectures", "views", series="week")
    # Weeks start on Monday: O5 01-31 (Wed) -> 01-29 | O1 02-05, O2 02-07 -> 02-05
    # O3 02-12 -> 02-12 | O4 02-22 (Thu) -> 02-19 | O7 03-04 (Mon) -> 03-04
    assert groups(result, "media_outputs") == {
        d(1, 29): (1, EXACT),
        d(2, 5): (2, EXACT),
        d(2, 12): (1, EXACT),
        d(2, 19): (1, EXACT),
        d(3, 4): (1, EXACT),
    }
    # E1 02-07 -> 02-05 | E2 02-18 is a Sunday -> still the week of 02-12
    assert groups(result, "lectures") == {d(2, 5): (12, EXACT), d(2, 12): (3, EXACT)}
    # O5 300 | O1 1000 + O2 500 | O4 2000 (the week of 01-29 spans two months)
    assert groups(result, "views") == {
        d(1, 29): (300, EXACT),
        d(2, 5): (1500, EXACT),
        d(2, 19): (2000, EXACT),
    }
    for row in result.rows:
        if row.group:
            period = row.group["period"]
            assert type(period) is datetime.date
            assert period.weekday() == 0

    result = run(ledger, "office", "media_outputs", series="month")
    # Jan: O5 | Feb: O1 O2 O3 O4 | Mar: O7
    assert groups(result, "media_outputs") == {
        d(1, 1): (1, EXACT),
        d(2, 1): (4, EXACT),
        d(3, 1): (1, EXACT),
    }


def test_group_by_township_and_period(ledger):
    result = run(ledger, "office", "media_outputs", group_by=["township", "period"], series="month")
    # ("", Feb): O1 O3 | (T1, Jan): O5 | (T1, Feb): O2 | (T1, Mar): O7 | (T2, Feb): O4
    assert groups(result, "media_outputs") == {
        ("", d(2, 1)): (2, EXACT),
        (T1, d(1, 1)): (1, EXACT),
        (T1, d(2, 1)): (1, EXACT),
        (T1, d(3, 1)): (1, EXACT),
        (T2, d(2, 1)): (1, EXACT),
    }
    assert list(result.rows[0].group) == []  # the total comes first
    untotalled = rollup(
        actor=ledger.office,
        campaign=ledger.campaign,
        group_by=["township"],
        indicators=["media_outputs"],
        include_total=False,
    )
    assert untotalled.total("media_outputs") is None
    assert len(untotalled.rows) == 3


@pytest.mark.parametrize(
    ("group_by", "series"),
    [
        (("township",), None),  # codes (text), a blank code among them
        (("unit",), None),  # ids: in the order of their text ("10" before "9")
        (("outlet",), None),  # ids and None (facts of no outlet): None last
        (("township", "period"), "week"),  # text and dates
        (("period",), "month"),
        (("kind", "outlet_level"), None),
    ],
)
def test_each_indicators_groups_come_in_the_order_of_their_text(ledger, group_by, series):
    result = rollup(actor=SYSTEM, campaign=ledger.campaign, group_by=group_by, series=series)
    assert any(row.group for row in result.rows)
    names = list(group_by) if "period" in group_by or series is None else [*group_by, "period"]
    for code, rows in result.by_indicator().items():
        keys = [tuple(row.group[name] for name in names) for row in rows if row.group]
        expected = sorted(keys, key=lambda key: tuple((v is None, str(v)) for v in key))
        assert keys == expected, code
        assert len(set(keys)) == len(keys), code
        assert not rows[0].group, code  # the total first


def test_unknown_dimension_series_or_indicator(ledger):
    with pytest.raises(DomainError):
        run(ledger, "office", "media_outputs", group_by=["colour"])
    with pytest.raises(DomainError):
        run(ledger, "office", "media_outputs", series="year")
    with pytest.raises(DomainError):
        run(ledger, "office", "media_outputs", group_by=["period"])
    with pytest.raises(DomainError):
        run(ledger, "office", "no_such_indicator")


def test_a_changed_vocabulary_is_read_again(ledger):
    # The vocabulary read by one rollup builds the next one's statements; a change made
    # meanwhile (here behind the ORM's back, as another process would) is seen at once.
    assert total(run(ledger, "office", None), "media_outputs") == (6, EXACT)
    Indicator.objects.filter(code="media_outputs").update(is_active=False)
    assert total(run(ledger, "office", None), "media_outputs") is None
    assert total(run(ledger, "office", None), "articles") == (1, EXACT)


def test_an_indicator_added_meanwhile_can_be_asked_for(ledger):
    run(ledger, "office", "lectures")
    added = indicator("lectures")
    added.pk, added.code = None, "lectures_again"
    added.save()
    assert total(run(ledger, "office", "lectures_again"), "lectures_again") is None


# --- every filter ---------------------------------------------------------------------


def test_filters(ledger):
    def outputs(**filters):
        return total(run(ledger, "office", "media_outputs", **filters), "media_outputs")

    assert outputs(region=ledger.county) == (6, EXACT)
    assert outputs(region=ledger.township) == (3, EXACT)  # O2 O5(VA) O7
    assert outputs(region=ledger.village) == (1, EXACT)  # O5
    assert outputs(region=ledger.township3) is None
    assert outputs(unit=ledger.township_unit) == (2, EXACT)  # O5 O7
    assert outputs(channel="video_account") == (3, EXACT)  # O2 O3 O5
    assert outputs(outlet_level=3) == (2, EXACT)  # O1 O7
    assert outputs(kind="output:video") == (2, EXACT)  # O2 O3
    assert outputs(kind="event") is None
    assert outputs(date_from=d(2, 7), date_to=d(2, 18)) == (2, EXACT)  # O2 02-07, O3 02-12
    assert outputs(as_of=d(2, 12)) == (4, EXACT)  # O5 O1 O2 O3
    assert outputs(date_from=d(2, 6), as_of=d(2, 12)) == (2, EXACT)  # O2 O3
    assert outputs(channel="video_account", region=ledger.township) == (2, EXACT)  # O2 O5

    def participants(**filters):
        return total(run(ledger, "office", "event_participants", **filters), "event_participants")

    assert participants(kind="event") == (1490, EXACT)  # 860 + 150 + 400 + 80, not F6
    assert participants(kind="event:lecture") == (1010, EXACT)  # 860 + 150
    assert participants(kind="figure") == (1000, ABOUT)  # F6
    assert participants(date_from=d(2, 7), date_to=d(2, 18)) == (1010, EXACT)  # E1 E2
    assert participants(channel="tv") is None

    # as of 02-12: M1 1800 (02-05) + M2 20 (02-12)
    result = run(ledger, "office", "banners", as_of=d(2, 12))
    assert total(result, "banners") == (1820, EXACT)
    assert total(run(ledger, "office", "banners", as_of=d(2, 11)), "banners") == (1800, EXACT)


# --- latest snapshots -----------------------------------------------------------------


def test_latest_snapshot_and_tie_rules(ledger):
    code = "views_cumulative"
    result = run(ledger, "office", code)
    # latest date 02-20 holds F2 (T1), F3 (T2), F4 (county), F5 (T1): the widest region
    # wins, F4 11000 exact; never added (10000 + 12000 + ... would be 57000)
    assert total(result, code) == (11000, EXACT)
    assert result.total(code).parts == 5
    # as of 02-19: only F1 10000 more
    assert total(run(ledger, "office", code, as_of=d(2, 19)), code) == (10000, MORE)
    # T1: F2 and F5, same date and depth: the newest record F5 9000 under -> about
    assert total(run(ledger, "office", code, region=ledger.township), code) == (9000, ABOUT)
    assert total(run(ledger, "office", code, region=ledger.township2), code) == (15000, ABOUT)
    # county unit on T1: F2 only
    result = run(ledger, "office", code, region=ledger.township, unit=ledger.county_unit)
    assert total(result, code) == (12000, EXACT)

    result = run(ledger, "office", code, group_by=["township"])
    # "": F1, F4 -> F4 | T1: F2, F5 -> F5 (newest) | T2: F3
    assert groups(result, code) == {"": (11000, EXACT), T1: (9000, ABOUT), T2: (15000, ABOUT)}
    result = run(ledger, "office", code, group_by=["unit"])
    # CU: F1 F2 F4 -> 02-20, F4 on the county is wider than F2 | TU: F5 | T2U: F3
    assert groups(result, code) == {
        ledger.county_unit.pk: (11000, EXACT),
        ledger.township_unit.pk: (9000, ABOUT),
        ledger.township2_unit.pk: (15000, ABOUT),
    }
    result = run(ledger, "office", code, series="week")
    # week 02-05: F1 (02-10, Sat) | week 02-19: F4
    assert groups(result, code) == {d(2, 5): (10000, MORE), d(2, 19): (11000, EXACT)}


# --- distinct counts ------------------------------------------------------------------


def test_distinct_counts(ledger):
    codes = ("counties_covered", "townships_covered", "villages_covered", "units_active")
    result = run(ledger, "office", *codes)
    assert total(result, "counties_covered") == (1, EXACT)  # all in 532301
    assert total(result, "townships_covered") == (2, EXACT)  # T1, T2 (T3 never active)
    # VA (O5 M2 E1), VC (M4), VB (E2 E4); VD never active
    assert total(result, "villages_covered") == (3, EXACT)
    assert total(result, "units_active") == (3, EXACT)  # CU TU T2U

    result = run(ledger, "office", *codes, group_by=["township"])
    # T1: VA VC | T2: VB | "" has no village
    assert groups(result, "villages_covered") == {T1: (2, EXACT), T2: (1, EXACT)}
    # "": O1 O3 M1 M5 F1 F4, all CU | T1: CU (O2...), TU (O5...), T2U (E5) | T2: T2U, TU (E4)
    assert groups(result, "units_active") == {"": (1, EXACT), T1: (3, EXACT), T2: (2, EXACT)}
    assert groups(result, "townships_covered") == {T1: (1, EXACT), T2: (1, EXACT)}

    result = run(ledger, "office", *codes, kind="event")
    assert total(result, "villages_covered") == (2, EXACT)  # E1 VA, E2 VB, E4 VB
    assert total(result, "townships_covered") == (2, EXACT)  # T1 (E1 E3 E5), T2 (E2 E4)
    assert total(result, "units_active") == (3, EXACT)  # TU T2U CU
    result = run(ledger, "office", *codes, kind="event:lecture")
    assert total(result, "villages_covered") == (2, EXACT)  # VA VB
    assert total(result, "units_active") == (2, EXACT)  # TU T2U

    result = run(ledger, "office", "villages_covered", series="month")
    # Jan: VA (O5), VB (E4) | Feb: VA (M2 E1), VC (M4), VB (E2) | Mar: no village facts
    assert groups(result, "villages_covered") == {d(1, 1): (2, EXACT), d(2, 1): (3, EXACT)}


# --- ratios ---------------------------------------------------------------------------


def test_ratios(ledger):
    codes = ("awareness_rate", "satisfaction_rate", "participation_rate")
    result = run(ledger, "office", *codes)
    # (150 more + 90) / (200 + 100) = 80 %, carrying "more"
    assert total(result, "awareness_rate") == (Decimal("80.00"), MORE)
    # 67 about / 300 = 22.333... -> 22.33 about
    assert total(result, "satisfaction_rate") == (Decimal("22.33"), ABOUT)
    # nobody reported participating respondents: no figure at all (not 0 %)
    assert result.total("participation_rate") is None
    # only the ratios come back, not the sums behind them
    assert {row.indicator.code for row in result.rows} == {"awareness_rate", "satisfaction_rate"}

    result = run(ledger, "office", *codes, "respondents", group_by=["township"])
    # T1: 150 more / 200 = 75 % more | T2: 90 / 100 = 90 %
    assert groups(result, "awareness_rate") == {
        T1: (Decimal("75.00"), MORE),
        T2: (Decimal("90.00"), EXACT),
    }
    # T2: 67 about / 100; T1 has respondents but no satisfied figure: no row
    assert groups(result, "satisfaction_rate") == {T2: (Decimal("67.00"), ABOUT)}
    assert groups(result, "respondents") == {T1: (200, EXACT), T2: (100, EXACT)}
    assert total(result, "awareness_rate") == (Decimal("80.00"), MORE)
    assert "aware_respondents" not in {row.indicator.code for row in result.rows}

    result = run(ledger, "office", "awareness_rate", group_by=["unit"])
    assert groups(result, "awareness_rate") == {
        ledger.township_unit.pk: (Decimal("75.00"), MORE),
        ledger.township2_unit.pk: (Decimal("90.00"), EXACT),
    }
    result = run(ledger, "office", "awareness_rate", series="month")
    assert groups(result, "awareness_rate") == {d(2, 1): (Decimal("80.00"), MORE)}


def test_ratio_parts_aggregate_their_own_way(ledger):
    # An office's own rate over a cumulative snapshot: the snapshot is never added up.
    Indicator.objects.create(
        code="views_per_respondent",
        name="人均点击",
        category="effect",
        aggregation=Aggregation.RATIO,
        numerator=indicator("views_cumulative"),
        denominator=indicator("respondents"),
    )
    result = run(ledger, "office", "views_per_respondent", group_by=["township"])
    # latest F4 11000 exact / (200 + 100) = 36.6666... -> 3666.67 % (summing the
    # snapshots would give 57000 / 300)
    assert total(result, "views_per_respondent") == (Decimal("3666.67"), EXACT)
    # T1: F5 9000 under / 200 -> 4500 % about | T2: F3 15000 about / 100 | "": no respondents
    assert groups(result, "views_per_respondent") == {
        T1: (Decimal("4500.00"), ABOUT),
        T2: (Decimal("15000.00"), ABOUT),
    }


def test_ratio_rounds_half_up_from_unrounded_parts(ledger):
    w = ledger.world
    campaign = CampaignFactory(name="问卷", lead_unit=w.county_unit)
    for code, value in [("respondents", "800"), ("aware_respondents", "1")]:
        record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind="figure",
            unit=w.county_unit,
            region=w.county,
            date=d(6, 1),
            indicator=indicator(code),
            value=Decimal(value),
        )
    result = rollup(actor=w.office, campaign=campaign, indicators=["awareness_rate"])
    # 1 / 800 = 0.125 % -> 0.13 (half up, as a spreadsheet rounds), not 0.12
    assert total(result, "awareness_rate") == (Decimal("0.13"), EXACT)


# --- scoping --------------------------------------------------------------------------


def test_reporter_sees_only_its_units_facts(ledger):
    codes = (
        "media_outputs",
        "views",
        "event_participants",
        "home_visits",
        "leaflets",
        "views_cumulative",
        "awareness_rate",
        "units_active",
        "villages_covered",
    )
    result = run(ledger, "reporter", *codes)
    # the township unit's records: O5 O7 M2 E1 E4 F5 S1 S2 F7
    assert total(result, "media_outputs") == (2, EXACT)  # O5 O7
    assert total(result, "views") == (300, EXACT)  # O5
    assert total(result, "event_participants") == (860, EXACT)  # E1
    assert total(result, "home_visits") == (5, EXACT)  # E4 (filed for VB, in T2)
    assert total(result, "leaflets") == (5000, MORE)  # F7
    assert total(result, "views_cumulative") == (9000, ABOUT)  # F5
    assert total(result, "awareness_rate") == (Decimal("75.00"), MORE)  # 150 / 200
    assert total(result, "units_active") == (1, EXACT)
    assert total(result, "villages_covered") == (2, EXACT)  # VA (O5 M2 E1), VB (E4)
    other = run(ledger, "other_reporter", *codes)
    assert other.rows == []


def test_office_sees_its_subtree_by_region_or_unit_region(ledger):
    codes = (
        "media_outputs",
        "event_participants",
        "home_visits",
        "film_screenings",
        "banners",
        "leaflets",
        "views_cumulative",
        "units_active",
    )
    result = run(ledger, "township_office", *codes)
    # region in T1: O2 O5 O7 M2 M4 E1 E3 E5 F2 F5 S1 S2 F7; unit region in T1: + E4
    assert total(result, "media_outputs") == (3, EXACT)  # O2 O5 O7
    assert total(result, "event_participants") == (1340, EXACT)  # E1 860 + E3 400 + E5 80
    assert total(result, "home_visits") == (5, EXACT)  # E4: region VB, unit in T1
    assert total(result, "film_screenings") == (1, EXACT)  # E5: unit in T2, region T1
    assert total(result, "banners") == (20, EXACT)  # M2 (M1 is on the county)
    assert total(result, "leaflets") == (181128, MORE)  # M4 176128 + F7 5000 at-least
    assert total(result, "views_cumulative") == (9000, ABOUT)  # F2, F5 -> F5 newest
    assert total(result, "units_active") == (3, EXACT)  # CU (O2...), TU, T2U (E5)


def test_region_filter_beyond_the_actors_subtree_keeps_the_scope(ledger):
    # The township office asks about the whole county: still only what it may see (the
    # visibility test is left out only for a region inside the actor's own subtree).
    result = run(ledger, "township_office", "media_outputs", "home_visits", region=ledger.county)
    assert total(result, "media_outputs") == (3, EXACT)  # O2 O5 O7, as without the filter
    assert total(result, "home_visits") == (5, EXACT)  # E4: region VB, unit in T1
    result = run(ledger, "township_office", "media_outputs", region=ledger.township)
    assert total(result, "media_outputs") == (3, EXACT)  # its own subtree: O2 O5 O7
    assert run(ledger, "other_office", "media_outputs", region=ledger.township).rows == []


def test_observer_reads_everything_other_office_nothing(ledger):
    for actor in ("observer", "office", "admin"):
        result = run(ledger, actor, "media_outputs", "event_participants", "lectures")
        assert total(result, "media_outputs") == (6, EXACT)
        assert total(result, "event_participants") == (2490, ABOUT)
        assert total(result, "lectures") == (15, EXACT)
    assert run(ledger, "other_office", "media_outputs", "lectures").rows == []
    mine = rollup(
        actor=ledger.other_office,
        campaign=ledger.other_campaign,
        indicators=["lectures", "event_participants"],
    )
    assert total(mine, "lectures") == (7, EXACT)  # X1
    assert total(mine, "event_participants") == (70, EXACT)


# --- query counts ---------------------------------------------------------------------


def _add_lectures(lg, n: int) -> None:
    for i in range(n):
        record_create(
            actor=SYSTEM,
            campaign=lg.campaign,
            record_kind="event",
            unit=lg.township_unit,
            region=lg.village_c,
            date=d(4, 1 + i % 28),
            kind="lecture",
            sessions=1,
            participants=10,
        )


def _every_kind(lg, actor):
    return rollup(
        actor=actor,
        campaign=lg.campaign,
        group_by=["township", "kind"],
        series="week",
        indicators=[
            "lectures",
            "media_outputs",
            "views_cumulative",
            "villages_covered",
            "units_active",
            "awareness_rate",
        ],
    )


@pytest.mark.parametrize("actor", ["office", "reporter"])
def test_rollup_queries_are_bounded(ledger, actor, django_assert_max_num_queries):
    user = type(ledger.office).objects.get(username=actor)  # fresh: nothing cached
    # indicators 1, the actor's role grants 1 and unit 1; then one query each for sums
    # and latest snapshots (the totals are folded from the groups), and two for the
    # distinct counts (the indicator ids, then grouped and total in one): 3 + 4
    with django_assert_max_num_queries(7):
        small = _every_kind(ledger, user)
    _add_lectures(ledger, 30)
    user = type(ledger.office).objects.get(username=actor)
    with django_assert_max_num_queries(7):
        large = _every_kind(ledger, user)
    # 15 + 30 lectures for the office; the reporter had 12 and filed all 30 new ones
    expected = {"office": 45, "reporter": 42}[actor]
    assert small.value("lectures") + 30 == large.value("lectures") == expected


def test_region_dimension_codes_on_a_deeper_region(ledger):
    # A village made after the fixture still gets its township and county codes.
    village = make_region("532301002003", "村E", RegionLevel.VILLAGE, ledger.township2)
    record_create(
        actor=SYSTEM,
        campaign=ledger.campaign,
        record_kind="event",
        unit=ledger.township2_unit,
        region=village,
        date=d(4, 2),
        kind="lecture",
        sessions=4,
        participants=40,
    )
    result = run(ledger, "office", "lectures", group_by=["county", "township", "village"])
    # E1 12 (VA, T1) | E2 3 (VB, T2) | new 4 (T2, 532301002003)
    assert groups(result, "lectures") == {
        (C, T1, VA): (12, EXACT),
        (C, T2, VB): (3, EXACT),
        (C, T2, "532301002003"): (4, EXACT),
    }
