"""Filling a superior office's own Excel template with rollup figures, by a saved mapping
of indicators to cells (``ExportTemplate``).

A mapping entry: ``{"cell": "Sheet1!C5", "indicator": "lectures", "filters": {"region":
"532301", "kind": "event:lecture", "channel": "wechat", "outlet_level": 4, "as_of":
"2024-02-22", "date_from": ..., "date_to": ...}, "group": {"township": "532301001"}}``.
``filters`` and ``group`` are optional; ``group`` picks one group of a grouped rollup
(dimensions as in ``ledger.rollup.DIMENSIONS``, except period). Dates given when filling
(``as_of``, ``date_from``, ``date_to``) apply to every entry that names none itself.

Values come from ``rollup()`` only and are written into a copy of the workbook, so its
formatting, formulas and other cells stay as they were (openpyxl does not carry over
images and charts of an uploaded workbook). No figure for an entry: 0 for sums and
distinct counts, the cell left empty for snapshots and ratios.

A cell holding a formula is not mapped (the figure would replace it). A rate (in percent)
goes into a percent-formatted cell as the fraction Excel shows as that percentage.

Approximate totals: a cell formatted as text (or holding text already) gets the figure
as a report writes it ("1800余", "约1800"); any other cell gets the number, so that the
template's own formulas keep adding up, and a cell comment saying it is approximate.

The pages let an office type a mapping one cell a line (``mapping_lines``,
``mapping_to_lines``): ``进度表!C5 宣讲 region=532301 group.township=532301001``.
"""

import datetime
import hashlib
import io
import itertools
import re
import shlex
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials
from campaigndesk.accounts.scoping import require_manage, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, FieldError, NotFound
from campaigndesk.regions.models import Channel, Outlet, OutletLevel, Region, RegionLevel, Unit
from campaigndesk.regions.paths import is_within
from campaigndesk.regions.services import normalize_official_code

from ..models import RECORD_MODELS, Aggregation, Approx, ExportTemplate, Indicator
from ..rollup import DIMENSIONS, FIRST_DAY, LAST_DAY, RollupFilter, rollup
from .columns import CHANNEL_LABELS, kind_labels, lookup_label
from .exports import ExportFile, figure_text
from .readers import ZIP_MAGIC
from .templates import XLSX_TYPE

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 2000
FILTER_KEYS = {"region", "kind", "channel", "outlet_level", "as_of", "date_from", "date_to"}
ENTRY_KEYS = {"cell", "indicator", "filters", "group", "label"}
GROUP_DIMENSIONS = set(DIMENSIONS) - {"period"}
GROUP_LEVELS = {
    "county": RegionLevel.COUNTY,
    "township": RegionLevel.TOWNSHIP,
    "village": RegionLevel.VILLAGE,
}
# A cell, on a sheet named as Excel writes it ('表 1'!C5, its quote marks doubled) or as
# it is (表1!C5; a name holding "!" too: the cell follows the last one).
_CELL = re.compile(
    r"^(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<sheet>.+))!)?"
    r"\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d{1,7})$"
)
# The last cell of a worksheet (Excel's XFD1048576).
_LAST_ROW, _LAST_COLUMN = 1_048_576, 16_384


# --- reading -----------------------------------------------------------------------------


def export_template_list(*, actor, campaign: Campaign | None = None) -> QuerySet[ExportTemplate]:
    """Templates the actor can see (its office subtree, or its own unit's); with
    ``campaign``, the campaign's own and the standing templates (no campaign) of the
    actor's unit and of the units taking part in it. (Not every standing template of the
    subtree: a prefecture office would find each county's under every campaign.)"""
    qs = ExportTemplate.objects.filter(
        visible_q(actor, path_field="region_path", unit_field="office_unit_id")
    )
    if campaign is not None:
        offices = {campaign.lead_unit_id, *campaign.responsible_units.values_list("pk", flat=True)}
        if getattr(actor, "unit_id", None) is not None:
            offices.add(actor.unit_id)
        qs = qs.filter(Q(campaign=campaign) | Q(campaign__isnull=True, office_unit__in=offices))
    return qs.select_related("campaign", "office_unit").order_by("name", "id")


