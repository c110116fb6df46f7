"""Lists cost a fixed number of queries however many rows they hold."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services

from ..factories import OutletFactory, UnitFactory

API = "/api/v1"


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(login, world):
    client = login("office")
    urls = [
        f"{API}/units",
        f"{API}/outlets",
        f"{API}/campaigns",
        f"{API}/campaigns/{world.campaign.pk}/schedule",
    ]

    def add_rows(n: int) -> None:
        for _ in range(n):
            UnitFactory(region=world.township)
            OutletFactory(region=world.county)
            services.schedule_item_create(
                actor=SYSTEM,
                campaign=world.campaign,
                theme="宣讲",
                window_start=datetime.date(2024, 10, 8),
                window_end=datetime.date(2024, 10, 10),
                responsible_units=[world.township_unit, world.county_unit],
            )

    add_rows(1)
    before = [queries(client, url) for url in urls]
    add_rows(5)
    after = [queries(client, url) for url in urls]
    assert after == before
