"""Importing custom region trees from CSV: all or nothing, every bad row named."""

import hashlib

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import Forbidden, ImportRejected
from campaigndesk.regions.models import Region, RegionLevel
from campaigndesk.regions.services import region_tree_import_csv

# Rows out of order on purpose: children come before their parents.
GOOD = """code,name,parent_code,level
XQ-1,新区一村,XQ,village
WG-01,第一网格,532301001,社区
WG-02,第二网格,532301001,5
XQ,新区,532301,乡
XQ-2,新区二村,XQ,村
"""


def _import(actor, text: str, *, encoding: str = "utf-8", filename: str = "tree.csv"):
    return region_tree_import_csv(actor=actor, data=text.encode(encoding), filename=filename)


def _table():
    return sorted(Region.objects.values_list("code", "name", "level", "parent_id", "path"))


def _rejected(actor, text: str) -> tuple[ImportRejected, list]:
    before = _table()
    with pytest.raises(ImportRejected) as caught:
        _import(actor, text)
    assert _table() == before, "a rejected import must write nothing"
    assert not AuditEntry.objects.filter(action="regions.tree.imported").exists()
    return caught.value, [(e.row, e.field) for e in caught.value.errors]


def test_good_file_builds_the_tree(world):
    result = _import(world.admin, GOOD)
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    grid = Region.objects.get(code="WG-01")
    assert grid.path == "53/5323/532301/532301001/WG-01/"
    assert grid.level == RegionLevel.VILLAGE
    assert grid.parent == world.township
    assert Region.objects.get(code="XQ").level == RegionLevel.TOWNSHIP
    assert Region.objects.get(code="XQ-2").parent.code == "XQ"
    assert Region.objects.get(code="XQ-1").path == "53/5323/532301/XQ/XQ-1/"


def test_reimport_is_idempotent_and_renames(world):
    _import(world.admin, GOOD)
    paths = dict(Region.objects.values_list("code", "path"))
    again = _import(world.admin, GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert dict(Region.objects.values_list("code", "path")) == paths
    renamed = _import(world.admin, GOOD.replace("第二网格", "第二网格（新）"))
    assert (renamed.created, renamed.updated) == (0, 1)
    assert Region.objects.get(code="WG-02").name == "第二网格（新）"
    assert dict(Region.objects.values_list("code", "path")) == paths


def test_level_words_and_new_root(world):
    text = """code,name,parent_code,level
R1,试验省,,省
R1-2,试验州,R1,州
R1-3,试验县,R1-2,縣
R1-3a,试验区,R1-2,区
R1-4,试验街道,R1-3,街道
R1-4b,试验鎮,R1-3,鎮
R1-5,试验社区,R1-4,社區
R1-5b,试验村,R1-4,ｖｉｌｌａｇｅ
R1-3c,县级市,R1-2,３
"""
    _import(world.admin, text)
    levels = dict(Region.objects.filter(code__startswith="R1").values_list("code", "level"))
    assert levels == {
        "R1": 1,
        "R1-2": 2,
        "R1-3": 3,
        "R1-3a": 3,
        "R1-3c": 3,
        "R1-4": 4,
        "R1-4b": 4,
        "R1-5": 5,
        "R1-5b": 5,
    }
    assert Region.objects.get(code="R1").path == "R1/"


def test_utf8_bom_and_gb18030(world):
    _import(world.admin, "\ufeff" + GOOD)
    assert Region.objects.filter(code="XQ-1").exists()
    text = GOOD.replace("WG", "GB").replace("XQ", "GQ")
    result = _import(world.admin, text, encoding="gb18030")
    assert result.created == 5
    assert Region.objects.get(code="GB-01").name == "第一网格"
    entry = AuditEntry.objects.filter(action="regions.tree.imported").first()
    assert entry.extra["encoding"] == "gb18030"


def test_twelve_digit_parent_code_names_the_official_region(world):
    _import(world.admin, "code,name,parent_code,level\nP1,片区,532301000000,4\n")
    assert Region.objects.get(code="P1").parent == world.county


def test_audit_entry_per_batch_with_hash_and_row_count(world):
    data = GOOD.encode()
    region_tree_import_csv(actor=world.office, data=data, filename="grid.csv")
    entries = AuditEntry.objects.filter(action="regions.tree.imported")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.extra["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry.extra["rows"] == 5
    assert entry.extra["filename"] == "grid.csv"
    assert entry.actor == world.office
    # Deepest path holding both attachment points (532301001 and 532301).
    assert entry.region_path == world.county.path


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("bad code!,名字,532301,4", [(2, "code")]),
        ("ABCDEFGHIJKLMNOPQRSTU,太长,532301,4", [(2, "code")]),
        ("OK1,名字,bad parent,4", [(2, "parent_code")]),
        ("OK1,名字,532301,9", [(2, "level")]),
        ("OK1,名字,532301,hamlet", [(2, "level")]),
        ("OK1,  ,532301,4", [(2, "name")]),
        ("OK1,甲,532301,4\nOK1,乙,532301,4", [(3, "code")]),
        ("OK1,甲,NOPE,4", [(2, "parent_code")]),
        # A cycle: every row in it is named.
        (
            "C1,甲,C2,4\nC2,乙,C3,4\nC3,丙,C1,4",
            [(2, "parent_code"), (3, "parent_code"), (4, "parent_code")],
        ),
        ("C1,自指,C1,4", [(2, "parent_code")]),
        # The parent's level must be above the child's.
        ("L1,甲,532301001,4", [(2, "level")]),
        ("L1,甲,532301,4\nL2,乙,L1,3", [(3, "level")]),
        # 532322 is under 5323; the file would move it under 532301.
        ("532322,双柏县,532301,4", [(2, "parent_code")]),
        # Same place, different level.
        ("532322,双柏县,5323,4", [(2, "level")]),
    ],
)
def test_each_bad_row_is_named_and_nothing_written(world, rows, expected):
    good_row = "FINE,好行,532301,4\n"
    error, where = _rejected(world.admin, "code,name,parent_code,level\n" + good_row + rows + "\n")
    # Row numbers count the header as row 1, so the good row is 2 and the rest move down.
    assert where == [(row + 1, field) for row, field in expected]
    assert all(str(e.message) for e in error.errors)


