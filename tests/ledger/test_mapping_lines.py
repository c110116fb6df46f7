"""An export template's mapping typed one cell a line, and written back as lines."""

import pytest

from campaigndesk.common.errors import FieldError
from campaigndesk.ledger.io.mapping import (
    mapping_error_on_line,
    mapping_from_lines,
    mapping_lines,
    mapping_to_lines,
)
from campaigndesk.ledger.models import Indicator

from .io_files import io_world
from .test_export_template import MAPPING, create

__all__ = ["io_world"]

TYPED = """\
# 州进度表: the first sheet unless named
C5 lectures

Sheet1!D7 event_participants region=532301 kind=event:lecture
表1!E9 宣讲场次 as_of=2024-02-22 group.township=532301001
  E10 宣讲（场次） outlet_level=4 group.unit=12 label='total, all towns'
'My Sheet'!B2 LECTURES channel=微信公众号 date_from=2024-02-01 date_to=2024-02-29
"""


def test_lines_become_entries_with_their_line_numbers(db):
    entries = mapping_lines(TYPED)
    assert [number for number, _entry in entries] == [2, 4, 5, 6, 7]
    assert [entry for _number, entry in entries] == [
        {"cell": "C5", "indicator": "lectures", "filters": {}, "group": {}},
        {
            "cell": "Sheet1!D7",
            "indicator": "event_participants",
            "filters": {"region": "532301", "kind": "event:lecture"},
            "group": {},
        },
        # A name with its measure word, in either form, and a code in capitals.
        {
            "cell": "表1!E9",
            "indicator": "lectures",
            "filters": {"as_of": "2024-02-22"},
            "group": {"township": "532301001"},
        },
        {
            "cell": "E10",
            "indicator": "lectures",
            "filters": {"outlet_level": 4},
            "group": {"unit": 12},
            "label": "total, all towns",
        },
        {
            "cell": "My Sheet!B2",
            "indicator": "lectures",
            "filters": {
                "channel": "微信公众号",
                "date_from": "2024-02-01",
                "date_to": "2024-02-29",
            },
            "group": {},
        },
    ]
    assert mapping_from_lines(TYPED) == [entry for _number, entry in entries]


def test_an_indicator_by_its_plain_name_or_a_name_with_spaces(db):
    Indicator.objects.create(code="door_talks", name="Door step talks", category="events")
    entries = mapping_from_lines("C3 参与群众\nC4 Door step talks group.county=532301\nC5 无此指标")
    assert [e["indicator"] for e in entries] == ["event_participants", "door_talks", "无此指标"]
    assert entries[1]["group"] == {"county": "532301"}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("C5 lectures\n\n# a comment\nC6", 4, "write the indicator's code or name"),
        ("C5 region=532301", 1, "write the indicator's code or name"),
        ("C5 lectures\nC6 lectures town=532301001", 2, "unknown key town"),
        ("C5 lectures group.=1", 1, "unknown key group."),
        ("C5 lectures region=532301 wechat", 1, "“wechat” is not key=value"),
        ("C5 lectures as_of=2024-02-01 as_of=2024-02-02", 1, "as_of is given twice"),
        ("\n\nC5 lectures label='open", 3, "quotation mark is not closed"),
    ],
)
def test_a_malformed_line_is_named_by_its_number(db, text, line, reason):
    with pytest.raises(FieldError) as caught:
        mapping_lines(text)
    assert caught.value.field == "mapping"
    assert caught.value.message.startswith(f"line {line}: "), caught.value.message
    assert reason in caught.value.message


def test_a_name_shared_by_two_indicators_asks_for_the_code(db):
    Indicator.objects.create(code="lectures_county", name="宣讲", category="events")
    with pytest.raises(FieldError) as caught:
        mapping_lines("C5 lectures\nC6 宣讲")
    assert caught.value.message.startswith("line 2: ")
    assert "lectures, lectures_county" in caught.value.message
    # The code still says which.
    assert mapping_from_lines("C6 lectures_county")[0]["indicator"] == "lectures_county"


def test_a_saved_mapping_round_trips_through_lines(io_world):
    template = create(io_world)
    text = mapping_to_lines(template.mapping)
    assert text.count("\n") == len(MAPPING)
    assert "分镇!B2 lectures group.township=532301001\n" in text
    assert mapping_from_lines(text) == template.mapping
    # Typed back in, the lines save the same mapping as the JSON did.
    again = create(io_world, mapping=mapping_from_lines(text))
    assert again.mapping == template.mapping


def test_odd_values_are_quoted_and_come_back_the_same(db):
    mapping = [
        {"cell": "My Sheet!C5", "indicator": "lectures", "filters": {}, "group": {}},
        {"cell": "#2!C6", "indicator": "lectures", "filters": {}, "group": {}},
        {
            "cell": "O'Brien!A1",
            "indicator": "short_videos",
            "filters": {"channel": "wechat", "outlet_level": 4, "kind": "output:video"},
            "group": {"unit": 7, "outlet": 9, "outlet_level": 3, "record_kind": "output"},
            "label": 'a "quoted" label = x',
        },
    ]
    text = mapping_to_lines(mapping)
    assert not any(line.startswith("#") for line in text.splitlines())
    assert mapping_from_lines(text) == mapping


def test_a_service_error_is_told_on_the_line_it_came_from(io_world):
    text = "# header\nC3 lectures\n\n进度表!C3 banners\n"
    entries = mapping_lines(text)
    with pytest.raises(FieldError) as caught:
        create(io_world, [entry for _n, entry in entries])
    assert caught.value.field == "mapping.1.cell"
    message = mapping_error_on_line(caught.value, [n for n, _e in entries])
    assert message.startswith("line 4: ") and "mapped above already" in message
    # Not about an entry: the message as it is.
    assert mapping_error_on_line(FieldError("mapping", "empty"), []) == "empty"
