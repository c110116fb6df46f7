"""The rollup's summary (ledger/summary.py): its buckets, that every write keeps it equal to
a rebuild from the facts, and that the rollup gives the same answer from it as from the
facts alone, for every question it answers, over random records in two counties."""

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger import summary
from campaigndesk.ledger.io.imports import import_batch_undo, ledger_import
from campaigndesk.ledger.models import (
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    Indicator,
)
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.ledger.services import record_create, record_delete, record_update
from campaigndesk.regions.models import RegionLevel, UnitKind

from ..concurrency import overlap
from ..factories import CampaignFactory, OutletFactory, UnitFactory, make_region

D = datetime.date


@pytest.mark.parametrize(
    "day, start, end",
    [
        (D(2024, 3, 1), D(2024, 3, 1), D(2024, 3, 3)),  # Friday; its week began in February
        (D(2024, 2, 28), D(2024, 2, 26), D(2024, 2, 29)),  # leap February ends on Thursday
        (D(2024, 3, 4), D(2024, 3, 4), D(2024, 3, 10)),  # a Monday: a whole week
        (D(2024, 3, 10), D(2024, 3, 4), D(2024, 3, 10)),  # its Sunday
        (D(2024, 12, 31), D(2024, 12, 30), D(2024, 12, 31)),  # the year ends on Tuesday
        (D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 5)),
    ],
)
def test_buckets(day, start, end):
    assert summary.bucket_of(day) == start
    assert summary.bucket_end(start) == end


def test_cut_path():
    assert summary.cut_path("53/5323/532301/532301001/", "532301") == "53/5323/532301/"
    assert summary.cut_path("53/5323/532301/", "532301") == "53/5323/532301/"
    assert summary.cut_path("53/5323/", "") == "53/5323/"
    # A township directly under a prefecture (no county): its villages go under it.
    assert summary.cut_path("44/4419/441900003/441900003001/", "", "441900003") == (
        "44/4419/441900003/"
    )


def test_adjacent_buckets_join_one_area():
    cells = [(1, "53/5323/532301/5323011/", "532301", "5323011", D(2024, 2, 28)),
             (1, "53/5323/532301/", "532301", "", D(2024, 3, 1)),
             (1, "53/5323/532301/", "532301", "", D(2024, 3, 20)),
             (1, "53/5323/", "", "", D(2024, 3, 20))]  # fmt: skip
    assert sorted(summary.areas_of(cells)) == [
        (1, "53/5323/", D(2024, 3, 18), D(2024, 3, 18)),
        (1, "53/5323/532301/", D(2024, 2, 26), D(2024, 3, 1)),
        (1, "53/5323/532301/", D(2024, 3, 18), D(2024, 3, 18)),
    ]