def access_export_template(*, actor, id: int) -> ExportTemplate:
    """One template, or NotFound alike when missing and when not visible to the actor."""
    try:
        return export_template_list(actor=actor).get(pk=id)
    except (ExportTemplate.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- checking ----------------------------------------------------------------------------


def _load(data: bytes, filename: str):
    from openpyxl import load_workbook

    if Path(filename).suffix.lower() != ".xlsx" or not data.startswith(ZIP_MAGIC):
        raise FieldError("file", _("The template must be an Excel workbook (.xlsx)."))
    if len(data) > MAX_TEMPLATE_BYTES:
        raise FieldError("file", _("The template is larger than 5 MB."))
    try:
        # (rich_text: a cell written in several fonts is kept so, not flattened to text)
        return load_workbook(io.BytesIO(data), rich_text=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FieldError(
            "file", _("The template cannot be read: %(error)s") % {"error": error}
        ) from None


def _date(value, where: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        raise FieldError(where, _("Not a date: %(value)s") % {"value": value}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        # (refused here, by its line: a fill would fail on it every time)
        raise FieldError(
            where,
            _("A date from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return day.isoformat()


def _kind(value, where: str) -> str:
    record_kind, _sep, code = str(value).strip().partition(":")
    if record_kind not in RECORD_MODELS:
        raise FieldError(where, _("Unknown record kind: %(kind)s") % {"kind": record_kind})
    if not code:
        return record_kind
    labels = kind_labels(record_kind)
    try:
        code = str(lookup_label(labels, code)) if labels else ""
    except KeyError:
        code = ""
    if not code:
        raise FieldError(where, _("Unknown kind: %(value)s") % {"value": value})
    return f"{record_kind}:{code}"


def _group_kind(value, where: str) -> str:
    """A kind as the rollup's kind groups are keyed: "event:lecture", and "figure:" for
    plain figures (which have no kinds). A record kind with kinds of its own is not a
    kind group (record_kind groups all of its kinds)."""
    kind = _kind(value, where)
    if ":" in kind:
        return kind
    if kind_labels(kind):
        raise FieldError(
            where,
            _("Name a kind of %(kind)s (%(kind)s:…), or group by record_kind for all of them.")
            % {"kind": kind},
        )
    return f"{kind}:"


def _channel(value, where: str) -> str:
    text = str(value).strip()
    if text in Channel.values:
        return text
    try:
        return str(lookup_label(CHANNEL_LABELS, text))
    except KeyError:
        raise FieldError(where, _("Unknown channel: %(value)s") % {"value": value}) from None


def _level(value, where: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in OutletLevel.values:
        raise FieldError(where, _("Unknown outlet level: %(value)s") % {"value": value})
    return level


def _region_code(value, where: str, owner_path: str, level: int | None = None) -> str:
    """The code of a region in the template's region (of ``level`` when given: a group by
    villages holds only village codes, and a township's would match nothing)."""
    code = normalize_official_code(str(value))
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise FieldError(where, _("No region has the code %(code)s.") % {"code": value})
    if not is_within(region.path, owner_path):
        raise FieldError(
            where, _("%(region)s lies outside the template's region.") % {"region": region.name}
        )
    if level is not None and region.level != level:
        raise FieldError(
            where,
            _("%(region)s is a %(level)s, not a %(wanted)s.")
            % {
                "region": region.name,
                "level": RegionLevel(region.level).label,
                "wanted": RegionLevel(level).label,
            },
        )
    return code


def clean_mapping(mapping, workbook, *, owner_path: str) -> list[dict]:
    """The mapping checked against the workbook and normalised; raises FieldError with a
    path ("mapping.3.cell") for the first wrong entry."""
    if not isinstance(mapping, list) or not mapping:
        raise FieldError("mapping", _("The mapping must list at least one cell."))
    if len(mapping) > MAX_ENTRIES:
        raise FieldError("mapping", _("At most %(n)s cells can be mapped.") % {"n": MAX_ENTRIES})
    codes = {i.code: i for i in Indicator.objects.all()}
    used: dict[str, int] = {}
    cleaned = []
    for index, entry in enumerate(mapping):
        where = f"mapping.{index}"
        if not isinstance(entry, dict):
            raise FieldError(where, _("Each entry maps one cell to one indicator."))
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            raise FieldError(
                f"{where}.{unknown[0]}", _("Unknown key: %(key)s") % {"key": unknown[0]}
            )
        cell = _cell(entry.get("cell"), workbook, f"{where}.cell")
        if cell in used:
            raise FieldError(
                f"{where}.cell",
                _("%(cell)s is mapped above already.") % {"cell": cell},
            )
        used[cell] = index
        code = str(entry.get("indicator") or "").strip()
        if code not in codes:
            raise FieldError(
                f"{where}.indicator", _("Unknown indicator: %(codes)s") % {"codes": code or "-"}
            )
        filters = entry.get("filters") or {}
        if not isinstance(filters, dict):
            raise FieldError(f"{where}.filters", _("Filters must be an object."))
        clean_filters: dict = {}
        for key, value in filters.items():
            at = f"{where}.filters.{key}"
            if key not in FILTER_KEYS:
                raise FieldError(at, _("Unknown filter: %(key)s") % {"key": key})
            if value in (None, ""):
                continue
            if key == "region":
                clean_filters[key] = _region_code(value, at, owner_path)
            elif key == "kind":
                clean_filters[key] = _kind(value, at)
            elif key == "channel":
                clean_filters[key] = _channel(value, at)
            elif key == "outlet_level":
                clean_filters[key] = _level(value, at)
            else:
                clean_filters[key] = _date(value, at)
        start = clean_filters.get("date_from")
        for key in ("date_to", "as_of"):
            if start and clean_filters.get(key) and clean_filters[key] < start:
                raise FieldError(
                    f"{where}.filters.{key}", _("The last day comes before the first.")
                )
        group = entry.get("group") or {}
        if not isinstance(group, dict):
            raise FieldError(f"{where}.group", _("The group must be an object."))
        clean_group: dict = {}
        for dimension, value in group.items():
            at = f"{where}.group.{dimension}"
            if dimension not in GROUP_DIMENSIONS:
                raise FieldError(at, _("Unknown dimension: %(name)s") % {"name": dimension})
            if dimension in GROUP_LEVELS:
                clean_group[dimension] = _region_code(
                    value, at, owner_path, GROUP_LEVELS[dimension]
                )
            elif dimension == "kind":
                clean_group[dimension] = _group_kind(value, at)
            elif dimension == "record_kind":
                clean_group[dimension] = _kind(value, at).partition(":")[0]
            elif dimension == "channel":
                clean_group[dimension] = _channel(value, at)
            elif dimension == "outlet_level":
                clean_group[dimension] = _level(value, at)
            else:  # unit, outlet: ids
                clean_group[dimension] = _existing_id(value, at, dimension)
        cleaned.append(
            {
                "cell": cell,
                "indicator": code,
                "filters": clean_filters,
                "group": clean_group,
                **({"label": str(entry["label"])[:200]} if entry.get("label") else {}),
            }
        )
    return cleaned


def _existing_id(value, where: str, dimension: str) -> int:
    """The id of an existing unit or outlet: an unknown one would fill its cell with 0
    unseen."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise FieldError(where, _("Give the id (a whole number).")) from None
    model = Unit if dimension == "unit" else Outlet
    if not (0 < pk < 2**63 and model.objects.filter(pk=pk).exists()):
        raise FieldError(
            where,
            _("No %(what)s has the id %(id)s.") % {"what": model._meta.verbose_name, "id": pk},
        )
    return pk


def _cell(value, workbook, where: str) -> str:
    from openpyxl.utils import column_index_from_string

    match = _CELL.match(str(value or "").strip())
    if not match:
        raise FieldError(where, _("Write the cell as Sheet1!C5: %(value)s") % {"value": value})
    sheet_name = match["quoted"].replace("''", "'") if match["quoted"] else match["sheet"]
    if sheet_name is None:
        # (no sheet named: the first the user sees)
        sheet = next(
            (ws for ws in workbook.worksheets if ws.sheet_state == "visible"),
            workbook.worksheets[0],
        )
    elif sheet_name in workbook.sheetnames:
        sheet = workbook[sheet_name]
    else:
        raise FieldError(
            where,
            _("The workbook has no sheet “%(sheet)s” (it has %(sheets)s).")
            % {"sheet": sheet_name, "sheets": "、".join(workbook.sheetnames)},
        )
    if not hasattr(sheet, "merged_cells"):
        raise FieldError(where, _("“%(sheet)s” is not a worksheet.") % {"sheet": sheet.title})
    coordinate = f"{match['col'].upper()}{int(match['row'])}"
    if not (
        1 <= int(match["row"]) <= _LAST_ROW
        and column_index_from_string(match["col"].upper()) <= _LAST_COLUMN
    ):
        raise FieldError(
            where,
            _("%(cell)s lies beyond a worksheet's last cell, XFD1048576.") % {"cell": coordinate},
        )
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged and coordinate != merged.start_cell.coordinate:
            raise FieldError(
                where,
                _("%(cell)s lies inside the merged cells %(range)s; map %(first)s instead.")
                % {
                    "cell": coordinate,
                    "range": merged.coord,
                    "first": merged.start_cell.coordinate,
                },
            )
    if sheet[coordinate].data_type == "f":
        raise FieldError(
            where,
            _("%(cell)s holds a formula: a figure would replace it; map the cells it adds up.")
            % {"cell": coordinate},
        )
    return f"{sheet.title}!{coordinate}"


def _is_percent(number_format: str | None) -> bool:
    """Whether a number format shows a percentage (a % outside quoted text, unescaped)."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format or "")


def _owner(campaign: Campaign | None, office_unit: Unit | None) -> str:
    if campaign is None and office_unit is None:
        raise FieldError("campaign", _("A template belongs to a campaign or to an office."))
    return campaign.region_path if campaign is not None else office_unit.region_path  # type: ignore[union-attr]


# --- typed as lines ---------------------------------------------------------------------

# Values kept as whole numbers in a cleaned mapping; every other value is text.
_NUMBER_KEYS = {"outlet_level", "group.outlet_level", "group.unit", "group.outlet"}
# A token that needs quoting on a line: white space, quotes, a backslash, or a leading #.
_NEEDS_QUOTES = re.compile(r"[\s'\"\\]|^#|^$")


def _line_error(number: int, message: str) -> FieldError:
    return FieldError("mapping", _("line %(n)s: %(message)s") % {"n": number, "message": message})


def _indicator_names() -> dict[str, set[str]]:
    """{code, name, name with its measure word ("宣讲场次", "宣讲（场次）"), casefolded:
    codes}; the name as the catalogue of the language in use translates it counts too."""
    names: dict[str, set[str]] = defaultdict(set)
    for code, name, measure in Indicator.objects.values_list("code", "name", "measure_word"):
        names[code.casefold()].add(code)
        spellings = {name, _(name)} if name else set()
        if measure:
            spellings |= {f"{n}{measure}" for n in list(spellings)} | {
                f"{n}{left}{measure}{right}"
                for n in list(spellings)
                for left, right in (("（", "）"), ("(", ")"))
            }
        for spelling in spellings:
            names[" ".join(spelling.split()).casefold()].add(code)
    return names


def mapping_lines(text: str) -> list[tuple[int, dict]]:
    """(line number, entry) for each line of a mapping typed one cell a line:
    ``<cell> <indicator code or name> [key=value ...]``, the keys being the filters
    (FILTER_KEYS), ``group.<dimension>`` and ``label``; blank lines and lines starting with
    # are skipped, and a value with spaces is quoted (``kind='event:home visit'``). The
    entries still go through ``clean_mapping``. Raises FieldError("mapping", "line N: ...")
    for a line that cannot be read or names an indicator ambiguously."""
    codes: set[str] | None = None
    names: dict[str, set[str]] = {}
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # (a comment: a sheet whose name starts with # is written quoted)
        try:
            tokens = shlex.split(line)
        except ValueError:
            raise _line_error(number, _("a quotation mark is not closed.")) from None
        cell, *rest = tokens
        words = list(itertools.takewhile(lambda token: "=" not in token, rest))
        if not words:
            raise _line_error(number, _("write the indicator's code or name after the cell."))
        filters: dict = {}
        group: dict = {}
        label = None
        seen: set[str] = set()
        for option in rest[len(words) :]:
            key, equals, value = option.partition("=")
            if not equals:
                raise _line_error(
                    number,
                    _("“%(text)s” is not key=value (options come after the indicator).")
                    % {"text": option},
                )
            if key in seen:
                raise _line_error(number, _("%(key)s is given twice.") % {"key": key})
            seen.add(key)
            typed: str | int = (
                int(value) if key in _NUMBER_KEYS and value.isascii() and value.isdigit() else value
            )
            if key in FILTER_KEYS:
                filters[key] = typed
            elif key.startswith("group.") and len(key) > len("group."):
                group[key.removeprefix("group.")] = typed
            elif key == "label":
                label = value
            else:
                raise _line_error(
                    number,
                    _("unknown key %(key)s (use %(keys)s, group.<dimension> or label).")
                    % {"key": key, "keys": ", ".join(sorted(FILTER_KEYS))},
                )
        indicator = " ".join(words)
        if codes is None:
            codes = set(Indicator.objects.values_list("code", flat=True))
            names = _indicator_names()
        if indicator not in codes:
            found = names.get(indicator.casefold(), set())
            if len(found) > 1:
                raise _line_error(
                    number,
                    _("“%(name)s” names several indicators (%(codes)s): write the code.")
                    % {"name": indicator, "codes": ", ".join(sorted(found))},
                )
            # An unknown one is left for clean_mapping to report on this line.
            indicator = next(iter(found), indicator)
        entry = {"cell": cell, "indicator": indicator, "filters": filters, "group": group}
        if label:
            entry["label"] = label
        entries.append((number, entry))
    return entries


def mapping_from_lines(text: str) -> list[dict]:
    """The mapping typed as lines (see ``mapping_lines``), as the services take it."""
    return [entry for _number, entry in mapping_lines(text)]


def _quoted(text: str) -> str:
    return shlex.quote(text) if _NEEDS_QUOTES.search(text) else text


def mapping_to_lines(mapping: list[dict]) -> str:
    """A (cleaned) mapping as the lines ``mapping_lines`` reads back into the same entries,
    indicators by code."""
    lines = []
    for entry in mapping:
        parts = [_quoted(entry["cell"]), _quoted(entry["indicator"])]
        parts += [f"{k}={_quoted(str(v))}" for k, v in (entry.get("filters") or {}).items()]
        parts += [f"group.{k}={_quoted(str(v))}" for k, v in (entry.get("group") or {}).items()]
        if entry.get("label"):
            parts.append(f"label={_quoted(' '.join(str(entry['label']).split()))}")
        lines.append(" ".join(parts))
    return "".join(f"{line}\n" for line in lines)


def mapping_error_on_line(error: FieldError, lines: list[int]) -> str:
    """A service's FieldError about ``mapping.<i>...`` told as "line N: reason", N being
    the line entry i was typed on (``lines``: the line numbers ``mapping_lines`` gave)."""
    parts = error.field.split(".")
    if len(parts) > 1 and parts[0] == "mapping" and parts[1].isdigit():
        index = int(parts[1])
        if index < len(lines):
            return str(_line_error(lines[index], error.message))
    return str(error)


# --- writing -----------------------------------------------------------------------------


@records_denials("ledger.export_template.create")
def export_template_create(
    *,
    actor,
    name: str,
    data: bytes,
    filename: str,
    mapping: list[dict],
    campaign: Campaign | None = None,
    office_unit: Unit | None = None,
) -> ExportTemplate:
    """Save a superior's Excel template (.xlsx, at most 5 MB) with its mapping of cells to
    indicators, for a campaign or for an office (any of its campaigns). Raises Forbidden
    unless the actor is the office over it; FieldError for a file that is not a readable
    .xlsx, a blank name, or a wrong mapping entry (a cell that is not on a sheet or lies
    inside merged cells, a cell mapped twice, an unknown indicator, filter or dimension,
    a region outside the template's region, a date that is not one)."""
    owner_path = _owner(campaign, office_unit)
    require_manage(actor, region_path=owner_path, what=name)
    name = " ".join((name or "").split())
    if not name:
        raise FieldError("name", _("A name is required."))
    workbook = _load(data, filename)
    cleaned = clean_mapping(mapping, workbook, owner_path=owner_path)
    with transaction.atomic():
        template = ExportTemplate.objects.create(
            campaign=campaign,
            office_unit=office_unit if campaign is None else None,
            region_path=owner_path,
            name=name[:150],
            filename=Path(filename).name[:255],
            workbook=data,
            sha256=hashlib.sha256(data).hexdigest(),
            mapping=cleaned,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_log(
            actor=actor,
            action="ledger.export_template.created",
            obj=template,
            after=_summary(template),
            region_path=owner_path,
        )
    return template


@records_denials("ledger.export_template.update")
def export_template_update(
    *,
    actor,
    template: ExportTemplate,
    name: str | None = None,
    mapping: list[dict] | None = None,
    data: bytes | None = None,
    filename: str | None = None,
) -> ExportTemplate:
    """Rename a template, replace its mapping or its workbook (the mapping is checked
    against the workbook it will fill). Raises as ``export_template_create``."""
    require_manage(actor, region_path=template.region_path, what=str(template))
    before = _summary(template)
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise FieldError("name", _("A name is required."))
        template.name = name[:150]
    if data is not None:
        template.filename = Path(filename or template.filename).name[:255]
        workbook = _load(data, template.filename)
        template.workbook = data
        template.sha256 = hashlib.sha256(data).hexdigest()
    else:
        workbook = _load(bytes(template.workbook), template.filename)
    template.mapping = clean_mapping(
        mapping if mapping is not None else template.mapping,
        workbook,
        owner_path=template.region_path,
    )
    with transaction.atomic():
        template.save()
        audit_log(
            actor=actor,
            action="ledger.export_template.updated",
            obj=template,
            before=before,
            after=_summary(template),
            region_path=template.region_path,
        )
    return template


@records_denials("ledger.export_template.delete")
def export_template_delete(*, actor, template: ExportTemplate) -> None:
    """Delete a template (the office over it only)."""
    require_manage(actor, region_path=template.region_path, what=str(template))
    with transaction.atomic():
        before = _summary(template)
        template.delete()
        audit_log(
            actor=actor,
            action="ledger.export_template.deleted",
            object_type="ledger.exporttemplate",
            object_repr=before["name"],
            before=before,
            region_path=before["region_path"],
        )


def _summary(template: ExportTemplate) -> dict:
    return {
        "name": template.name,
        "filename": template.filename,
        "sha256": template.sha256,
        "campaign": template.campaign_id,
        "office_unit": template.office_unit_id,
        "region_path": template.region_path,
        "mapping": template.mapping,
    }


# --- filling ----------------------------------------------------------------------------


DATE_KEYS = ("as_of", "date_from", "date_to")


def _filter(filters: dict, defaults: dict) -> RollupFilter:
    # The fill's dates apply to an entry naming no date at all: one naming any (a running
    # total "as of" a day, say) keeps exactly its own.
    dates = filters if any(filters.get(key) for key in DATE_KEYS) else defaults

    def day(key):
        value = dates.get(key)
        if isinstance(value, str):
            return datetime.date.fromisoformat(value)
        return value

    region = None
    if filters.get("region"):
        region = Region.objects.filter(code=filters["region"]).first()
        if region is None:
            raise DomainError(
                _("The region %(code)s no longer exists.") % {"code": filters["region"]}
            )
    return RollupFilter(
        region=region,
        kind=filters.get("kind") or None,
        channel=filters.get("channel") or None,
        outlet_level=filters.get("outlet_level") or None,
        as_of=day("as_of"),
        date_from=day("date_from"),
        date_to=day("date_to"),
    )


def template_values(
    *, actor, template: ExportTemplate, campaign: Campaign, defaults: dict
) -> dict[str, tuple]:
    """{cell: (indicator, RollupRow or None)} for every entry, one rollup per distinct
    (filters, group dimensions)."""
    by_query: dict[tuple, list[dict]] = defaultdict(list)
    for entry in template.mapping:
        key = (
            tuple(sorted(entry.get("filters", {}).items())),
            tuple(sorted(entry.get("group", {}))),
        )
        by_query[key].append(entry)
    indicators = {i.code: i for i in Indicator.objects.all()}
    values: dict[str, tuple] = {}
    for (filter_items, dimensions), entries in by_query.items():
        codes = sorted({e["indicator"] for e in entries})
        missing = [c for c in codes if c not in indicators]
        if missing:
            raise DomainError(_("Unknown indicator: %(codes)s") % {"codes": ", ".join(missing)})
        result = rollup(
            actor=actor,
            campaign=campaign,
            filters=_filter(dict(filter_items), defaults),
            group_by=list(dimensions),
            indicators=codes,
            include_total=not dimensions,
        )
        for entry in entries:
            indicator = indicators[entry["indicator"]]
            if dimensions:
                wanted = {d: str(v) for d, v in entry["group"].items()}
                row = next(
                    (
                        r
                        for r in result.rows
                        if r.indicator.code == indicator.code
                        and {d: str(r.group.get(d)) for d in wanted} == wanted
                    ),
                    None,
                )
            else:
                row = result.total(indicator.code)
            values[entry["cell"]] = (indicator, row)
    return values


def export_template_fill(
    *,
    actor,
    template: ExportTemplate,
    campaign: Campaign | None = None,
    as_of: datetime.date | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> ExportFile:
    """A copy of the template's workbook with each mapped cell holding its rollup figure
    for ``campaign`` (default: the template's own) as the actor sees it; ``as_of``,
    ``date_from`` and ``date_to`` apply to entries that name no dates themselves. Raises
    DomainError when no campaign is given for an office's template, or for a campaign
    other than the template's own."""
    from openpyxl.comments import Comment

    if campaign is None:
        if template.campaign_id is None:
            raise DomainError(_("Choose the campaign whose figures fill the template."))
        campaign = Campaign.objects.get(pk=template.campaign_id)
    elif template.campaign_id is not None and template.campaign_id != campaign.pk:
        raise DomainError(_("This template belongs to another campaign."))
    workbook = _load(bytes(template.workbook), template.filename)
    defaults = {"as_of": as_of, "date_from": date_from, "date_to": date_to}
    values = template_values(actor=actor, template=template, campaign=campaign, defaults=defaults)
    for reference, (indicator, row) in values.items():
        sheet_name, coordinate = reference.rsplit("!", 1)
        cell = workbook[sheet_name][coordinate]
        value = row.value if row is not None else None
        if value is None:
            cell.value = (
                0 if indicator.aggregation in (Aggregation.SUM, Aggregation.DISTINCT) else None
            )
            continue
        shown = value  # (as the figure reads: a rate in percent)
        if indicator.aggregation == Aggregation.RATIO and _is_percent(cell.number_format):
            value = value / 100  # (a percent-formatted cell multiplies by 100)
        number = int(value) if value == value.to_integral_value() else float(value)
        approx = row.approx if row is not None else Approx.EXACT
        if approx == Approx.EXACT:
            cell.value = number
        elif cell.number_format == "@" or cell.data_type == "s":  # (a formula is "f")
            cell.value = figure_text(shown, approx)
        else:
            cell.value = number
            cell.comment = Comment(
                _("Approximate: %(figure)s") % {"figure": figure_text(shown, approx)},
                "Campaign Desk",
            )
    workbook.template = False  # (an .xltx uploaded as .xlsx: the copy is a workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    stem = Path(template.filename).stem
    day = (as_of or date_to or timezone.localdate()).isoformat()
    return ExportFile(f"{stem}-{day}.xlsx", XLSX_TYPE, [buffer.getvalue()])
