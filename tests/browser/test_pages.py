"""Logging in per role, importing a file with a bad row, switching the language, a
reporter kept to its own unit's records, keyboard use; every page passes axe-core with
no serious or critical violation and is saved as a screenshot."""

import re

import pytest

from campaigndesk.ledger.models import EventRecord, Evidence

from ..web.seed import matrix_export_template, seed
from .helpers import (
    BROWSER,
    PHONE,
    axe_violations,
    launch,
    log_in,
    missing_browser_message,
    press,
    screenshot,
)

pytestmark = BROWSER

ROLES = ["admin", "office", "reporter", "editor", "reviewer", "approver", "observer"]


def test_each_role_logs_in_and_sees_the_dashboard(page, live_server, world):
    seed(world, with_collection=False)
    for role in ROLES:
        page.context.clear_cookies()
        log_in(page, live_server, role)
        assert page.locator(".who").inner_text() == role
        page.goto(f"{live_server.url}/dashboard/")
        assert page.locator("li[data-indicator]").count() > 0, role
        assert world.campaign.name in page.locator("#id_campaign").inner_text()


def test_wrong_password_stays_on_the_login_page(page, live_server, world):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", "wrong-password")
    press(page, page.locator("main form button[type=submit]"))
    assert "/accounts/login/" in page.url
    expect(page.locator("[role=alert] ul.errorlist")).to_have_count(1)
    assert page.locator(".who").count() == 0


BAD_CSV = (
    "单位,行政区划代码,日期,类型,标题,场次,人次,地点\n"
    "鹿城镇人民政府,,{day},宣讲,政策宣讲,2,120,文化站\n"
    "鹿城镇人民政府,,{day},宣讲,政策宣讲,-3,80,文化站\n"
)


