"""The Django admin is read-only: every Campaign Desk model can be listed and opened by a
superuser, and nothing can be added, changed or deleted there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group

from campaigndesk.accounts.models import OfficeSettings, Role
from campaigndesk.common.admin import ReadOnlyAdminMixin
from campaigndesk.regions.models import UnitAlias

from ..collection.helpers import collection_rows
from ..documents.helpers import matrix_report
from ..factories import OutletFactory, make_user
from ..reporting.factories import reporting_rows


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("campaigndesk.")]


def admin_url(model, view: str, *args) -> str:
    from django.urls import reverse

    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def root(client, plan, world):
    """A superuser signed in, and at least one row of every model."""
    OfficeSettings.objects.create(unit=world.office_unit)
    UnitAlias.objects.create(unit=world.county_unit, alias="市融媒", alias_key="市融媒")
    outlet = OutletFactory(unit=world.county_unit, region=world.county)
    _ledger_rows(world, outlet)
    collection_rows(world)
    matrix_report(world)
    _api_token(world)
    reporting_rows(world)
    user = make_user("root", None, Role.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def _ledger_rows(world, outlet):
    """One row of every ledger model (records through the services, so facts exist)."""
    import datetime

    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger import services as ledger
    from campaigndesk.ledger.models import ExportTemplate, ImportBatch, ImportedUpdate, Indicator

    campaign, day = world.campaign, datetime.date(2024, 3, 1)
    common = {"actor": SYSTEM, "campaign": campaign, "unit": world.county_unit, "date": day}
    event = ledger.record_create(
        record_kind="event", kind="lecture", sessions=2, participants=80, **common
    ).record
    ledger.record_create(record_kind="output", outlet=outlet, kind="video", title="t", **common)
    ledger.record_create(record_kind="material", kind="banner", quantity=5, **common)
    ledger.record_create(
        record_kind="figure", indicator=Indicator.objects.get(code="views"), value=10, **common
    )
    ledger.evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=b"%PDF-1.4 sign-in sheet",
        filename="sheet.pdf",
        evidence_kind="sign_in",
    )
    ledger.period_lock(
        actor=SYSTEM,
        campaign=campaign,
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 1, 31),
    )
    batch = ImportBatch.objects.create(
        campaign=campaign, kind="event", filename="f.csv", sha256="0" * 64
    )
    ImportedUpdate.objects.create(
        batch=batch, record_kind="event", record_id=event.pk, before={}, written_at=event.updated_at
    )
    ExportTemplate.objects.create(
        campaign=campaign, name="上级模板", filename="t.xlsx", workbook=b"PK", sha256="1" * 64
    )


def _api_token(world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.accounts.tokens import api_token_create

    api_token_create(actor=SYSTEM, user=world.office, name="报表同步")


def test_every_project_model_is_registered_read_only():
    unregistered = [m.__name__ for m in project_models() if m not in admin.site._registry]
    assert not unregistered, f"register these in their app's admin.py: {unregistered}"
    writable = [
        m.__name__
        for m in project_models()
        if not isinstance(admin.site._registry[m], ReadOnlyAdminMixin)
    ]
    assert not writable, f"use common.admin.ReadOnlyAdmin for: {writable}"
    assert Group not in admin.site._registry
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            if inline.__module__.startswith("campaigndesk."):
                assert issubclass(inline, ReadOnlyAdminMixin), inline


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m.__name__)
def test_model_pages_are_read_only(root, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the fixture has no {model.__name__} to open"
    count = model._default_manager.count()

    assert root.get(admin_url(model, "changelist")).status_code == 200
    assert root.get(admin_url(model, "change", obj.pk)).status_code == 200  # view only
    assert root.get(admin_url(model, "add")).status_code == 403
    assert root.post(admin_url(model, "add"), {}).status_code == 403
    assert root.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert root.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    response = root.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert model._default_manager.count() == count
    assert response.status_code in (200, 302)  # the action is not offered; nothing happens


def test_user_page_shows_roles_not_the_password(root, world):
    from campaigndesk.accounts.models import User

    body = root.get(admin_url(User, "change", world.office.pk)).content.decode()
    assert "Office" in body
    assert world.office.password not in body
    listing = root.get(admin_url(User, "changelist")).content.decode()
    assert "Final approver" in listing


def test_staff_with_the_admin_role_reads_without_model_permissions(client, plan, world):
    from campaigndesk.campaigns.models import Campaign

    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    client.force_login(world.admin)
    assert client.get("/admin/").status_code == 200
    assert client.get(admin_url(Campaign, "changelist")).status_code == 200
    assert client.get(admin_url(Campaign, "change", plan.campaign.pk)).status_code == 200
    assert client.post(admin_url(Campaign, "change", plan.campaign.pk), {}).status_code == 403
    assert client.get(admin_url(Campaign, "add")).status_code == 403


def test_staff_without_the_admin_role_sees_nothing(client, world):
    from campaigndesk.campaigns.models import Campaign

    world.office.is_staff = True
    world.office.save(update_fields=["is_staff"])
    client.force_login(world.office)
    assert client.get(admin_url(Campaign, "changelist")).status_code == 403
