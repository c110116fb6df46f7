"""`campaigndesk schedule import`: imports as the command-line operator, lists every bad
row and fails when the file is rejected."""

import io

import pytest
from django.core.management import CommandError, call_command

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns.models import ScheduleItem

from ..factories import UnitFactory
from .files import HEADER, csv_bytes, xlsx_bytes


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("schedule", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_a_file(world, tmp_path):
    UnitFactory(name="县水利局", region=world.county)
    UnitFactory(name="县民政局", region=world.other_county)
    path = tmp_path / "安排表.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [HEADER, [1, "水利建设", "", "县水利局", "10月"], [2, "关爱", "", "县民政局", "11月"]]
        )
    )
    out, err = call("import", "--campaign", world.campaign.pk, "--year", 2023, path)
    assert "2" in out
    assert "县民政局" in err  # the warning: outside the campaign's region
    assert world.campaign.schedule.count() == 2
    entry = AuditEntry.objects.get(action="campaigns.schedule.imported")
    assert (entry.actor_label, entry.extra["filename"]) == ("system", "安排表.xlsx")


def test_a_rejected_file_prints_every_bad_row_and_fails(world, tmp_path):
    UnitFactory(name="县水利局", region=world.county)
    path = tmp_path / "plan.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                ["1", "水利建设", "", "县不存在局", "10月"],
                ["2", "水利建设", "", "县水利局", "2月30日"],
            ]
        )
    )
    with pytest.raises(CommandError, match="2"):
        call("import", "--campaign", world.campaign.pk, "--year", 2023, path)
    assert ScheduleItem.objects.count() == 0


def test_the_rejected_rows_go_to_stderr(world, tmp_path, capsys):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([HEADER, ["1", "水利建设", "", "县不存在局", "10月"]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "schedule",
            "import",
            "--campaign",
            str(world.campaign.pk),
            "--year",
            "2023",
            str(path),
            stderr=err,
        )
    assert "row 2" in err.getvalue() and "县不存在局" in err.getvalue()


@pytest.mark.parametrize(
    ("campaign", "name", "message"),
    [
        (999999, "plan.csv", "Not found"),
        (None, "plan.xls", ".xlsx"),
        (None, "missing.csv", "Cannot"),
    ],
)
def test_errors_fail_the_command(world, tmp_path, campaign, name, message):
    path = tmp_path / name
    if name != "missing.csv":
        path.write_bytes(b"x")
    with pytest.raises(CommandError, match=message):
        call("import", "--campaign", campaign or world.campaign.pk, "--year", 2023, path)
