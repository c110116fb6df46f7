"""Published reports and drafted documents: read the figures out of a text (the `extract`
command's JSON), upload a report to a campaign, list, review and import its figures, draft
the summary report (.docx), import a schedule table pasted as text. Everything goes
through the documents services and selectors."""

import datetime
import json
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from campaigndesk.campaigns.selectors import access_campaign, schedule_for_campaign
from campaigndesk.common.errors import DomainError, RowError
from campaigndesk.documents import drafting, selectors, services
from campaigndesk.documents.decoding import decode_document
from campaigndesk.documents.extraction import iter_figures
from campaigndesk.documents.models import ExtractedFigure, SourceReport
from campaigndesk.ledger.models import Indicator
from campaigndesk.regions.paths import is_within

from .refs import InvalidInput, region_ref, unit_ref
from .schemas import WRITE_ERRORS, BodyIn, ErrorOut, ScheduleImportOut

router = Router(tags=["documents"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class FigureJson(Schema):
    """One figure as the `extract` command prints it: code-point offsets into the decoded
    text, the value with its magnitude, measure word, approximation (null, "more",
    "about", "under", "at_least"), the noun counted and the 截至 date (ISO) it stands as
    of."""

    start: int
    end: int
    text: str
    value: float
    measure: str
    approx: str | None
    counted: str
    as_of: datetime.date | None


class ExtractOut(Schema):
    figures: list[FigureJson]


class IndicatorRef(Schema):
    code: str
    name: str
    measure_word: str


class FigureOut(Schema):
    id: int
    start: int
    end: int
    text: str
    value: str
    measure: str
    approx: str | None
    counted: str
    as_of: datetime.date | None
    suggested_indicator: IndicatorRef | None
    indicator: IndicatorRef | None
    status: str
    record_id: int | None

    @staticmethod
    def resolve_value(obj: ExtractedFigure) -> str:
        return f"{obj.value.normalize():f}"

    @staticmethod
    def resolve_approx(obj: ExtractedFigure) -> str | None:
        return obj.approx or None


class ReportOut(Schema):
    id: int
    campaign_id: int
    title: str
    original_name: str
    sha256: str
    figures_truncated: bool
    created_at: datetime.datetime
    figure_count: int

    @staticmethod
    def resolve_figure_count(obj: SourceReport) -> int:
        count = getattr(obj, "figure_count", None)
        return count if count is not None else obj.figures.count()


class ReportFiguresOut(Schema):
    report: ReportOut
    figures: list[FigureOut]


class ReviewIn(BodyIn):
    accepted: bool
    indicator: str | None = Field(
        None, description="Indicator code; accepting without one takes the suggested one."
    )


class ImportIn(BodyIn):
    unit_id: int
    region_code: str | None = None
    date: datetime.date | None = Field(
        None, description="The date of figures that have no 截至 date of their own."
    )


class ImportOut(Schema):
    record_ids: list[int]
    count: int


class DraftQuery(Schema):
    as_of: datetime.date | None = None
    region_code: str | None = None


class ScheduleTextIn(BodyIn):
    text: str = Field(..., min_length=1)
    year: int


def _text_of(file: UploadedFile | None, text: str) -> tuple[bytes, str]:
    if file is not None:
        services.check_size(file.size or 0)
        return file.read(), file.name or ""
    if not (text or "").strip():
        raise InvalidInput([RowError(None, "file", _("Upload a file or send the text."))])
    data = text.encode("utf-8")
    services.check_size(len(data))
    return data, ""


@router.post(
    "/extract",
    response={200: ExtractOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="Read the figures out of a report (the JSON of `campaigndesk extract`)",
)
def extract(
    request: HttpRequest,
    file: File[UploadedFile] = None,
    text: Form[str] = "",
):
    """Send a file (.txt, .docx, .pdf with a text layer) or the text itself. Nothing is
    stored; the figures are streamed as they are found."""
    data, filename = _text_of(file, text)
    decoded = decode_document(data, filename)
    del data

    def chunks():
        yield '{"figures": ['
        for index, figure in enumerate(iter_figures(decoded)):
            yield ("\n  " if index == 0 else ",\n  ") + json.dumps(
                figure.as_dict(), ensure_ascii=False
            )
        yield "\n]}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


@router.get(
    "/campaigns/{campaign_id}/reports",
    response={200: list[ReportOut], **READ_ERRORS},
    summary="The campaign's published reports the user may read",
)
def report_list(request: HttpRequest, campaign_id: int):
    campaign = access_campaign(actor=request.auth, id=campaign_id)
    return list(selectors.report_list(actor=request.auth, campaign=campaign))


@router.post(
    "/campaigns/{campaign_id}/reports",
    response={201: ReportFiguresOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Upload a published report and read its figures (office)",
)
def report_upload(
    request: HttpRequest,
    campaign_id: int,
    file: File[UploadedFile] = None,
    text: Form[str] = "",
    title: Form[str] = "",
):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    data, filename = _text_of(file, text)
    report = services.report_upload(
        actor=actor, campaign=campaign, data=data, filename=filename, title=title
    )
    return Status(201, _report_figures(report))


def _report_figures(report: SourceReport) -> dict:
    return {"report": report, "figures": list(selectors.report_figures(report=report))}


@router.get(
    "/reports/{report_id}/figures",
    response={200: ReportFiguresOut, **READ_ERRORS},
    summary="A report's figures in reading order, with suggestions and decisions",
)
def report_figures(request: HttpRequest, report_id: int):
    report = selectors.access_report(actor=request.auth, id=report_id)
    return _report_figures(report)


@router.post(
    "/figures/{figure_id}/review",
    response={200: FigureOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Accept a figure as an indicator, or reject it (office)",
)
def figure_review(request: HttpRequest, figure_id: int, payload: ReviewIn):
    actor = request.auth
    figure = selectors.access_figure(actor=actor, id=figure_id)
    indicator = None
    if payload.indicator:
        indicator = Indicator.objects.filter(code=payload.indicator).first()
        if indicator is None:
            raise InvalidInput(
                [
                    RowError(
                        None,
                        "indicator",
                        _("Unknown indicator: %(codes)s") % {"codes": payload.indicator},
                    )
                ]
            )
    services.figure_review(
        actor=actor, figure=figure, indicator=indicator, accepted=payload.accepted
    )
    return selectors.access_figure(actor=actor, id=figure_id)


@router.post(
    "/reports/{report_id}/import",
    response={201: ImportOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="File the accepted figures in the ledger, all or none (office)",
)
def report_import(request: HttpRequest, report_id: int, payload: ImportIn):
    actor = request.auth
    report = selectors.access_report(actor=actor, id=report_id)
    unit = unit_ref(actor, payload.unit_id, field="unit_id")
    region = region_ref(payload.region_code, field="region_code") if payload.region_code else None
    result = services.report_import_figures(
        actor=actor, report=report, unit=unit, region=region, date=payload.date
    )
    return Status(201, {"record_ids": [r.pk for r in result.records], "count": len(result.records)})


@router.get(
    "/campaigns/{campaign_id}/summary-report",
    response={200: None, 400: ErrorOut, **READ_ERRORS},
    summary="The campaign's summary report drafted from the ledger (.docx)",
)
def summary_report(request: HttpRequest, campaign_id: int, query: Query[DraftQuery]):
    """Figures as of ``as_of`` (default: today, or the campaign's end if earlier), in the
    region ``region_code`` (default: the campaign's), as the user may see them."""
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    region = None
    if query.region_code:
        region = region_ref(query.region_code, field="region_code")
        if not is_within(region.path, campaign.region_path):
            raise InvalidInput(
                [
                    RowError(
                        None,
                        "region_code",
                        _("%(region)s lies outside the campaign's region.")
                        % {"region": region.name},
                    )
                ]
            )
    as_of = query.as_of or min(timezone.localdate(), campaign.end_date)
    draft = drafting.summary_draft(actor=actor, campaign=campaign, as_of=as_of, region=region)
    response = HttpResponse(
        drafting.render_docx(draft),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    fallback = f"summary-{campaign.pk}-{as_of.isoformat()}.docx"
    response["Content-Disposition"] = (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(drafting.docx_filename(draft))}"
    )
    return response


@router.post(
    "/campaigns/{campaign_id}/schedule/import-text",
    response={201: ScheduleImportOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Import the schedule table pasted as text, all rows or none (office)",
    tags=["campaigns"],
)
def schedule_import_text(request: HttpRequest, campaign_id: int, payload: ScheduleTextIn):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    try:
        result = services.schedule_import_text(
            actor=actor, campaign=campaign, text=payload.text, year=payload.year
        )
    except DomainError as error:
        if error.code in {"no_table", "empty", "too_large"}:
            raise InvalidInput([RowError(None, "text", str(error))]) from None
        raise
    items = schedule_for_campaign(campaign=campaign).filter(pk__in=[i.pk for i in result.items])
    return Status(201, {"items": list(items), "sha256": result.sha256, "warnings": result.warnings})
