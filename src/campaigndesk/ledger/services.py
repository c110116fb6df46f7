"""Writes on the ledger: records of every kind with their facts, duplicates, evidence,
period locks. Imports and collection tasks reuse ``RecordWriter`` so that a row from a
file and a record from a form pass exactly the same checks."""

import contextlib
import datetime
import functools
import hashlib
import io
import operator
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.models import Role
from campaigndesk.accounts.scoping import can_manage, is_admin, require_manage
from campaigndesk.campaigns.models import Campaign, ScheduleItem
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.common.locks import LockBusy, advisory_xact_lock
from campaigndesk.regions.models import Outlet, Region, Unit
from campaigndesk.regions.paths import is_within

from . import summary
from .facts import (
    AncestorCache,
    IndicatorCache,
    delete_facts,
    fact_columns,
    fact_rows,
    insert_facts,
    replace_facts,
)
from .links import link_key
from .models import (
    RECORD_MODELS,
    Aggregation,
    Approx,
    EventRecord,
    Evidence,
    Fact,
    FigureRecord,
    Indicator,
    MaterialRecord,
    MediaOutput,
    PeriodLock,
    Record,
    RecordKind,
    RecordStatus,
)

# Fields each kind's services accept besides the common ones.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    RecordKind.OUTPUT: (
        "outlet",
        "kind",
        "title",
        "is_original",
        "language",
        "views",
        "audience",
        "url",
    ),
    RecordKind.MATERIAL: ("kind", "quantity", "measure_word", "area_m2", "sites"),
    RecordKind.EVENT: ("kind", "title", "sessions", "participants", "audience", "site"),
    RecordKind.FIGURE: ("indicator", "value", "approx", "period_start", "source"),
}
COMMON_FIELDS = ("unit", "region", "date", "schedule_item", "note", "external_id")

# Foreign keys a service accepts, and the model each must be an instance of.
REFERENCES: dict[str, type[models.Model]] = {
    "unit": Unit,
    "region": Region,
    "outlet": Outlet,
    "indicator": Indicator,
    "schedule_item": ScheduleItem,
}
# Counts feed facts (numeric(20, 4)): keep them below what a fact can hold.
MAX_COUNT = {"PositiveIntegerField": 2_147_483_647, "PositiveBigIntegerField": 10**16 - 1}

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"%PDF-": "pdf",
}


EVIDENCE_MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


def evidence_media_type(evidence: Evidence) -> str:
    """The media type of a stored evidence file, told by its content as it was checked on
    upload (never by the name the uploader gave it: "x.html" is no web page)."""
    # (a file of its own: the FieldFile may be the one being served)
    with evidence.file.storage.open(evidence.file.name, "rb") as file:
        head = file.read(16)
    return EVIDENCE_MEDIA_TYPES.get(_evidence_type(head) or "", "application/octet-stream")


def _evidence_type(data: bytes) -> str | None:
    """The file type by its leading bytes (not by its name), or None if not accepted."""
    for magic, name in EVIDENCE_TYPES.items():
        if data.startswith(magic):
            return name
    # RIFF is a container (WAV and AVI too): only a WebP picture will do.
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class RecordOutcome:
    """A written record and what the user should know about it."""

    record: Record
    warnings: list[str] = field(default_factory=list)


def can_write_unit(actor, unit: Unit) -> bool:
    """Whether the actor may file records for ``unit``: its own unit for a reporter; any
    unit in its subtree for an office; anything for an administrator."""
    if is_admin(actor):
        return True
    if actor is None or not actor.is_authenticated or not getattr(actor, "is_active", True):
        return False
    if actor.has_role(Role.REPORTER) and actor.unit_id == unit.pk:
        return True
    return can_manage(actor, region_path=unit.region_path)


def _forbidden(message: str, *, region_path: str = "", what: str = "") -> Forbidden:
    error = Forbidden(message)
    error.region_path = region_path  # type: ignore[attr-defined]
    error.object_repr = what  # type: ignore[attr-defined]
    return error


