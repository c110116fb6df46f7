"""Importing ledger records from .xlsx or .csv files: all rows or none, in batches.

How it keeps memory flat and still reports every bad row, in one pass over the rows:

1. The file is read once to hash it (and, for text, to check that it is UTF-8). A live
   batch of the same campaign, record kind and SHA-256 makes the import a reported no-op
   before anything is parsed.
2. Then ONE transaction. Rows are parsed lazily and handled in chunks of ``CHUNK_ROWS``:
   each chunk's cells are read, its names (units, regions, outlets, indicators, external
   ids) are looked up with one query per kind of name, and each row passes
   ``RecordWriter.prepare`` (the checks forms and the API use). While no row has failed,
   each chunk is written at once (``RecordWriter.save_new``, plus updates through the
   external-id column). After the first bad row nothing more is written, but every
   remaining row is still checked, so all bad rows are reported (the first
   ``MAX_LISTED_ERRORS`` listed, with the number of the rest). At the end any error rolls
   the whole transaction back and ``ImportRejected`` is raised: nothing was written.
3. Only one chunk of rows is held at a time, plus caches of the distinct names seen and
   the external ids seen (to catch an id used twice in one file).
4. The work is spread over the machine's cores. On PostgreSQL the COPY statements of the
   records and their facts are sent by a thread on the transaction's own connection
   (``RecordWriter.background_copies``): the server inserts one part while the next is
   checked, and checks their foreign keys then rather than all at the commit. Elsewhere
   (SQLite) a long .xlsx sheet is parsed by another process (``xlsx.ReaderProcess``)
   while this one checks and writes (see READER_PROCESS_BESIDE_COPIES). Still one
   transaction: a bad row, a failed COPY or a reader that stops rolls everything back.

Why not check every row first and insert in a second pass: that parses the file twice,
and parsing is most of an .xlsx import's time. Rows written before a bad row only cost a
rollback; and rows that depend on earlier rows of the same file (a repeated output, an
external id used twice) are found by the same queries as rows stored before.
"""

import contextlib
import functools
import gc
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.models import Role
from campaigndesk.accounts.scoping import can_manage, is_admin, read_scope, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import (
    DomainError,
    FieldError,
    Forbidden,
    ImportRejected,
    RowError,
)
from campaigndesk.regions.models import Outlet, Region, Unit, UnitAlias
from campaigndesk.regions.paths import codes_of, is_within, subtree_q
from campaigndesk.regions.selectors import unit_match
from campaigndesk.regions.services import normalize_official_code

from ..facts import delete_facts, replace_facts
from ..links import link_key
from ..models import (
    RECORD_MODELS,
    Aggregation,
    Evidence,
    ImportBatch,
    ImportedUpdate,
    Indicator,
    MediaOutput,
    Record,
    RecordKind,
    RecordStatus,
)
from ..services import (
    CountingOutputs,
    RecordWriter,
    evidence_follow,
    output_identity,
    outputs_judge,
    outputs_recheck,
)
from .columns import (
    CHANNEL_LABELS,
    RECORD_REFERENCE,
    CellError,
    Column,
    cached_key,
    cell_text,
    columns_for,
)
from .columns import header_key as _header_key
from .columns import label as _label
from .readers import ImportFile, Source

CHUNK_ROWS = 1000
MAX_LISTED_ERRORS = 1000
# Title rows skipped above a header ("某某镇宣传品台账"), at most.
MAX_TITLE_ROWS = 3
# Columns an office's sheet often has that hold nothing to import: the row's number.
IGNORED_HEADERS = frozenset(_header_key(name) for name in ("序号", "No.", "#"))
# Headers that offices use both for the row's number and for their own id of it: read
# either way, a guess could create duplicates or overwrite other rows, so they are refused.
AMBIGUOUS_HEADERS = frozenset(_header_key(name) for name in ("编号",))
# Whether a long .xlsx sheet is parsed by another process also when the records go in
# by a COPY thread (PostgreSQL). There the server's work is what an import waits for;
# with the server on the same two cores, a reading process only added a contender
# (100,000 rows: 6.9 s with it, 6.6 s without). With SQLite, where this process writes
# the rows itself, it takes the same import from 11.3 s to 9.5 s.
READER_PROCESS_BESIDE_COPIES = False

# (rows read so far, share of the file read 0..1 or None when it cannot be told)
Progress = Callable[[int, float | None], None]


@dataclass
class ImportResult:
    """What an import did. ``already_imported``: the same file was imported into this
    campaign before (``batch`` is that import) and nothing was written now."""

    batch: ImportBatch
    already_imported: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0  # outputs flagged as suspected duplicates (they count once cleared)
    warnings: list[str] = field(default_factory=list)


def _column_name(column: Column, position: int | None) -> str:
    from openpyxl.utils import get_column_letter

    if position is None:
        return column.header
    return f"{column.header} ({get_column_letter(position + 1)})"


def _is_blank(values: Iterable) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _require_importer(actor) -> None:
    if is_admin(actor):
        return
    if (
        actor is not None
        and actor.is_authenticated
        and getattr(actor, "unit_id", None)
        and actor.has_role(Role.OFFICE, Role.REPORTER)
    ):
        return
    raise Forbidden(_("You may not import ledger records."))


