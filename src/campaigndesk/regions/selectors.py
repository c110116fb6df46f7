"""Reads of regions, units and outlets. Regions and outlets are shared directories; units
are scoped to the actor."""

from collections.abc import Iterable

from django.db.models import QuerySet

from campaigndesk.accounts.scoping import visible_q
from campaigndesk.common.errors import NotFound
from campaigndesk.documents.textnorm import match_key

from .models import Outlet, Region, Unit, UnitAlias
from .paths import subtree_q


def region_subtree(*, root: Region, levels: Iterable[int] | None = None) -> QuerySet[Region]:
    """The region and everything under it (one index range on ``path``)."""
    qs = Region.objects.filter(subtree_q("path", root.path))
    if levels is not None:
        qs = qs.filter(level__in=list(levels))
    return qs


def region_by_code(*, code: str) -> Region:
    """The region with this code (short or 12-digit padded form); NotFound otherwise."""
    from .services import normalize_official_code

    try:
        return Region.objects.get(code=normalize_official_code(code))
    except Region.DoesNotExist:
        raise NotFound() from None


def region_ancestors(*, region: Region) -> list[Region]:
    """The region's ancestors from the root down (not including the region)."""
    codes = [c for c in region.path.split("/") if c][:-1]
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def unit_list(*, actor, region: Region | None = None, kind: str | None = None) -> QuerySet[Unit]:
    """Units the actor may see (its office subtree, or its own unit), optionally under a
    region and of a kind."""
    qs = Unit.objects.filter(visible_q(actor, path_field="region_path", unit_field="pk"))
    if region is not None:
        qs = qs.filter(subtree_q("region_path", region.path))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("region")


def access_unit(*, actor, id: int) -> Unit:
    """The unit, or NotFound alike when missing and when not visible to the actor."""
    try:
        return unit_list(actor=actor).get(pk=id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def unit_match(*, names: Iterable[str], within: Region | None = None) -> dict[str, Unit | None]:
    """Match unit names as people write them (Simplified or Traditional script, with pinyin
    artifacts, by name or alias) to units under ``within``. Every name maps to its unit,
    or to None when no unit or more than one unit answers to it."""
    names = list(names)
    keys = {name: match_key(name) for name in names}
    units = Unit.objects.all()
    aliases = UnitAlias.objects.select_related("unit")
    if within is not None:
        units = units.filter(subtree_q("region_path", within.path))
        aliases = aliases.filter(subtree_q("unit__region_path", within.path))
    wanted = set(keys.values())
    candidates: dict[str, set[int]] = {}
    by_id: dict[int, Unit] = {}
    for unit in units.filter(name_key__in=wanted):
        candidates.setdefault(unit.name_key, set()).add(unit.pk)
        by_id[unit.pk] = unit
    for alias in aliases.filter(alias_key__in=wanted):
        # An exact name wins over an alias.
        if alias.alias_key not in candidates:
            candidates.setdefault(f"alias:{alias.alias_key}", set()).add(alias.unit_id)
            by_id[alias.unit_id] = alias.unit
    result: dict[str, Unit | None] = {}
    for name, key in keys.items():
        ids = candidates.get(key) or candidates.get(f"alias:{key}") or set()
        result[name] = by_id[next(iter(ids))] if len(ids) == 1 else None
    return result


def outlet_list(*, channel: str | None = None, level: int | None = None) -> QuerySet[Outlet]:
    """The shared outlet directory, optionally by channel and level."""
    qs = Outlet.objects.select_related("region", "unit")
    if channel:
        qs = qs.filter(channel=channel)
    if level:
        qs = qs.filter(level=level)
    return qs


def access_outlet(*, id: int) -> Outlet:
    try:
        return Outlet.objects.get(pk=id)
    except (Outlet.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
