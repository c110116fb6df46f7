"""A schedule table pasted as text becomes schedule items through the schedule import."""

import datetime

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns.models import ScheduleItem
from campaigndesk.common.errors import DomainError, Forbidden, ImportRejected
from campaigndesk.documents.plan_text import schedule_csv
from campaigndesk.documents.services import schedule_import_text

from .helpers import HEADER, PASTED, ROWS

D = datetime.date


def test_the_shaoyang_table_pasted_as_text_gives_ten_schedule_items(world, shaoyang_units):
    result = schedule_import_text(
        actor=world.office, campaign=world.campaign, text=PASTED, year=2023
    )
    items = list(ScheduleItem.objects.filter(campaign=world.campaign).order_by("seq"))
    assert [i.pk for i in result.items] == [i.pk for i in items]
    assert [i.seq for i in items] == list(range(1, 11))
    first, fifth, last = items[0], items[4], items[9]
    assert first.theme == "醫療保障"  # the pinyin artifact is gone
    assert {u.name for u in first.responsible_units.all()} == {"县卫健局", "县医保局", "县妇联"}
    assert (first.window_start, first.window_end) == (D(2023, 10, 8), D(2023, 10, 10))
    assert (fifth.window_start, fifth.window_end) == (D(2023, 10, 30), D(2023, 11, 3))
    assert (last.window_start, last.window_end, last.window_text) == (
        D(2023, 12, 1),
        D(2023, 12, 10),
        "12月初",
    )
    assert {u.name for u in items[1].responsible_units.all()} == {
        "县住建局",
        "县住房保障中心",
        "县电力公司",
    }
    assert AuditEntry.objects.filter(action="campaigns.schedule.imported").count() == 1


def test_rows_on_one_line_with_tabs_or_bars(world, shaoyang_units):
    tabs = "\n".join("\t".join(row) for row in [HEADER, *ROWS[:3]])
    schedule_import_text(actor=world.office, campaign=world.campaign, text=tabs, year=2023)
    bars = "\n".join(
        ["| " + " | ".join(HEADER) + " |", "|---|---|---|---|---|"]
        + ["| " + " | ".join(row) + " |" for row in ROWS[3:5]]
    )
    schedule_import_text(actor=world.office, campaign=world.campaign, text=bars, year=2023)
    assert list(
        ScheduleItem.objects.filter(campaign=world.campaign)
        .order_by("seq")
        .values_list("seq", flat=True)
    ) == [1, 2, 3, 4, 5]


def test_a_cell_over_two_lines_ends_at_its_bar():
    text = "\n".join(
        [
            *(f"{c} |" for c in HEADER),
            *("1 |", "醫療保障 |", "異地就醫結算", "與代辦服務 |", "縣衛健局 |", "10月8-10日 |"),
            "以上安排如有調整，另行通知。",
        ]
    )
    lines = schedule_csv(text).decode().splitlines()
    assert lines[1] == "1,醫療保障,異地就醫結算 與代辦服務,縣衛健局,10月8-10日"
    assert len(lines) == 2


def test_an_unknown_unit_rejects_the_whole_table(world, shaoyang_units):
    text = PASTED.replace("縣教育局", "縣體育局")
    with pytest.raises(ImportRejected) as rejected:
        schedule_import_text(actor=world.office, campaign=world.campaign, text=text, year=2023)
    assert "縣體育局" in str(rejected.value)
    assert not ScheduleItem.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n", "這裡沒有表格。\n只有文字 |"])
def test_text_without_a_table_is_refused(world, text):
    with pytest.raises(DomainError):
        schedule_import_text(actor=world.office, campaign=world.campaign, text=text, year=2023)


def test_only_the_office_imports(world, shaoyang_units):
    with pytest.raises(Forbidden):
        schedule_import_text(actor=world.reporter, campaign=world.campaign, text=PASTED, year=2023)
    assert not ScheduleItem.objects.exists()
