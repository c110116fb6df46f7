"""Reporting up in a browser: a unit's reporter files an item with a photo from a phone
and submits it; the editor, the reviewer and the approver each take it from their tab of
the review queue, the reviewer first returning it once with a reason that the unit sees
(and is told of by the bell); the unit revises and resubmits; the office records a
headline adoption by a municipal outlet, drafts and issues the month's bulletin, and the
annual assessment shows the unit's points.

The pages are in Chinese (the browser's language), where some strings may not be
translated yet: the assertions read data, states (``state-*`` classes) and buttons'
values rather than labels. The pages looked at pass axe-core and are saved as
test-artifacts/reporting-*.png."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest

from campaigndesk.regions.models import OutletLevel
from campaigndesk.reporting import services
from campaigndesk.reporting.models import InfoItem, ItemState

from ..factories import OutletFactory
from ..reporting.factories import AssessmentRulesFactory, local, png_bytes
from .helpers import BROWSER, DESK, PHONE, axe_violations, log_in, press, screenshot

pytestmark = BROWSER

TITLE = "鹿城镇开展移民政策宣讲"
EDITED_TITLE = "鹿城镇宣讲移民后扶政策"
REASON = "请补充参与人数和现场照片说明"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Clock:
    """The time the reporting services read (the live server's thread too)."""

    def __init__(self, at: datetime.datetime):
        self.at = at

    def __call__(self) -> datetime.datetime:
        return self.at


@pytest.fixture
def as_user(browser, live_server):
    """A logged-in page per user, each in its own browser (closed at the end)."""
    contexts = []

    def open_as(username: str, viewport=DESK):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, live_server, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def saved(page, name: str) -> None:
    """Save the page as test-artifacts/<name>.png; it passes axe-core (no serious or
    critical violation)."""
    screenshot(page, name)
    assert axe_violations(page) == [], name


def state_of(page) -> str:
    classes = page.locator("#item-state").get_attribute("class").split()
    return next(c.removeprefix("state-") for c in classes if c.startswith("state-"))


def take_step(page, live_server, campaign_id: int, step: str, title: str) -> None:
    """Open the queue's tab of ``step``, find the item there and press the step's button."""
    page.goto(f"{live_server.url}/reporting/campaigns/{campaign_id}/queue/")
    page.locator(f'nav.tabs a[data-step="{step}"]').click()
    page.wait_for_url(re.compile(rf"step={step}"))
    tab = page.locator(f'nav.tabs a[data-step="{step}"]')
    assert tab.get_attribute("aria-current") == "page"
    assert tab.locator(".count").inner_text() == "1"
    rows = page.locator("table.items tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").all_inner_texts()[:2] == [title, "鹿城镇人民政府"]
    rows.first.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/reporting/items/\d+/$"))
    press(page, page.locator(f'button[name="go"][value="{step}"]'))
    assert page.locator(".message.success").count() == 1


def test_an_item_goes_up_is_returned_once_signed_off_adopted_and_scored(
    as_user, live_server, world
):
    campaign = world.campaign
    outlet = OutletFactory(name="楚雄日报", level=OutletLevel.MUNICIPAL)
    AssessmentRulesFactory(
        campaign=campaign, valid_from=datetime.date(2024, 1, 1), headline_multiplier=Decimal("2")
    )
    clock = Clock(local(2024, 3, 4, 9))
    with mock.patch.object(services, "_now", clock):
        _walk(as_user, live_server, campaign, outlet, clock)


def _walk(as_user, live_server, campaign, outlet, clock):
    c = campaign.pk
    # --- the reporter files the item, with a photo, from a phone -----------------------
    reporter = as_user("reporter", PHONE)
    reporter.goto(f"{live_server.url}/reporting/campaigns/{c}/items/")
    reporter.locator(f'a[href="/reporting/campaigns/{c}/items/new/"]').click()
    reporter.fill("#id_title", TITLE)
    reporter.fill("#id_body", "3月4日，鹿城镇在北浦社区开展移民政策宣讲。")
    reporter.set_input_files(
        "#id_attachments",
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    # Nothing on the phone's form is wider than the screen.
    assert reporter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    saved(reporter, "reporting-item-form-phone")
    reporter.locator("main form button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/reporting/items/\d+/$"))
    item = InfoItem.objects.get(campaign=campaign)
    assert reporter.locator("h1").inner_text() == TITLE
    assert state_of(reporter) == ItemState.DRAFT
    attachment = reporter.locator('a[href^="/reporting/attachments/"]:text("现场.png")')
    assert attachment.count() == 1
    photo = reporter.request.get(live_server.url + attachment.get_attribute("href"))
    assert photo.ok and photo.body() == png_bytes()
    press(reporter, reporter.locator('button[name="go"][value="submit"]'))
    assert state_of(reporter) == ItemState.SUBMITTED
    assert reporter.locator('button[name="go"][value="edit"]').count() == 0
    assert reporter.locator(".timeline li").count() == 1

    # --- 编辑: the editor edits the title on the way -----------------------------------
    clock.at = local(2024, 3, 4, 11)
    editor = as_user("editor")
    editor.goto(f"{live_server.url}/reporting/campaigns/{c}/queue/")
    editor.locator('nav.tabs a[data-step="edit"]').click()
    editor.wait_for_url(re.compile(r"step=edit"))
    editor.locator("table.items tbody tr").first.get_by_role("link", name=TITLE).click()
    editor.wait_for_url(re.compile(r"/reporting/items/\d+/$"))
    saved(editor, "reporting-item-edit-step")
    editor.fill("#id_title", EDITED_TITLE)
    press(editor, editor.locator('button[name="go"][value="edit"]'))
    assert editor.locator("h1").inner_text() == EDITED_TITLE
    assert state_of(editor) == ItemState.EDITED

    # --- 审核: the reviewer returns it with a reason -----------------------------------
    clock.at = local(2024, 3, 4, 15)
    reviewer = as_user("reviewer")
    reviewer.goto(f"{live_server.url}/reporting/campaigns/{c}/queue/?step=review")
    assert reviewer.locator('nav.tabs a[data-step="review"] .count').inner_text() == "1"
    reviewer.locator("table.items").get_by_role("link", name=EDITED_TITLE).click()
    reviewer.locator("details:has(form[action$='/step/return/']) summary").click()
    # A return without a reason is refused by the browser (the field is required).
    assert reviewer.locator("#id_reason").get_attribute("required") is not None
    reviewer.fill("#id_reason", REASON)
    press(reviewer, reviewer.locator('button[name="go"][value="return"]'))
    assert state_of(reviewer) == ItemState.RETURNED
    assert reviewer.locator('button[name="go"][value="review"]').count() == 0

    # --- the unit sees the reason and the bell, revises and resubmits -----------------
    clock.at = local(2024, 3, 5, 9)
    reporter.goto(f"{live_server.url}/reporting/")
    assert reporter.locator(".bell .count").inner_text() == "1"
    press(reporter, reporter.locator(".bell"))
    unread = reporter.locator("ul.notifications li.unread")
    assert unread.count() == 1
    assert REASON in unread.inner_text() and EDITED_TITLE in unread.inner_text()
    unread.locator("button").click()  # opens the item and marks the notification read
    reporter.wait_for_url(f"**/reporting/items/{item.pk}/")
    assert reporter.locator(".bell .count").count() == 0
    assert state_of(reporter) == ItemState.RETURNED
    # The reason stands above the text, and in the timeline.
    assert reporter.locator("#return-reason q").inner_text() == REASON
    returned = reporter.locator('.timeline li[data-step="return"]')
    assert returned.locator("q").inner_text() == REASON
    saved(reporter, "reporting-item-returned-phone")
    assert reporter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    reporter.locator(f'a[href="/reporting/items/{item.pk}/edit/"]').click()
    assert reporter.input_value("#id_title") == EDITED_TITLE
    reporter.fill("#id_body", "3月4日，鹿城镇在北浦社区开展移民政策宣讲，参与群众120人。")
    reporter.locator("main form button[type=submit]").click()
    reporter.wait_for_url(f"**/reporting/items/{item.pk}/")
    assert "参与群众120人" in reporter.locator(".body").inner_text()
    press(reporter, reporter.locator('button[name="go"][value="submit"]'))
    assert state_of(reporter) == ItemState.SUBMITTED

    # --- the three steps start over, each from its own tab -----------------------------
    for page, step, hour in ((editor, "edit", 10), (reviewer, "review", 11)):
        clock.at = local(2024, 3, 5, hour)
        take_step(page, live_server, c, step, EDITED_TITLE)
    clock.at = local(2024, 3, 5, 16)
    approver = as_user("approver")
    take_step(approver, live_server, c, "sign_off", EDITED_TITLE)
    assert state_of(approver) == ItemState.SIGNED_OFF
    steps = approver.locator(".timeline li").evaluate_all("lis => lis.map(li => li.dataset.step)")
    assert steps == ["submit", "edit", "return", "resubmit", "edit", "review", "sign_off"]

    # --- the office: the queue is empty, it records a headline adoption ----------------
    office = as_user("office")
    office.goto(f"{live_server.url}/reporting/campaigns/{c}/queue/")
    counts = office.locator("nav.tabs a[data-step] .count").all_inner_texts()
    assert counts == ["0", "0", "0"]
    saved(office, "reporting-queue")
    office.goto(f"{live_server.url}/reporting/items/{item.pk}/")
    office.locator("details:has(form[action$='/adoptions/']) summary").click()
    office.select_option("#id_outlet", str(outlet.pk))
    office.fill("#id_date", "2024-03-10")
    office.check("#id_is_headline")
    press(office, office.locator("form[action$='/adoptions/'] button[type=submit]"))
    row = office.locator("section:has(#adoptions) table tbody tr")
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[0] == "楚雄日报"
    assert cells[1] in ("州(市)级", "Municipal")  # the level, in either language
    assert cells[2] == "2024-03-10"
    assert cells[3] == "✓"
    saved(office, "reporting-item-adopted")
    # The unit sees it on its phone too.
    reporter.goto(f"{live_server.url}/reporting/items/{item.pk}/")
    assert "楚雄日报" in reporter.locator("section:has(#adoptions)").inner_text()
    saved(reporter, "reporting-item-phone")

    # --- the March bulletin: a draft, then issued; the annual assessment --------------
    office.goto(f"{live_server.url}/reporting/campaigns/{c}/bulletins/new/")
    office.fill("#id_period_start", "2024-03")
    office.fill("#id_signer", "张三")
    office.locator("main form button[type=submit]").click()
    office.wait_for_url(re.compile(r"/reporting/bulletins/\d+/$"))
    # Municipal 4 points × 2 for a headline; the lead unit reported nothing.
    expected = [
        ["1", "鹿城镇人民政府", "1", "1", "8.00"],
        ["2", "楚雄市融媒体中心", "0", "0", "0.00"],
    ]
    assert bulletin_rows(office) == expected
    saved(office, "reporting-bulletin-draft")
    office.fill("#id_issue_date", "2024-04-08")
    press(office, office.locator("form[action$='/issue/'] button[type=submit]"))
    assert office.locator(".message.success").count() == 1
    assert office.locator("#document-number").count() == 1
    assert bulletin_rows(office) == expected
    for extension in ("docx", "xlsx"):
        href = office.locator(f'a[href$="/bulletin.{extension}"]').get_attribute("href")
        download = office.request.get(live_server.url + href)
        assert download.ok and download.body()[:2] == b"PK", extension
    saved(office, "reporting-bulletin-issued")
    # The campaign ran in 2024: its annual page opens on that year.
    office.locator(f'nav.tabs a[href="/reporting/campaigns/{c}/annual/"]').click()
    office.wait_for_url(f"**/reporting/campaigns/{c}/annual/")
    assert office.input_value("#id_year") == "2024"
    annual = office.locator("#annual-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(td => td.innerText.trim()))"
    )
    assert annual == [
        ["1", "鹿城镇人民政府", "8.00", "8.00"],
        ["2", "楚雄市融媒体中心", "0.00", "0.00"],
    ]
    assert office.locator("#annual-table thead th").all_inner_texts()[2] == "2024-03"
    saved(office, "reporting-annual")


def bulletin_rows(page) -> list[list[str]]:
    """Rank, unit, submitted, signed off and points of each row of the bulletin table."""
    return page.locator("#bulletin-table tbody tr").evaluate_all(
        """rows => rows.map(r => {
            const c = [...r.cells].map(td => td.innerText.trim());
            return [c[0], c[1], c[2], c[3], c[c.length - 1]];
        })"""
    )
