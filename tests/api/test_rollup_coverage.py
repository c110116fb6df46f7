"""GET /campaigns/{id}/rollup gives exactly what ledger.rollup.rollup gives for the same
filters, written out; GET /campaigns/{id}/coverage splits regions by activity."""

from decimal import Decimal

import pytest

from campaigndesk.ledger.rollup import RollupFilter, rollup

from . import ledger_data as data

API = "/api/v1"


@pytest.fixture
def ledger(world):
    """A little of everything: outputs on two outlets, materials, events in the township and
    the village, figures with approximations, a cumulative snapshot."""
    paper = data.outlet(name="楚雄日报", channel="newspaper", level=3)
    account = data.outlet(name="楚雄发布", channel="wechat", level=4)
    data.output(world, outlet_=paper, views=100, date=data.D(2024, 2, 5))
    data.output(
        world,
        unit=world.county_unit,
        outlet_=account,
        kind="video",
        title="视频",
        views=2500,
        date=data.D(2024, 2, 14),
    )
    data.material(world, region=world.village, area_m2=Decimal("6200.5"))
    data.event(world)
    data.event(world, kind="performance", sessions=2, participants=300, date=data.D(2024, 3, 2))
    data.figure(world, code="leaflets", value=Decimal(176128), approx="more")
    data.figure(world, code="leaflets", value=Decimal(1000), approx="", date=data.D(2024, 2, 21))
    data.figure(world, code="posters", value=Decimal(500), approx="about")
    data.figure(
        world, code="views_cumulative", value=Decimal(90000), approx="", date=data.D(2024, 2, 1)
    )
    data.figure(
        world, code="views_cumulative", value=Decimal(120000), approx="", date=data.D(2024, 3, 1)
    )
    return world


def url(world, **params) -> tuple[str, dict]:
    return f"{API}/campaigns/{world.campaign.pk}/rollup", params


def _api_rows(client, world, **params) -> list[tuple]:
    response = client.get(*url(world, **params))
    assert response.status_code == 200, response.content
    return [
        (r["indicator"]["code"], r["group"], r["value"], r["approx"], r["parts"])
        for r in response.json()["rows"]
    ]


def _json_group(group: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in group.items()}


def _selector_rows(actor, world, **kwargs) -> list[tuple]:
    result = rollup(actor=actor, campaign=world.campaign, **kwargs)
    return [
        (
            row.indicator.code,
            _json_group(row.group),
            None if row.value is None else str(row.value),
            row.approx,
            row.parts,
        )
        for row in result.rows
    ]


@pytest.mark.parametrize(
    ("params", "kwargs"),
    [
        ({}, {}),
        ({"group_by": "township,channel"}, {"group_by": ["township", "channel"]}),
        ({"series": "week"}, {"series": "week"}),
        ({"group_by": "kind", "series": "month"}, {"group_by": ["kind"], "series": "month"}),
        (
            {"group_by": "unit,outlet_level,record_kind"},
            {"group_by": ["unit", "outlet_level", "record_kind"]},
        ),
        ({"kind": "event"}, {"filters": RollupFilter(kind="event")}),
        ({"kind": "event:lecture"}, {"filters": RollupFilter(kind="event:lecture")}),
        ({"channel": "wechat"}, {"filters": RollupFilter(channel="wechat")}),
        ({"outlet_level": 3}, {"filters": RollupFilter(outlet_level=3)}),
        (
            {"date_from": "2024-02-10", "date_to": "2024-02-20"},
            {"filters": RollupFilter(date_from=data.D(2024, 2, 10), date_to=data.D(2024, 2, 20))},
        ),
        ({"as_of": "2024-02-22"}, {"filters": RollupFilter(as_of=data.D(2024, 2, 22))}),
        (
            {
                "indicators": "leaflets,views_cumulative,townships_covered",
                "include_total": "false",
                "group_by": "village",
            },
            {
                "indicators": ["leaflets", "views_cumulative", "townships_covered"],
                "include_total": False,
                "group_by": ["village"],
            },
        ),
    ],
)
def test_rollup_equals_the_selector(login, ledger, params, kwargs):
    office = ledger.office
    assert _api_rows(login("office"), ledger, **params) == _selector_rows(office, ledger, **kwargs)


def test_rollup_region_and_unit_filters_equal_the_selector(login, ledger):
    client = login("office")
    assert _api_rows(client, ledger, region=ledger.village.code) == _selector_rows(
        ledger.office, ledger, filters=RollupFilter(region=ledger.village)
    )
    assert _api_rows(client, ledger, unit=ledger.county_unit.pk) == _selector_rows(
        ledger.office, ledger, filters=RollupFilter(unit=ledger.county_unit)
    )


def test_rollup_rows_are_written_as_people_write_them(login, ledger):
    body = (
        login("office")
        .get(*url(ledger, indicators="leaflets,posters,banners,views_cumulative"))
        .json()
    )
    rows = {r["indicator"]["code"]: r for r in body["rows"]}
    assert rows["leaflets"]["indicator"] == {
        "code": "leaflets",
        "name": "发放宣传单",
        "measure_word": "张",
        "aggregation": "sum",
    }
    # 176128 (more) + 1000 (exact): the total is "more", written with 余.
    assert (rows["leaflets"]["value"], rows["leaflets"]["approx"], rows["leaflets"]["display"]) == (
        "177128",
        "more",
        "177128余张",
    )
    assert rows["posters"]["display"] == "约500张"
    assert rows["banners"]["display"] == "1800条"
    # The latest snapshot, never added up.
    assert rows["views_cumulative"]["display"] == "120000次"
    assert body["group_by"] == [] and body["series"] is None and body["labels"] == {}