class Prefecture:
    """A campaign over 楚雄州 with two counties, their townships and villages, five units,
    three outlets, and ``n`` random records of every kind (a fixed seed)."""

    def __init__(self, world, n: int = 160, seed: int = 7):
        self.world = world
        w = world
        t2 = make_region("532301002", "东瓜镇", RegionLevel.TOWNSHIP, w.county)
        v2 = make_region("532301002001", "村B", RegionLevel.VILLAGE, t2)
        ov = make_region("532322100001", "村E", RegionLevel.VILLAGE, w.other_township)
        # A township directly under the prefecture (no county), with a village.
        lone = make_region("532399001", "无县镇", RegionLevel.TOWNSHIP, w.prefecture)
        lone_village = make_region("532399001001", "无县村", RegionLevel.VILLAGE, lone)
        self.regions = [w.prefecture, w.county, w.township, w.village, t2, v2,
                        w.other_county, w.other_township, ov, lone, lone_village]  # fmt: skip
        office = UnitFactory(name="州宣传部测试", kind=UnitKind.OFFICE, region=w.prefecture)
        t2_unit = UnitFactory(name="东瓜镇测试", kind=UnitKind.TOWNSHIP_COMMITTEE, region=t2)
        self.units = [office, w.county_unit, w.township_unit, t2_unit,
                      w.other_county_office_unit, w.other_township_unit]  # fmt: skip
        self.campaign = CampaignFactory(lead_unit=office, units=self.units[1:])
        self.outlets = [OutletFactory(channel="newspaper", level=3),
                        OutletFactory(channel="video", level=4),
                        OutletFactory(channel="tv", level=2)]  # fmt: skip
        self.rng = random.Random(seed)
        self.records = []
        for number in range(n):
            self.add(number)

    def _place(self):
        region = self.rng.choice(self.regions)
        # A unit whose own region is on the region's path files for it (the prefecture's
        # office may file anywhere).
        units = [u for u in self.units if region.path.startswith(u.region.path)]
        return self.rng.choice(units), region

    def day(self):
        # Month ends and week ends are where buckets split: make them frequent.
        if self.rng.random() < 0.3:
            return self.rng.choice([D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 29), D(2024, 3, 1),
                                    D(2024, 3, 31), D(2024, 4, 1), D(2024, 4, 30)])  # fmt: skip
        return D(2024, 1, 1) + datetime.timedelta(days=self.rng.randrange(130))

    def add(self, number: int):
        rng = self.rng
        unit, region = self._place()
        kind = rng.choice(["output", "material", "event", "figure", "figure"])
        values = {"unit": unit, "region": region, "date": self.day()}
        if kind == "output":
            values |= {"outlet": rng.choice(self.outlets), "title": f"作品{number}",
                       "kind": rng.choice(["news", "video", "image_text", "other"]),
                       "views": rng.choice([None, rng.randrange(1, 5000)])}  # fmt: skip
        elif kind == "material":
            values |= {"kind": rng.choice(["banner", "leaflet", "slogan_site"]),
                       "quantity": Decimal(rng.randrange(1, 300))}  # fmt: skip
            if rng.random() < 0.3:
                values["area_m2"] = Decimal(rng.randrange(1, 9000)) / 4
        elif kind == "event":
            sessions = rng.randrange(0, 5)
            values |= {"kind": rng.choice(["lecture", "film", "home_visit"]), "sessions": sessions,
                       "participants": rng.randrange(0, 400) if sessions else 0}  # fmt: skip
        else:
            code = rng.choice(["views_cumulative", "materials_cumulative", "respondents",
                               "aware_respondents", "leaflets"])  # fmt: skip
            approx = rng.choice(["", "", "more", "about", "under", "at_least"])
            values |= {"indicator": Indicator.objects.get(code=code),
                       "value": Decimal(rng.randrange(0, 20000)), "approx": approx}  # fmt: skip
        record = record_create(
            actor=SYSTEM, campaign=self.campaign, record_kind=kind, **values
        ).record
        self.records.append((kind, record))
        return kind, record


def _stored() -> tuple[list, ...]:
    cells = sorted(
        FactSummary.objects.values_list(
            "campaign_id", "indicator_id", "region_path", "county_code", "bucket", "total",
            "approx_rank", "parts", "latest_date", "latest_depth", "latest_record",
        )
    )  # fmt: skip
    present = sorted(
        FactPresence.objects.values_list(
            "campaign_id", "region_path", "county_code", "bucket", "member_kind", "member"
        )
    )
    first = sorted(
        FactFirstSeen.objects.values_list(
            "campaign_id", "region_path", "county_code", "member_kind", "member", "first_bucket"
        )
    )
    counts = sorted(
        FactMemberCount.objects.values_list(
            "campaign_id", "region_path", "county_code", "grain", "period", "member_kind", "members"
        )
    )
    return cells, present, first, counts


def assert_same_as_rebuild():
    kept = _stored()
    summary.summary_rebuild()
    rebuilt = _stored()
    assert all(rebuilt), "the summary is empty"
    assert kept == rebuilt


