"""The plain pages: home, campaign, units, unit, as each role sees them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import selectors, services

from ..matrix_roles import SIGNED_IN as ROLES


def text(response) -> str:
    return response.content.decode()


def main(response) -> str:
    return re.search(r"<main.*</main>", text(response), re.S).group(0)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_home_with_its_campaigns(client, world, role):
    user = world.user(role)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    expected = set(selectors.campaign_list(actor=user).values_list("pk", flat=True))
    assert expected, "every fixed user takes part in or oversees at least one campaign"
    shown = {int(pk) for pk in re.findall(r'href="/campaigns/(\d+)/"', text(response))}
    assert shown == expected


def test_home_lists_only_visible_campaigns(client, world):
    client.force_login(world.reporter)
    body = text(client.get("/"))
    assert world.campaign.name in body
    assert world.other_campaign.name not in body


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["office", "reporter", "admin", "observer"])
def test_campaign_page_shows_the_whole_plan(client, plan, world, role):
    client.force_login(world.user(role))
    response = client.get(f"/campaigns/{plan.campaign.pk}/")
    assert response.status_code == 200
    body = text(response)
    for expected in [
        plan.campaign.name,
        "库区和谐 共建家园",  # slogan
        "2024-01-01",  # period
        world.county.name,  # region
        "媒体宣传",  # strand
        "前期预热",  # phase
        "张组长",
        "市委常委、宣传部部长",
        "李联络",
        "Group leader",
        "Liaison officer",
        world.county_unit.name,
        world.township_unit.name,
        "Lead unit",
        "Responsible unit",
        "445",  # coverage
        "Village",
        "Awareness rate",
        "92%",
        "3 Information items per unit per month, due by day 5 of the next period",
        "政策宣讲进村",
        "移民后扶政策宣讲",
        "10月8-10日",
        "文艺巡演",
        "成果展示",
        "12月初",
    ]:
        assert expected in body, expected


def test_campaign_page_marks_only_overdue_items(client, plan, world):
    client.force_login(world.office)
    body = text(client.get(f"/campaigns/{plan.campaign.pk}/"))
    rows = re.findall(r"<tr( class=\"overdue\")?>\s*<td>(\d+)</td>", body)
    marked = {int(seq) for cls, seq in rows if cls}
    assert {int(seq) for _, seq in rows} == {1, 2, 3}
    assert marked == {plan.overdue.seq}
    assert "1 item is overdue." in body


def test_schedule_selector_overdue_flag(plan):
    flags = {i.pk: i.is_overdue for i in selectors.schedule_for_campaign(campaign=plan.campaign)}
    assert flags == {plan.overdue.pk: True, plan.done_late.pk: False, plan.future.pk: False}


@pytest.mark.parametrize("role", ["other_office", "other_reporter"])
def test_campaign_page_is_not_found_outside_scope(client, plan, world, role):
    client.force_login(world.user(role))
    assert client.get(f"/campaigns/{plan.campaign.pk}/").status_code == 404


def test_missing_and_forbidden_campaign_look_alike(client, world):
    client.force_login(world.other_reporter)
    forbidden = client.get(f"/campaigns/{world.campaign.pk}/")
    missing = client.get("/campaigns/999999/")
    assert forbidden.status_code == missing.status_code == 404
    # The same page (only the header's "come back here" address differs).
    assert main(forbidden) == main(missing)


def test_reporter_sees_unit_links_only_to_its_own_unit(client, plan, world):
    client.force_login(world.reporter)
    body = text(client.get(f"/campaigns/{plan.campaign.pk}/"))
    assert f'href="/units/{world.township_unit.pk}/"' in body
    assert f'href="/units/{world.county_unit.pk}/"' not in body
    client.force_login(world.office)
    body = text(client.get(f"/campaigns/{plan.campaign.pk}/"))
    assert f'href="/units/{world.county_unit.pk}/"' in body


def test_units_page_lists_visible_units_with_region_and_kind(client, world):
    client.force_login(world.office)
    body = text(client.get("/units/"))
    for unit in [world.office_unit, world.county_unit, world.township_unit]:
        assert f'href="/units/{unit.pk}/"' in body
    assert "Media outlet / media centre" in body
    assert world.township.name in body

    client.force_login(world.reporter)
    body = text(client.get("/units/"))
    assert set(map(int, re.findall(r'href="/units/(\d+)/"', body))) == {world.township_unit.pk}


def test_unit_page_shows_campaigns_and_schedule_items(client, plan, world):
    client.force_login(world.reporter)
    response = client.get(f"/units/{world.township_unit.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert plan.campaign.name in body
    assert "政策宣讲进村" in body and "成果展示" in body
    assert "文艺巡演" not in body  # the county unit's item, not this unit's
    assert 'class="overdue"' in body


@pytest.mark.parametrize("role", ["other_office", "other_reporter"])
def test_unit_page_is_not_found_outside_scope(client, world, role):
    client.force_login(world.user(role))
    assert client.get(f"/units/{world.township_unit.pk}/").status_code == 404
    assert client.get("/units/999999/").status_code == 404


def test_campaign_page_query_count_does_not_grow_with_rows(client, plan, world):
    client.force_login(world.office)
    url = f"/campaigns/{plan.campaign.pk}/"
    client.get(url)  # warm up (session, content types)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(5):
        services.schedule_item_create(
            actor=SYSTEM,
            campaign=plan.campaign,
            theme=f"追加{n}",
            window_start=plan.future.window_start,
            window_end=plan.future.window_end,
            responsible_units=[world.township_unit, world.county_unit],
        )
        services.leading_group_member_add(
            actor=SYSTEM,
            campaign=plan.campaign,
            person_name=f"成员{n}",
            role="member",
            unit=world.township_unit,
        )
    assert count() == before
