"""The dashboard: headline figures equal the rollup's, breakdowns, coverage gaps, targets,
units behind, what is due this week; scoping by role; a write shows on the next request."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.web import dashboard

from .seed import seed


def tiles(body: str) -> dict[str, str | None]:
    """Headline tiles: indicator code -> exact value (None: "No data")."""
    found = {}
    for code, inner in re.findall(
        r'<li data-indicator="([a-z_]+)">(.*?)</li>', body, flags=re.DOTALL
    ):
        value = re.search(r'<data value="([^"]+)"', inner)
        found[code] = value.group(1) if value else None
    return found


@pytest.mark.parametrize("role", ["office", "reporter", "observer", "admin"])
def test_headline_figures_are_the_rollup(client, world, role):
    data = seed(world)
    user = world.user(role)
    client.force_login(user)
    response = client.get(f"/dashboard/?campaign={data.campaign.pk}")
    assert response.status_code == 200
    shown = tiles(response.content.decode())
    assert list(shown) == dashboard.HEADLINE
    result = rollup(actor=user, campaign=data.campaign, filters=RollupFilter(as_of=data.today))
    for code, value in shown.items():
        row = result.total(code)
        expected = None if row is None or row.value is None else str(row.value)
        assert value == expected, code
    # Modules not built yet (information items) say so instead of failing.
    assert shown["info_items_submitted"] is None


def test_reporter_sees_only_its_units_figures(client, world):
    data = seed(world)
    client.force_login(world.reporter)
    shown = tiles(client.get(f"/dashboard/?campaign={data.campaign.pk}").content.decode())
    client.force_login(world.office)
    office = tiles(client.get(f"/dashboard/?campaign={data.campaign.pk}").content.decode())
    # The county unit's performance (2400 people) is the office's, not the reporter's.
    assert Decimal(office["event_participants"]) - Decimal(shown["event_participants"]) == 2400
    assert shown["performances"] is None


def test_large_counts_in_chinese_with_the_exact_figure_in_the_tooltip(client, world):
    data = seed(world)
    client.force_login(world.office)
    body = client.get(
        f"/dashboard/?campaign={data.campaign.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<data value="176128" title="176128余张">17.6万余张</data>' in body
    body = client.get(f"/dashboard/?campaign={data.campaign.pk}").content.decode()
    assert '<data value="176128" title="176,128余张">176,128余张</data>' in body


def test_region_narrows_the_figures(client, world):
    data = seed(world)
    client.force_login(world.office)
    body = client.get(
        f"/dashboard/?campaign={data.campaign.pk}&region={world.township.code}"
    ).content.decode()
    shown = tiles(body)
    expected = rollup(
        actor=world.office,
        campaign=data.campaign,
        filters=RollupFilter(region=world.township, as_of=data.today),
    )
    assert shown["lectures"] == str(expected.value("lectures"))
    assert shown["performances"] is None  # held by the county unit on the county itself
    # A township is broken down by village.
    assert "By Village" in body


def test_sections_charts_and_gaps(client, world):
    data = seed(world)
    client.force_login(world.office)
    body = client.get(f"/dashboard/?campaign={data.campaign.pk}").content.decode()
    charts = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert {"trend", "channel", "outlet-level", "area-township"} <= set(charts)
    spec = charts["channel"]
    channel = dict(zip(spec["labels"], spec["series"][0]["values"], strict=True))
    assert channel == {"WeChat official account": 3.0, "Newspaper": 1.0}
    for heading in [
        "Headline figures",
        "Week by week",
        "By channel",
        "By outlet level",
        "By Township",
        "Coverage gaps",
        "Targets and progress",
        "Units behind quota",
        "Due this week",
    ]:
        assert heading in body, heading
    # 妥甸镇 lies outside the campaign (楚雄市): the gaps list only 楚雄市's regions.
    assert "1 of 1 reached." in body  # the township 鹿城镇
    assert "妥甸镇" not in body
    # Targets: awareness 93% against 90%; one township of one; one village of four.
    assert "93%" in body
    assert "文艺巡演" in body  # due this week
    assert "宣讲周调度" in body  # the collection task, the county unit behind
    assert "1 unit has not reported:" in body


def test_a_new_record_shows_on_the_next_request(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/dashboard/?campaign={data.campaign.pk}"
    before = Decimal(tiles(client.get(url).content.decode())["lectures"])
    ledger.record_create(
        actor=world.office,
        campaign=data.campaign,
        record_kind="event",
        unit=world.township_unit,
        kind="lecture",
        sessions=5,
        date=data.today,
    )
    assert Decimal(tiles(client.get(url).content.decode())["lectures"]) == before + 5


def test_the_cache_serves_repeats_and_a_write_shows_on_the_next_request(client, world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/dashboard/?campaign={data.campaign.pk}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    first = queries()
    assert queries() < first - 10  # the ledger's figures came from the cache
    before = Decimal(tiles(client.get(url).content.decode())["lectures"])
    for actor in (world.reporter, world.office):
        ledger.record_create(
            actor=actor,
            campaign=data.campaign,
            record_kind="event",
            unit=world.township_unit,
            kind="lecture",
            sessions=2,
            date=data.today,
        )
        now = Decimal(tiles(client.get(url).content.decode())["lectures"])
        assert now == before + 2
        before = now
    # Another language, another entry (labels are part of the figures).
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "17.6万余张" in body


def test_the_cache_is_per_scope(client, world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    data = seed(world, with_collection=False)
    url = f"/dashboard/?campaign={data.campaign.pk}"
    client.force_login(world.office)
    office = tiles(client.get(url).content.decode())
    client.force_login(world.reporter)
    reporter = tiles(client.get(url).content.decode())
    assert office["performances"] is not None and reporter["performances"] is None


def test_campaign_outside_scope_is_not_found(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.other_reporter)
    assert client.get(f"/dashboard/?campaign={data.campaign.pk}").status_code == 404
    assert client.get("/dashboard/?campaign=abc").status_code == 404
    assert client.get("/dashboard/?campaign=²").status_code == 404  # a digit int() refuses
    # Without a choice: the user's own campaign.
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert world.other_campaign.name in response.content.decode()


def test_remembers_the_last_campaign(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    client.get(f"/dashboard/?campaign={world.other_campaign.pk}")
    body = client.get("/dashboard/").content.decode()
    assert f'<option value="{world.other_campaign.pk}" selected>' in body
    client.get(f"/campaigns/{data.campaign.pk}/")
    body = client.get("/dashboard/").content.decode()
    assert f'<option value="{data.campaign.pk}" selected>' in body


def test_no_campaign_no_error(client, world):
    from campaigndesk.accounts.models import Role

    from ..factories import make_user

    lonely = make_user("lonely", None, Role.OBSERVER)
    client.force_login(lonely)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "No campaigns to show." in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_records(client, world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # count the queries of the figures themselves
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    url = f"/dashboard/?campaign={data.campaign.pk}"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(5):
        ledger.record_create(
            actor=world.office,
            campaign=data.campaign,
            record_kind="output",
            unit=world.county_unit,
            outlet=data.outlet_province,
            kind="news",
            title=f"追加{n}",
            date=data.today,
        )
    assert count() == before


@pytest.mark.parametrize(
    "role", ["office", "reporter", "editor", "reviewer", "approver", "observer"]
)
def test_every_link_on_the_dashboard_opens_for_its_reader(client, world, role):
    data = seed(world)
    client.force_login(getattr(world, role))
    body = client.get(f"/dashboard/?campaign={data.campaign.pk}").content.decode()
    main = body[body.index("<main") :]
    links = sorted(set(re.findall(r'href="(/[^"#]*)"', main)))
    assert links
    refused = {link: client.get(link).status_code for link in links}
    assert {link: code for link, code in refused.items() if code >= 400} == {}
