"""Dashboard benchmark: the server time of the dashboard page of a prefecture (5323) in the
bench ledger (``bench.ledger``: Yunnan's real tree, 5 million records at scale 1.0), as
its office user opens it, rendered by Django's test client in this process (no network):
warm, p50 and p95 over ``REQUESTS`` requests, and the queries per request. The county and
the province are reported alongside. Goal: p50 < 300 ms on PostgreSQL.

There is no cache: every request reads the rollup afresh, so a write shows on the next
request (the page tests check that too).
"""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .ledger import COUNTY, PREFECTURE, PROVINCE, ensure_data, percentile

Row = tuple[str, float, str, str]
REQUESTS = 20
WARM = 2
TARGET_MS = 300


def _timed_get(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    # A page without its figures would time nothing worth knowing.
    if response.status_code != 200 or b"data-indicator" not in response.content:
        raise RuntimeError(f"{url} answered {response.status_code} without the dashboard")
    return elapsed


def run(scale: float = 1.0) -> list[Row]:
    data = ensure_data(scale)
    world = data.world
    campaign = world.campaign
    postgres = connection.vendor == "postgresql"
    requests = REQUESTS if scale >= 0.01 else 5
    rows: list[Row] = []
    # The province office opens its campaign and chooses the region (the prefecture and
    # county offices do not see a campaign run by the province unless their unit takes
    # part in it); the rollup reads the same facts either way.
    for level, code in (("prefecture", PREFECTURE), ("county", COUNTY), ("province", PROVINCE)):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(world.users["province"])
        url = f"/dashboard/?campaign={campaign.pk}&region={code}"
        for _ in range(WARM):
            _timed_get(client, url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        samples = [_timed_get(client, url) for _ in range(requests)]
        target = f"< {TARGET_MS}" if postgres and level == "prefecture" else "(reported)"
        label = f"dashboard {level} {code}"
        rows.append((f"{label}: p50 (n={len(samples)})", percentile(samples, 0.5), "ms", target))
        rows.append((f"{label}: p95", percentile(samples, 0.95), "ms", ""))
        rows.append(("  queries per request", float(len(queries.captured_queries)), "", ""))
    return rows
