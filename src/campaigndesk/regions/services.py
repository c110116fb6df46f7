"""Writes on the region tree, units and outlets."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.scoping import require_admin, require_manage
from campaigndesk.common.errors import DomainError
from campaigndesk.documents.textnorm import match_key

from .models import (
    OFFICIAL_CODE_LENGTH,
    Channel,
    Outlet,
    OutletLevel,
    Region,
    Unit,
    UnitAlias,
    UnitKind,
)


def normalize_official_code(code: str) -> str:
    """The short form of an official division code: "532300000000" → "5323"; codes that
    are not 12 digits are returned stripped."""
    code = (code or "").strip()
    if len(code) == 12 and code.isdigit():
        for length in sorted(OFFICIAL_CODE_LENGTH.values()):
            if code[length:] == "0" * (12 - length):
                return code[:length]
    return code


# --- Units ------------------------------------------------------------------------------


def _clean_name(name: str, what: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("%(what)s: a name is required.") % {"what": what})
    return name


@records_denials("regions.unit.create")
def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    parent: Unit | None = None,
    aliases: Iterable[str] = (),
) -> Unit:
    """Create a unit in ``region``. Raises Forbidden unless the actor is the office over
    that region; DomainError for an unknown kind or a name already used in the region."""
    require_manage(actor, region_path=region.path, what=name)
    name = _clean_name(name, _("Unit"))
    if kind not in UnitKind.values:
        raise DomainError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
    with transaction.atomic():
        if Unit.objects.filter(region=region, name=name).exists():
            raise DomainError(
                _("A unit named %(name)s already exists in %(region)s.")
                % {"name": name, "region": region.name}
            )
        unit = Unit.objects.create(
            name=name,
            kind=kind,
            region=region,
            region_path=region.path,
            parent=parent,
            name_key=match_key(name),
        )
        alias_list = _add_aliases(unit, aliases)
        audit_log(
            actor=actor,
            action="regions.unit.created",
            obj=unit,
            after={**snapshot(unit), "aliases": alias_list},
            region_path=unit.region_path,
        )
    return unit


def _add_aliases(unit: Unit, aliases: Iterable[str]) -> list[str]:
    added = []
    for alias in aliases:
        alias = " ".join((alias or "").split())
        key = match_key(alias)
        if not key or key == unit.name_key:
            continue
        _, created = UnitAlias.objects.get_or_create(
            unit=unit, alias_key=key, defaults={"alias": alias}
        )
        if created:
            added.append(alias)
    return added


@records_denials("regions.unit.update")
def unit_update(
    *,
    actor,
    unit: Unit,
    name: str | None = None,
    kind: str | None = None,
    parent: Unit | None = None,
    is_active: bool | None = None,
) -> Unit:
    """Change a unit's name, kind, parent or active flag. Raises Forbidden unless the actor
    manages the unit's region; DomainError for a clash or a parent cycle."""
    require_manage(actor, region_path=unit.region_path, what=str(unit))
    with transaction.atomic():
        before = snapshot(unit)
        if name is not None:
            unit.name = _clean_name(name, _("Unit"))
            unit.name_key = match_key(unit.name)
        if kind is not None:
            if kind not in UnitKind.values:
                raise DomainError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
            unit.kind = kind
        if parent is not None:
            ancestor: Unit | None = parent
            while ancestor is not None:
                if ancestor.pk == unit.pk:
                    raise DomainError(_("A unit cannot be placed under itself."))
                ancestor = ancestor.parent
            unit.parent = parent
        if is_active is not None:
            unit.is_active = is_active
        try:
            with transaction.atomic():
                unit.save()
        except IntegrityError:
            raise DomainError(
                _("A unit named %(name)s already exists in this region.") % {"name": unit.name}
            ) from None
        audit_log(
            actor=actor,
            action="regions.unit.updated",
            obj=unit,
            before=before,
            after=snapshot(unit),
            region_path=unit.region_path,
        )
    return unit


@records_denials("regions.unit.alias_add")
def unit_add_aliases(*, actor, unit: Unit, aliases: Iterable[str]) -> list[str]:
    """Add other names for a unit (blank ones and repeats are ignored); returns those added."""
    require_manage(actor, region_path=unit.region_path, what=str(unit))
    with transaction.atomic():
        added = _add_aliases(unit, aliases)
        if added:
            audit_log(
                actor=actor,
                action="regions.unit.aliases_added",
                obj=unit,
                after={"aliases": added},
                region_path=unit.region_path,
            )
    return added


# --- Outlets ----------------------------------------------------------------------------


@records_denials("regions.outlet.create")
def outlet_create(
    *,
    actor,
    name: str,
    channel: str,
    level: int,
    region: Region | None = None,
    unit: Unit | None = None,
) -> Outlet:
    """Add an outlet to the shared directory. Any office (or an admin) may; raises
    DomainError for an unknown channel or level, or an outlet already listed."""
    from campaigndesk.accounts.models import Role
    from campaigndesk.accounts.scoping import is_admin

    if not is_admin(actor) and not (actor and actor.has_role(Role.OFFICE)):
        require_admin(actor, what=name)
    name = _clean_name(name, _("Outlet"))
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel: %(channel)s") % {"channel": channel})
    if level not in OutletLevel.values:
        raise DomainError(_("Unknown outlet level: %(level)s") % {"level": level})
    with transaction.atomic():
        if Outlet.objects.filter(name=name, channel=channel).exists():
            raise DomainError(_("The outlet %(name)s is already listed.") % {"name": name})
        outlet = Outlet.objects.create(
            name=name,
            channel=channel,
            level=level,
            region=region,
            unit=unit,
            name_key=match_key(name),
        )
        audit_log(actor=actor, action="regions.outlet.created", obj=outlet, after=snapshot(outlet))
    return outlet
