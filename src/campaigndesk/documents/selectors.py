"""Reads of published reports and their figures, scoped to the actor: the readers of the
campaign's region (its offices and their editors, reviewers, approvers, observers) see
them; a reporter, whose scope is its own unit, does not."""

from django.db.models import Count, Q, QuerySet

from campaigndesk.accounts.scoping import can_manage, can_read, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import NotFound

from .models import ExtractedFigure, FigureStatus, SourceReport


def can_read_reports(actor, campaign: Campaign) -> bool:
    """Whether the actor reads the campaign's reports (its region is in the actor's)."""
    return can_read(actor, region_path=campaign.region_path)


def can_manage_reports(actor, campaign: Campaign) -> bool:
    """Whether the actor uploads, reviews and imports reports (the office over it)."""
    return can_manage(actor, region_path=campaign.region_path)


def report_list(*, actor, campaign: Campaign) -> QuerySet[SourceReport]:
    """The campaign's reports the actor may read, newest first, with figure counts."""
    return (
        SourceReport.objects.filter(campaign=campaign)
        .filter(visible_q(actor, path_field="region_path", unit_field=None))
        .select_related("uploaded_by")
        .defer("text")
        .annotate(
            figure_count=Count("figures"),
            accepted_count=Count("figures", filter=Q(figures__status=FigureStatus.ACCEPTED)),
            imported_count=Count("figures", filter=Q(figures__record__isnull=False)),
        )
    )


def access_report(*, actor, id: int) -> SourceReport:
    """The report, or NotFound alike when missing and when the actor may not read it."""
    try:
        return (
            SourceReport.objects.filter(visible_q(actor, path_field="region_path", unit_field=None))
            .select_related("campaign__region", "campaign__lead_unit")
            .get(pk=id)
        )
    except (SourceReport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_figure(*, actor, id: int) -> ExtractedFigure:
    """The figure, or NotFound alike when missing and when the actor may not read it."""
    try:
        return (
            ExtractedFigure.objects.filter(
                visible_q(actor, path_field="report__region_path", unit_field=None)
            )
            .select_related("report__campaign", "indicator", "suggested_indicator")
            .get(pk=id)
        )
    except (ExtractedFigure.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def report_figures(*, report: SourceReport) -> QuerySet[ExtractedFigure]:
    """The report's figures in reading order, with their indicators and ledger figures."""
    return report.figures.select_related("indicator", "suggested_indicator", "record").order_by(
        "start", "id"
    )


def figure_context(text: str, figure: ExtractedFigure, width: int = 40) -> tuple[str, str, str]:
    """(before, the figure as written, after): the figure's span in the original text with
    up to ``width`` characters either side on its own line, "…" where the line goes on."""
    start, end = figure.start, figure.end
    # Only as far as the context reaches: the text may be one long line.
    low = max(0, start - width)
    newline = text.rfind("\n", low, start)
    before_start = newline + 1 if newline >= 0 else low
    high = min(len(text), end + width)
    newline = text.find("\n", end, high)
    after_end = newline if newline >= 0 else high
    more_before = before_start > 0 and text[before_start - 1] != "\n"
    more_after = after_end < len(text) and text[after_end] != "\n"
    before = ("…" if more_before else "") + text[before_start:start]
    after = text[end:after_end] + ("…" if more_after else "")
    return before, text[start:end], after