def test_import_a_file_with_a_bad_row_lists_it_and_writes_nothing(page, live_server, world):
    data = seed(world, with_collection=False)
    before = EventRecord.objects.filter(campaign=data.campaign).count()
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/import/")
    # The templates download.
    link = page.locator('a[href$="/import/template/event.xlsx"]')
    template = page.request.get(live_server.url + link.get_attribute("href"))
    assert template.ok and template.body()[:2] == b"PK"
    page.select_option("#id_record_kind", "event")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "活动.csv",
                "mimeType": "text/csv",
                "buffer": BAD_CSV.format(day=data.today.isoformat()).encode("utf-8"),
            }
        ],
    )
    page.locator("main form button[type=submit]").click()
    errors = page.locator(".import-errors table tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[0] == "3"  # the header is row 1
    assert "场次" in cells[1]
    assert cells[2]
    screenshot(page, "import-error")
    assert EventRecord.objects.filter(campaign=data.campaign).count() == before
    assert violations_of(page) == []


def test_switch_language_per_user(browser, page, live_server, world):
    data = seed(world, with_collection=False)
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/dashboard/?campaign={data.campaign.pk}")
    # Simplified Chinese by default: 万 for large counts.
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.locator(".brand").inner_text() == "宣传工作台"
    assert page.locator('li[data-indicator="leaflets"] data').inner_text() == "17.6万余张"
    page.select_option("#id_header_language", "en")
    press(page, page.locator(".tools form.inline button[type=submit]").first)
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(".brand").inner_text() == "Campaign Desk"
    assert page.locator('li[data-indicator="leaflets"] data').inner_text() == "176,128余张"
    assert "/dashboard/" in page.url
    # The choice is the user's: another browser, logged in as the same user, is English.
    other = browser.new_context(locale="zh-CN")
    try:
        second = other.new_page()
        log_in(second, live_server, "office")
        second.goto(f"{live_server.url}/dashboard/")
        assert second.get_attribute("html", "lang") == "en"
        second.select_option("#id_header_language", "zh-hant")
        press(second, second.locator(".tools form.inline button[type=submit]").first)
        assert second.locator(".brand").inner_text() == "宣傳工作臺"
    finally:
        other.close()


def test_a_reporter_cannot_open_another_units_records(page, live_server, world):
    data = seed(world, with_collection=False)
    county_event = EventRecord.objects.filter(
        campaign=data.campaign, unit=world.county_unit
    ).first()
    log_in(page, live_server, "reporter")
    own = page.goto(
        f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/{data.township_event.pk}/"
    )
    assert own.status == 200
    other = page.goto(
        f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/{county_event.pk}/"
    )
    assert other.status == 404
    assert (
        page.goto(
            f"{live_server.url}/campaigns/{world.other_campaign.pk}/ledger/event/"
            f"{data.other_event.pk}/"
        ).status
        == 404
    )
    assert page.goto(f"{live_server.url}/units/{world.county_unit.pk}/").status == 404
    # The list holds the reporter's unit's records only.
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/")
    units = page.locator("table.ledger tbody tr td:nth-child(2)").all_inner_texts()
    assert units and all(u.startswith(world.township_unit.name) for u in units), units
    # Asking for the county unit by hand does not widen it.
    page.goto(
        f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/?unit={world.county_unit.pk}"
    )
    assert world.county_unit.name not in page.locator("#results").inner_text()


def test_keyboard_skip_link_and_visible_focus(page, live_server, world):
    data = seed(world, with_collection=False)
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/new/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Tabbing reaches the form's fields in order (a date field takes a Tab for each of its
    # parts), each with a visible focus ring.
    page.focus("#id_unit")
    order = []
    for _ in range(12):
        page.wait_for_function("document.activeElement.matches(':focus-within')")
        active = page.evaluate(
            "[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"
        )
        assert active[1] not in ("", "none"), active
        if not order or order[-1] != active[0]:
            order.append(active[0])
        if active[0] == "id_site":
            break
        page.keyboard.press("Tab")
    assert order == [
        "id_unit",
        "id_kind",
        "id_date",
        "id_region",
        "id_sessions",
        "id_participants",
        "id_audience",
        "id_site",
    ]
    # The ledger list sorts from the keyboard.
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/")
    header = page.locator('th[aria-sort] a[href*="sort=participants"]')
    header.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('sort=participants')")
    assert page.get_attribute('th:has(a[href*="sort=-participants"])', "aria-sort") == ("ascending")


def violations_of(page) -> list[dict]:
    return axe_violations(page)


def _pages(data, world) -> dict[str, str]:
    c = data.campaign.pk
    template = matrix_export_template(world)["export_template"]
    return {
        "home": "/",
        "dashboard-desk": f"/dashboard/?campaign={c}",
        "campaign": f"/campaigns/{c}/",
        "timeline": f"/campaigns/{c}/schedule/",
        "timeline-by-unit": f"/campaigns/{c}/schedule/?by=unit",
        "ledger-events": f"/campaigns/{c}/ledger/event/",
        "ledger-outputs": f"/campaigns/{c}/ledger/output/?sort=views",
        "ledger-figures": f"/campaigns/{c}/ledger/figure/",
        "record": f"/campaigns/{c}/ledger/event/{data.township_event.pk}/",
        "record-edit": f"/campaigns/{c}/ledger/event/{data.township_event.pk}/edit/",
        "record-delete": f"/campaigns/{c}/ledger/event/{data.township_event.pk}/delete/",
        "locks": f"/campaigns/{c}/locks/",
        "figures": f"/campaigns/{c}/figures/?group_by=township&series=week",
        "form-output": f"/campaigns/{c}/ledger/output/new/",
        "form-material": f"/campaigns/{c}/ledger/material/new/",
        "form-figure": f"/campaigns/{c}/ledger/figure/new/",
        "import": f"/campaigns/{c}/import/",
        "export-templates": f"/campaigns/{c}/export-templates/",
        "export-template-new": f"/campaigns/{c}/export-templates/new/",
        "export-template-edit": f"/campaigns/{c}/export-templates/{template}/",
        "entry": "/entry/?choose=1",
        "unit": f"/units/{world.township_unit.pk}/",
        "units": "/units/",
    }


def test_every_page_passes_axe_and_is_saved(page, live_server, world):
    data = seed(world)
    # Nothing is fetched from anywhere but the app itself (no CDN).
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(request.url)
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    assert violations_of(page) == [], "login"
    screenshot(page, "login")
    log_in(page, live_server, "office")
    found = {}
    for name, path in _pages(data, world).items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        if name.startswith("dashboard"):
            page.wait_for_selector("html[data-charts-drawn]")
        violations = violations_of(page)
        if violations:
            found[name] = violations
        screenshot(page, name)
    assert found == {}
    assert elsewhere == []


def test_api_docs_load_from_the_app_itself(page, live_server, world):
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(request.url)
        ),
    )
    log_in(page, live_server, "office")
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert elsewhere == []


def test_form_errors_are_announced_and_labelled(page, live_server, world):
    data = seed(world, with_collection=False)
    log_in(page, live_server, "reporter")
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/new/")
    page.fill("#id_sessions", "0")
    page.fill("#id_participants", "30")
    page.locator("form.record-form button[type=submit]").click()
    alert = page.locator("[role=alert]").first
    alert.wait_for()
    assert re.search("session", alert.inner_text(), re.I) or alert.inner_text()
    assert page.get_attribute("#id_participants", "aria-invalid") == "true"
    screenshot(page, "event-form-error")
    assert violations_of(page) == []


