"""Published reports: upload (decode, read, suggest), review, import into the ledger."""

import datetime
from decimal import Decimal

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, ImportRejected
from campaigndesk.documents import services
from campaigndesk.documents.models import ExtractedFigure, FigureStatus, SourceReport
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.models import FigureRecord, Indicator
from campaigndesk.ledger.rollup import rollup

from .helpers import REPORT, upload

D = datetime.date


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def figures_of(report: SourceReport) -> list[ExtractedFigure]:
    return list(report.figures.order_by("start"))


def test_upload_reads_every_figure_with_offsets_into_the_text(world):
    report = upload(world)
    assert report.text == REPORT
    assert report.title == "鹿城镇移民政策宣传工作情况"
    got = [
        (report.text[f.start : f.end], f.value, f.measure, f.approx, f.as_of)
        for f in figures_of(report)
    ]
    assert got == [
        ("36", Decimal(36), "场次", "", D(2024, 5, 31)),
        ("4200", Decimal(4200), "人次", "more", D(2024, 5, 31)),
        ("1.2万", Decimal(12000), "张", "", D(2024, 5, 31)),
        ("86", Decimal(86), "条", "", D(2024, 5, 31)),
        ("15", Decimal(15), "条", "", None),
        ("7", Decimal(7), "篇", "", None),
    ]
    assert {f.status for f in figures_of(report)} == {FigureStatus.PENDING}
    entry = AuditEntry.objects.get(action="documents.report.uploaded")
    assert entry.object_id == str(report.pk)
    assert entry.extra["figures"] == 6


def test_upload_suggests_an_indicator_for_each_figure(world):
    report = upload(world)
    assert [f.suggested_indicator.code for f in figures_of(report)] == [
        "lectures",
        "event_participants",
        "leaflets",
        "banners",
        "news_reports",
        "articles",
    ]


def test_review_then_import_puts_the_figures_in_the_rollup_with_the_report_as_source(world):
    report = upload(world)
    lectures, people, leaflets, banners, news, articles = figures_of(report)
    for figure in (lectures, people, leaflets):
        services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=True)
    # The reviewer overrides a suggestion, and rejects two figures.
    services.figure_review(
        actor=world.office, figure=news, indicator=indicator("media_adoptions"), accepted=True
    )
    services.figure_review(actor=world.office, figure=banners, indicator=None, accepted=False)
    services.figure_review(actor=world.office, figure=articles, indicator=None, accepted=False)

    result = services.report_import_figures(
        actor=world.office, report=report, unit=world.township_unit, date=D(2024, 6, 10)
    )

    assert len(result.records) == 4
    records = {r.indicator.code: r for r in FigureRecord.objects.select_related("indicator")}
    assert set(records) == {"lectures", "event_participants", "leaflets", "media_adoptions"}
    assert {r.source for r in records.values()} == {f"report:{report.pk} {report.title}"}
    assert records["lectures"].date == D(2024, 5, 31)  # its 截至 date
    assert records["media_adoptions"].date == D(2024, 6, 10)  # none: the date given
    assert records["event_participants"].approx == "more"
    assert {r.unit_id for r in records.values()} == {world.township_unit.pk}
    totals = rollup(actor=world.office, campaign=world.campaign)
    assert totals.value("lectures") == 36
    assert totals.value("event_participants") == 4200
    assert totals.total("event_participants").approx == "more"
    assert totals.value("leaflets") == 12000
    assert totals.value("media_adoptions") == 15
    assert totals.total("banners") is None
    for figure in (lectures, people, leaflets, news):
        figure.refresh_from_db()
        assert figure.record_id == records[figure.indicator.code].pk
    # One entry for the import (besides the ledger's own entry per record).
    entry = AuditEntry.objects.get(action="documents.report.imported")
    assert sorted(entry.after["records"]) == sorted(r.pk for r in result.records)
    assert AuditEntry.objects.filter(action="ledger.figure.created").count() == 4
    # Nothing left to import: asking again is an error, not a second copy.
    with pytest.raises(DomainError):
        services.report_import_figures(
            actor=world.office, report=report, unit=world.township_unit, date=D(2024, 6, 10)
        )
    assert FigureRecord.objects.count() == 4


def test_import_is_all_or_nothing_and_lists_every_figure_that_cannot_be_filed(world):
    report = upload(world)
    figures = figures_of(report)
    for figure in figures:
        services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=True)
    # No date given: the two figures without a 截至 date cannot be dated.
    with pytest.raises(ImportRejected) as rejected:
        services.report_import_figures(actor=world.office, report=report, unit=world.county_unit)
    assert [(e.row, e.field) for e in rejected.value.errors] == [(5, "date"), (6, "date")]
    assert FigureRecord.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="ledger.figure").exists()
    assert not ExtractedFigure.objects.filter(record__isnull=False).exists()
    # A date outside the campaign: refused by the ledger for those figures, nothing kept.
    with pytest.raises(ImportRejected) as rejected:
        services.report_import_figures(
            actor=world.office, report=report, unit=world.county_unit, date=D(2025, 3, 1)
        )
    assert [(e.row, e.field) for e in rejected.value.errors] == [(5, "date"), (6, "date")]
    assert FigureRecord.objects.count() == 0
    # A locked period refuses the four dated 2024-05-31: still nothing is written.
    ledger.period_lock(
        actor=SYSTEM, campaign=world.campaign, start=D(2024, 5, 1), end=D(2024, 5, 31)
    )
    with pytest.raises(ImportRejected) as rejected:
        services.report_import_figures(
            actor=world.office, report=report, unit=world.county_unit, date=D(2024, 6, 10)
        )
    assert [e.row for e in rejected.value.errors] == [1, 2, 3, 4]
    assert FigureRecord.objects.count() == 0