def test_rollup_labels_name_the_groups(login, ledger):
    body = login("office").get(*url(ledger, group_by="township,unit,channel,kind")).json()
    labels = body["labels"]
    assert labels["township"] == {ledger.township.code: "鹿城镇"}
    assert labels["unit"] == {
        str(ledger.township_unit.pk): ledger.township_unit.name,
        str(ledger.county_unit.pk): ledger.county_unit.name,
    }
    assert set(labels["channel"]) == {"newspaper", "wechat"}
    assert "event:lecture" in labels["kind"]


def test_rollup_is_scoped_per_role(login, ledger):
    # The reporter sees its own unit's facts only; the selector agrees.
    reporter_rows = _api_rows(login("reporter"), ledger)
    assert reporter_rows == _selector_rows(ledger.reporter, ledger)
    codes = {row[0] for row in reporter_rows}
    assert "leaflets" not in codes  # filed by the county's unit
    assert "lectures" in codes
    assert login("other_office").get(*url(ledger)).status_code == 404


def test_rollup_bad_parameters_name_the_field(login, ledger):
    client = login("office")
    for params, fields in [
        ({"group_by": "township,planet"}, ["group_by"]),
        ({"group_by": "period"}, ["series"]),
        ({"series": "fortnight"}, ["series"]),
        ({"indicators": "leaflets,nope,nada"}, ["indicators", "indicators"]),
        ({"kind": "picnic"}, ["kind"]),
        ({"kind": "event:picnic"}, ["kind"]),
        ({"region": "999"}, ["region"]),
        ({"unit": 999999}, ["unit"]),
        ({"as_of": "yesterday"}, ["as_of"]),
    ]:
        response = client.get(*url(ledger, **params))
        assert response.status_code == 422, (params, response.content)
        assert [e["field"] for e in response.json()["errors"]] == fields, params


def test_coverage_splits_the_regions_of_a_level(login, ledger, world):
    client = login("office")
    coverage_url = f"{API}/campaigns/{world.campaign.pk}/coverage"
    townships = client.get(coverage_url, {"level": "township"})
    assert townships.status_code == 200, townships.content
    body = townships.json()
    # The campaign lies in 楚雄市, which has one township here, and it is active.
    assert [r["code"] for r in body["active"]] == [world.township.code]
    assert body["inactive"] == []
    assert (body["level"], body["active_count"], body["rate"]) == (4, 1, 1.0)
    villages = client.get(coverage_url, {"level": "village"}).json()
    assert [r["code"] for r in villages["active"]] == [world.village.code]
    before = client.get(coverage_url, {"level": "village", "as_of": "2024-02-01"}).json()
    assert before["active"] == []
    assert [r["code"] for r in before["inactive"]] == [world.village.code]
    assert before["rate"] == 0.0


def test_coverage_shows_inactive_regions(login, world):
    data.event(world, unit=world.county_unit)  # at the county, under no township
    body = login("office").get(f"{API}/campaigns/{world.campaign.pk}/coverage").json()
    assert body["level"] == 4  # township by default
    assert body["active"] == []
    assert [r["code"] for r in body["inactive"]] == [world.township.code]


def test_coverage_errors(login, world):
    client = login("office")
    response = client.get(f"{API}/campaigns/{world.campaign.pk}/coverage", {"level": "planet"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["level"]
    assert (
        login("other_reporter").get(f"{API}/campaigns/{world.campaign.pk}/coverage").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2024-03-01", "date_to": "2024-02-01"}, "date_to"),
        ({"date_from": "2024-03-01", "as_of": "2024-02-01"}, "as_of"),
    ],
)
def test_dates_ending_before_they_start_are_refused(login, ledger, world, params, field):
    """Not an empty answer, which reads as "nothing done": a 422 naming the date."""
    client = login("office")
    for endpoint in ("rollup", "coverage"):
        response = client.get(f"{API}/campaigns/{world.campaign.pk}/{endpoint}", params)
        assert response.status_code == 422, (endpoint, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"as_of": "9999-12-31"}, "as_of"),
        ({"date_from": "9999-12-30"}, "date_from"),
        ({"date_to": "0001-01-01"}, "date_to"),
    ],
)
@pytest.mark.parametrize("path", ["rollup", "rollup/export"])
def test_dates_at_the_calendars_ends_are_refused(login, ledger, world, params, field, path):
    """(The weeks and months around them cannot be computed: a 500 before.)"""
    for role, region in (("admin", {}), ("office", {"region": world.prefecture.code})):
        response = login(role).get(
            f"{API}/campaigns/{world.campaign.pk}/{path}", {**params, **region, "series": "week"}
        )
        assert response.status_code == 422, (role, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_rollup_export_has_the_rollups_rows(login, ledger, world):
    import csv
    import io

    client = login("office")
    params = {"group_by": "township", "include_total": "false"}
    api = client.get(f"{API}/campaigns/{world.campaign.pk}/rollup", params).json()
    assert api["rows"] and all(row["group"] for row in api["rows"])
    response = client.get(
        f"{API}/campaigns/{world.campaign.pk}/rollup/export", {**params, "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == len(api["rows"])