def test_a_missing_browser_fails_with_a_clear_message(playwright_instance, tmp_path):
    missing = tmp_path / "chromium"
    with pytest.raises(pytest.fail.Exception) as failure:
        launch(playwright_instance, missing)
    assert str(failure.value) == missing_browser_message(missing)
    assert "apt-get install chromium" in str(failure.value)


def test_the_ledger_list_opens_records_keeps_its_sort_and_goes_back(page, live_server, world):
    data = seed(world, with_collection=False)
    log_in(page, live_server, "office")
    ledger = f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/"
    page.goto(ledger)
    # A column's sort survives a new filter.
    page.locator('th a[href*="sort=participants"]').click()
    page.wait_for_function("location.search.includes('sort=participants')")
    page.select_option("#id_unit", str(world.township_unit.pk))
    page.locator("form.filter button[type=submit]").click()
    page.wait_for_function("location.search.includes('unit=')")
    assert "sort=participants" in page.url
    shown = page.locator("table.ledger tbody tr td:nth-child(6)").all_inner_texts()
    numbers = [int(text.replace(",", "")) for text in shown]
    assert numbers == sorted(numbers), numbers
    # Back shows the form as it was for the list it shows.
    page.go_back()
    page.wait_for_function("!location.search.includes('unit=')")
    assert page.input_value("#id_unit") == ""
    # A record opens from the list.
    link = page.locator("table.ledger tbody tr td:first-child a").first
    href = link.get_attribute("href")
    press(page, link)
    assert page.url.endswith(href)
    assert page.locator("main h1").inner_text().strip()
    assert page.locator("#results").count() == 0


def test_no_page_is_wider_than_a_phone(browser, live_server, world):
    data = seed(world)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        log_in(page, live_server, "office")
        wider = {}
        for name, path in _pages(data, world).items():
            page.goto(f"{live_server.url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wider[name] = width
        assert wider == {}
    finally:
        context.close()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_office_corrects_a_record_backs_it_up_and_locks_its_period(
    page, live_server, world, settings, tmp_path
):
    """On the pages alone: edit a record, attach its sign-in sheet and verify it, lock the
    period; then the record refuses a change, saying why."""
    settings.MEDIA_ROOT = tmp_path
    data = seed(world, with_collection=False)
    event = data.township_event
    record = f"{live_server.url}/campaigns/{data.campaign.pk}/ledger/event/{event.pk}/"
    log_in(page, live_server, "office")
    page.goto(record)
    press(page, page.locator("main a.button[href$='/edit/']"))
    page.fill("#id_participants", "1,860")
    press(page, page.locator("form.record-form button[type=submit]"))
    page.wait_for_url(record)
    event.refresh_from_db()
    assert event.participants == 1860
    # The sign-in sheet, attached and verified.
    page.select_option("#id_kind", "sign_in")
    page.set_input_files("#id_file", {"name": "签到表.png", "mimeType": "image/png", "buffer": PNG})
    press(page, page.locator("form[action$='/evidence/'] button[type=submit]"))
    page.wait_for_url(record)
    assert page.locator("ul.evidence a", has_text="签到表.png").count() == 1
    press(page, page.locator("ul.evidence form button"))
    page.wait_for_url(record)
    assert page.locator("ul.evidence form").count() == 0  # (verified: nothing left to do)
    assert Evidence.objects.get(record_id=event.pk).verified_by == world.office
    assert violations_of(page) == []
    screenshot(page, "record-with-evidence")
    # The period locked from the campaign's locks page.
    page.goto(f"{live_server.url}/campaigns/{data.campaign.pk}/locks/")
    page.fill("#id_start", event.date.isoformat())
    page.fill("#id_end", event.date.isoformat())
    page.fill("#id_reason", "月度通报已印发")
    press(page, page.locator("form.record-form:not([action]) button[type=submit]"))
    assert page.locator("main").inner_text().count(event.date.isoformat()) >= 1
    screenshot(page, "locks")
    page.goto(record + "edit/")
    page.fill("#id_participants", "9")
    press(page, page.locator("form.record-form button[type=submit]"))
    alert = page.locator("form.record-form [role=alert]").first.inner_text()
    assert event.date.isoformat() in alert  # (the locked period, named)
    event.refresh_from_db()
    assert event.participants == 1860