class RecordWriter:
    """Validates and prepares records for one actor and one campaign, caching what it looks
    up (units, regions, outlets, indicators, locks) so that an import of many rows costs
    few queries. ``prepare`` raises FieldError naming the field; it writes nothing."""

    def __init__(self, *, actor, campaign: Campaign):
        self.actor = actor
        self.campaign = campaign
        self.indicators = IndicatorCache()
        self.ancestors = AncestorCache()
        self._locks: list[PeriodLock] | None = None
        self._guarded = False  # the period guard held (see ``locks``)
        self._writable_units: dict[int, bool] = {}
        # While an import runs: where the facts written lie (their summary.PLACE columns),
        # refreshed once at its end (see ``deferred_summary``) instead of after every chunk.
        self._summary_places: set[tuple] | None = None
        # While an import runs on PostgreSQL: the thread sending its COPY statements, and
        # ids taken from the record table's sequence ahead (see ``background_copies``).
        self._copier: _Copier | None = None
        self._ids: list[int] = []
        self._ids_block = 0
        self._ids_coming: Future | None = None

    # --- checks ---------------------------------------------------------------------

    def locks(self) -> list[PeriodLock]:
        """The campaign's locked periods, read once, and again at the first call inside a
        transaction: there the campaign's period guard is held shared first (see
        ``guard_periods``), so that they stay true until that transaction ends (a period
        being locked meanwhile waits for it). A writer serves one transaction."""
        if self._locks is None or (not self._guarded and connection.in_atomic_block):
            if connection.in_atomic_block:
                guard_periods(self.campaign.pk, exclusive=False)
                self._guarded = True
            self._locks = list(
                PeriodLock.objects.filter(campaign=self.campaign, reopened_at__isnull=True)
            )
        return self._locks

    def check_unlocked(self, date: datetime.date) -> None:
        for lock in self.locks():
            if lock.start <= date <= lock.end:
                raise FieldError(
                    "date",
                    _("The period %(start)s – %(end)s is locked; ask the office to reopen it.")
                    % {"start": lock.start, "end": lock.end},
                )

    def check_change_unlocked(self, before: dict, record: Record, old_date) -> None:
        """Raise FieldError when a record changed from ``before`` (its snapshot, dated
        ``old_date``) to ``record`` lies, or lay, in a locked period. A change that
        changes nothing is not one: an export imported again, or a form saved as it was,
        passes over the records of a locked period."""
        if snapshot(record) != before:
            self.check_unlocked(old_date)
            self.check_unlocked(record.date)

    def check_unit(self, unit: Unit) -> None:
        allowed = self._writable_units.get(unit.pk)
        if allowed is None:
            allowed = can_write_unit(self.actor, unit)
            self._writable_units[unit.pk] = allowed
        if not allowed:
            raise _forbidden(
                _("You may not file records for %(unit)s.") % {"unit": unit},
                region_path=unit.region_path,
                what=str(unit),
            )

    def check_region(self, region: Region) -> None:
        if not is_within(region.path, self.campaign.region_path):
            raise FieldError(
                "region",
                _("%(region)s lies outside the campaign's region.") % {"region": region.name},
            )

    def check_date(self, date) -> datetime.date:
        if not isinstance(date, datetime.date):
            raise FieldError("date", _("A date is required."))
        date = _local_date(date)
        campaign = self.campaign
        if not campaign.start_date <= date <= campaign.end_date:
            raise FieldError(
                "date",
                _("%(date)s lies outside the campaign (%(start)s – %(end)s).")
                % {"date": date, "start": campaign.start_date, "end": campaign.end_date},
            )
        return date

    # --- preparing ------------------------------------------------------------------

    def prepare(
        self, kind: str, values: dict, instance: Record | None = None, *, check_lock: bool = True
    ) -> Record:
        """An unsaved (or changed) record of ``kind`` from ``values``, fully validated;
        without ``check_lock``, its date may lie in a locked period (for a change, which
        is refused only when it changes something: see ``check_change_unlocked``)."""
        model = RECORD_MODELS.get(kind)
        if model is None:
            raise DomainError(_("Unknown record kind: %(kind)s") % {"kind": kind})
        if not _allowed_fields(kind).issuperset(values):
            unknown = sorted(set(values) - _allowed_fields(kind))
            raise FieldError(unknown[0], _("Unknown field."))
        for name, value in values.items():
            # Checked before assigning: Django refuses a wrong type with a bare ValueError.
            expected = REFERENCES.get(name)
            if expected is not None and value is not None and not isinstance(value, expected):
                raise FieldError(name, _reference_message(name))
        previous_unit = instance.unit_id if instance is not None else None
        if instance is not None:
            record = instance
            for name, value in values.items():
                setattr(record, name, value)
        else:
            record = self._new(model, values)
        unit = record.unit if record.unit_id else None
        if unit is None:
            raise FieldError("unit", _reference_message("unit"))
        self.check_unit(unit)
        # A unit made inactive (dissolved, merged) files nothing new; its records can
        # still be corrected.
        if not unit.is_active and unit.pk != previous_unit:
            raise FieldError("unit", _("%(unit)s is no longer active.") % {"unit": unit.name})
        if not record.region_id:  # none given (or None): where the unit is
            record.region = unit.region
        elif instance is not None and unit.pk != previous_unit and "region" not in values:
            # Given to another unit without a place: at the new unit's place, as a new
            # record (and an import without a region column) would be; the old unit's
            # place may lie in another county, under another office.
            record.region = unit.region
        region = record.region
        self.check_region(region)
        record.region_path, record.unit_region_path = region.path, unit.region_path
        record.date = self.check_date(record.date)
        if check_lock:
            self.check_unlocked(record.date)
        if record.schedule_item_id and record.schedule_item.campaign_id != self.campaign.pk:
            raise FieldError("schedule_item", _reference_message("schedule_item"))
        _clean_text(record, values)
        getattr(self, f"_check_{kind}")(record)
        return record

    def _new(self, model: type[Record], values: dict) -> Record:
        """A new record of ``model`` in this campaign holding ``values``, built the way
        Django builds a row it reads (positional values, references put in the related
        cache) rather than through keyword arguments and the related descriptors: an
        import builds one per row. The references were type-checked by the caller."""
        fields = _blank_fields(model)
        if fields.plain:
            # No receiver of pre_init/post_init: set the attributes Model.__init__ would.
            record = model.__new__(model)
            record._state = ModelState()
            state = record.__dict__
            state.update(fields.defaults_by_name)
            for attname, default in fields.callables:
                state[attname] = default()
        else:
            record = model(*[default() if call else default for default, call in fields.defaults])
            state = record.__dict__
        cache = record._state.fields_cache
        cache["campaign"] = self.campaign
        state["campaign_id"] = self.campaign.pk
        state.update(values)
        for name, attname in fields.references.items():
            if name in values:
                value = state.pop(name)
                state[attname] = None if value is None else value.pk
                cache[name] = value
        return record

    def _check_output(self, record: MediaOutput) -> None:
        if not record.outlet_id:
            raise FieldError("outlet", _reference_message("outlet"))
        _choice(record, "kind", MediaOutput.Kind)
        record.title = " ".join(record.title.split())
        if not record.title:
            raise FieldError("title", _("A title is required."))
        for name in ("views", "audience"):
            _non_negative_int(record, name, optional=True)
        if not isinstance(record.is_original, bool):
            raise FieldError("is_original", _("Say whether it is original: yes or no."))
        if record.url:
            try:
                URLValidator(schemes=["http", "https"])(record.url)
            except ValidationError:
                raise FieldError(
                    "url", _("Not a web link: %(value)s") % {"value": record.url}
                ) from None
        record.url_key = link_key(record.url)

    def _check_material(self, record: MaterialRecord) -> None:
        _choice(record, "kind", MaterialRecord.Kind)
        if record.quantity in (None, ""):
            raise FieldError("quantity", _("A quantity is required."))
        record.quantity = _decimal(record, "quantity")
        if record.area_m2 not in (None, ""):
            record.area_m2 = _decimal(record, "area_m2")
        else:
            record.area_m2 = None
        _non_negative_int(record, "sites", optional=True)

    def _check_event(self, record: EventRecord) -> None:
        _choice(record, "kind", EventRecord.Kind)
        _non_negative_int(record, "sessions")
        _non_negative_int(record, "participants")
        _non_negative_int(record, "audience", optional=True)
        if record.participants and not record.sessions:
            raise FieldError("participants", _("Participants need at least one session to attend."))

    def _check_figure(self, record: FigureRecord) -> None:
        if not record.indicator_id:
            raise FieldError("indicator", _reference_message("indicator"))
        indicator = record.indicator
        if indicator.aggregation in (Aggregation.DISTINCT, Aggregation.RATIO):
            raise FieldError(
                "indicator",
                _("%(name)s is computed from the ledger; it cannot be entered as a figure.")
                % {"name": indicator.name},
            )
        if record.value in (None, ""):
            raise FieldError("value", _("A value is required."))
        record.value = _decimal(record, "value")
        if (record.approx or "") not in Approx.values:
            raise FieldError("approx", _("Unknown approximation."))
        record.approx = record.approx or ""
        if record.period_start is not None:
            if not isinstance(record.period_start, datetime.date):
                raise FieldError(
                    "period_start", _("Not a date: %(value)s") % {"value": record.period_start}
                )
            record.period_start = _local_date(record.period_start)
            if record.period_start > record.date:
                raise FieldError("period_start", _("The period starts after its end date."))
            campaign = self.campaign
            if record.period_start < campaign.start_date:
                raise FieldError(
                    "period_start",
                    _("%(date)s lies outside the campaign (%(start)s – %(end)s).")
                    % {
                        "date": record.period_start,
                        "start": campaign.start_date,
                        "end": campaign.end_date,
                    },
                )

    # --- duplicates -----------------------------------------------------------------

    def duplicate_of(self, record: MediaOutput, pending: Iterable[MediaOutput] = ()) -> bool:
        """Whether an output repeats another one of the campaign that counts (the same
        link, up to tracking parameters and the like: ``links.link_key``; or the same
        outlet, title and date), among stored records or ``pending`` ones (prepared). A
        flagged copy does not make the output it copies a repeat."""
        stored = MediaOutput.objects.filter(
            campaign=self.campaign, status=RecordStatus.ACTIVE
        ).filter(record.twins_q())
        if record.pk:
            stored = stored.exclude(pk=record.pk)
        if stored.exists():
            return True
        return any(
            (record.url_key and other.url_key == record.url_key)
            or (
                other.outlet.pk == record.outlet.pk
                and other.title == record.title
                and other.date == record.date
            )
            for other in pending
        )

    # --- saving ---------------------------------------------------------------------

    def save_new(self, kind: str, records: list[Record], *, batch=None) -> None:
        """Insert prepared records and their facts (call inside a transaction)."""
        creator = self.actor if getattr(self.actor, "pk", None) else None
        creator_id, batch_id = getattr(creator, "pk", None), getattr(batch, "pk", None)
        for record in records:
            # What assigning created_by and batch does, without the descriptors' checks
            # (the values are the writer's own): an import saves 100,000 records.
            record.__dict__.update(created_by_id=creator_id, batch_id=batch_id)
            cache = record._state.fields_cache
            cache["created_by"], cache["batch"] = creator, batch
        model = RECORD_MODELS[kind]
        if self._copier is not None and len(records) > 1:
            self._take_ids(model, records)
            self._copier.submit(*_copy_statement(model, records))
        elif len(records) == 1:
            records[0].save()
        else:
            insert_records(model, records)
        if self._summary_places is None:
            replace_facts(
                kind, records, indicators=self.indicators, ancestors=self.ancestors, new=True
            )
            return
        # New records have no facts to delete: write theirs, and note the summary cells
        # they fall in for the one refresh at the end of the import.
        rows = [
            row
            for record in records
            for row in fact_rows(kind, record, indicators=self.indicators, ancestors=self.ancestors)
        ]
        insert_facts(
            rows,
            summarise=False,
            send=self._copier.submit if self._copier is not None else None,
        )
        self._summary_places.update(map(_place_of(), rows))

    @contextlib.contextmanager
    def deferred_summary(self) -> Iterator[None]:
        """Within this block ``save_new`` leaves the fact summary alone and refreshes the
        cells it touched once, when the block ends without an error (an import writes
        chunk after chunk into the same cells: refreshing them after each chunk would read
        the campaign's facts again and again)."""
        self._summary_places = set()
        try:
            yield
            summary.refresh(sorted(summary.areas_of(self._summary_places)))
        finally:
            self._summary_places = None

    @contextlib.contextmanager
    def background_copies(self, kind: str) -> Iterator[None]:
        """Within this block (on PostgreSQL) ``save_new`` hands the COPY statements of the
        records and facts to a thread that sends them on the transaction's connection,
        and goes back to preparing the next records while the server inserts these: the
        server's work and this process's overlap. Any query made through Django first
        waits until every COPY handed over has run (so that it sees their rows), and an
        error of one is raised at the next ``save_new``, query or the block's end. The
        foreign keys of the records and facts are checked as each COPY ends rather than
        all at the commit (the same checks, made while this process works on). Elsewhere
        the block changes nothing."""
        if connection.vendor != "postgresql":
            yield
            return
        model = RECORD_MODELS[kind]
        checked = _deferred_foreign_keys([model._meta.db_table, Fact._meta.db_table])
        names = ", ".join(connection.ops.quote_name(n) for n in checked)
        if names:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        copier = _Copier()
        self._copier, self._ids, self._ids_block, self._ids_coming = copier, [], 0, None
        try:
            with connection.execute_wrapper(copier.before_query):
                yield
                copier.wait()
        except BaseException:
            copier.cancel()  # what waits is rolled back anyway
            raise
        finally:
            self._copier, self._ids, self._ids_coming = None, [], None
            copier.close()
            # Back as Django made them (checked at the commit) for the rest of the
            # transaction, unless it failed (then it is rolled back, and with it this).
            if names and _transaction_usable():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")

    @property
    def copies_in_background(self) -> bool:
        """Whether ``save_new`` hands its COPY statements to a thread (see
        ``background_copies``)."""
        return self._copier is not None

    def _take_ids(self, model, records: list[Record]) -> None:
        """Give new records ids taken from the table's sequence in growing blocks, each
        asked for ahead through the COPY thread (so that neither thread waits for the
        other). Ids left over at the end are skipped, as a rolled-back insert skips them."""
        assert self._copier is not None
        table, column = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
        while len(self._ids) < len(records):
            if self._ids_coming is not None:
                coming, self._ids_coming = self._ids_coming, None
                self._ids.extend(self._copier.result(coming))
            else:  # the first block (nothing sent yet), or rows in larger chunks than it
                self._ids_block = max(1000, len(records))
                with connection.wrap_database_errors:
                    raw = connection.connection
                    self._ids.extend(_sequence_values(raw, table, column, self._ids_block))
        _give_ids(records, self._ids[: len(records)])
        del self._ids[: len(records)]
        if self._ids_coming is None and len(self._ids) < 4000:
            self._ids_block = min(self._ids_block * 4, 32_000)
            self._ids_coming = self._copier.call(
                functools.partial(
                    _sequence_values, table=table, column=column, count=self._ids_block
                )
            )


