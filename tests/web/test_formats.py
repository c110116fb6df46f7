"""Dates as offices write them: "3月1日", never "03月1日" (a reminder pasted into WeChat
reads as it would be written by hand)."""

import datetime

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_a_month_and_day_are_written_without_a_padded_month(language):
    with translation.override(language):
        assert formats.date_format(datetime.date(2024, 3, 1), "MONTH_DAY_FORMAT") == "3月1日"
        assert formats.date_format(datetime.date(2024, 11, 22), "MONTH_DAY_FORMAT") == "11月22日"