def test_every_write_keeps_the_summary_equal_to_a_rebuild(world):
    p = Prefecture(world, n=60)
    assert_same_as_rebuild()
    rng = random.Random(3)
    for kind, record in rng.sample(p.records, 15):
        changes = {"date": p.day()}
        if kind == "material":
            changes["quantity"] = Decimal(rng.randrange(1, 50))
        if kind == "figure":
            changes["value"] = Decimal(rng.randrange(0, 100))
        record_update(actor=SYSTEM, record_kind=kind, record=record, **changes)
    assert_same_as_rebuild()
    for kind, record in rng.sample(p.records, 10):
        record.refresh_from_db()
        record_delete(actor=SYSTEM, record_kind=kind, record=record)
    assert_same_as_rebuild()


def test_an_import_and_its_undo_keep_the_summary_equal_to_a_rebuild(world, tmp_path):
    p = Prefecture(world, n=20)
    path = tmp_path / "materials.csv"
    path.write_text(
        "单位,行政区划代码,日期,类型,数量\n"
        f"{world.county_unit.name},532301001,2024-02-29,横幅,30\n"
        f"{world.county_unit.name},532301,2024-03-01,宣传单,500\n"
        f"{world.other_township_unit.name},,2024-03-04,横幅,7\n",
        encoding="utf-8",
    )
    result = ledger_import(actor=SYSTEM, campaign=p.campaign, record_kind="material", source=path)
    assert result.created == 3
    assert_same_as_rebuild()
    import_batch_undo(actor=SYSTEM, batch=result.batch)
    assert_same_as_rebuild()


def _answer(**kwargs):
    result = rollup(**kwargs)
    return sorted(
        (row.indicator.code, tuple(sorted((k, str(v)) for k, v in row.group.items())),
         row.value, row.approx, row.parts)
        for row in result.rows
    )  # fmt: skip


def _used_summary(queries) -> bool:
    return any("ledger_factsummary" in q["sql"] for q in queries)


DATES = [
    {},
    {"as_of": D(2024, 2, 29)},  # a bucket's last day: whole buckets only
    {"as_of": D(2024, 3, 13)},  # mid-bucket: the tail from the facts
    {"date_from": D(2024, 2, 7), "date_to": D(2024, 3, 31)},  # head from the facts
    {"date_from": D(2024, 1, 3), "as_of": D(2024, 4, 17), "date_to": D(2024, 4, 20)},
    {"date_from": D(2024, 3, 1), "date_to": D(2024, 3, 2)},  # inside one bucket: facts only
    {"date_from": D(2024, 3, 1), "date_to": D(2024, 3, 3)},  # exactly one bucket
]
GROUPINGS = [((), None), (("county",), None), ((), "week"), ((), "month"),
             (("county",), "month"), (("period", "county"), "week")]  # fmt: skip


@pytest.mark.parametrize("dates", DATES)
def test_the_summary_gives_the_facts_answer(world, dates):
    p = Prefecture(world)
    asked = [None, world.prefecture, world.county, world.other_county]
    used = answered = counted = 0
    for region in asked:
        for group_by, series in GROUPINGS:
            question = {
                "actor": SYSTEM,
                "campaign": p.campaign,
                "filters": RollupFilter(region=region, **dates),
                "group_by": group_by,
                "series": series,
            }
            with CaptureQueriesContext(connection) as queries:
                fast = _answer(**question)
            used += _used_summary(queries)
            if series is not None:
                counted += any("ledger_factmembercount" in q["sql"] for q in queries)
            with summary.facts_only():
                slow = _answer(**question)
            answered += bool(slow)
            assert fast == slow, (region, group_by, series)
    # (A few days in one county may have no record: most questions have answers.)
    assert answered >= len(asked) * len(GROUPINGS) // 2
    one_bucket_only = dates.get("date_to") == D(2024, 3, 2)
    assert used == (0 if one_bucket_only else len(asked) * len(GROUPINGS))
    series_asked = len(asked) * sum(1 for _g, series in GROUPINGS if series)
    assert counted == (0 if one_bucket_only else series_asked)