def test_every_bad_row_is_listed_at_once(world):
    text = """code,name,parent_code,level
bad code,甲,532301,4
OK1,,532301,4
OK2,乙,532301,nope
OK3,丙,MISSING,4
OK2,丁,532301,4
"""
    error, where = _rejected(world.admin, text)
    assert where == [(2, "code"), (3, "name"), (4, "level"), (5, "parent_code"), (6, "code")]
    assert "MISSING" in str(error)


def test_missing_columns_and_empty_files(world):
    _, where = _rejected(world.admin, "code,name\nA,甲\n")
    assert where == [(1, "parent_code"), (1, "level")]
    _, where = _rejected(world.admin, "")
    assert where == [(None, "")]
    _, where = _rejected(world.admin, "code,name,parent_code,level\n\n")
    assert where == [(None, "")]


def test_undecodable_file_is_rejected(world):
    with pytest.raises(ImportRejected):
        region_tree_import_csv(actor=world.admin, data=b"\x81\x20\xff\xfe", filename="x.csv")


def test_office_may_import_under_its_subtree(world):
    result = _import(world.office, GOOD)
    assert result.created == 5


def test_office_is_denied_outside_its_subtree(world):
    before = _table()
    # other_office manages 双柏县 only; GOOD attaches under 楚雄市.
    with pytest.raises(Forbidden):
        _import(world.other_office, GOOD)
    with pytest.raises(Forbidden):
        _import(world.office, "code,name,parent_code,level\nNEWROOT,新根,,1\n")
    assert _table() == before
    denials = AuditEntry.objects.filter(
        action="regions.tree.import", outcome=AuditEntry.Outcome.DENIED
    )
    assert denials.count() == 2


@pytest.mark.parametrize("role", ["reporter", "observer", "editor"])
def test_other_roles_are_denied(world, role):
    before = _table()
    with pytest.raises(Forbidden):
        _import(world.user(role), GOOD)
    assert _table() == before
    assert AuditEntry.objects.filter(action="regions.tree.import", actor=world.user(role)).exists()


@pytest.mark.django_db
def test_system_may_import_a_whole_custom_tree():
    result = _import(SYSTEM, "code,name,parent_code,level\nT,树,,1\nT1,枝,T,2\n")
    assert result.created == 2
    assert Region.objects.get(code="T1").path == "T/T1/"
