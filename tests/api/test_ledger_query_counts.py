"""Ledger lists and the rollup cost a fixed number of queries however many rows they hold."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import ledger_data as data

API = "/api/v1"


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_ledger_reads_do_not_grow_with_rows(login, world):
    client = login("office")
    campaign = world.campaign.pk
    urls = [f"{API}/campaigns/{campaign}/{plural}" for plural in data.PLURALS] + [
        f"{API}/campaigns/{campaign}/rollup?group_by=township,unit,channel,kind",
        f"{API}/campaigns/{campaign}/coverage?level=village",
        f"{API}/campaigns/{campaign}/locks",
    ]
    paper = data.outlet()

    def add_rows(n: int) -> None:
        for i in range(n):
            data.output(world, outlet_=paper, title=f"报道{i}-{paper.pk}-{n}")
            data.material(world)
            data.event(world)
            data.figure(world)

    add_rows(1)
    before = [queries(client, url) for url in urls]
    add_rows(4)
    after = [queries(client, url) for url in urls]
    assert after == before
