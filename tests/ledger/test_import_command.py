"""The command line: campaigndesk import / import-undo / export / template."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigndesk.ledger.io.columns import columns_for
from campaigndesk.ledger.models import EventRecord, ImportBatch, MaterialRecord

from .io_files import GOOD, HEADERS, csv_bytes, good_file, io_world

__all__ = ["io_world"]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_counts_and_progress_then_reimport_is_a_no_op(io_world, tmp_path):
    data, name = good_file("event", "xlsx")
    path = tmp_path / name
    path.write_bytes(data)
    campaign = str(io_world.campaign.pk)
    out, err = run("import", "event", str(path), "--campaign", campaign)
    batch = ImportBatch.objects.get()
    assert f"Imported 3 rows into {io_world.campaign.name}: 3 created, 0 updated" in out
    assert f"(batch {batch.pk})" in out
    assert "3 rows" in err  # the progress line
    out, err = run("import", "event", str(path), "--campaign", campaign)
    assert f"Already imported (batch {batch.pk}); nothing was written." in out
    assert EventRecord.objects.count() == 3


def test_import_lists_every_bad_row_and_fails(io_world, tmp_path):
    rows = [
        HEADERS["event"],
        ["无此单位", "", "2024-02-05", "宣讲", "", "1", "1", ""],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "0", "5", ""],
    ]
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import", "event", str(path), "--campaign", str(io_world.campaign.pk), stderr=err
        )
    assert caught.value.returncode == 1
    assert "Nothing was imported: 2 problem(s)" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("row 2, 单位 (A): No unit is called") for line in lines)
    assert any(line.startswith("row 3, 人次 (G): Participants need") for line in lines)
    assert not EventRecord.objects.exists()


def test_import_as_a_user(io_world, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes([HEADERS["material"], *GOOD["material"]]))
    campaign = str(io_world.campaign.pk)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "material", str(path), "--campaign", campaign, "--as", "reporter", stderr=err
        )
    assert "单位 (A): You may not file records for 楚雄市融媒体中心." in err.getvalue()
    assert not MaterialRecord.objects.exists()
    run("import", "material", str(path), "--campaign", campaign, "--as", "office")
    assert MaterialRecord.objects.count() == 3
    assert ImportBatch.objects.get().created_by == io_world.world.office
    with pytest.raises(CommandError):
        run("import", "material", str(path), "--campaign", campaign, "--as", "nobody")


def test_import_undo(io_world, tmp_path):
    data, name = good_file("material")
    path = tmp_path / name
    path.write_bytes(data)
    run("import", "material", str(path), "--campaign", str(io_world.campaign.pk))
    batch = ImportBatch.objects.get()
    out, _err = run("import-undo", str(batch.pk))
    assert f"Undid batch {batch.pk}: 3 record(s) deleted, 0 put back." in out
    assert not MaterialRecord.objects.exists()
    with pytest.raises(CommandError):
        run("import-undo", str(batch.pk))
    with pytest.raises(CommandError):
        run("import-undo", "999999")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_and_export(io_world, tmp_path, fmt):
    target = tmp_path / f"t.{fmt}"
    out, _err = run("template", "output", "--format", fmt, "-o", str(target))
    headers = [c.header for c in columns_for("output")]
    if fmt == "csv":
        assert target.read_bytes().decode("utf-8-sig").strip() == ",".join(headers)
    else:
        sheet = openpyxl.load_workbook(target).worksheets[0]
        assert [c.value for c in sheet[1]] == headers

    data, name = good_file("event")
    source = tmp_path / name
    source.write_bytes(data)
    run("import", "event", str(source), "--campaign", str(io_world.campaign.pk))
    exported = tmp_path / f"events.{fmt}"
    out, _err = run(
        "export",
        "event",
        "--campaign",
        str(io_world.campaign.pk),
        "--format",
        fmt,
        "-o",
        str(exported),
        "--region",
        "532301001",
    )
    assert str(exported) in out
    if fmt == "csv":
        lines = exported.read_bytes().decode("utf-8-sig").splitlines()
        assert len(lines) == 3  # header and the two events under 鹿城镇
    else:
        rows = list(openpyxl.load_workbook(exported).worksheets[0].iter_rows(values_only=True))
        assert len(rows) == 3

    table = tmp_path / f"rollup.{fmt}"
    run(
        "export",
        "rollup",
        "--campaign",
        str(io_world.campaign.pk),
        "--format",
        fmt,
        "-o",
        str(table),
        "--group-by",
        "township",
        "--indicators",
        "lectures,event_participants",
    )
    assert table.stat().st_size > 0
    with pytest.raises(CommandError):
        run(
            "export",
            "rollup",
            "--campaign",
            str(io_world.campaign.pk),
            "-o",
            str(table),
            "--indicators",
            "no_such_code",
        )


def test_the_file_name_gives_the_format_and_unused_options_are_refused(io_world, tmp_path):
    campaign = str(io_world.campaign.pk)
    run("template", "event", "-o", str(tmp_path / "活动模板.csv"))
    assert (tmp_path / "活动模板.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    run("export", "event", "--campaign", campaign, "-o", str(tmp_path / "导出.xlsx"))
    assert (tmp_path / "导出.xlsx").read_bytes().startswith(b"PK")
    with pytest.raises(CommandError, match=r"t\.txt"):
        run("template", "event", "-o", str(tmp_path / "t.txt"))
    with pytest.raises(CommandError, match="--format csv"):
        run("template", "event", "--format", "csv", "-o", str(tmp_path / "x.xlsx"))
    table = str(tmp_path / "t.csv")
    with pytest.raises(CommandError, match="--template"):
        run("export", "rollup", "--campaign", campaign, "-o", table, "--template", "1")
    with pytest.raises(CommandError, match="--region, --record-kind"):
        run(
            "export", "fill", "--campaign", campaign, "-o", str(tmp_path / "f.xlsx"),
            "--template", "1", "--region", "532301002", "--record-kind", "event",
        )  # fmt: skip
    with pytest.raises(CommandError, match="lecture"):
        run("export", "rollup", "--campaign", campaign, "-o", table, "--record-kind", "lecture")


def test_import_into_an_unknown_campaign_names_it(io_world, tmp_path):
    data, name = good_file("material")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError) as error:
        run("import", "material", str(path), "--campaign", "999999")
    assert "999999" in str(error.value)


def test_import_undo_reports_what_it_did(io_world, tmp_path):
    """A record the import updated but deleted since is not put back: not counted."""
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.services import record_create, record_delete

    record = record_create(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="event",
        unit=io_world.world.township_unit,
        date=io_world.campaign.start_date,
        kind="lecture",
        sessions=1,
        participants=1,
    ).record
    header = [*HEADERS["event"], "外部编号"]
    row = ["鹿城镇人民政府", "", str(record.date), "宣讲", "改", "1", "1", "", f"#{record.pk}"]
    path = tmp_path / "e.csv"
    path.write_bytes(csv_bytes([header, row]))
    run("import", "event", str(path), "--campaign", str(io_world.campaign.pk))
    record_delete(actor=SYSTEM, record_kind="event", record=EventRecord.objects.get())
    out, _err = run("import-undo", str(ImportBatch.objects.get().pk))
    assert "0 record(s) deleted, 0 put back." in out