def test_only_the_office_uploads_reviews_and_imports(world):
    report = upload(world)
    figure = figures_of(report)[0]
    for role in ("reporter", "editor", "observer", "other_office"):
        with pytest.raises(Forbidden):
            upload(world, actor=world.user(role), text=REPORT + "另一份")
        with pytest.raises(Forbidden):
            services.figure_review(
                actor=world.user(role), figure=figure, indicator=None, accepted=True
            )
    services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=True)
    with pytest.raises(Forbidden):
        services.report_import_figures(
            actor=world.other_office, report=report, unit=world.other_township_unit
        )
    # A unit outside the campaign's region: the ledger refuses it, nothing is written.
    with pytest.raises(ImportRejected) as rejected:
        services.report_import_figures(
            actor=world.office, report=report, unit=world.other_county_office_unit
        )
    assert [(e.row, e.field) for e in rejected.value.errors] == [(1, "region")]
    assert FigureRecord.objects.count() == 0
    assert AuditEntry.objects.filter(
        action="documents.report.import", outcome=AuditEntry.Outcome.DENIED
    ).exists()


def test_accepting_needs_an_indicator_that_can_be_entered(world):
    report = upload(world, text="本期共编发简报3份。\n")
    (figure,) = figures_of(report)
    assert figure.suggested_indicator is None
    with pytest.raises(FieldError):
        services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=True)
    for code in ("awareness_rate", "villages_covered"):
        with pytest.raises(FieldError):
            services.figure_review(
                actor=world.office, figure=figure, indicator=indicator(code), accepted=True
            )
    services.figure_review(
        actor=world.office, figure=figure, indicator=indicator("briefings"), accepted=True
    )
    figure.refresh_from_db()
    assert (figure.status, figure.indicator.code) == ("accepted", "briefings")
    services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=False)
    figure.refresh_from_db()
    assert figure.status == "rejected"


def test_an_imported_figure_cannot_be_reviewed_again(world):
    report = upload(world)
    figure = figures_of(report)[0]
    services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=True)
    services.report_import_figures(actor=world.office, report=report, unit=world.township_unit)
    with pytest.raises(DomainError):
        services.figure_review(actor=world.office, figure=figure, indicator=None, accepted=False)


# --- bad input ----------------------------------------------------------------------------


def test_binary_upload_is_refused(world):
    data = bytes(range(256)) * 8
    with pytest.raises(DomainError) as error:
        services.report_upload(
            actor=world.office, campaign=world.campaign, data=data, filename="x.bin"
        )
    assert error.value.code == "binary"
    assert SourceReport.objects.count() == 0


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t  "])
def test_empty_upload_is_refused(world, data):
    with pytest.raises(DomainError) as error:
        services.report_upload(
            actor=world.office, campaign=world.campaign, data=data, filename="a.txt"
        )
    assert error.value.code == "empty"


def test_gb18030_upload_is_read(world):
    text = "截至2024年3月31日，全市懸掛橫幅1260條，發放宣傳單3.8萬份。\n"
    report = services.report_upload(
        actor=world.office,
        campaign=world.campaign,
        data=text.encode("gb18030"),
        filename="報告.txt",
    )
    assert report.text == text
    assert [(f.value, f.measure) for f in figures_of(report)] == [
        (Decimal(1260), "條"),
        (Decimal(38000), "份"),
    ]
    # Traditional script still finds the Simplified indicator.
    assert figures_of(report)[0].suggested_indicator.code == "banners"


def test_a_50_mb_text_is_refused_at_once(world):
    line = "发放宣传单3000张。\n".encode()
    data = line * (50 * 1024 * 1024 // len(line) + 1)
    assert len(data) >= 50 * 1024 * 1024
    with pytest.raises(DomainError) as error:
        services.report_upload(
            actor=world.office, campaign=world.campaign, data=data, filename="big.txt"
        )
    assert error.value.code == "too_large"
    assert SourceReport.objects.count() == 0


def test_figures_are_capped_and_the_report_flagged(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_FIGURES", 5)
    text = "".join(f"第{n}组发放宣传单{n}00张。\n" for n in range(1, 9))
    report = upload(world, text=text)
    assert report.figures.count() == 5
    assert report.figures_truncated


def test_the_same_report_twice_is_refused(world):
    upload(world)
    with pytest.raises(DomainError) as error:
        upload(world)
    assert error.value.code == "duplicate"
    assert SourceReport.objects.count() == 1
