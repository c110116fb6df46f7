"""The dashboard in a browser: its headline figures are the rollup API's; its charts draw;
a record filed on a phone through the six-field event form shows on the next request."""

from decimal import Decimal

from ..web.seed import seed
from .helpers import BROWSER, PHONE, log_in, screenshot

pytestmark = BROWSER


def shown_tiles(page) -> dict[str, str | None]:
    """Indicator code -> the exact value behind a headline tile (None: no data)."""
    return page.eval_on_selector_all(
        "li[data-indicator]",
        """tiles => Object.fromEntries(tiles.map(t => {
            const data = t.querySelector('data');
            return [t.dataset.indicator, data ? data.getAttribute('value') : null];
        }))""",
    )


def test_dashboard_figures_are_the_rollup_api(page, live_server, world):
    data = seed(world)
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/dashboard/?campaign={data.campaign.pk}")
    page.wait_for_selector("html[data-charts-drawn]")
    assert int(page.get_attribute("html", "data-charts-drawn")) >= 4
    assert page.locator(".chart svg").count() >= 4
    tiles = shown_tiles(page)
    assert tiles, "no headline tiles"
    api = page.request.get(
        f"{live_server.url}/api/v1/campaigns/{data.campaign.pk}/rollup"
        f"?as_of={data.today.isoformat()}"
    )
    assert api.ok, api.text()
    totals = {
        row["indicator"]["code"]: row["value"] for row in api.json()["rows"] if not row["group"]
    }
    for code, value in tiles.items():
        expected = totals.get(code)
        if expected is None:
            assert value is None, code
        else:
            assert value is not None and Decimal(value) == Decimal(str(expected)), code
    assert tiles["leaflets"] == "176128"
    # In Chinese (the default) the large count reads 17.6万余张; the tooltip is exact.
    leaflets = page.locator('li[data-indicator="leaflets"] data')
    assert leaflets.inner_text() == "17.6万余张"
    assert leaflets.get_attribute("title") == "176128余张"
    # The first screen, for the README (the axe test saves the whole page too).
    screenshot(page, "dashboard", full_page=False)


def test_region_chooser_swaps_the_dashboard_in_place(page, live_server, world):
    data = seed(world, with_collection=False)
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/dashboard/?campaign={data.campaign.pk}")
    page.wait_for_selector("html[data-charts-drawn]")
    before = shown_tiles(page)
    page.evaluate("window.__notReloaded = true")
    with page.expect_response(
        lambda r: "/dashboard/" in r.url and r.request.headers.get("hx-request")
    ):
        page.select_option("#id_region", world.township.code)
    page.wait_for_function(
        "code => new URL(location.href).searchParams.get('region') === code",
        arg=world.township.code,
    )
    page.wait_for_selector('li[data-indicator="performances"] .nodata')
    # htmx swapped the panel in (no page load) and pushed the address.
    assert page.evaluate("window.__notReloaded") is True
    after = shown_tiles(page)
    assert after["performances"] is None and before["performances"] is not None


def test_file_an_event_on_a_phone_and_see_the_dashboard_change(browser, live_server, world):
    data = seed(world, with_collection=False)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        log_in(page, live_server, "reporter")
        page.goto(f"{live_server.url}/dashboard/?campaign={data.campaign.pk}")
        lectures_before = Decimal(shown_tiles(page)["lectures"])
        # Quick entry goes straight to the event form of the reporter's campaign.
        page.locator('nav a[href="/entry/"]').click()
        page.wait_for_selector("form.record-form")
        assert page.url.endswith(f"/campaigns/{data.campaign.pk}/ledger/event/new/")
        fields = page.locator("form.record-form :is(input, select, textarea):not([type=hidden])")
        assert fields.count() <= 6
        # Every field has a label, the counts bring up the numeric keypad.
        for i in range(fields.count()):
            field = fields.nth(i)
            field_id = field.get_attribute("id")
            assert page.locator(f'label[for="{field_id}"]').count() == 1, field_id
        assert page.get_attribute("#id_sessions", "inputmode") == "numeric"
        assert page.get_attribute("#id_participants", "inputmode") == "numeric"
        assert page.get_attribute("#id_date", "type") == "date"
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "event-form-375")
        page.select_option("#id_kind", "lecture")
        page.fill("#id_date", data.today.isoformat())
        page.fill("#id_sessions", "7")
        page.fill("#id_participants", "350")
        page.fill("#id_site", "鹿城镇文化站")
        page.locator("form.record-form button[type=submit]").click()
        page.wait_for_selector(".message")
        # The form comes back with the site remembered.
        assert page.input_value("#id_site") == "鹿城镇文化站"
        page.goto(f"{live_server.url}/dashboard/")
        assert Decimal(shown_tiles(page)["lectures"]) == lectures_before + 7
    finally:
        context.close()
