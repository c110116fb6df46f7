"""Ledger reads: record lists and single records (scoped like the rollup), coverage, and
how records turn into facts."""

import pytest

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, NotFound
from campaigndesk.ledger.facts import replace_facts
from campaigndesk.ledger.models import Aggregation, Fact, Indicator
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.ledger.selectors import access_record, coverage, record_list
from campaigndesk.ledger.services import RecordWriter, record_create
from campaigndesk.regions.models import RegionLevel

from .conftest import d


def labels(lg, qs) -> list[str]:
    names = {(type(r), r.pk): label for label, r in lg.records.items()}
    return [names[(type(r), r.pk)] for r in qs]


def codes(regions) -> list[str]:
    return [r.code for r in regions]


# --- record lists -----------------------------------------------------------------------


def test_record_list_is_scoped_and_newest_first(ledger):
    def listed(actor, record_kind, **filters):
        qs = record_list(
            actor=getattr(ledger, actor),
            campaign=ledger.campaign,
            record_kind=record_kind,
            filters=RollupFilter(**filters),
        )
        return labels(ledger, qs)

    # every output, flagged ones too; 02-07 holds O2 and O8 (the newer first)
    assert listed("office", "output") == ["O7", "O4", "O3", "O8", "O2", "O6", "O1", "O5"]
    assert listed("observer", "output") == listed("office", "output")
    assert listed("reporter", "output") == ["O7", "O6", "O5"]
    assert listed("other_office", "output") == []
    # 鹿城镇's office: region in T1 (E1 VA, E3, E5) or its unit (E4 on VB)
    assert listed("township_office", "event") == ["E5", "E3", "E1", "E4"]
    assert listed("office", "event", kind="event:lecture") == ["E2", "E1"]
    assert listed("office", "event", kind="event") == ["E5", "E3", "E2", "E1", "E4"]
    assert listed("office", "output", kind="event") == []
    assert listed("office", "output", kind="output:video") == ["O3", "O8", "O2"]
    assert listed("office", "output", channel="tv") == ["O4"]
    assert listed("office", "event", channel="tv") == []
    assert listed("office", "material", outlet_level=4) == []
    assert listed("office", "output", outlet_level=4) == ["O3", "O8", "O2", "O5"]
    assert listed("office", "material", region=ledger.township2) == ["M3"]
    assert listed("office", "material", region=ledger.township) == ["M4", "M2"]
    assert listed("office", "material", unit=ledger.county_unit) == ["M5", "M4", "M1"]
    assert listed("office", "material", date_from=d(2, 6), date_to=d(2, 22)) == [
        "M4",
        "M3",
        "M2",
    ]
    assert listed("office", "material", as_of=d(2, 12)) == ["M2", "M1"]
    assert listed("office", "figure", region=ledger.township2) == [
        "F8",
        "F6",
        "S6",
        "S4",
        "S3",
        "F3",
    ]
    with pytest.raises(DomainError):
        record_list(actor=ledger.office, campaign=ledger.campaign, record_kind="poem")


def test_access_record(ledger):
    e1, e3, e4 = ledger.records["E1"], ledger.records["E3"], ledger.records["E4"]
    assert access_record(actor=ledger.reporter, record_kind="event", id=e1.pk) == e1
    assert access_record(actor=ledger.township_office, record_kind="event", id=e4.pk) == e4
    assert access_record(actor=ledger.observer, record_kind="event", id=e3.pk) == e3
    for actor, record_kind, pk in [
        (ledger.reporter, "event", e3.pk),  # another unit's, even in its township
        (ledger.other_office, "event", e1.pk),
        (ledger.office, "event", 10**9),
        (ledger.office, "poem", e1.pk),
        (ledger.office, "event", "x"),
    ]:
        with pytest.raises(NotFound):
            access_record(actor=actor, record_kind=record_kind, id=pk)


# --- coverage ---------------------------------------------------------------------------

T1, T2, T3 = "532301001", "532301002", "532301003"
VA, VC, VB, VD = "532301001001", "532301001002", "532301002001", "532301002002"


def test_coverage_per_level(ledger):
    def cov(level, actor="office", **kwargs):
        result = coverage(
            actor=getattr(ledger, actor), campaign=ledger.campaign, level=level, **kwargs
        )
        return codes(result.active), codes(result.inactive)

    assert cov(RegionLevel.COUNTY) == (["532301"], [])
    assert cov(RegionLevel.TOWNSHIP) == ([T1, T2], [T3])
    # VA (O5 M2 E1), VC (M4), VB (E2 E4); VD never
    assert cov(RegionLevel.VILLAGE) == ([VA, VC, VB], [VD])
    result = coverage(actor=ledger.office, campaign=ledger.campaign, level=RegionLevel.VILLAGE)
    assert result.rate == 0.75
    # the reporter's own records: O5 M2 E1 on VA, E4 on VB; listed, the places around its
    # unit's township (T1: VA, VC) and those it was active in (VB, T2), no others
    assert cov(RegionLevel.VILLAGE, "reporter") == ([VA, VB], [VC])
    assert cov(RegionLevel.TOWNSHIP, "reporter") == ([T1, T2], [])
    # another county's office is not told of this county's villages at all
    assert cov(RegionLevel.VILLAGE, "other_office") == ([], [])
    assert cov(RegionLevel.VILLAGE, within=ledger.township2) == ([VB], [VD])
    # a region above the campaign's does not widen it (妥甸镇 is not in its scope)
    assert cov(RegionLevel.TOWNSHIP, within=ledger.prefecture) == ([T1, T2], [T3])
    assert cov(RegionLevel.TOWNSHIP, within=ledger.other_county) == ([], [])
    # lectures: E1 VA, E2 VB
    assert cov(RegionLevel.VILLAGE, filters=RollupFilter(kind="event:lecture")) == (
        [VA, VB],
        [VC, VD],
    )
    # as of 01-31: O5 (VA), E4 (VB)
    assert cov(RegionLevel.VILLAGE, filters=RollupFilter(as_of=d(1, 31))) == ([VA, VB], [VC, VD])
    with pytest.raises(DomainError):
        coverage(actor=ledger.office, campaign=ledger.campaign, level=RegionLevel.PREFECTURE)