@records_denials("ledger.batch.import")
def ledger_import(
    *,
    actor,
    campaign: Campaign,
    record_kind: str,
    source: Source,
    filename: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the records of one kind ("output", "material", "event", "figure") from an
    .xlsx or .csv file (``source``: bytes, a path, or a seekable binary stream; the
    format is told by ``filename``, default the path's name), all rows or none, as one
    batch with one audit entry.

    A row whose 外部编号 (external id) matches a record of this campaign and kind updates
    that record; every other row creates one. Importing a file already imported into the
    campaign (same SHA-256, batch not undone) writes nothing and returns a result with
    ``already_imported``. ``progress(rows, fraction)`` is called after each chunk.

    Raises Forbidden when the actor may import nothing (not an office, reporter or
    administrator); DomainError for a file that is empty, legacy .xls, not .xlsx/.csv,
    unreadable, has merged cells or holds no rows; ImportRejected listing a wrong header,
    or every bad row by row number and column (a cell of the wrong type, an unknown unit,
    outlet, region or indicator, a region outside the campaign, a date outside it or in a
    locked period, a negative count, participants without sessions, a unit the actor
    may not file for, an external id used twice) — and then nothing was written."""
    _require_importer(actor)
    model = RECORD_MODELS.get(record_kind)
    if model is None:
        raise DomainError(_("Unknown record kind: %(kind)s") % {"kind": record_kind})
    file = ImportFile(source, filename).inspect()
    existing = _live_batch(campaign, record_kind, file.sha256)
    if existing is not None:
        if batch_list(actor=actor, campaign=campaign).filter(pk=existing.pk).exists():
            return _already(existing)
        # Someone else's import: said without its details (who, when, how many rows),
        # which the actor may not see; and not imported twice.
        raise DomainError(_("This file was already imported into the campaign."))
    importer = _Importer(actor=actor, campaign=campaign, record_kind=record_kind, file=file)
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = ImportBatch.objects.create(
                    campaign=campaign,
                    kind=record_kind,
                    filename=file.filename[:255],
                    sha256=file.sha256,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            # The same file was imported meanwhile (the unique constraint on live batches).
            existing = _live_batch(campaign, record_kind, file.sha256)
            if existing is None:
                raise
            return _already(existing)
        writer = importer.writer
        with (
            _old_objects_left_alone(),
            writer.deferred_summary(),
            writer.background_copies(record_kind),
        ):
            importer.run(batch, progress)
        if importer.left:
            outputs_recheck(actor=actor, writer=writer, identities=importer.left)
        batch.row_count = importer.rows
        batch.created_count = importer.created
        batch.updated_count = importer.updated
        batch.finished_at = timezone.now()
        batch.save(update_fields=["row_count", "created_count", "updated_count", "finished_at"])
        audit_log(
            actor=actor,
            action="ledger.batch.imported",
            obj=batch,
            after={
                "kind": record_kind,
                "filename": batch.filename,
                "sha256": file.sha256,
                "rows": importer.rows,
                "created": importer.created,
                "updated": importer.updated,
                "duplicates": importer.duplicates,
            },
            region_path=campaign.region_path,
        )
    warnings = []
    if importer.duplicates:
        warnings.append(
            _(
                "%(n)s output(s) look like duplicates of others (same link, or same outlet, "
                "title and date); they count once the office confirms them."
            )
            % {"n": importer.duplicates}
        )
    return ImportResult(
        batch=batch,
        rows=importer.rows,
        created=importer.created,
        updated=importer.updated,
        duplicates=importer.duplicates,
        warnings=warnings,
    )


@contextlib.contextmanager
def _old_objects_left_alone() -> Iterator[None]:
    """Within this block the cyclic garbage collector looks only at objects made in it.
    An import makes objects fast enough to set off many full collections, and each went
    through every object the process holds (all of Django's, for one): a fifth of the
    import's own time. Not when something (a server forking workers) has frozen objects
    already: unfreezing at the end would thaw those too."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _live_batch(campaign: Campaign, record_kind: str, sha256: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(
        campaign=campaign, kind=record_kind, sha256=sha256, undone_at__isnull=True
    ).first()


def _already(batch: ImportBatch) -> ImportResult:
    return ImportResult(
        batch=batch,
        already_imported=True,
        rows=batch.row_count,
        warnings=[
            _(
                "This file was already imported into the campaign on %(date)s (batch "
                "%(id)s, %(rows)s rows); nothing was written. Undo that batch to import it "
                "again."
            )
            % {
                "date": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
                "id": batch.pk,
                "rows": batch.row_count,
            }
        ],
    )


@dataclass
class _Row:
    number: int
    values: dict
    record: Record | None = None
    before: dict | None = None  # snapshot of a record the row updates
    identity: tuple | None = None  # (an output it updates) what made it a duplicate or not


class _Importer:
    """One import run: reads, checks and (while every row so far is good) writes."""

    def __init__(self, *, actor, campaign: Campaign, record_kind: str, file: ImportFile):
        self.actor = actor
        self.campaign = campaign
        self.kind = record_kind
        self.model = RECORD_MODELS[record_kind]
        self.file = file
        self.columns = columns_for(record_kind)
        self.writer = RecordWriter(actor=actor, campaign=campaign)
        self.errors: list[RowError] = []
        self.error_count = 0
        self.rows = self.created = self.updated = self.duplicates = 0
        self.batch: ImportBatch | None = None
        self.layout: list[tuple[Column, int]] = []
        self.readers: list[tuple[str, int, Callable[[object], object]]] = []
        self.positions: dict[str, int] = {}
        self._seen_external: dict[str, int] = {}
        self._seen_records: dict[int, int] = {}  # record id -> the row updating it
        self._hidden: set[int] = set()  # records with a row's external id, out of sight
        self._absent: list[str] | None = None
        self._ignored: set[int] = set()  # positions of columns read as nothing (序号)
        self._header_width = 0
        self._unnamed: list[int] = []  # positions of columns without a header
        self._reported_unnamed: set[int] = set()
        self.left: list[tuple] = []  # identities of outputs that counted, changed by rows
        self._units: dict[str, Unit | None] = {}
        self._units_near: dict[tuple[str, int], Unit | None] = {}
        self._unit_problems: dict[str, str] = {}
        self._regions: dict[str, Region | None] = {}
        self._outlets: dict[str, list[Outlet]] = {}
        self._indicators: dict[str, Indicator | None] | None = None
        self._top: Region | None = None

    # --- errors -----------------------------------------------------------------------

    @property
    def writing(self) -> bool:
        return self.error_count == 0

    def error(self, row: int | None, key: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RowError(row, self.column_label(key), str(message)))

    def column_label(self, key: str) -> str:
        for column in self.columns:
            if key == column.key or key in column.error_fields:
                return _column_name(column, self.positions.get(column.key))
        return key

    # --- the run ----------------------------------------------------------------------

    def run(self, batch: ImportBatch, progress: Progress | None) -> None:
        self.batch = batch
        rows = self.file.rows(
            reader_process=READER_PROCESS_BESIDE_COPIES or not self.writer.copies_in_background
        )
        header = self._header(rows)
        chunk: list[tuple[int, tuple]] = []
        ignored = self._ignored
        for number, values in rows:
            if _is_blank(values):
                continue
            if ignored and _is_blank(v for i, v in enumerate(values) if i not in ignored):
                continue  # (numbered in advance, nothing filled in)
            chunk.append((number, values))
            if len(chunk) >= CHUNK_ROWS:
                self._chunk(chunk)
                chunk = []
                if progress is not None:
                    progress(self.rows, self.file.fraction())
        if chunk:
            self._chunk(chunk)
        if progress is not None:
            progress(self.rows, 1.0)
        if not self.rows and not self.error_count:
            raise DomainError(
                _("%(name)s holds no rows below its header (row %(row)s).")
                % {"name": self.file.filename, "row": header}
            )
        if self.error_count:
            listed = sorted(self.errors, key=lambda e: e.row or 0)
            unlisted = self.error_count - len(listed)
            if unlisted:
                listed.append(
                    RowError(
                        None,
                        "",
                        _("%(n)s more problems are not listed (at most %(max)s are).")
                        % {"n": unlisted, "max": MAX_LISTED_ERRORS},
                    )
                )
            raise ImportRejected(listed, total=self.error_count)

    def _header(self, rows: Iterator[tuple[int, tuple]]) -> int:
        """Read the header (the first row that is not blank, below a title or two: rows
        of one cell that names no column) into ``self.layout``; raise ImportRejected
        naming unknown, repeated and missing columns."""
        by_key = {key: column for column in self.columns for key in column.header_keys}
        number, values = 0, ()
        titles = 0
        for number, values in rows:  # noqa: B007 - the header's number is used below
            if _is_blank(values):
                continue
            filled = [text for value in values if (text := cell_text(value))]
            if (
                titles < MAX_TITLE_ROWS
                and len(filled) == 1
                and _header_key(filled[0]) not in by_key
            ):
                titles += 1  # "某某镇宣传品台账" above the header
                continue
            break
        else:
            if titles:
                raise DomainError(
                    _(
                        "%(name)s has no header row: its first rows hold one value each. The "
                        "header is a row naming the columns: %(columns)s."
                    )
                    % {
                        "name": self.file.filename,
                        "columns": ", ".join(c.header for c in self.columns),
                    }
                )
            raise DomainError(_("%(name)s is empty.") % {"name": self.file.filename})
        self.file.refuse_merged(number)
        problems: list[RowError] = []
        from openpyxl.utils import get_column_letter

        for position, value in enumerate(values):
            text = cell_text(value)
            if not text:
                continue
            if _header_key(text) in IGNORED_HEADERS:
                self._ignored.add(position)  # (row numbers: the sheet numbers rows too)
                continue
            letter = get_column_letter(position + 1)
            column = by_key.get(_header_key(text))
            if _header_key(text) in AMBIGUOUS_HEADERS:
                problems.append(
                    RowError(
                        number,
                        f"{text} ({letter})",
                        _(
                            "“%(name)s” may be the row's number or your own id for it: name "
                            "the column 序号 for a row number (not imported), or 外部编号 for "
                            "an id that updates the row imported before."
                        )
                        % {"name": text},
                    )
                )
            elif column is None:
                problems.append(
                    RowError(
                        number,
                        f"{text} ({letter})",
                        _("Unknown column “%(name)s”.") % {"name": text},
                    )
                )
            elif column.key in self.positions:
                problems.append(
                    RowError(
                        number,
                        f"{text} ({letter})",
                        _("The column “%(name)s” appears twice.") % {"name": column.header},
                    )
                )
            else:
                self.positions[column.key] = position
        for column in self.columns:
            if column.required and column.key not in self.positions:
                problems.append(
                    RowError(
                        number,
                        column.header,
                        _("The column “%(name)s” is missing.") % {"name": column.header},
                    )
                )
        if problems:
            found = len(problems)
            problems.append(
                RowError(
                    number,
                    "",
                    _("The columns of this kind of record are: %(columns)s.")
                    % {"columns": ", ".join(c.header for c in self.columns)},
                )
            )
            raise ImportRejected(problems, total=found)
        self.layout = [(c, self.positions[c.key]) for c in self.columns if c.key in self.positions]
        self.readers = [(c.key, position, c.reader()) for c, position in self.layout]
        # Columns without a header: a value in one would be lost unseen (see _unnamed_values).
        self._header_width = len(values)
        self._unnamed = [
            position
            for position, value in enumerate(values)
            if not cell_text(value) and position not in self._ignored
        ]
        return number

    def _unnamed_values(self, number: int, values: tuple) -> None:
        """Report, once per column, a value under a blank header (or beyond the header's
        last column): it belongs to no column, so importing the row would lose it."""
        from openpyxl.utils import get_column_letter

        beyond = range(self._header_width, len(values))
        for position in [*self._unnamed, *beyond]:
            if position >= len(values) or position in self._reported_unnamed:
                continue
            text = cell_text(values[position])
            if text:
                self._reported_unnamed.add(position)
                letter = get_column_letter(position + 1)
                self.error(
                    number,
                    letter,
                    _(
                        "Column %(letter)s has no header, so its “%(value)s” would be lost: "
                        "give the column its header, or clear it."
                    )
                    % {"letter": letter, "value": text[:50]},
                )

    # --- one chunk --------------------------------------------------------------------

    def _chunk(self, chunk: list[tuple[int, tuple]]) -> None:
        self.rows += len(chunk)
        parsed: list[_Row] = []
        for number, values in chunk:
            row = self._cells(number, values)
            if row is not None:
                parsed.append(row)
        if not parsed:
            return
        self._look_up(parsed)
        existing = self._existing(parsed)
        ready: list[_Row] = []
        for row in parsed:
            if self._prepare(row, existing):
                ready.append(row)
        if self.writing and ready:
            self._write(ready)

    def _cells(self, number: int, values: tuple) -> _Row | None:
        result: dict = {}
        ok = True
        width = len(values)
        if self._unnamed or width > self._header_width:
            self._unnamed_values(number, values)
        for key, position, read in self.readers:
            try:
                result[key] = read(values[position] if position < width else None)
            except CellError as error:
                self.error(number, key, str(error))
                ok = False
        return _Row(number, result) if ok else None

    # --- looking names up -------------------------------------------------------------

    def _look_up(self, rows: list[_Row]) -> None:
        """Fetch what the chunk names and the caches lack, one query per kind of name."""
        codes = {r.values["region"] for r in rows if r.values.get("region")}
        self._load_regions(codes)
        names = {r.values["unit"] for r in rows if r.values.get("unit")}
        self._load_units(names)
        if self.kind == RecordKind.OUTPUT:
            self._load_outlets({r.values["outlet"] for r in rows if r.values.get("outlet")})

    def _load_regions(self, codes: set[str]) -> None:
        # (each spelling as written: 532301 and 532301000000 may both be in one chunk)
        wanted = {c: normalize_official_code(c) for c in codes if c not in self._regions}
        if not wanted:
            return
        found = {r.code: r for r in Region.objects.filter(code__in=set(wanted.values()))}
        for written, code in wanted.items():
            self._regions[written] = found.get(code)

    def top(self) -> Region:
        """The widest region where unit names are looked for: the actor's own unit's
        region, or for an administrator and the command line the root of the campaign's
        region."""
        if self._top is None:
            unit = getattr(self.actor, "unit", None)
            if not is_admin(self.actor) and unit is not None:
                self._top = unit.region
            else:
                root = codes_of(self.campaign.region_path)[0]
                self._top = Region.objects.filter(code=root).first() or self.campaign.region
        return self._top

    def _load_units(self, names: set[str]) -> None:
        pending = [n for n in names if n not in self._units]
        if not pending:
            return
        for within in (self.campaign.region, self.top()):
            if not pending:
                break
            for name, unit in unit_match(names=pending, within=within).items():
                if unit is not None:
                    self._units[name] = unit
            pending = [n for n in pending if self._units.get(n) is None]
        for name in pending:
            self._units[name] = None

    def unit_for(self, name: str, region: Region | None) -> Unit | None:
        unit = self._units.get(name)
        if unit is not None or region is None:
            return unit
        # A name that several units answer to ("县民政局" in every county): the one above
        # the row's region, nearest first.
        key = (name, region.pk)
        if key not in self._units_near:
            found = None
            top_path = self.top().path
            codes = codes_of(region.path)
            above = {r.code: r for r in Region.objects.filter(code__in=codes)}
            for depth in range(len(codes), 0, -1):
                within = above.get(codes[depth - 1])
                if within is None or not is_within(within.path, top_path):
                    break
                found = unit_match(names=[name], within=within).get(name)
                if found is not None:
                    break
            self._units_near[key] = found
        return self._units_near[key]

    def unit_problem(self, name: str) -> str:
        if name not in self._unit_problems:
            key = cached_key(name)
            top = self.top()
            units = {
                u.pk: u
                for u in Unit.objects.filter(
                    subtree_q("region_path", top.path), name_key=key
                ).select_related("region")[:10]
            }
            for alias in UnitAlias.objects.filter(
                subtree_q("unit__region_path", top.path), alias_key=key
            ).select_related("unit__region")[:10]:
                units.setdefault(alias.unit_id, alias.unit)
            if len(units) > 1:
                message = _(
                    "“%(name)s” matches more than one unit: %(units)s. Write the full name, or "
                    "fill 行政区划代码 with a region under the unit you mean."
                ) % {
                    "name": name,
                    "units": "、".join(f"{u.name} ({u.region.name})" for u in units.values()),
                }
            else:
                message = _("No unit is called “%(name)s” in %(region)s.") % {
                    "name": name,
                    "region": top.name,
                }
            self._unit_problems[name] = message
        return self._unit_problems[name]

    def _load_outlets(self, names: set[str]) -> None:
        keys = {cached_key(n) for n in names} - set(self._outlets)
        if not keys:
            return
        for key in keys:
            self._outlets[key] = []
        for outlet in Outlet.objects.filter(name_key__in=list(keys)):
            self._outlets[outlet.name_key].append(outlet)

    def outlet_for(self, row: _Row) -> Outlet | None:
        name = row.values["outlet"]
        channel = row.values.get("channel")
        candidates = self._outlets.get(cached_key(name), [])
        if channel:
            candidates = [o for o in candidates if o.channel == channel]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            message = (
                _("No outlet called “%(name)s” on %(channel)s in the outlet directory.")
                % {"name": name, "channel": _label(CHANNEL_LABELS, channel)}
                if channel
                else _("No outlet is called “%(name)s” in the outlet directory.") % {"name": name}
            )
        else:
            message = _("More than one outlet is called “%(name)s” (%(channels)s); fill 渠道.") % {
                "name": name,
                "channels": "、".join(_label(CHANNEL_LABELS, o.channel) for o in candidates),
            }
        self.error(row.number, "outlet", message)
        return None

    def indicator_for(self, row: _Row) -> Indicator | None:
        if self._indicators is None:
            table: dict[str, Indicator | None] = {}
            indicators = list(Indicator.objects.filter(is_active=True))
            for indicator in indicators:
                table[indicator.code.casefold()] = indicator
            for indicator in indicators:
                key = "name:" + cached_key(indicator.name)
                # Two indicators of the same name: only their codes tell them apart.
                table[key] = None if key in table else indicator
            self._indicators = table
        text = row.values["indicator"]
        indicator = self._indicators.get(text.casefold())
        if indicator is None:
            indicator = self._indicators.get("name:" + cached_key(text))
        if indicator is None:
            self.error(
                row.number,
                "indicator",
                _("No indicator has the code or the name “%(value)s”.") % {"value": text},
            )
            return None
        if indicator.aggregation in (Aggregation.DISTINCT, Aggregation.RATIO):
            self.error(
                row.number,
                "indicator",
                _("%(name)s is computed from the ledger; it cannot be entered as a figure.")
                % {"name": indicator.name},
            )
            return None
        return indicator

    def _existing(self, rows: list[_Row]) -> dict[str, list[Record]]:
        ids = {r.values["external_id"] for r in rows if r.values.get("external_id")}
        if not ids:
            return {}
        qs = self.model.objects.filter(campaign=self.campaign, external_id__in=list(ids))
        related = ["unit", "region"]
        if self.kind == RecordKind.OUTPUT:
            related.append("outlet")
        elif self.kind == RecordKind.FIGURE:
            related.append("indicator")
        # What the actor may read, as the record pages see it: a record out of sight is
        # never named (its unit, its existence) by an import's answer.
        visible = visible_q(
            self.actor,
            path_field="region_path",
            unit_field="unit_id",
            unit_path_field="unit_region_path",
        )
        found: dict[str, list[Record]] = defaultdict(list)
        for record in qs.select_related(*related):
            found[record.external_id].append(record)
        if found and not read_scope(self.actor).everything:
            seen = set(qs.filter(visible).values_list("pk", flat=True))
            self._hidden.update(r.pk for rs in found.values() for r in rs if r.pk not in seen)
        # An export's "#123" (a record entered by hand), unless a record has it as its id;
        # one out of sight is as one that does not exist (the row files a new record).
        references = [
            int(match[1])
            for i in ids
            if i not in found and (match := RECORD_REFERENCE.fullmatch(i)) is not None
        ]
        if references:
            mine = self.model.objects.filter(visible, campaign=self.campaign, pk__in=references)
            for record in mine.select_related(*related):
                found[f"#{record.pk}"].append(record)
        return found

    # --- one row ----------------------------------------------------------------------

    def _prepare(self, row: _Row, existing: dict[str, list[Record]]) -> bool:
        values = row.values
        number = row.number
        ok = True
        region = None
        if values.get("region"):
            region = self._regions.get(values["region"])
            if region is None:
                self.error(
                    number,
                    "region",
                    _("No region has the code %(code)s.") % {"code": values["region"]},
                )
                ok = False
        unit = self.unit_for(values["unit"], region)
        if unit is None:
            self.error(number, "unit", self.unit_problem(values["unit"]))
            ok = False
        fields = self._fields(row)
        if fields is None:
            ok = False
        external_id = values.get("external_id") or ""
        instance = None
        if external_id:
            first = self._seen_external.setdefault(external_id, number)
            if first != number:
                self.error(
                    number,
                    "external_id",
                    _("The external id %(id)s is already used in row %(row)s.")
                    % {"id": external_id, "row": first},
                )
                ok = False
            matches = existing.get(external_id, [])
            if any(match.pk in self._hidden for match in matches):
                # (another unit's id: refused without saying whose)
                self.error(
                    number,
                    "external_id",
                    _("The external id %(id)s is taken in this campaign; choose another.")
                    % {"id": external_id},
                )
                ok = False
            elif len(matches) > 1:
                self.error(
                    number,
                    "external_id",
                    _("%(n)s records of this campaign have the external id %(id)s.")
                    % {"n": len(matches), "id": external_id},
                )
                ok = False
            elif matches:
                instance = matches[0]
                # Named twice (by its id and as "#123"): the second row would silently win.
                earlier = self._seen_records.setdefault(instance.pk, number)
                if earlier != number and earlier != first:
                    self.error(
                        number,
                        "external_id",
                        _("Row %(row)s updates the same record.") % {"row": earlier},
                    )
                    ok = False
            if RECORD_REFERENCE.fullmatch(external_id) and (
                instance is None or instance.external_id != external_id
            ):
                # An export's name for a record, not an id to keep: the record keeps its
                # own (none), and a row naming a record of another campaign is a new one.
                external_id = instance.external_id if instance is not None else ""
        if not ok:
            return False
        assert unit is not None and fields is not None
        fields.update(
            unit=unit,
            region=region or unit.region,
            date=values["date"],
            note=values.get("note") or "",
            external_id=external_id,
        )
        if instance is not None:
            # A file that updates records by their ids changes what its columns say: a
            # column it leaves out keeps the stored value (a blank cell still blanks it).
            for name in self._absent_columns():
                if name == "region" and unit.pk != instance.unit_id:
                    continue  # (another unit: at its own place, as a new record would be)
                fields.pop(name, None)
        try:
            before = old_date = None
            if instance is not None:
                # The same checks as changing the record by hand: its present unit and
                # date must be open to the actor too (the date only when the row changes
                # the record: an export imported again passes over a locked period).
                self.writer.check_unit(instance.unit)
                before, old_date = snapshot(instance), instance.date
                if self.writing:
                    row.before = before
                    if self.kind == RecordKind.OUTPUT:
                        row.identity = output_identity(instance)
            row.record = self.writer.prepare(
                self.kind, fields, instance=instance, check_lock=instance is None
            )
            if before is not None:
                self.writer.check_change_unlocked(before, row.record, old_date)
        except FieldError as error:
            self.error(number, error.field, error.message)
            return False
        except Forbidden as error:
            self.error(number, "unit", error.message)
            return False
        except DomainError as error:
            self.error(number, "", error.message)
            return False
        return True

    def _absent_columns(self) -> list[str]:
        """The keys of this kind's columns the file does not have."""
        if self._absent is None:
            self._absent = [c.key for c in self.columns if c.key not in self.positions]
        return self._absent

    def _fields(self, row: _Row) -> dict | None:
        """The record fields of the row's kind, defaults filled in for blank cells."""
        v = row.values
        if self.kind == RecordKind.OUTPUT:
            outlet = self.outlet_for(row)
            if outlet is None:
                return None
            is_original = v.get("is_original")
            return {
                "outlet": outlet,
                "kind": v["kind"],
                "title": v.get("title") or "",
                "is_original": True if is_original is None else is_original,
                "language": v.get("language") or "zh",
                "views": v.get("views"),
                "audience": v.get("audience"),
                "url": v.get("url") or "",
            }
        if self.kind == RecordKind.MATERIAL:
            return {
                "kind": v["kind"],
                "quantity": v["quantity"],
                "measure_word": v.get("measure_word") or "",
                "area_m2": v.get("area_m2"),
                "sites": v.get("sites"),
            }
        if self.kind == RecordKind.EVENT:
            sessions = v.get("sessions")
            participants = v.get("participants")
            return {
                "kind": v["kind"],
                "title": v.get("title") or "",
                "sessions": 1 if sessions is None else sessions,
                "participants": 0 if participants is None else participants,
                "audience": v.get("audience"),
                "site": v.get("site") or "",
            }
        indicator = self.indicator_for(row)
        if indicator is None:
            return None
        return {
            "indicator": indicator,
            "value": v["value"],
            "approx": v.get("approx") or "",
            "period_start": v.get("period_start"),
            "source": v.get("source") or "",
        }

    # --- writing ----------------------------------------------------------------------

    def _write(self, rows: list[_Row]) -> None:
        if self.kind == RecordKind.OUTPUT:
            self._flag_duplicates(rows)
        new = [r.record for r in rows if r.before is None]
        # A row naming a record it leaves as it is writes nothing (as an edit that changes
        # nothing): an export imported again unchanged must not make the imports before
        # it impossible to undo.
        changed = [r for r in rows if r.before is not None and snapshot(r.record) != r.before]
        if new:
            self.writer.save_new(self.kind, new, batch=self.batch)  # type: ignore[arg-type]
            self.created += len(new)
        if changed:
            now = timezone.now()
            updated = [r.record for r in changed]
            for record in updated:
                record.updated_at = now  # type: ignore[union-attr]
            self.model.objects.bulk_update(updated, _update_fields(self.model), batch_size=500)
            moved = [
                row.record
                for row in changed
                if row.before["region_path"] != row.record.region_path  # type: ignore[index,union-attr]
            ]
            if moved:
                evidence_follow(self.kind, moved)  # (as record_update does)
            replace_facts(
                self.kind,
                updated,
                indicators=self.writer.indicators,
                ancestors=self.writer.ancestors,
            )
            ImportedUpdate.objects.bulk_create(
                ImportedUpdate(
                    batch=self.batch,
                    record_kind=self.kind,
                    record_id=r.record.pk,  # type: ignore[union-attr]
                    before=r.before,
                    written_at=now,
                )
                for r in changed
            )
            self.updated += len(changed)

    def _flag_duplicates(self, rows: list[_Row]) -> None:
        """Flag outputs repeating another of the campaign (the same link up to tracking
        parameters and the like, ``links.link_key``; or the same outlet, title and date):
        stored ones (earlier chunks included) or earlier ones of this chunk. Like
        ``record_create``, a flagged output does not count. Like ``record_update``, an
        output a row updates is checked again only when its link, outlet, title or date
        changes; otherwise its status (the office's verdict) stays."""
        records: list[MediaOutput] = [r.record for r in rows]  # type: ignore[misc]
        # Whether each row's output is judged again: a new one, or one whose link, outlet,
        # title or date it changes. Those it moves are compared as they will be, not as
        # stored (two outputs may swap titles in one file).
        judged = [
            row.identity is None or row.identity != output_identity(record)
            for row, record in zip(rows, records, strict=True)
        ]
        leaving = {
            record.pk
            for row, record, again in zip(rows, records, judged, strict=True)
            if again and row.identity is not None
        }
        # What outputs that counted leave behind: their copies are judged again at the end.
        self.left += [
            row.identity
            for row, again in zip(rows, judged, strict=True)
            if again and row.identity is not None and row.before["status"] == RecordStatus.ACTIVE
        ]
        # Repeating counts against outputs that count: a flagged copy does not make the
        # output it copies (or a third one) a repeat.
        counting = CountingOutputs(self.campaign, records, leaving_out=leaving)
        for index, (record, again) in enumerate(zip(records, judged, strict=True)):
            if again:
                repeated = counting.repeats(record)
                if repeated and record.status == RecordStatus.ACTIVE:
                    record.status = RecordStatus.DUPLICATE
                    self.duplicates += 1
                elif not repeated and record.status == RecordStatus.DUPLICATE:
                    record.status = RecordStatus.ACTIVE  # (moved off what it repeated)
            if record.status == RecordStatus.ACTIVE:
                # Later rows of the chunk compare with this one (a new one by a marker).
                counting.counts(record, True, as_pk=record.pk or -(index + 1))


@functools.cache
def _update_fields_cached(model) -> tuple[str, ...]:
    skip = {"id", "campaign", "created_at", "created_by", "batch", "schedule_item"}
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in skip)


def _update_fields(model) -> list[str]:
    return list(_update_fields_cached(model))


# --- undo -------------------------------------------------------------------------------

_NOT_RESTORED = {"id", "created_at", "updated_at", "campaign"}


@records_denials("ledger.batch.undo")
def import_batch_undo(*, actor, batch: ImportBatch) -> ImportBatch:
    """Undo an import: delete the records the batch created (with their facts and evidence
    rows), put back the records it updated as they were, and mark the batch undone, so
    that the same file can be imported again. Raises Forbidden unless the actor imported
    the batch or is the office over the campaign (or an administrator), and may file for
    every unit involved; DomainError when the batch is already undone, when any record
    involved lies in a locked period, or when a record it created or updated was changed
    since (or was given evidence)."""
    campaign = Campaign.objects.get(pk=batch.campaign_id)
    own = getattr(actor, "pk", None) is not None and batch.created_by_id == actor.pk
    if not (own or can_manage(actor, region_path=campaign.region_path)):
        error = Forbidden(_("Only who imported the file or the office may undo the import."))
        error.region_path = campaign.region_path  # type: ignore[attr-defined]
        error.object_repr = str(batch)  # type: ignore[attr-defined]
        raise error
    writer = RecordWriter(actor=actor, campaign=campaign)
    model = RECORD_MODELS[batch.kind]
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.undone_at is not None:
            raise DomainError(_("This import was already undone."))
        created = model.objects.filter(batch=batch)
        _refuse_changed_since(batch, created)
        units = set(created.values_list("unit_id", flat=True).distinct())
        # (outputs: what the undo takes away that counted, and what it moves back)
        left: list[tuple] = []
        moved_back: list[int] = []
        if model is MediaOutput:
            left += [
                (outlet_id, title, date, link_key(url))
                for outlet_id, title, date, url in created.filter(
                    status=RecordStatus.ACTIVE
                ).values_list("outlet_id", "title", "date", "url")
            ]
        restored = _restore_updates(batch, model, writer, units, left, moved_back)
        for unit in Unit.objects.filter(pk__in=units):
            writer.check_unit(unit)
        locks = writer.locks()
        if locks:
            in_lock = functools.reduce(
                operator.or_, (Q(date__gte=lock.start, date__lte=lock.end) for lock in locks)
            )
            hit = created.filter(in_lock).order_by("date").values_list("date", flat=True).first()
            if hit is not None:
                writer.check_unlocked(hit)  # raises FieldError naming the locked period
        ids = created.values("pk")
        delete_facts(batch.kind, ids)  # (no evidence: _refuse_changed_since)
        deleted = created.count()
        created.delete()
        if moved_back:
            # (as an edit back to the old link, outlet, title or date would be judged)
            outputs_judge(actor=actor, writer=writer, ids=moved_back, reason="import undone")
        if left:
            outputs_recheck(actor=actor, writer=writer, identities=left)
        batch.undone_at = timezone.now()
        batch.undone_by = actor if getattr(actor, "pk", None) else None
        batch.save(update_fields=["undone_at", "undone_by"])
        # What was done, for the caller to report (not stored on the batch).
        batch.deleted_count, batch.restored_count = deleted, restored  # type: ignore[attr-defined]
        audit_log(
            actor=actor,
            action="ledger.batch.undone",
            obj=batch,
            after={
                "kind": batch.kind,
                "sha256": batch.sha256,
                "deleted": deleted,
                "restored": restored,
            },
            region_path=campaign.region_path,
        )
    return batch


def _refuse_changed_since(batch: ImportBatch, created) -> None:
    """Raise DomainError when a record the batch created was changed after the import (by
    hand, or updated by a later import) or has evidence attached: deleting it would lose
    that work. The message names the first such record."""
    if batch.finished_at is not None:
        changed = created.filter(updated_at__gt=batch.finished_at).order_by("pk").first()
        if changed is not None:
            raise DomainError(
                _(
                    "%(record)s was changed after the import; the import cannot be undone "
                    "without losing that change."
                )
                % {"record": changed}
            )
    evidence = (
        Evidence.objects.filter(record_kind=batch.kind, record_id__in=created.values("pk"))
        .order_by("record_id")
        .values_list("record_id", flat=True)
        .first()
    )
    if evidence is not None:
        raise DomainError(
            _(
                "%(record)s has evidence attached since the import; the import cannot be "
                "undone without losing it."
            )
            % {"record": created.get(pk=evidence)}
        )


def _restore_updates(
    batch: ImportBatch,
    model,
    writer: RecordWriter,
    units: set[int],
    left: list[tuple],
    moved_back: list[int],
) -> int:
    """Put back the records the batch updated; add their units to ``units`` (to check).
    Of outputs whose link, outlet, title or date goes back: add to ``left`` the identity
    they had (when they counted) and to ``moved_back`` their ids."""
    restored = 0
    updates = batch.updates.order_by("pk")
    fields = [f for f in model._meta.concrete_fields if f.name not in _NOT_RESTORED]
    last = 0
    while True:
        chunk = list(updates.filter(pk__gt=last)[:CHUNK_ROWS])
        if not chunk:
            return restored
        last = chunk[-1].pk
        records = model.objects.in_bulk([u.record_id for u in chunk])
        # Evidence given since the update backs the figures the import wrote.
        newest_evidence = dict(
            Evidence.objects.filter(
                record_kind=batch.kind, record_id__in=[u.record_id for u in chunk]
            )
            .values("record_id")
            .annotate(newest=Max("uploaded_at"))
            .values_list("record_id", "newest")
        )
        changed = []
        for update in chunk:
            record = records.get(update.record_id)
            if record is None:
                continue  # deleted since (by hand or by undoing the batch that made it)
            newest = newest_evidence.get(record.pk)
            if newest is not None and newest > update.written_at:
                raise DomainError(
                    _(
                        "%(record)s has evidence attached since the import; the import "
                        "cannot be undone without losing it."
                    )
                    % {"record": record}
                )
            if record.updated_at != update.written_at:
                raise DomainError(
                    _(
                        "%(record)s was changed after the import; the import cannot be undone "
                        "without losing that change."
                    )
                    % {"record": record}
                )
            writer.check_unlocked(record.date)
            units.add(record.unit_id)
            was = output_identity(record) if model is MediaOutput else None
            counted = was is not None and record.status == RecordStatus.ACTIVE
            for f in fields:
                # (an output's status is judged, not put back: the verdict stored with the
                # update may have been overtaken since, its twin deleted or moved)
                if f.attname in update.before and (was is None or f.attname != "status"):
                    setattr(record, f.attname, f.to_python(update.before[f.attname]))
            if model is MediaOutput:  # (a snapshot from before the key existed has none)
                record.url_key = link_key(record.url)
                if output_identity(record) != was:
                    moved_back.append(record.pk)
                    if counted:
                        left.append(was)
            writer.check_unlocked(record.date)
            units.add(record.unit_id)
            changed.append(record)
        if changed:
            # Put back as they were, their time of change too: an earlier import that
            # updated or created them can then be undone in turn.
            now = timezone.now()
            stamp = model._meta.get_field("updated_at")
            by_id = {update.record_id: update.before for update in chunk}
            for record in changed:
                before = by_id[record.pk].get("updated_at")
                record.updated_at = stamp.to_python(before) if before else now
            model.objects.bulk_update(changed, [f.name for f in fields] + ["updated_at"])
            evidence_follow(batch.kind, changed)  # (back where they were)
            fresh = list(
                model.objects.filter(pk__in=[r.pk for r in changed]).select_related(
                    *_related(batch.kind)
                )
            )
            replace_facts(
                batch.kind, fresh, indicators=writer.indicators, ancestors=writer.ancestors
            )
            restored += len(changed)


def _related(record_kind: str) -> list[str]:
    related = ["unit", "region"]
    if record_kind == RecordKind.OUTPUT:
        related.append("outlet")
    elif record_kind == RecordKind.FIGURE:
        related.append("indicator")
    return related


def batch_list(*, actor, campaign: Campaign, record_kind: str | None = None):
    """The campaign's import batches, newest first (for the office or who imported)."""
    qs = ImportBatch.objects.filter(campaign=campaign).select_related("created_by", "undone_by")
    if record_kind:
        qs = qs.filter(kind=record_kind)
    if not can_manage(actor, region_path=campaign.region_path):
        qs = qs.filter(created_by_id=getattr(actor, "pk", None) or -1)
    return qs.order_by("-created_at", "-id")
