"""The `campaigndesk regions` command: load and import, run as the system operator."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.regions.models import Region

from .test_official_load import _tiny


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("regions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_load_prints_counts_and_time(tmp_path):
    out, _ = _run("load", "--under", "532322", "--source", str(_tiny(tmp_path)))
    assert "双柏县 (532322)" in out
    assert re.search(r"in \d+\.\d s:", out)
    assert "County: 1" in out and "Township: 1" in out
    villages = Region.objects.filter(code__startswith="532322101", level=5).count()
    assert villages > 0 and f"Village: {villages}" in out
    entry = AuditEntry.objects.get(action="regions.tree.loaded")
    assert entry.actor is None and entry.actor_label == "system"


@pytest.mark.django_db
def test_load_real_data_by_default():
    out, _ = _run("load", "--under", "532322000000")
    assert "Village: 85" in out
    assert Region.objects.filter(path__startswith="53/5323/532322/").count() == 94


@pytest.mark.django_db
def test_load_unknown_code_fails():
    with pytest.raises(CommandError, match="999999"):
        _run("load", "--under", "999999")
    assert not Region.objects.exists()


def test_import_good_file(world, tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("code,name,parent_code,level\nG1,网格一,532301001,5\n", encoding="utf-8")
    out, _ = _run("import", str(path))
    assert "1 rows, 1 new" in out
    assert Region.objects.get(code="G1").parent == world.township
    assert AuditEntry.objects.get(action="regions.tree.imported").actor_label == "system"


def test_import_bad_file_prints_every_row_error(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,parent_code,level\nG1,网格一,NOPE,5\nbad code,网格二,532301001,5\n",
        encoding="utf-8",
    )
    before = Region.objects.count()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("regions", "import", str(path), stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, parent_code:") and "NOPE" in lines[0]
    assert lines[1].startswith("row 3, code:")
    assert Region.objects.count() == before


@pytest.mark.django_db
def test_import_missing_file_fails(tmp_path):
    with pytest.raises(CommandError):
        _run("import", str(tmp_path / "absent.csv"))


@pytest.mark.django_db
def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        _run()