def test_questions_the_summary_cannot_answer_read_the_facts(world):
    p = Prefecture(world, n=30)
    office = world.office  # scoped to the prefecture's office unit
    questions = [
        {"filters": RollupFilter(region=world.township)},  # below county level
        {"filters": RollupFilter(region=world.county, unit=world.county_unit)},
        {"filters": RollupFilter(region=world.county, channel="video")},
        {"filters": RollupFilter(region=world.county, kind="event")},
        {"filters": RollupFilter(region=world.county), "group_by": ("township",)},
        {"filters": RollupFilter(region=world.county), "series": "day"},
    ]
    for question in questions:
        with CaptureQueriesContext(connection) as queries:
            fast = _answer(actor=SYSTEM, campaign=p.campaign, **question)
        assert not _used_summary(queries), question
        with summary.facts_only():
            assert fast == _answer(actor=SYSTEM, campaign=p.campaign, **question)
    # An office user asking without a region sees only its own scope: the facts answer.
    with CaptureQueriesContext(connection) as queries:
        rollup(actor=office, campaign=p.campaign)
    assert not _used_summary(queries)


def test_a_deleted_snapshot_gives_way_to_the_one_before(world):
    """A latest snapshot cannot be taken back from a cell in place: deleting the winner
    recomputes the cell, and the earlier snapshot in the same bucket wins again."""
    p = Prefecture(world, n=0)
    views = Indicator.objects.get(code="views_cumulative")

    def figure(day, value):
        return record_create(actor=SYSTEM, campaign=p.campaign, record_kind="figure",
                             unit=world.county_unit, region=world.county, date=day,
                             indicator=views, value=Decimal(value), approx="").record  # fmt: skip

    figure(D(2024, 3, 5), 100)
    later = figure(D(2024, 3, 6), 250)
    ask = {"actor": SYSTEM, "campaign": p.campaign, "indicators": ["views_cumulative"],
           "filters": RollupFilter(region=world.prefecture)}  # fmt: skip
    assert rollup(**ask).value("views_cumulative") == 250
    record_delete(actor=SYSTEM, record_kind="figure", record=later)
    assert rollup(**ask).value("views_cumulative") == 100
    assert FactSummary.objects.get(indicator=views).total == 100


def test_the_rebuild_command_restores_a_damaged_summary(world):
    p = Prefecture(world, n=20)
    kept = _stored()
    FactSummary.objects.filter(pk__in=FactSummary.objects.values("pk")[:3]).delete()
    FactFirstSeen.objects.all().delete()
    assert _stored() != kept
    out = io.StringIO()
    call_command("summary-rebuild", campaign=p.campaign.pk, stdout=out)
    assert "cells" in out.getvalue()
    assert _stored() == kept
    with pytest.raises(CommandError, match="999999"):
        call_command("summary-rebuild", campaign=999999)


# (serialized_rollback: the seeded indicators come back after other transactional tests)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_in_one_campaign_wait_for_each_other(world):
    """Two records filed at once in the same county and week recompute the same summary
    cells: the second refresh waits for the first transaction to end (on PostgreSQL by
    an advisory lock; without it the second would collide inserting the first's cells)."""
    p = Prefecture(world, n=5)
    if connection.vendor != "postgresql":
        # SQLite admits one writing transaction at a time: the lock is not taken there.
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            summary.serialise(p.campaign.pk)
        assert queries.captured_queries == []
        return

    def file(day):
        return record_create(actor=SYSTEM, campaign=p.campaign, record_kind="material",
                             unit=world.county_unit, region=world.township, date=day,
                             kind="banner", quantity=Decimal(4))  # fmt: skip

    both = overlap(lambda: file(D(2024, 3, 5)), lambda: file(D(2024, 3, 6)))
    errors = [e for e in (both.first, both.second) if isinstance(e, BaseException)]
    assert not errors, errors
    assert both.second_waited, "the second writer did not wait for the first"
    assert_same_as_rebuild()
    with_cells = FactSummary.objects.filter(
        campaign=p.campaign, indicator__code="banners", bucket=D(2024, 3, 4)
    )
    assert sum(cell.total for cell in with_cells) >= 8
