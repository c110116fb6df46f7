"""Factories for reporting tests: raw rows (fast, no checks) and helpers that drive an item
through the real services to a state, at a frozen service clock.

Raw factories (``InfoItemFactory``, ``AdoptionFactory``, ...) write rows directly: use them
where a test needs many rows in a known shape (scoring, bulletins). The ``*_item`` helpers
go through ``reporting.services`` so transitions, audit entries and quota periods are the
services' own. ``reporting_clock(when)`` fixes the time those services read.

Typical use, on top of the ``world`` fixture::

    with reporting_clock(local(2024, 3, 4, 10)):
        item = submitted_item(world)             # by world.reporter, township_unit
    item = signed_off_item(world, at=local(2024, 3, 6))
    adoption = AdoptionFactory(item=item, outlet=OutletFactory(level=2), date=...)
"""

import contextlib
import datetime
import io
import zipfile
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import factory

from campaigndesk.accounts.models import Role, RoleGrant, User
from campaigndesk.campaigns.models import QuotaTarget
from campaigndesk.regions.models import Unit
from campaigndesk.reporting import services
from campaigndesk.reporting.models import (
    Adoption,
    AssessmentRules,
    Commission,
    InfoItem,
    ItemState,
    LeaderComment,
    ScoringMode,
)

from ..factories import OutletFactory, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = [
    "AdoptionFactory",
    "AssessmentRulesFactory",
    "CommissionFactory",
    "InfoItemFactory",
    "LeaderCommentFactory",
    "OutletFactory",
    "QuotaTargetFactory",
    "docx_bytes",
    "exe_bytes",
    "gif_bytes",
    "grant",
    "jpeg_bytes",
    "local",
    "ole_bytes",
    "pdf_bytes",
    "png_bytes",
    "reporter_for",
    "reporting_clock",
    "reporting_rows",
    "signed_off_item",
    "submitted_item",
    "xlsx_bytes",
]


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime in Asia/Shanghai (the project's time zone)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@contextlib.contextmanager
def reporting_clock(when: datetime.datetime):
    """Within the block, reporting services believe it is ``when`` (aware datetime)."""
    with mock.patch.object(services, "_now", lambda: when):
        yield


def reporter_for(unit: Unit) -> User:
    """The (one) reporter of ``unit``, created on first use as ``reporter_<unit id>``."""
    existing = User.objects.filter(unit=unit, role_grants__role=Role.REPORTER).first()
    if existing is not None:
        return existing
    return make_user(f"reporter_{unit.pk}", unit, Role.REPORTER)


def _staff(world, role: str) -> User:
    return {Role.EDITOR: world.editor, Role.REVIEWER: world.reviewer}.get(role, world.approver)


# --- raw rows ---------------------------------------------------------------------------


class InfoItemFactory(factory.django.DjangoModelFactory):
    """A raw item row (no transitions, no audit): set state, submitted_at and
    quota_period_start yourself."""

    class Meta:
        model = InfoItem

    campaign = None
    unit = None
    region_path = factory.LazyAttribute(lambda o: o.unit.region_path)
    title = factory.Sequence(lambda n: f"信息{n}")
    body = "正文"
    state = ItemState.DRAFT


class AdoptionFactory(factory.django.DjangoModelFactory):
    """A raw adoption row; the level is copied from the outlet as the service does."""

    class Meta:
        model = Adoption

    item = None
    outlet = factory.SubFactory(OutletFactory)
    level = factory.LazyAttribute(lambda o: o.outlet.level)
    date = datetime.date(2024, 3, 10)
    is_headline = False


class LeaderCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderComment

    item = None
    leader = "李书记"
    comment = "写得好"
    date = datetime.date(2024, 3, 12)


class AssessmentRulesFactory(factory.django.DjangoModelFactory):
    """A raw rules row: city 4, province 6, central 20, county 2 unless told otherwise;
    version counts up per campaign."""

    class Meta:
        model = AssessmentRules

    campaign = None
    valid_from = datetime.date(2024, 1, 1)
    version = factory.LazyAttribute(
        lambda o: (
            (
                AssessmentRules.objects.filter(campaign=o.campaign)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            )
            + 1
        )
    )
    points_central = Decimal("20")
    points_provincial = Decimal("6")
    points_municipal = Decimal("4")
    points_county = Decimal("2")
    points_township = Decimal("0")
    scoring_mode = ScoringMode.HIGHEST_ONCE


class CommissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commission
        skip_postgeneration_save = True

    campaign = None
    theme = factory.Sequence(lambda n: f"约稿主题{n}")
    due_date = datetime.date(2024, 3, 20)
    count_per_unit = 1

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class QuotaTargetFactory(factory.django.DjangoModelFactory):
    """An information quota: 3 a month, due by the 5th of the next month, by default."""

    class Meta:
        model = QuotaTarget

    campaign = None
    item_kind = QuotaTarget.ItemKind.INFORMATION
    count = 3
    period = QuotaTarget.Period.MONTH
    due_day = 5


# --- items through the services ---------------------------------------------------------


def submitted_item(
    world,
    *,
    unit: Unit | None = None,
    campaign=None,
    title: str = "",
    body: str = "正文",
    at: datetime.datetime | None = None,
    quota_period_start: datetime.date | None = None,
    **fields,
) -> InfoItem:
    """An item created and submitted by the unit's reporter (``world.reporter`` for the
    township unit), at ``at`` (default: 2024-03-04 10:00 Shanghai)."""
    unit = unit or world.township_unit
    reporter = world.reporter if unit == world.township_unit else reporter_for(unit)
    with reporting_clock(at or local(2024, 3, 4)):
        item = services.item_create(
            actor=reporter,
            campaign=campaign or world.campaign,
            title=title or f"{unit.name}的信息",
            body=body,
            **fields,
        )
        return services.item_submit(
            actor=reporter, item=item, quota_period_start=quota_period_start
        )


def signed_off_item(
    world, *, at: datetime.datetime | None = None, signed_at=None, **kwargs
) -> InfoItem:
    """An item submitted (at ``at``) and taken through 编辑 → 审核 → 终审 by
    world.editor, world.reviewer and world.approver (at ``signed_at``, default ``at``)."""
    item = submitted_item(world, at=at, **kwargs)
    with reporting_clock(signed_at or at or local(2024, 3, 4)):
        services.item_edit(actor=world.editor, item=item)
        services.item_review(actor=world.reviewer, item=item)
        services.item_sign_off(actor=world.approver, item=item)
    return item


# --- file contents ----------------------------------------------------------------------


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def gif_bytes() -> bytes:
    return b"GIF89a" + b"\x00" * 40


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def _ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _ooxml("word/document.xml")


def xlsx_bytes() -> bytes:
    return _ooxml("xl/workbook.xml")


def ole_bytes(stream: str = "WordDocument") -> bytes:
    """An OLE2 compound file naming one stream (WordDocument: .doc, Workbook: .xls)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + stream.encode("utf-16-le") + b"\x00" * 64


def exe_bytes() -> bytes:
    """A Windows executable's first bytes (what a renamed .exe starts with)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def grant(user: User, *roles: str) -> User:
    """Give ``user`` more roles (clearing its cached role set)."""
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=r) for r in roles)
    user._role_cache = None
    return user


