"""A column's reader (the type chosen once, for the import's every cell) reads a cell as
``Column.read`` does: the same value, or the same error."""

import datetime
from decimal import Decimal

import pytest

from campaigndesk.ledger.io.columns import CellError, columns_for

CELLS = [
    None,
    "",
    "  ",
    "12",
    " 12 ",
    "１２",
    "1,234",
    "12.50",
    "12.505",
    "-3",
    "很多",
    12,
    -3,
    0,
    10**13,
    10**20,
    12.5,
    12.0,
    0.1,
    1e20,
    float("nan"),
    Decimal("7.25"),
    True,
    False,
    datetime.date(2024, 3, 1),
    datetime.datetime(2024, 3, 1, 8, 30),
    "2024-03-01",
    "2024年3月1日",
    "2024-02-30",
    "横幅",
    "banner",
    "宣讲",
    "图文",
    "约",
    "余",
    "原创",
    "转载",
    "否",
    "wechat",
    "微信公众号",
    "x" * 2001,
]


def outcome(read, value):
    try:
        return ("value", read(value))
    except CellError as error:
        return ("error", str(error))


@pytest.mark.parametrize("kind", ["output", "material", "event", "figure"])
def test_readers_read_as_the_columns_do(kind):
    for column in columns_for(kind):
        reader = column.reader()
        for value in CELLS * 2:  # twice: what a reader remembers gives the same again
            expected = outcome(column.read, value)
            got = outcome(reader, value)
            assert got == expected, (column.key, value)
            if got[0] == "value" and got[1] is not None:
                assert type(got[1]) is type(expected[1]), (column.key, value)
