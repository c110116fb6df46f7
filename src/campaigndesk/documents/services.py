"""Writes on published reports: upload (decode and read the figures out), review each
figure, import the accepted ones into the ledger as plain figures, and import a schedule
table pasted as text. Every write is audited."""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.scoping import require_manage
from campaigndesk.campaigns.models import Campaign
from campaigndesk.campaigns.services import ScheduleImportResult, schedule_import
from campaigndesk.common.errors import (
    DomainError,
    FieldError,
    Forbidden,
    ImportRejected,
    RowError,
)
from campaigndesk.ledger import services as ledger_services
from campaigndesk.ledger.models import Aggregation, FigureRecord, Indicator, RecordKind
from campaigndesk.regions.models import Region, Unit

from .decoding import decode_document
from .extraction import Figure, iter_figures
from .models import ExtractedFigure, FigureStatus, SourceReport
from .plan_text import schedule_csv
from .suggest import candidates, suggest

# A published report runs to a few hundred kilobytes; a larger upload is refused at once
# (before decoding), so that a stray 50 MB file gives a clear answer rather than a wait.
MAX_REPORT_BYTES = 10 * 1024 * 1024
# Reading stops after this many figures (the report is flagged): the review stays usable
# and the database bounded whatever the text holds.
MAX_FIGURES = 3000
_VALUE_LIMIT = Decimal(10) ** 16  # what ExtractedFigure.value and FigureRecord.value hold
_FOUR_PLACES = Decimal("0.0001")