class _Copier:
    """A thread sending COPY statements one after another on the transaction's own
    connection (psycopg serialises its use between threads). Rows handed over are
    gathered per statement and sent ``COPY_ROWS`` at a time: each statement costs a
    round trip and wake-ups of this thread, so fewer, longer ones keep the server busier."""

    COPY_ROWS = 5000

    def __init__(self) -> None:
        connection.ensure_connection()
        self._raw = connection.connection
        self._gathered: dict[str, list[tuple]] = {}
        self._sent: dict[str, int] = {}  # statements sent so far, by their text
        # At most one statement waits while one runs: memory stays flat, and the
        # importing thread is never far ahead of what the server has inserted.
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="ledger-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                work, payload = item
                # After an error the transaction is lost, after a cancel about to be: skip.
                if self._error is not None or self._cancelled:
                    if isinstance(payload, Future):
                        payload.cancel()
                elif isinstance(payload, Future):
                    try:
                        payload.set_result(work(self._raw))
                    except BaseException as error:
                        payload.set_exception(error)
                        raise
                else:
                    with self._raw.cursor() as cursor, cursor.copy(work) as copy:
                        copy.write(payload)
            except BaseException as error:
                self._error = error
            finally:
                self._queue.task_done()

    def submit(self, statement: str, rows: list[tuple]) -> None:
        """Hand rows of a COPY statement over (waits while a statement waits to run)."""
        self._raise()
        gathered = self._gathered.setdefault(statement, [])
        gathered.extend(rows)
        # The first statements are shorter, so that the server starts early.
        if len(gathered) >= min(self.COPY_ROWS, 1000 << self._sent.get(statement, 0)):
            self._sent[statement] = self._sent.get(statement, 0) + 1
            self._send(statement)

    def call(self, work: Callable[[object], object]) -> Future:
        """Run ``work(connection)`` (a query through the driver) in the thread, after what
        was handed over before; its result comes in the future."""
        self._raise()
        future: Future = Future()
        self._queue.put((work, future))
        return future

    def result(self, future: Future):
        """The result of a ``call``, or the error that kept it from running."""
        try:
            with connection.wrap_database_errors:
                return future.result()
        except CancelledError:
            self._raise()
            raise

    def _send(self, statement: str) -> None:
        rows = self._gathered.pop(statement, None)
        if rows:
            self._queue.put((statement, self._data(rows)))

    def _data(self, rows: list[tuple]) -> bytes:
        """The COPY data of ``rows``, formatted here (as psycopg formats them). The
        thread then only sends them: formatting there, it took turns with this thread
        for the interpreter, and the server waited for its data meanwhile."""
        from psycopg import Copy
        from psycopg.copy import FileWriter

        buffer = io.BytesIO()
        with (
            self._raw.cursor() as cursor,  # for the adapters: nothing is sent through it
            Copy(cursor, binary=False, writer=FileWriter(buffer)) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return buffer.getvalue()

    def wait(self) -> None:
        """Until every row handed over is inserted; raise the error of a COPY that failed."""
        for statement in list(self._gathered):
            self._send(statement)
        self._queue.join()
        self._raise()

    def before_query(self, execute, sql, params, many, context):
        """An execute wrapper: a query made through Django runs after the COPYs."""
        self.wait()
        return execute(sql, params, many, context)

    def cancel(self) -> None:
        """Skip the statements handed over and not started yet."""
        self._cancelled = True
        self._gathered.clear()

    def close(self) -> None:
        """Stop the thread once the statements handed over are done (or skipped)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            # As Django raises a database error (its own exception, the driver's as cause).
            with connection.wrap_database_errors:
                raise self._error


def _transaction_usable() -> bool:
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status == TransactionStatus.INTRANS


def _deferred_foreign_keys(tables: list[str]) -> list[str]:
    """The names of the foreign keys of ``tables`` checked at the commit (deferrable,
    initially deferred: all Django makes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable AND "
            "condeferred AND conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [[connection.ops.quote_name(t) for t in tables]],
        )
        return [name for (name,) in cursor.fetchall()]


def _sequence_values(through, table: str, column: str, count: int) -> list[int]:
    """``count`` values of the sequence of the column ``table.column`` (the table's name
    quoted), through ``through``: Django's connection or the driver's (PostgreSQL)."""
    with through.cursor() as cursor:
        cursor.execute(
            # The sequence looked up once, not once a value (OFFSET 0 keeps the planner
            # from folding the lookup into every row: ten times slower).
            "SELECT nextval(s.id) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass "
            "AS id OFFSET 0) AS s, generate_series(1, %s)",
            [table, column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _sqlite_next_ids(table: str, column: str, count: int) -> list[int]:
    """The next ``count`` ids of an AUTOINCREMENT ``table`` on SQLite: after the largest
    ever given (``sqlite_sequence``, which inserting them moves on), so that an id of a
    deleted record (an undone import) is never given again. Inside the write
    transaction, which SQLite lets one connection hold at a time (transactions begin
    IMMEDIATE), nobody else takes ids meanwhile."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        (largest,) = cursor.fetchone()
    start = max(row[0] if row else 0, largest or 0) + 1
    return list(range(start, start + count))


@functools.cache
def _place_of():
    """The summary.PLACE columns of a fact row (a tuple of ``fact_columns()``)."""
    return summary.place_of(fact_columns())


def insert_records(model, records: list[Record]) -> None:
    """Insert new, prepared records of ``model`` in bulk and give them their ids (call
    inside a transaction). Raises DomainError if the database returns no ids.

    What ``bulk_create`` does, for the plain columns of the ledger records (numbers,
    text, dates, decimals, booleans, foreign key ids and the two time stamps) without
    passing every value through its model field: for an import that preparation cost
    more than reading the file. On PostgreSQL the ids come from the sequence and the rows
    go in by COPY; on SQLite the ids follow its sequence and the rows go in by one
    prepared INSERT; elsewhere by multi-row INSERT ... RETURNING, in the order of the
    rows, as ``bulk_create`` relies on too."""
    if connection.vendor == "postgresql":
        # A multi-row INSERT with thousands of placeholders is slow to send: COPY.
        table = connection.ops.quote_name(model._meta.db_table)
        ids = _sequence_values(connection, table, model._meta.pk.column, len(records))
        _give_ids(records, ids)
        statement, rows = _copy_statement(model, records)
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    layout = _layout(model)
    _stamp(records, layout.stamped)
    quote = connection.ops.quote_name
    names = layout.names
    columns = ", ".join(quote(column) for column in layout.columns)
    adapt = connection.ops.adapt_datetimefield_value
    times = [names.index(name) for name in layout.times]

    def values_of(record: Record) -> Sequence:
        # (the driver takes the time stamps as the backend adapts them)
        values = layout.values_of(record)
        if times:
            values = list(values)
            for index in times:
                if values[index] is not None:
                    values[index] = adapt(values[index])
        return values

    pk = model._meta.pk
    if connection.vendor == "sqlite":
        # One prepared single-row INSERT for all of them, ids given: three times faster
        # than multi-row INSERTs of 50 rows each (SQLite's limit of placeholders), whose
        # text is rewritten and whose ids are read back batch by batch.
        table = model._meta.db_table
        ids = _sqlite_next_ids(table, pk.column, len(records))
        _give_ids(records, ids)
        rows = [
            (pk_value, *values_of(record)) for record, pk_value in zip(records, ids, strict=True)
        ]
        placeholders = ", ".join(["%s"] * (len(names) + 1))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({quote(pk.column)}, {columns}) "
                f"VALUES ({placeholders})",
                rows,
            )
        return
    size = max(1, min(1000, connection.ops.bulk_batch_size(list(layout.fields), records)))
    with connection.cursor() as cursor:
        for start in range(0, len(records), size):
            batch = records[start : start + size]
            params = []
            for record in batch:
                params.extend(values_of(record))
            row = "(" + ", ".join(["%s"] * len(names)) + ")"
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                f"{', '.join([row] * len(batch))} RETURNING {quote(pk.column)}",
                params,
            )
            ids = [value for (value,) in cursor.fetchall()]
            if len(ids) != len(batch):
                raise DomainError(_("The database did not return the new ids."))
            _give_ids(batch, ids)


@dataclass(frozen=True)
class _Layout:
    # The fields a record insert writes (all but the id), their columns and attribute
    # names, a getter of those values from a record, the time stamps set on insert, and
    # the date-time attributes (which SQLite's driver needs adapted).
    fields: tuple[models.Field, ...]
    columns: tuple[str, ...]
    names: tuple[str, ...]
    values_of: Callable[[Record], tuple]
    stamped: tuple[str, ...]
    times: tuple[str, ...]


@functools.cache
def _layout(model) -> _Layout:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = tuple(f.attname for f in fields)
    return _Layout(
        fields=tuple(fields),
        columns=tuple(f.column for f in fields),
        names=names,
        values_of=operator.attrgetter(*names),
        stamped=tuple(
            f.attname
            for f in fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ),
        times=tuple(f.attname for f in fields if f.get_internal_type() == "DateTimeField"),
    )


def _stamp(records: list[Record], stamped: tuple[str, ...]) -> None:
    # One time stamp for the lot (pre_save would take the clock once per field and row).
    now = timezone.now()
    stamps = dict.fromkeys(stamped, now)
    for record in records:
        record.__dict__.update(stamps)


def _give_ids(records: list[Record], ids: list[int]) -> None:
    alias = connection.alias
    for record, pk_value in zip(records, ids, strict=True):
        # The ledger's record models inherit no table: the id is one attribute.
        record.__dict__[record._meta.pk.attname] = pk_value
        state = record._state
        state.adding = False
        state.db = alias


def _copy_statement(model, records: list[Record]) -> tuple[str, list[tuple]]:
    """The COPY statement inserting new, prepared records that have their ids, and its
    rows (PostgreSQL); sets their time stamps."""
    layout = _layout(model)
    _stamp(records, layout.stamped)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in (model._meta.pk.column, *layout.columns))
    values_of = layout.values_of
    rows = [(record.pk, *values_of(record)) for record in records]
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", rows


def _local_date(value: datetime.date) -> datetime.date:
    """The calendar date of a date or datetime; an aware datetime is read in the local
    time zone (20:00 UTC on 29 February is already 1 March in Yunnan)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def _check_record_kind(record_kind: str, record: Record) -> None:
    # A wrong kind would read the record with another kind's fields and leave its facts.
    if RECORD_MODELS.get(record_kind) is not type(record):
        raise DomainError(_("Unknown record kind: %(kind)s") % {"kind": record_kind})


def _reference_message(name: str) -> str:
    return {
        "unit": _("A unit is required."),
        "region": _("A region is required."),
        "outlet": _("An outlet is required."),
        "indicator": _("An indicator is required."),
        "schedule_item": _("The schedule item is not in this campaign."),
    }[name]


@functools.cache
def _allowed_fields(kind: str) -> frozenset[str]:
    return frozenset(COMMON_FIELDS) | frozenset(KIND_FIELDS[kind])


@dataclass(frozen=True)
class _BlankFields:
    # Per concrete field, in order: its default, or the callable giving it (call=True).
    defaults: tuple[tuple[object, bool], ...]
    # The same by attribute name: the plain defaults, and the callables.
    defaults_by_name: dict[str, object]
    callables: tuple[tuple[str, object], ...]
    # Foreign keys by name: the attribute holding the id.
    references: dict[str, str]
    # Whether nothing listens to the model's pre_init and post_init signals.
    plain: bool


@functools.cache
def _blank_fields(model) -> _BlankFields:
    defaults = []
    for f in model._meta.concrete_fields:
        if f.has_default() and callable(f.default):
            defaults.append((f.get_default, True))
        else:
            defaults.append((f.get_default(), False))
    names = [f.attname for f in model._meta.concrete_fields]
    references = {
        f.name: f.attname for f in model._meta.concrete_fields if f.is_relation and f.many_to_one
    }
    return _BlankFields(
        defaults=tuple(defaults),
        defaults_by_name={n: d for n, (d, call) in zip(names, defaults, strict=True) if not call},
        callables=tuple((n, d) for n, (d, call) in zip(names, defaults, strict=True) if call),
        references=references,
        plain=not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)),
    )


@functools.cache
def _text_limits(model) -> dict[str, int | None]:
    """The free-text fields of a model (not choices) and their maximum lengths."""
    return {
        f.name: f.max_length
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices
    }


@functools.cache
def _decimal_limits(model, name: str) -> tuple[int, Decimal, Decimal]:
    """(decimal places, the first number too large, the quantum) of a decimal field."""
    field = model._meta.get_field(name)
    return (
        field.decimal_places,
        Decimal(10) ** (field.max_digits - field.decimal_places),
        Decimal(1).scaleb(-field.decimal_places),
    )


@functools.cache
def _count_limit(model, name: str) -> int:
    return MAX_COUNT.get(
        model._meta.get_field(name).get_internal_type(), MAX_COUNT["PositiveIntegerField"]
    )


def _clean_text(record: Record, values: dict) -> None:
    """Text fields given: None becomes "", numbers become text, surrounding spaces go, and
    the length is checked here (PostgreSQL would refuse it, SQLite would keep it)."""
    limits = _text_limits(type(record))
    for name in values:
        if name not in limits:
            continue
        max_length = limits[name]
        value = getattr(record, name)
        if type(value) is str:
            pass
        elif value is None:
            value = ""
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            value = str(value)
        elif not isinstance(value, str):
            raise FieldError(name, _("Not text: %(value)s") % {"value": value})
        value = value.strip()
        if "\x00" in value:  # PostgreSQL's text cannot hold it (SQLite's can)
            raise FieldError(name, _("Holds a NUL character (code 0), which text cannot hold."))
        if max_length and len(value) > max_length:
            raise FieldError(
                name,
                _("At most %(n)s characters, not %(len)s.") % {"n": max_length, "len": len(value)},
            )
        setattr(record, name, value)


def _choice(record, name: str, choices) -> None:
    if getattr(record, name) not in _values_of(choices):
        raise FieldError(name, _("Unknown kind: %(value)s") % {"value": getattr(record, name)})


@functools.cache
def _values_of(choices) -> frozenset:
    # TextChoices.values builds a new list on every call; an import checks every row.
    return frozenset(choices.values)


def _decimal(record, name: str) -> Decimal:
    """A non-negative number that fits the field exactly (no digit silently rounded away)."""
    value = getattr(record, name)
    places, too_large, quantum = _decimal_limits(type(record), name)
    if isinstance(value, bool):
        raise FieldError(name, _("Not a number: %(value)s") % {"value": value})
    if type(value) is Decimal:
        number = value  # what Decimal(str(value)) gives back, without the round trip
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise FieldError(name, _("Not a number: %(value)s") % {"value": value}) from None
    if not number.is_finite():
        raise FieldError(name, _("Not a number: %(value)s") % {"value": value})
    if number < 0:
        raise FieldError(name, _("Must not be negative."))
    if number >= too_large:
        raise FieldError(name, _("Too large: %(value)s") % {"value": value})
    exact = number.quantize(quantum)
    if exact != number:
        raise FieldError(name, _("At most %(n)s decimal places.") % {"n": places})
    return exact.copy_abs()  # -0 is 0 (SQLite would keep the sign and show it)


def _non_negative_int(record, name: str, *, optional: bool = False) -> None:
    value = getattr(record, name)
    if value in (None, "") and optional:
        setattr(record, name, None)
        return
    if isinstance(value, bool):
        raise FieldError(name, _("Not a whole number: %(value)s") % {"value": value})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise FieldError(name, _("Not a whole number: %(value)s") % {"value": value}) from None
    if number != value and str(number) != str(value).strip():
        raise FieldError(name, _("Not a whole number: %(value)s") % {"value": value})
    if number < 0:
        raise FieldError(name, _("Must not be negative."))
    if number > _count_limit(type(record), name):
        raise FieldError(name, _("Too large: %(value)s") % {"value": value})
    setattr(record, name, number)


def _audit_record(
    actor, action: str, kind: str, record: Record, before=None, after=None, extra=None
) -> None:
    audit_log(
        actor=actor,
        action=f"ledger.{kind}.{action}",
        obj=record,
        before=before,
        after=after if after is not None else snapshot(record),
        region_path=record.region_path,
        extra=extra,
    )


# --- records ----------------------------------------------------------------------------


@records_denials("ledger.record.create")
def record_create(*, actor, campaign: Campaign, record_kind: str, **values) -> RecordOutcome:
    """File a record of ``record_kind`` (output, material, event, figure) for a unit. Raises
    Forbidden when the actor may not file for the unit; FieldError for a bad value, a
    region outside the campaign, a date outside it or in a locked period. A media output
    repeating another (same link, or same outlet, title and date) is kept but flagged and
    does not count until the office confirms it."""
    writer = RecordWriter(actor=actor, campaign=campaign)
    with transaction.atomic():
        record = writer.prepare(record_kind, values)
        warnings = []
        if record_kind == RecordKind.OUTPUT and writer.duplicate_of(record):
            record.status = RecordStatus.DUPLICATE
            warnings.append(
                _("This looks like a duplicate; it counts once the office confirms it.")
            )
        writer.save_new(record_kind, [record])
        _audit_record(actor, "created", record_kind, record)
    return RecordOutcome(record=record, warnings=warnings)


@records_denials("ledger.record.update")
def record_update(*, actor, record_kind: str, record: Record, **changes) -> RecordOutcome:
    """Change a record (the same checks as filing it, for its old and its new date and
    unit) and rewrite its facts. An output whose link, outlet, title or date changes is
    checked for duplicates again; otherwise its status (and the office's verdict) stays.
    A change that changes nothing writes nothing (no audit entry). Raises NotFound for a
    record deleted meanwhile."""
    _check_record_kind(record_kind, record)
    campaign = Campaign.objects.get(pk=record.campaign_id)
    writer = RecordWriter(actor=actor, campaign=campaign)
    with transaction.atomic():
        fresh = _locked_copy(record, writer)
        writer.check_unit(fresh.unit)
        before, old_date = snapshot(fresh), fresh.date
        old_path = fresh.region_path
        identity = output_identity(fresh) if record_kind == RecordKind.OUTPUT else None
        updated = writer.prepare(record_kind, changes, instance=fresh, check_lock=False)
        if snapshot(updated) == before:
            # Nothing changed (a form saved again as it was): nothing to write or audit,
            # and the record stays as its import left it (an undo checks that); in a
            # locked period too.
            return RecordOutcome(record=updated, warnings=[])
        writer.check_change_unlocked(before, updated, old_date)
        warnings = []
        if identity is not None and output_identity(updated) != identity:
            if writer.duplicate_of(updated):
                updated.status = RecordStatus.DUPLICATE
                warnings.append(
                    _("This looks like a duplicate; it counts once the office confirms it.")
                )
            else:
                updated.status = RecordStatus.ACTIVE
        updated.save()
        if updated.region_path != old_path:
            evidence_follow(record_kind, [updated])
        replace_facts(
            record_kind, [updated], indicators=writer.indicators, ancestors=writer.ancestors
        )
        _audit_record(actor, "updated", record_kind, updated, before=before)
        left = identity is not None and output_identity(updated) != identity
        if left and before["status"] == RecordStatus.ACTIVE:
            # Its copies no longer copy it.
            outputs_recheck(actor=actor, writer=writer, identities=[identity])
    return RecordOutcome(record=updated, warnings=warnings)


def output_identity(record: MediaOutput) -> tuple:
    """What makes an output a duplicate of another: its outlet, title, date and link key
    (the key computed now, not as stored: a key stored under older rules must not make
    every change of an old output look like a change of its link)."""
    return (record.outlet_id, record.title, record.date, link_key(record.url))


def _locked_copy(record: Record, writer: RecordWriter) -> Record:
    """The record as stored now, locked for the rest of the transaction. The campaign's
    period guard is taken first (``writer.locks``): every write takes the two in that
    order."""
    writer.locks()
    try:
        return type(record).objects.select_for_update().get(pk=record.pk)
    except type(record).DoesNotExist:
        raise NotFound() from None


def _delete(actor, record_kind: str, record: Record, extra: dict | None = None) -> None:
    """Delete a (locked, checked) record with its facts and evidence; audit it."""
    before = snapshot(record)
    delete_facts(record_kind, [record.pk])
    evidence = list(Evidence.objects.filter(record_kind=record_kind, record_id=record.pk))
    files = [e.file for e in evidence if e.file]
    Evidence.objects.filter(pk__in=[e.pk for e in evidence]).delete()
    if evidence:
        # The photos and sheets go with the record: the entry says which they were.
        extra = {**(extra or {}), "evidence": [snapshot(e) for e in evidence]}
    audit_log(
        actor=actor,
        action=f"ledger.{record_kind}.deleted",
        obj=record,
        before=before,
        region_path=record.region_path,
        extra=extra,
    )
    record.delete()
    for file in files:
        # Files are not transactional: remove them only once the deletion is committed.
        transaction.on_commit(lambda f=file: f.storage.delete(f.name))


@records_denials("ledger.record.delete")
def record_delete(*, actor, record_kind: str, record: Record) -> None:
    """Delete a record, its facts and its evidence (not in a locked period). Raises
    Forbidden when the actor may not file for its unit, FieldError when its period is
    locked, NotFound when it is already gone."""
    _check_record_kind(record_kind, record)
    campaign = Campaign.objects.get(pk=record.campaign_id)
    writer = RecordWriter(actor=actor, campaign=campaign)
    with transaction.atomic():
        fresh = _locked_copy(record, writer)
        writer.check_unit(fresh.unit)
        writer.check_unlocked(fresh.date)
        _delete(actor, record_kind, fresh)
        if record_kind == RecordKind.OUTPUT and fresh.status == RecordStatus.ACTIVE:
            # Its copies no longer copy anything that counts.
            outputs_recheck(actor=actor, writer=writer, identities=[output_identity(fresh)])


def output_url_keys_refresh(*, actor, campaign: Campaign | None = None) -> int:
    """Recompute the stored link keys of media outputs (all, or one campaign's) by the
    rules ``links.link_key`` has now, and return how many changed (one audit entry). Run
    after those rules change, so that old outputs compare as new ones do; outputs already
    filed are not flagged or cleared again (their status is the office's business)."""
    outputs = MediaOutput.objects.order_by("pk")
    if campaign is not None:
        outputs = outputs.filter(campaign=campaign)
    changed = 0
    last = 0
    with transaction.atomic():
        while True:
            rows = list(outputs.filter(pk__gt=last).values_list("pk", "url", "url_key")[:500])
            if not rows:
                break
            last = rows[-1][0]
            stale = [
                MediaOutput(pk=pk, url_key=key)
                for pk, url, stored in rows
                if (key := link_key(url)) != stored
            ]
            if stale:
                MediaOutput.objects.bulk_update(stale, ["url_key"])
                changed += len(stale)
        audit_log(
            actor=actor,
            action="ledger.output.url_keys_refreshed",
            object_type="ledger.mediaoutput",
            object_repr=str(campaign) if campaign is not None else "",
            region_path=campaign.region_path if campaign is not None else "",
            extra={"changed": changed, "campaign": campaign.pk if campaign else None},
        )
    return changed


class CountingOutputs:
    """The outputs of a campaign that count, among those sharing a link key or an outlet,
    title and date with ``records`` (read once); kept current as the caller changes
    statuses, so that a batch is judged in order without a query a record."""

    def __init__(
        self, campaign: Campaign, records: list[MediaOutput], *, leaving_out: set[int] = frozenset()
    ):
        self.by_url: dict[str, set[int]] = defaultdict(set)
        self.by_item: dict[tuple, set[int]] = defaultdict(set)
        query = Q(
            outlet_id__in={r.outlet_id for r in records},
            title__in={r.title for r in records},
            date__in={r.date for r in records},
        )
        keys = {r.url_key for r in records if r.url_key}
        if keys:
            query |= Q(url_key__in=keys)
        counting = MediaOutput.objects.filter(campaign=campaign, status=RecordStatus.ACTIVE)
        for pk, key, outlet_id, title, date in counting.filter(query).values_list(
            "pk", "url_key", "outlet_id", "title", "date"
        ):
            if pk not in leaving_out:
                self._sets(key, outlet_id, title, date, pk, add=True)

    def _sets(self, key, outlet_id, title, date, pk: int, *, add: bool) -> None:
        targets = [self.by_item[(outlet_id, title, date)]]
        if key:
            targets.append(self.by_url[key])
        for target in targets:
            target.add(pk) if add else target.discard(pk)

    def repeats(self, record: MediaOutput) -> bool:
        """Whether ``record`` repeats an output that counts other than itself."""
        item = self.by_item.get((record.outlet_id, record.title, record.date), set())
        if item - {record.pk}:
            return True
        return bool(record.url_key and self.by_url.get(record.url_key, set()) - {record.pk})

    def counts(self, record: MediaOutput, counting: bool, *, as_pk: int | None = None) -> None:
        """Count ``record`` (or not) against the outputs judged after it; ``as_pk`` names
        one not stored yet."""
        pk = record.pk if as_pk is None else as_pk
        self._sets(record.url_key, record.outlet_id, record.title, record.date, pk, add=counting)


# Outputs judged again a statement at a time (the IN lists stay short, for SQLite too).
_JUDGED_AT_ONCE = 500


def outputs_judge(*, actor, writer: "RecordWriter", ids: Iterable[int], reason: str) -> int:
    """Judge outputs (by id, in the order filed) as a change of their link, outlet, title
    or date is judged: flagged when they repeat an output that counts, else counting;
    those whose status changes are written, their facts with them, and audited
    (``duplicate_flagged`` / ``duplicate_cleared``, with ``reason``). One in a locked
    period is left as it is (its figures are the bulletin's). Returns how many changed.
    Call inside the transaction of the change."""
    ids = sorted(set(ids))
    changed = 0
    for start in range(0, len(ids), _JUDGED_AT_ONCE):
        outputs = list(
            MediaOutput.objects.filter(pk__in=ids[start : start + _JUDGED_AT_ONCE])
            .select_related("outlet", "unit", "region")
            .select_for_update(of=("self",))  # (not the units, regions and outlets joined)
            .order_by("pk")
        )
        # What counts: outputs already judged (earlier batches, written) and those not
        # judged at all; the ones still to be judged count only once judged to, in order.
        counting = CountingOutputs(writer.campaign, outputs, leaving_out=set(ids[start:]))
        moved = []
        for output in outputs:
            try:
                writer.check_unlocked(output.date)
            except FieldError:
                counting.counts(output, output.status == RecordStatus.ACTIVE)  # (as it is)
                continue
            status = RecordStatus.DUPLICATE if counting.repeats(output) else RecordStatus.ACTIVE
            counting.counts(output, status == RecordStatus.ACTIVE)
            if status != output.status:
                moved.append((output, output.status))
                output.status = status
        if not moved:
            continue
        for status in (RecordStatus.ACTIVE, RecordStatus.DUPLICATE):
            # (their time of change stays: the outputs themselves were not changed, and
            # an import that filed them can still be undone)
            MediaOutput.objects.filter(
                pk__in=[o.pk for o, _was in moved if o.status == status]
            ).update(status=status)
        replace_facts(
            RecordKind.OUTPUT,
            [o for o, _was in moved],
            indicators=writer.indicators,
            ancestors=writer.ancestors,
        )
        for output, was in moved:
            verdict = "cleared" if output.status == RecordStatus.ACTIVE else "flagged"
            _audit_record(
                actor,
                f"duplicate_{verdict}",
                RecordKind.OUTPUT,
                output,
                before={"status": was},
                after={"status": output.status},
                extra={"reason": reason},
            )
        changed += len(moved)
    return changed


def outputs_recheck(*, actor, writer: "RecordWriter", identities: Iterable[tuple]) -> int:
    """Judge again the flagged outputs of the writer's campaign that repeated an output
    which has stopped counting (deleted, or given another link, outlet, title or date;
    ``identities`` as ``output_identity`` gave them before): each that repeats no output
    that counts any more counts again, audited as ``duplicate_cleared``. They are judged
    in the order they were filed, so of two copies of one output the first counts and
    the second stays flagged. A copy in a locked period stays flagged (its figures are
    the bulletin's) until the office reopens it and decides. Returns how many count
    again. Call inside the transaction of the change."""
    flagged = MediaOutput.objects.filter(campaign=writer.campaign, status=RecordStatus.DUPLICATE)
    candidates: set[int] = set()
    identities = list(dict.fromkeys(identities))
    # (a few hundred conditions a statement: an import may change 100,000 outputs, and
    # SQLite refuses a condition tree deeper than 1,000)
    for start in range(0, len(identities), 200):
        query = Q(pk__in=[])
        for outlet_id, title, date, key in identities[start : start + 200]:
            query |= Q(outlet_id=outlet_id, title=title, date=date)
            if key:
                query |= Q(url_key=key)
        candidates.update(flagged.filter(query).values_list("pk", flat=True))
    if not candidates:
        return 0
    return outputs_judge(
        actor=actor, writer=writer, ids=candidates, reason="repeats no output that counts"
    )


@records_denials("ledger.output.duplicate_resolve")
def output_duplicate_resolve(*, actor, record: MediaOutput, is_duplicate: bool) -> None:
    """The office's verdict on a flagged output: a real duplicate is deleted; otherwise
    the output starts to count. Raises Forbidden for anyone but the office over its
    region, DomainError when it is not flagged, FieldError when its period is locked."""
    require_manage(actor, region_path=record.region_path, what=str(record))
    campaign = Campaign.objects.get(pk=record.campaign_id)
    writer = RecordWriter(actor=actor, campaign=campaign)
    with transaction.atomic():
        fresh = _locked_copy(record, writer)
        require_manage(actor, region_path=fresh.region_path, what=str(fresh))
        if fresh.status != RecordStatus.DUPLICATE:
            raise DomainError(_("This output is not flagged as a duplicate."))
        writer.check_unlocked(fresh.date)
        if is_duplicate:
            _delete(actor, RecordKind.OUTPUT, fresh, extra={"verdict": "duplicate"})
            return
        fresh.status = RecordStatus.ACTIVE
        fresh.save(update_fields=["status", "updated_at"])
        replace_facts(
            RecordKind.OUTPUT, [fresh], indicators=writer.indicators, ancestors=writer.ancestors
        )
        _audit_record(
            actor,
            "duplicate_cleared",
            RecordKind.OUTPUT,
            fresh,
            before={"status": RecordStatus.DUPLICATE},
            after={"status": fresh.status},
        )
    record.status = fresh.status


# --- evidence ---------------------------------------------------------------------------


@records_denials("ledger.evidence.add")
def evidence_add(
    *, actor, record_kind: str, record: Record, data: bytes, filename: str, evidence_kind: str
) -> Evidence:
    """Attach a photo, sign-in sheet or screenshot (JPEG, PNG, GIF, WebP or PDF, told by
    its content, at most 10 MB) to a record. Raises Forbidden unless the actor may file
    for the record's unit; FieldError for another type, an empty or a larger file.

    Allowed in a locked period: evidence backs a figure up and changes none, and offices
    ask for the sign-in sheets of a bulletin's figures after it is issued. Raises NotFound
    for a record deleted meanwhile."""
    _check_record_kind(record_kind, record)
    campaign = Campaign.objects.get(pk=record.campaign_id)
    writer = RecordWriter(actor=actor, campaign=campaign)
    writer.check_unit(record.unit)
    evidence_check(data=data, evidence_kind=evidence_kind)
    digest = hashlib.sha256(data).hexdigest()
    name = (filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1]
    # (control characters, NUL among them, are no part of a name; PostgreSQL refuses NUL)
    name = "".join(c for c in name if c.isprintable()) or "evidence"
    with transaction.atomic():
        # The record as it is now, held: deleted or moved since the caller read it, the
        # evidence would hang on nothing or be scoped by an old place.
        record = _locked_copy(record, writer)
        writer.check_unit(record.unit)
        evidence = Evidence(
            record_kind=record_kind,
            record_id=record.pk,
            campaign=campaign,
            region_path=record.region_path,
            kind=evidence_kind,
            original_name=name[:255],
            sha256=digest,
            size=len(data),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(f"{digest[:16]}-{name[-80:]}", ContentFile(data), save=False)
        try:
            evidence.save()
            audit_log(
                actor=actor,
                action="ledger.evidence.added",
                obj=evidence,
                after=snapshot(evidence),
                region_path=record.region_path,
            )
        except BaseException:
            evidence.file.storage.delete(evidence.file.name)
            raise
    return evidence


@records_denials("ledger.evidence.move")
def evidence_move(*, actor, record_kind: str, source: Record, target: Record) -> int:
    """Hang the evidence of ``source`` on ``target`` (a record of the same kind and
    campaign), before ``source`` is deleted: a collection form's photos stay with the
    figures that remain. Returns how many moved; each move is audited. Raises Forbidden
    unless the actor may file for both records' units; DomainError across campaigns;
    NotFound for a record deleted meanwhile."""
    _check_record_kind(record_kind, source)
    _check_record_kind(record_kind, target)
    if source.campaign_id != target.campaign_id:
        raise DomainError(_("Evidence stays within its campaign."))
    writer = RecordWriter(actor=actor, campaign=Campaign.objects.get(pk=source.campaign_id))
    moved = 0
    with transaction.atomic():
        # Both as they are now, held (the lower id first, as every writer locks them).
        first, second = sorted((source, target), key=lambda r: r.pk)
        fresh = {r.pk: _locked_copy(r, writer) for r in (first, second)}
        source, target = fresh[source.pk], fresh[target.pk]
        writer.check_unit(source.unit)
        writer.check_unit(target.unit)
        for evidence in Evidence.objects.select_for_update().filter(
            record_kind=record_kind, record_id=source.pk
        ):
            before = snapshot(evidence)
            evidence.record_id = target.pk
            evidence.region_path = target.region_path
            evidence.save(update_fields=["record_id", "region_path"])
            audit_log(
                actor=actor,
                action="ledger.evidence.moved",
                obj=evidence,
                before=before,
                after=snapshot(evidence),
                region_path=target.region_path,
            )
            moved += 1
    return moved


def evidence_follow(record_kind: str, records: Iterable[Record]) -> None:
    """Give the evidence of ``records`` (just moved, saved) their regions: evidence is
    scoped (seen, verified) by its record's place. One UPDATE per region among them; part
    of the caller's write, audited with it."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for record in records:
        by_path[record.region_path].append(record.pk)
    for path, ids in by_path.items():
        Evidence.objects.filter(record_kind=record_kind, record_id__in=ids).exclude(
            region_path=path
        ).update(region_path=path)


def evidence_check(*, data: bytes, evidence_kind: str) -> None:
    """Raise FieldError unless ``data`` is evidence ``evidence_add`` accepts (a known kind;
    a photo or PDF of at most 10 MB): for a caller adding several files to check them
    all before storing any."""
    if evidence_kind not in Evidence.Kind.values:
        raise FieldError("kind", _("Unknown kind: %(value)s") % {"value": evidence_kind})
    if len(data) > EVIDENCE_MAX_BYTES:
        raise FieldError("file", _("The file is larger than 10 MB."))
    if _evidence_type(data) is None:
        raise FieldError(
            "file", _("Only photos (JPEG, PNG, GIF, WebP) and PDF files are accepted.")
        )


@records_denials("ledger.evidence.verify")
def evidence_verify(*, actor, evidence: Evidence) -> Evidence:
    """The office marks a piece of evidence verified (in a locked period too: verifying
    changes no figure). Evidence verified already stays as it is (its first verifier kept,
    nothing written). Raises Forbidden unless the actor is the office over it; NotFound
    for evidence deleted meanwhile (with its record)."""
    require_manage(actor, region_path=evidence.region_path, what=str(evidence))
    with transaction.atomic():
        # The row as it is now, held: its record may have moved or gone since.
        evidence = Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
        if evidence is None:
            raise NotFound()
        require_manage(actor, region_path=evidence.region_path, what=str(evidence))
        if evidence.verified_at is not None:
            return evidence  # (verified once: who verified it first stays on record)
        before = snapshot(evidence, _VERIFICATION)
        evidence.verified_by = actor if getattr(actor, "pk", None) else None
        evidence.verified_at = timezone.now()
        evidence.save(update_fields=["verified_by", "verified_at"])
        audit_log(
            actor=actor,
            action="ledger.evidence.verified",
            obj=evidence,
            before=before,
            after=snapshot(evidence, _VERIFICATION),
            region_path=evidence.region_path,
        )
    return evidence


_VERIFICATION = ("verified_by", "verified_at")


# --- locking ----------------------------------------------------------------------------

# The first key of the advisory lock guarding a campaign's locked periods (PostgreSQL),
# the campaign's id the second.
PERIOD_GUARD = 0x534C
# How long locking a period waits for the writes in progress (an import may take minutes;
# while the lock waits, new writes of the campaign wait behind it).
PERIOD_LOCK_WAIT_SECONDS = 10.0


def guard_periods(campaign_id: int, *, exclusive: bool, wait_seconds: float | None = None) -> None:
    """Hold the campaign's period guard until the transaction ends: shared by every write
    that has checked the locked periods, exclusive while a period is being locked. A write
    that checked before a lock is created commits first; one that checks after it waits
    and then sees it. Without the guard a record could be written into a period locked
    between its check and its commit. An advisory lock on PostgreSQL (``common.locks``;
    raises LockBusy after ``wait_seconds``); SQLite needs none."""
    advisory_xact_lock(PERIOD_GUARD, campaign_id, shared=not exclusive, wait_seconds=wait_seconds)


@records_denials("ledger.period.lock")
def period_lock(
    *, actor, campaign: Campaign, start: datetime.date, end: datetime.date, reason: str = ""
) -> PeriodLock:
    """Lock the campaign's records dated from ``start`` to ``end`` (office only). Waits
    for the campaign's writes in progress to commit (up to PERIOD_LOCK_WAIT_SECONDS; then
    DomainError: try again); writes after it see the lock. Raises FieldError for a period
    that ends before it starts, lies wholly outside the campaign, or overlaps a lock."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if end < start:
        raise FieldError("end", _("The period ends before it starts."))
    if end < campaign.start_date or start > campaign.end_date:
        # (a slip of the year: it would lock nothing, and look as if it had)
        raise FieldError(
            "start",
            _("The period lies outside the campaign (%(start)s – %(end)s).")
            % {"start": campaign.start_date.isoformat(), "end": campaign.end_date.isoformat()},
        )
    try:
        with transaction.atomic():
            guard_periods(campaign.pk, exclusive=True, wait_seconds=PERIOD_LOCK_WAIT_SECONDS)
            # One lock a day at most: reopening a period must open it.
            overlap = (
                PeriodLock.objects.filter(
                    campaign=campaign, reopened_at__isnull=True, start__lte=end, end__gte=start
                )
                .order_by("start")
                .first()
            )
            if overlap is not None:
                raise FieldError(
                    "start",
                    _("%(start)s – %(end)s is locked already; lock only the days outside it.")
                    % {"start": overlap.start.isoformat(), "end": overlap.end.isoformat()},
                )
            lock = PeriodLock.objects.create(
                campaign=campaign,
                start=start,
                end=end,
                reason=reason,
                locked_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_log(
                actor=actor,
                action="ledger.period.locked",
                obj=lock,
                after=snapshot(lock),
                region_path=campaign.region_path,
            )
    except LockBusy:
        raise DomainError(
            _(
                "Records of this campaign are being written (an import may be running); "
                "lock the period again in a few minutes."
            )
        ) from None
    return lock


@records_denials("ledger.period.reopen")
def period_reopen(*, actor, lock: PeriodLock, reason: str) -> PeriodLock:
    """Reopen a locked period so its records can change again; the reason is required
    and audited."""
    campaign = lock.campaign
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Say why the period is reopened."))
    with transaction.atomic():
        # The row as it is now, held: a copy read earlier (a second request) may predate
        # another reopening.
        lock = PeriodLock.objects.select_for_update().filter(pk=lock.pk).first()
        if lock is None:
            raise NotFound()
        if lock.reopened_at is not None:
            raise DomainError(_("This period is already reopened."))
        before = snapshot(lock)
        lock.reopened_at = timezone.now()
        lock.reopened_by = actor if getattr(actor, "pk", None) else None
        lock.reopen_reason = reason
        lock.save()
        audit_log(
            actor=actor,
            action="ledger.period.reopened",
            obj=lock,
            before=before,
            after=snapshot(lock),
            region_path=campaign.region_path,
        )
    return lock