def reporting_rows(world) -> None:
    """At least one row of every reporting model (and a notification), for tests that open
    every model's pages (the read-only admin): an item signed off through the services
    with an attachment row (no file is written), a leader's comment and an adoption, a
    commission, rules, and a draft briefing and bulletin."""
    from campaigndesk.reporting.models import Briefing, BriefingItem, Bulletin, ItemAttachment

    with reporting_clock(local(2024, 3, 4)):
        item = services.item_create(
            actor=world.reporter, campaign=world.campaign, title="鹿城镇集中宣讲", body="正文"
        )
        # A row only: callers need not point MEDIA_ROOT at a temporary directory.
        ItemAttachment.objects.create(
            item=item,
            file="reporting/none/现场.png",
            original_name="现场.png",
            file_type="png",
            sha256="0" * 64,
            size=56,
        )
        services.item_submit(actor=world.reporter, item=item)
        services.item_edit(actor=world.editor, item=item)
        services.item_review(actor=world.reviewer, item=item)
        services.item_sign_off(actor=world.approver, item=item)
    services.leader_comment_add(
        actor=world.office, item=item, leader="州委书记", date=datetime.date(2024, 3, 12)
    )
    services.adoption_create(
        actor=world.office, item=item, outlet=OutletFactory(level=2), date=datetime.date(2024, 3, 8)
    )
    CommissionFactory(campaign=world.campaign, units=[world.township_unit])
    AssessmentRulesFactory(campaign=world.campaign)
    common = {
        "campaign": world.campaign,
        "office": world.office_unit,
        "region_path": world.office_unit.region_path,
        "year": 2024,
    }
    briefing = Briefing.objects.create(title="工作简报", **common)
    BriefingItem.objects.create(briefing=briefing, item=item)
    Bulletin.objects.create(title="3月通报", period_start=datetime.date(2024, 3, 1), **common)
