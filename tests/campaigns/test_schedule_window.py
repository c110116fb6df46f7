"""Reading the time windows of a schedule table (宣传时间)."""

import datetime

import pytest

from campaigndesk.campaigns.schedule_import import (
    WindowError,
    column_of,
    parse_window,
    split_unit_names,
)

D = datetime.date

GOOD = [
    # text, year, start, end
    ("10月8-10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月8日-10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月8日至10月10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月8日到10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月8日—10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月8日 ~ 10日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("10月30-11月3日", 2023, D(2023, 10, 30), D(2023, 11, 3)),
    ("11月27-30日", 2023, D(2023, 11, 27), D(2023, 11, 30)),
    ("12月初", 2023, D(2023, 12, 1), D(2023, 12, 10)),
    ("12月上旬", 2023, D(2023, 12, 1), D(2023, 12, 10)),
    ("12月中旬", 2023, D(2023, 12, 11), D(2023, 12, 20)),
    ("12月月中", 2023, D(2023, 12, 11), D(2023, 12, 20)),
    ("12月中", 2023, D(2023, 12, 11), D(2023, 12, 20)),
    ("12月下旬", 2023, D(2023, 12, 21), D(2023, 12, 31)),
    ("11月月底", 2023, D(2023, 11, 21), D(2023, 11, 30)),
    ("11月底", 2023, D(2023, 11, 21), D(2023, 11, 30)),
    ("2月月末", 2023, D(2023, 2, 21), D(2023, 2, 28)),
    ("2月下旬", 2024, D(2024, 2, 21), D(2024, 2, 29)),
    ("10月8日-月底", 2023, D(2023, 10, 8), D(2023, 10, 31)),
    ("10月", 2023, D(2023, 10, 1), D(2023, 10, 31)),
    ("2月", 2023, D(2023, 2, 1), D(2023, 2, 28)),
    ("10月-11月", 2023, D(2023, 10, 1), D(2023, 11, 30)),
    ("10月8日", 2023, D(2023, 10, 8), D(2023, 10, 8)),
    ("10月8号", 2023, D(2023, 10, 8), D(2023, 10, 8)),
    ("12月28日-1月3日", 2023, D(2023, 12, 28), D(2024, 1, 3)),
    ("2023年10月8日-2023年10月10日", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    ("2023年12月28日-2024年1月3日", 2023, D(2023, 12, 28), D(2024, 1, 3)),
    ("2023年10月8日", 2030, D(2023, 10, 8), D(2023, 10, 8)),
    ("2023-10-08~2023-10-10", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    ("2023-10-08至2023-10-10", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    ("2023/10/8-2023/10/10", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    ("2023-10-08", 2030, D(2023, 10, 8), D(2023, 10, 8)),
    # Full-width digits and punctuation.
    ("１０月８－１０日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("１０月８日～１０日", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("２０２３－１０－０８～２０２３－１０－１０", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    # Traditional script.
    ("10月8號", 2023, D(2023, 10, 8), D(2023, 10, 8)),
    ("10月8日至10月10號", 2023, D(2023, 10, 8), D(2023, 10, 10)),
    ("12月下旬", 2023, D(2023, 12, 21), D(2023, 12, 31)),
    ("2023年10月8日至2023年10月10日", 2030, D(2023, 10, 8), D(2023, 10, 10)),
    ("  10月8-10日 ", 2023, D(2023, 10, 8), D(2023, 10, 10)),
]


@pytest.mark.parametrize(("text", "year", "start", "end"), GOOD)
def test_window_is_read(text, year, start, end):
    window = parse_window(text, year=year)
    assert (window.start, window.end) == (start, end)
    assert window.text == text.strip()


BAD = [
    # text, a word the reason must contain
    ("", "missing"),
    ("   ", "missing"),
    ("待定", "Cannot read"),
    ("十月八日", "Cannot read"),
    ("2月30日", "does not exist"),
    ("２月３０日", "does not exist"),
    ("2023年2月29日", "does not exist"),
    ("4月31日", "does not exist"),
    ("13月", "does not exist"),
    ("10月10-8日", "before it starts"),
    ("10月8日至10月1日", "before it starts"),
    ("2024年1月3日-2023年12月28日", "before it starts"),
    ("2023-10-10~2023-10-08", "before it starts"),
    ("8日", "which month"),
    ("月中", "which month"),
    ("8-10日", "which month"),
    ("10月8日-", "Cannot read"),
    ("10月8-10-12日", "Cannot read"),
    ("10月8日左右", "Cannot read"),
]


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad_window_is_an_error_with_a_reason(text, reason):
    with pytest.raises(WindowError) as caught:
        parse_window(text, year=2023)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("序号", "seq"),
        ("序號", "seq"),
        ("主题", "theme"),
        ("宣傳主題", "theme"),
        ("项目", "project"),
        ("实事名称", "project"),
        ("實事(項目)名稱", "project"),
        ("实事（项目）名称", "project"),
        ("项目名称", "project"),
        ("責任單位", "units"),
        ("責任單(dān)位(wèi)", "units"),
        ("责任单位（牵头）", "units"),
        ("牵头单位", "units"),
        ("時間", "window"),
        ("宣传时间", "window"),
        ("时间安排", "window"),
        ("备注", None),
        ("“2023年溫暖民生答卷”系列宣傳活動時間安排表", None),
    ],
)
def test_header_names_match_script_blind_and_by_synonym(header, column):
    assert column_of(header) == column


def test_unit_names_are_split_on_every_separator():
    text = "縣衛(wèi)健局、縣醫(yī)保局,县妇联，县残联;县民政局；县水利局/ 县交通局 \n"
    text += "县教育局、县妇联"
    assert split_unit_names(text) == [
        "縣衛(wèi)健局",
        "縣醫(yī)保局",
        "县妇联",
        "县残联",
        "县民政局",
        "县水利局",
        "县交通局",
        "县教育局",
    ]


def test_a_window_runs_into_the_next_year_only_over_a_short_span():
    assert parse_window("11月-2月", year=2023).end == D(2024, 2, 29)
    with pytest.raises(WindowError):
        parse_window("10月8日-9月10日", year=2023)
