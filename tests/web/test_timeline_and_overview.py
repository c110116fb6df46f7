"""The schedule timeline (by theme, by unit, today's line, overdue marked), the campaign
overview's targets and progress, and the unit page (what it owes, what it has done)."""

import re

from campaigndesk.campaigns import selectors
from campaigndesk.web import timeline

from .seed import seed


def test_timeline_by_theme_marks_overdue_and_today(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.reporter)
    response = client.get(f"/campaigns/{data.campaign.pk}/schedule/")
    assert response.status_code == 200
    body = response.content.decode()
    lanes = re.findall(r'<h2 class="tl-label">([^<]+)</h2>', body)
    assert lanes == ["政策宣讲进村", "文艺巡演", "成果展示"]
    assert len(re.findall(r'class="tl-bar [^"]*overdue', body)) == 1
    assert "--today: " in body and 'class="tl-today-label"' in body
    assert "1 item is overdue." in body


def test_timeline_by_unit_repeats_shared_items(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    body = client.get(f"/campaigns/{data.campaign.pk}/schedule/?by=unit").content.decode()
    lanes = re.findall(r'<h2 class="tl-label">([^<]+)</h2>', body)
    assert sorted(lanes) == sorted([world.county_unit.name, world.township_unit.name])
    # 文艺巡演 is both units': one bar in each lane.
    assert body.count("文艺巡演") == 2 + 1  # two bars and the table


def test_timeline_positions():
    import datetime

    from campaigndesk.campaigns.models import Campaign, ScheduleItem

    campaign = Campaign(start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 1, 10))
    item = ScheduleItem(
        seq=1,
        theme="t",
        window_start=datetime.date(2024, 1, 6),
        window_end=datetime.date(2024, 1, 10),
        status="planned",
    )
    item.is_overdue = False
    result = timeline.build(
        campaign=campaign, items=[item], by="theme", today=datetime.date(2024, 1, 2)
    )
    (bar,) = result.lanes[0].bars
    assert (bar.left, bar.width, result.today) == (50.0, 50.0, 10.0)
    late = timeline.build(
        campaign=campaign, items=[item], by="theme", today=datetime.date(2024, 2, 1)
    )
    assert late.today is None


def test_campaign_overview_shows_progress_against_targets(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.office)
    body = client.get(f"/campaigns/{data.campaign.pk}/").content.decode()
    assert "Targets and progress" in body
    # One township of one reached; one village of four; awareness 93% against 90%.
    assert re.search(r"Township</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">1个</td>", body)
    assert re.search(r"Village</th>\s*<td class=\"num\">4</td>\s*<td class=\"num\">1个</td>", body)
    assert 'value="25"' in body
    assert "93%" in body
    assert f'href="/campaigns/{data.campaign.pk}/schedule/"' in body
    assert f'href="/campaigns/{data.campaign.pk}/ledger/event/new/"' in body


def test_campaign_overview_hides_entry_links_from_readers(client, world):
    data = seed(world, with_collection=False)
    client.force_login(world.observer)
    body = client.get(f"/campaigns/{data.campaign.pk}/").content.decode()
    assert f'href="/campaigns/{data.campaign.pk}/ledger/event/new/"' not in body


def test_unit_page_shows_what_it_owes_and_has_done(client, world):
    data = seed(world)
    client.force_login(world.office)
    body = client.get(f"/units/{world.county_unit.pk}/").content.decode()
    assert "What the unit owes" in body
    # The county unit has answered no round of the weekly task.
    assert body.count("宣讲周调度") == data.task.rounds.count()
    assert "What the unit has done" in body
    assert "2,400人次" in body  # its touring performance's people (English digits)
    assert "176,128余张" in body
    client.force_login(world.reporter)
    body = client.get(f"/units/{world.township_unit.pk}/").content.decode()
    # The township answered one round: the others are owed.
    assert body.count("宣讲周调度") == data.task.rounds.count() - 1
    assert "1,010人次" in body  # its lecture's 860 and its form's 150


def test_schedule_items_due_this_week(world):
    data = seed(world, with_collection=False)
    items = selectors.schedule_for_campaign(campaign=data.campaign)
    assert {i.theme for i in items if i.is_overdue} == {"政策宣讲进村"}
