"""Ledger records for the API tests, written through the ledger services as SYSTEM."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger import services
from campaigndesk.ledger.models import Indicator

from ..factories import OutletFactory

D = datetime.date
# The smallest bytes the evidence service takes for a PNG (it checks the signature).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def png(name: str = "sign-in.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def outlet(**extra):
    values = {"name": "楚雄日报", "channel": "newspaper", "level": 3, **extra}
    return OutletFactory(**values)


def output(world, *, unit=None, outlet_=None, **extra):
    values = {
        "unit": unit or world.township_unit,
        "outlet": outlet_ or outlet(),
        "kind": "article",
        "title": "鹿城镇开展政策宣讲",
        "date": D(2024, 2, 10),
        **extra,
    }
    return services.record_create(
        actor=SYSTEM, campaign=world.campaign, record_kind="output", **values
    ).record


def material(world, *, unit=None, **extra):
    values = {
        "unit": unit or world.township_unit,
        "kind": "banner",
        "quantity": Decimal(1800),
        "measure_word": "条",
        "date": D(2024, 2, 12),
        **extra,
    }
    return services.record_create(
        actor=SYSTEM, campaign=world.campaign, record_kind="material", **values
    ).record


def event(world, *, unit=None, **extra):
    values = {
        "unit": unit or world.township_unit,
        "kind": "lecture",
        "sessions": 12,
        "participants": 860,
        "date": D(2024, 2, 15),
        **extra,
    }
    return services.record_create(
        actor=SYSTEM, campaign=world.campaign, record_kind="event", **values
    ).record


def figure(world, *, unit=None, code="leaflets", **extra):
    values = {
        "unit": unit or world.county_unit,
        "indicator": Indicator.objects.get(code=code),
        "value": Decimal(176128),
        "approx": "more",
        "date": D(2024, 2, 20),
        **extra,
    }
    return services.record_create(
        actor=SYSTEM, campaign=world.campaign, record_kind="figure", **values
    ).record


def flagged_output(world):
    """An output flagged as a duplicate of another (the same link)."""
    first = output(world, url="https://example.org/a")
    second = output(world, outlet_=first.outlet, title="另一个标题", url="https://example.org/a")
    assert second.status == "duplicate"
    return second


def evidence(world, record=None, record_kind="event"):
    record = record or event(world)
    return services.evidence_add(
        actor=SYSTEM,
        record_kind=record_kind,
        record=record,
        data=PNG,
        filename="sign-in.png",
        evidence_kind="sign_in",
    )


def lock(world):
    """January 2024 locked."""
    return services.period_lock(
        actor=SYSTEM,
        campaign=world.campaign,
        start=D(2024, 1, 1),
        end=D(2024, 1, 31),
        reason="一月通报",
    )


# The URL segment of each record kind.
PLURALS = ("outputs", "materials", "events", "figures")


def materials_csv(world, name: str = "宣传品.csv") -> SimpleUploadedFile:
    """A one-row import file of materials for the township unit."""
    lines = [
        "单位,行政区划代码,日期,类型,数量,量词",
        f"{world.township_unit.name},,2024-02-01,横幅,5,条",
    ]
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def import_batch(world):
    from campaigndesk.ledger.io.imports import ledger_import

    return ledger_import(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="material",
        source=materials_csv(world).read(),
        filename="宣传品.csv",
    ).batch


def collection_task(world):
    """A weekly task (lectures, participants) to the township and county units, with its
    first round (16–22 November 2024, due Friday 17:00)."""
    from campaigndesk.collection import services as collection

    task = collection.task_create(
        actor=SYSTEM,
        campaign=world.campaign,
        title="移民政策宣讲周调度",
        indicators=Indicator.objects.filter(code__in=["lectures", "event_participants"]),
        units=[world.township_unit, world.county_unit],
        recurrence="weekly",
        first_period_start=D(2024, 11, 16),
        due_weekday=4,
        due_time=datetime.time(17, 0),
    )
    (round_,) = collection.rounds_ensure(task=task, until=D(2024, 11, 20))
    return task, round_


def report_workbook(*, with_towns: bool = True) -> bytes:
    """A superior's .xlsx form: totals on 报表 (C3 lectures, C4 participants, C5 banners)
    and, unless left out, a 分镇 sheet for one township's figure."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "报表"
    sheet["A1"] = "宣传工作进度表"
    sheet["A3"], sheet["A4"], sheet["A5"] = "宣讲场次", "参与人次", "横幅"
    sheet["C6"] = "=C3+C5"
    if with_towns:
        workbook.create_sheet("分镇")["A2"] = "鹿城镇宣讲"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Cells of ``report_workbook``, as an API client sends them.
REPORT_MAPPING = [
    {"cell": "C3", "indicator": "lectures"},
    {"cell": "报表!C4", "indicator": "event_participants"},
    {"cell": "C5", "indicator": "banners", "filters": {"kind": "material:横幅"}},
    {"cell": "分镇!B2", "indicator": "lectures", "group": {"township": "532301001"}},
]


def xlsx_upload(data: bytes | None = None, name: str = "州报表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        report_workbook() if data is None else data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_template(world, *, campaign=None):
    """The office's template for the world's campaign (``REPORT_MAPPING``)."""
    from campaigndesk.ledger.io.mapping import export_template_create

    return export_template_create(
        actor=SYSTEM,
        name="州宣传进度表",
        data=report_workbook(),
        filename="州报表.xlsx",
        mapping=REPORT_MAPPING,
        campaign=campaign or world.campaign,
    )
