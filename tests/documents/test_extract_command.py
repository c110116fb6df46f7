"""`campaigndesk extract FILE`: JSON and table output, errors for bad files."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPORT = (
    "\ufeff楚雄州2024年宣传工作总结\r\n"
    "截至2月22日，播出新闻3条，刊发7篇文图，新闻20多条，引流上万人次。\r\n"
    "涉及10县市，第42届。\r\n"
)


def _run(*args) -> str:
    out = StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode("utf-8"))
    return path


def test_json_lists_every_figure_with_offsets_into_the_decoded_text(report):
    payload = json.loads(_run(str(report)))
    decoded = REPORT.removeprefix("\ufeff")
    figures = payload["figures"]
    assert [f["text"] for f in figures] == ["3", "7", "20", "万", "10"]
    for figure in figures:
        assert list(figure) == [
            "start",
            "end",
            "text",
            "value",
            "measure",
            "approx",
            "counted",
            "as_of",
        ]
        assert decoded[figure["start"] : figure["end"]] == figure["text"]
    assert figures[0] == {
        "start": decoded.index("3条"),
        "end": decoded.index("3条") + 1,
        "text": "3",
        "value": 3,
        "measure": "条",
        "approx": None,
        "counted": "新闻",
        "as_of": "2024-02-22",
    }
    assert (figures[2]["approx"], figures[3]["value"], figures[3]["measure"]) == (
        "more",
        10000,
        "人次",
    )
    assert figures[4]["measure"] == "" and figures[4]["as_of"] is None


def test_table_format(report):
    lines = _run(str(report), "--format", "table").splitlines()
    assert lines[0].split("\t") == [
        "start",
        "end",
        "text",
        "value",
        "measure",
        "approx",
        "as_of",
        "counted",
    ]
    assert len(lines) == 6
    assert lines[1].split("\t")[2:7] == ["3", "3", "条", "", "2024-02-22"]


def test_no_figures_is_an_empty_list(tmp_path):
    path = tmp_path / "dates.txt"
    path.write_text("2024年10月8日\n第一届\n", encoding="utf-8")
    assert json.loads(_run(str(path))) == {"figures": []}


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path / "nope.txt"))


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CommandError, match="not text"):
        _run(str(path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        _run(str(path))


def test_console_script(report):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "campaigndesk"), "extract", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert len(json.loads(result.stdout)["figures"]) == 5
