"""Unit services (create, update, aliases) by role, and script-blind unit matching."""

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import DomainError, Forbidden
from campaigndesk.regions.models import Unit, UnitKind
from campaigndesk.regions.selectors import unit_match
from campaigndesk.regions.services import unit_add_aliases, unit_create, unit_update
from tests.factories import UnitFactory


def test_office_creates_a_unit_in_its_subtree(world):
    unit = unit_create(
        actor=world.office,
        name="县妇联",
        kind=UnitKind.DEPARTMENT,
        region=world.county,
        aliases=["妇联"],
    )
    assert unit.region_path == world.county.path
    assert list(unit.aliases.values_list("alias", flat=True)) == ["妇联"]
    entry = AuditEntry.objects.get(action="regions.unit.created")
    assert entry.actor == world.office and entry.region_path == world.county.path


def test_other_office_may_create_in_its_own_county(world):
    unit = unit_create(
        actor=world.other_office, name="双柏县文联", kind="department", region=world.other_county
    )
    assert unit.region == world.other_county


@pytest.mark.parametrize("role", ["other_office", "reporter", "observer", "editor"])
def test_creation_outside_the_subtree_or_without_office_role_is_denied(world, role):
    with pytest.raises(Forbidden):
        unit_create(actor=world.user(role), name="县妇联", kind="department", region=world.county)
    assert not Unit.objects.filter(name="县妇联").exists()
    denial = AuditEntry.objects.get(action="regions.unit.create")
    assert denial.outcome == AuditEntry.Outcome.DENIED and denial.actor == world.user(role)


def test_create_rejects_unknown_kind_and_duplicate_name(world):
    with pytest.raises(DomainError):
        unit_create(actor=world.office, name="某单位", kind="guild", region=world.county)
    with pytest.raises(DomainError):
        unit_create(
            actor=world.office, name=world.county_unit.name, kind="media", region=world.county
        )


def test_update_and_aliases_respect_the_subtree(world):
    unit_update(actor=world.office, unit=world.other_township_unit, kind="office")
    world.other_township_unit.refresh_from_db()
    assert world.other_township_unit.kind == "office"
    with pytest.raises(Forbidden):
        unit_update(actor=world.other_office, unit=world.township_unit, name="改名")
    with pytest.raises(Forbidden):
        unit_add_aliases(actor=world.reporter, unit=world.township_unit, aliases=["鹿城"])
    assert unit_add_aliases(actor=world.office, unit=world.township_unit, aliases=["鹿城"]) == [
        "鹿城"
    ]


def test_unit_update_refuses_a_parent_cycle(world):
    child = UnitFactory(name="下属单位", region=world.county, parent=world.county_unit)
    with pytest.raises(DomainError):
        unit_update(actor=world.office, unit=world.county_unit, parent=child)


def test_unit_match_is_script_blind_and_uses_aliases(world):
    women = unit_create(
        actor=world.office,
        name="县妇联",
        kind="department",
        region=world.county,
        aliases=["妇联"],
    )
    result = unit_match(names=["縣婦聯(lián)", "县妇联", "妇联", "婦聯", "不存在的单位"])
    assert result == {
        "縣婦聯(lián)": women,
        "县妇联": women,
        "妇联": women,
        "婦聯": women,
        "不存在的单位": None,
    }


def test_unit_match_returns_none_for_an_ambiguous_name(world):
    for region in (world.county, world.other_county):
        UnitFactory(name="县妇联", region=region)
    assert unit_match(names=["县妇联"]) == {"县妇联": None}
    # Within one county the name is unique again.
    assert unit_match(names=["县妇联"], within=world.other_county)["县妇联"].region == (
        world.other_county
    )


def test_unit_match_alias_shared_by_two_units_is_ambiguous(world):
    for name in ("县妇联", "州妇联"):
        unit = UnitFactory(name=name, region=world.county)
        unit_add_aliases(actor=world.office, unit=unit, aliases=["妇联"])
    assert unit_match(names=["妇联"]) == {"妇联": None}