def check_size(size: int) -> None:
    """Raise DomainError (code "too_large") for a report larger than MAX_REPORT_BYTES."""
    if size > MAX_REPORT_BYTES:
        raise DomainError(
            _("The report is larger than %(limit)s MB; upload the report itself, not an archive.")
            % {"limit": MAX_REPORT_BYTES // (1024 * 1024)},
            code="too_large",
        )


def read_figures(text: str, *, limit: int | None = None) -> tuple[list[Figure], bool]:
    """The first ``limit`` (MAX_FIGURES) figures of ``text`` and whether there were more."""
    limit = MAX_FIGURES if limit is None else limit
    figures: list[Figure] = []
    for figure in iter_figures(text):
        if len(figures) >= limit:
            return figures, True
        figures.append(figure)
    return figures, False


def _value(number) -> Decimal | None:
    try:
        value = Decimal(str(number)).quantize(_FOUR_PLACES)
    except (InvalidOperation, ValueError):
        return None
    return value if 0 <= value < _VALUE_LIMIT else None


def _date(iso: str | None) -> datetime.date | None:
    if not iso:
        return None
    try:
        return datetime.date.fromisoformat(iso)
    except ValueError:
        return None


def _title_from(text: str, filename: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:200]
    return filename[:200] or _("Report")


@records_denials("documents.report.upload")
def report_upload(
    *, actor, campaign: Campaign, data: bytes, filename: str = "", title: str = ""
) -> SourceReport:
    """Store a report (.txt in UTF-8 or GB18030, .docx, or .pdf with a text layer) for the
    campaign and read its figures, each with a suggested indicator. Raises Forbidden
    unless the actor is the office over the campaign; DomainError for an empty, binary,
    unreadable or too large file, or one already uploaded to the campaign."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    check_size(len(data))
    text = decode_document(data, filename)
    del data
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = SourceReport.objects.filter(campaign=campaign, sha256=sha256).first()
    if existing is not None:
        raise DomainError(
            _("This report was uploaded already: “%(title)s”.") % {"title": existing.title},
            code="duplicate",
        )
    found, truncated = read_figures(text)
    pool = candidates()
    suggested: dict[tuple[str, str], Indicator | None] = {}

    def suggestion(figure: Figure) -> Indicator | None:
        key = (figure.measure, figure.counted)
        if key not in suggested:
            suggested[key] = suggest(figure.measure, figure.counted, pool)
        return suggested[key]

    title = " ".join((title or "").split())[:200] or _title_from(text, filename)
    try:
        with transaction.atomic():
            report = SourceReport.objects.create(
                campaign=campaign,
                region_path=campaign.region_path,
                title=title,
                original_name=(filename or "")[:255],
                sha256=sha256,
                text=text,
                figures_truncated=truncated,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            rows = []
            for figure in found:
                value = _value(figure.value)
                if value is None:
                    continue
                rows.append(
                    ExtractedFigure(
                        report=report,
                        start=figure.start,
                        end=figure.end,
                        text=figure.text[:100],
                        value=value,
                        measure=figure.measure[:20],
                        approx=figure.approx or "",
                        counted=figure.counted[:100],
                        as_of=_date(figure.as_of),
                        suggested_indicator=suggestion(figure),
                    )
                )
            ExtractedFigure.objects.bulk_create(rows, batch_size=500)
            audit_log(
                actor=actor,
                action="documents.report.uploaded",
                obj=report,
                after=snapshot(report, ["id", "campaign", "title", "original_name", "sha256"]),
                region_path=report.region_path,
                extra={"figures": len(rows), "truncated": truncated, "characters": len(text)},
            )
    except IntegrityError:
        raise DomainError(_("This report was uploaded already."), code="duplicate") from None
    return report


def indicator_enterable(indicator: Indicator) -> bool:
    """Whether figures can be imported as this indicator (not computed from the ledger)."""
    return indicator.is_active and indicator.aggregation not in (
        Aggregation.RATIO,
        Aggregation.DISTINCT,
    )


@records_denials("documents.figure.review")
def figure_review(
    *, actor, figure: ExtractedFigure, indicator: Indicator | None, accepted: bool
) -> ExtractedFigure:
    """Accept a figure as ``indicator`` (without one: the suggested indicator) or reject
    it. Raises Forbidden unless the actor is the office over the report's campaign;
    FieldError when accepting without an indicator or with one that is computed (ratios,
    distinct counts) or inactive; DomainError for a figure already imported."""
    require_manage(actor, region_path=figure.report.region_path, what=str(figure.report))
    if accepted:
        indicator = indicator or figure.suggested_indicator
        if indicator is None:
            raise FieldError("indicator", _("Choose the indicator this figure counts."))
        if not indicator_enterable(indicator):
            raise FieldError(
                "indicator",
                _("%(name)s is computed from the ledger; it cannot be entered as a figure.")
                % {"name": indicator.name},
            )
    with transaction.atomic():
        fresh = ExtractedFigure.objects.select_for_update().get(pk=figure.pk)
        if fresh.record_id is not None:
            raise DomainError(
                _("This figure has been imported into the ledger already."), code="imported"
            )
        before = snapshot(fresh, ["status", "indicator"])
        fresh.status = FigureStatus.ACCEPTED if accepted else FigureStatus.REJECTED
        fresh.indicator = indicator if accepted else (indicator or fresh.indicator)
        fresh.reviewed_by = actor if getattr(actor, "pk", None) else None
        fresh.reviewed_at = timezone.now()
        fresh.save(update_fields=["status", "indicator", "reviewed_by", "reviewed_at"])
        audit_log(
            actor=actor,
            action="documents.figure.reviewed",
            obj=fresh,
            before=before,
            after=snapshot(fresh, ["status", "indicator"]),
            region_path=fresh.report.region_path,
            extra={"report": fresh.report_id},
        )
    figure.refresh_from_db()
    return figure


@dataclass
class ReportImportResult:
    """The ledger figures an import created, in the report's order."""

    records: list[FigureRecord]
    warnings: list[str] = field(default_factory=list)


def source_label(report: SourceReport) -> str:
    """What FigureRecord.source says for a figure from ``report``: "report:<id> <title>"."""
    max_length = FigureRecord._meta.get_field("source").max_length
    return f"report:{report.pk} {report.title}"[:max_length]


@records_denials("documents.report.import")
def report_import_figures(
    *,
    actor,
    report: SourceReport,
    unit: Unit,
    region: Region | None = None,
    date: datetime.date | None = None,
) -> ReportImportResult:
    """File every accepted, not yet imported figure of the report as a plain figure of the
    campaign's ledger (through ``ledger.services.record_create``) for ``unit`` in
    ``region`` (default: the unit's), dated as of the figure's 截至 date or else ``date``,
    with the report as the source. All figures or none, one audit entry for the import.
    Raises Forbidden unless the actor is the office over the campaign and may file for the
    unit; DomainError when no figure is accepted; ImportRejected listing every figure that
    cannot be filed (no date, a date outside the campaign or in a locked period, ...)."""
    require_manage(actor, region_path=report.region_path, what=str(report))
    if not ledger_services.can_write_unit(actor, unit):
        error = Forbidden(_("You may not file records for %(unit)s.") % {"unit": unit})
        error.region_path = unit.region_path  # type: ignore[attr-defined]
        error.object_repr = str(unit)  # type: ignore[attr-defined]
        raise error
    campaign = report.campaign
    source = source_label(report)
    with transaction.atomic():
        figures = list(
            report.figures.select_for_update(of=("self",))
            .filter(status=FigureStatus.ACCEPTED, record__isnull=True)
            .select_related("indicator")
            .order_by("start", "id")
        )
        if not figures:
            raise DomainError(_("No accepted figure is waiting to be imported."), code="empty")
        positions = _positions(report)
        errors: list[RowError] = []
        created: list[FigureRecord] = []
        for figure in figures:
            number = positions.get(figure.pk)
            when = figure.as_of or date
            if when is None:
                errors.append(
                    RowError(
                        number,
                        "date",
                        _("“%(text)s” has no 截至 date; give the date the figures stand as of.")
                        % {"text": f"{figure.text}{figure.measure}"},
                    )
                )
                continue
            values = {
                "unit": unit,
                "indicator": figure.indicator,
                "value": figure.value,
                "approx": figure.approx,
                "date": when,
                "source": source,
                "note": f"{figure.text}{figure.measure} {figure.counted}".strip(),
            }
            if region is not None:
                values["region"] = region
            try:
                outcome = ledger_services.record_create(
                    actor=actor, campaign=campaign, record_kind=RecordKind.FIGURE, **values
                )
            except FieldError as error:
                errors.append(RowError(number, error.field, str(error)))
                continue
            figure.record = outcome.record
            created.append(outcome.record)
        if errors:
            raise ImportRejected(errors)
        ExtractedFigure.objects.bulk_update(figures, ["record"])
        audit_log(
            actor=actor,
            action="documents.report.imported",
            obj=report,
            after={
                "records": [r.pk for r in created],
                "figures": [f.pk for f in figures],
            },
            region_path=report.region_path,
            extra={
                "unit": unit.pk,
                "region": region.pk if region is not None else None,
                "date": date,
                "count": len(created),
            },
        )
    return ReportImportResult(records=created)


def _positions(report: SourceReport) -> dict[int, int]:
    """Each figure's number in the report (1-based, reading order), to name it in errors."""
    ids = report.figures.order_by("start", "id").values_list("pk", flat=True)
    return {pk: index for index, pk in enumerate(ids, start=1)}


def schedule_import_text(
    *, actor, campaign: Campaign, text: str, year: int
) -> ScheduleImportResult:
    """Import a schedule table pasted as text (cells separated by " |" or tabs, one row a
    line, or one cell a line as in a report's appendix) through the campaign's schedule
    import: all rows or none, audited there. Raises what ``schedule_import`` raises, and
    DomainError when the text holds no table."""
    data = schedule_csv(text)
    return schedule_import(
        actor=actor, campaign=campaign, data=data, filename="pasted-schedule.csv", year=year
    )