def test_coverage_lists_what_the_covered_counts_count(ledger):
    """The township office (T1) sees E4, its own unit's lecture in 村B under T2: coverage
    lists T2 and 村B as the covered counts count them."""
    from campaigndesk.ledger.rollup import rollup

    actor = ledger.township_office
    counted = rollup(
        actor=actor,
        campaign=ledger.campaign,
        indicators=["townships_covered", "villages_covered"],
    )
    for level, code in [
        (RegionLevel.TOWNSHIP, "townships_covered"),
        (RegionLevel.VILLAGE, "villages_covered"),
    ]:
        result = coverage(actor=actor, campaign=ledger.campaign, level=level)
        assert len(result.active) == counted.value(code), (level, codes(result.active))
    within = coverage(
        actor=actor, campaign=ledger.campaign, level=RegionLevel.TOWNSHIP, within=ledger.township2
    )
    assert codes(within.active) == [T2]


# --- facts ------------------------------------------------------------------------------


def test_facts_of_each_kind(ledger):
    def facts(label, record_kind):
        record = ledger.records[label]
        return sorted(
            (f.indicator.code, f.value, f.approx_rank, f.kind)
            for f in Fact.objects.filter(record_kind=record_kind, record_id=record.pk)
        )

    assert facts("O1", "output") == [
        ("articles", 1, 0, "output:image_text"),
        ("media_outputs", 1, 0, "output:image_text"),
        ("views", 1000, 0, "output:image_text"),
    ]
    assert facts("O7", "output") == [("media_outputs", 1, 0, "output:other")]
    assert facts("M3", "material") == [
        ("material_area", 6200.5, 0, "material:slogan_site"),
        ("slogan_sites", 31, 0, "material:slogan_site"),
    ]
    assert facts("E4", "event") == [("home_visits", 5, 0, "event:home_visit")]
    assert facts("F5", "figure") == [("views_cumulative", 9000, 2, "figure:")]
    assert facts("F7", "figure") == [("leaflets", 5000, 1, "figure:")]
    fact = Fact.objects.get(
        record_kind="output", record_id=ledger.records["O5"].pk, indicator__code="views"
    )
    assert (fact.county_code, fact.township_code, fact.village_code, fact.region_depth) == (
        "532301",
        T1,
        VA,
        5,
    )
    assert (fact.channel, fact.outlet_level, fact.outlet_id) == (
        "video_account",
        4,
        ledger.video.pk,
    )
    assert fact.unit_region_path == ledger.township_unit.region_path


def test_coverage_lists_no_region_outside_the_actors_view(world):
    """A county office in a prefecture-wide campaign (it takes part) sees its county's
    coverage, not the other counties', which it would otherwise read as inactive."""
    from ..factories import CampaignFactory

    campaign = CampaignFactory(
        lead_unit=world.office_unit, units=[world.county_unit, world.other_county_office_unit]
    )
    for unit, region in [
        (world.county_unit, world.county),
        (world.other_county_office_unit, world.other_county),
    ]:
        record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind="event",
            unit=unit,
            region=region,
            date=campaign.start_date,
            kind="lecture",
            sessions=1,
            participants=10,
        )
    mine = coverage(actor=world.other_office, campaign=campaign, level=RegionLevel.COUNTY)
    assert (codes(mine.active), codes(mine.inactive)) == ([world.other_county.code], [])
    everyone = coverage(actor=world.office, campaign=campaign, level=RegionLevel.COUNTY)
    assert set(codes(everyone.active)) == {world.county.code, world.other_county.code}


def test_nothing_done_is_no_activity(ledger):
    record = record_create(
        actor=SYSTEM,
        campaign=ledger.campaign,
        record_kind="material",
        unit=ledger.township2_unit,
        region=ledger.village_d,
        date=d(4, 1),
        kind="banner",
        quantity=0,
    ).record
    assert not Fact.objects.filter(record_kind="material", record_id=record.pk).exists()
    result = coverage(actor=ledger.office, campaign=ledger.campaign, level=RegionLevel.VILLAGE)
    assert VD not in codes(result.active)


def test_figure_of_an_indicator_added_meanwhile(ledger):
    writer = RecordWriter(actor=SYSTEM, campaign=ledger.campaign)
    writer.indicators["meetings"]  # the writer's cache is filled now
    extra = Indicator.objects.create(
        code="river_patrols", name="巡河宣传", category="events", aggregation=Aggregation.SUM
    )
    record = writer.prepare(
        "figure",
        {
            "unit": ledger.township_unit,
            "region": ledger.township,
            "date": d(4, 1),
            "indicator": extra,
            "value": 6,
        },
    )
    writer.save_new("figure", [record])
    assert (
        rollup(actor=ledger.office, campaign=ledger.campaign, indicators=["river_patrols"]).value(
            "river_patrols"
        )
        == 6
    )
    # rewriting the facts of many records at once gives the same facts
    before = sorted(Fact.objects.values_list("record_kind", "record_id", "indicator_id", "value"))
    for record_kind, prefix in [("output", "O"), ("material", "M"), ("event", "E")]:
        replace_facts(record_kind, [r for k, r in ledger.records.items() if k[0] == prefix])
    after = sorted(Fact.objects.values_list("record_kind", "record_id", "indicator_id", "value"))
    assert after == before
