"""Commissioned topics (约稿): the office asks named units for items by a date; each unit
sees what it still owes."""

import datetime

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import FieldError, Forbidden
from campaigndesk.notifications.models import Notification
from campaigndesk.reporting import selectors, services
from campaigndesk.reporting.models import Commission

from .factories import local, reporter_for, submitted_item

DUE = datetime.date(2024, 3, 20)


@pytest.fixture
def commission(world):
    return services.commission_create(
        actor=world.office,
        campaign=world.campaign,
        theme="库区移民新生活",
        due_date=DUE,
        units=[world.township_unit, world.county_unit],
        count_per_unit=2,
        description="每单位两篇",
    )


def test_a_commission_names_units_and_tells_their_reporters(world, commission):
    county_reporter = reporter_for(world.county_unit)
    assert set(commission.units.all()) == {world.township_unit, world.county_unit}
    assert (commission.theme, commission.due_date, commission.count_per_unit) == (
        "库区移民新生活",
        DUE,
        2,
    )
    notes = Notification.objects.filter(kind=Notification.Kind.COMMISSION)
    # The county unit's reporter did not exist yet when it was asked.
    assert [n.user for n in notes] == [world.reporter]
    assert county_reporter.notifications.count() == 0
    assert "库区移民新生活" in notes[0].message
    entry = AuditEntry.objects.get(action="reporting.commission.created")
    assert sorted(entry.after["units"]) == sorted([world.township_unit.pk, world.county_unit.pk])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"units": []}, "units"),
        ({"theme": ""}, "theme"),
        ({"count_per_unit": 0}, "count_per_unit"),
        ({"count_per_unit": "2"}, "count_per_unit"),
        ({"due_date": None}, "due_date"),
    ],
)
def test_bad_commissions_are_refused(world, changes, field):
    values = {
        "campaign": world.campaign,
        "theme": "主题",
        "due_date": DUE,
        "units": [world.township_unit],
        **changes,
    }
    with pytest.raises(FieldError) as raised:
        services.commission_create(actor=world.office, **values)
    assert raised.value.field == field
    assert not Commission.objects.exists()


def test_only_units_of_the_campaign_may_be_asked(world):
    with pytest.raises(FieldError) as raised:
        services.commission_create(
            actor=world.office,
            campaign=world.campaign,
            theme="主题",
            due_date=DUE,
            units=[world.township_unit, world.other_township_unit],
        )
    assert "takes no part" in str(raised.value)
    assert not Commission.objects.exists()


@pytest.mark.parametrize("role", ["observer", "reporter", "editor", "other_office"])
def test_only_the_office_commissions(world, role):
    with pytest.raises(Forbidden):
        services.commission_create(
            actor=world.user(role),
            campaign=world.campaign,
            theme="主题",
            due_date=DUE,
            units=[world.township_unit],
        )
    assert not Commission.objects.exists()


def test_an_item_answers_a_commission_asked_of_its_unit(world, commission):
    item = submitted_item(world, commission=commission)
    assert item.commission == commission
    only_county = services.commission_create(
        actor=world.office,
        campaign=world.campaign,
        theme="县城新貌",
        due_date=DUE,
        units=[world.county_unit],
    )
    with pytest.raises(FieldError) as raised:
        services.item_create(
            actor=world.reporter,
            campaign=world.campaign,
            title="t",
            body="b",
            commission=only_county,
        )
    assert raised.value.field == "commission"


def owed(actor):
    return [
        (row.commission.theme, row.unit.name, row.owed, row.delivered, row.late)
        for row in selectors.commissions_owed(actor=actor)
    ]


def test_what_each_unit_owes(world, commission):
    # Township: one on time, one late (after the 20th), one withdrawn: owes 1.
    submitted_item(world, commission=commission, at=local(2024, 3, 10))
    submitted_item(world, commission=commission, at=local(2024, 3, 21))
    withdrawn = submitted_item(world, commission=commission, at=local(2024, 3, 11))
    services.item_withdraw(actor=world.reporter, item=withdrawn)
    # County: two on time (the second at 23:30 on the due day, Shanghai time): owes none.
    submitted_item(world, unit=world.county_unit, commission=commission, at=local(2024, 3, 12))
    submitted_item(
        world, unit=world.county_unit, commission=commission, at=local(2024, 3, 20, 23, 30)
    )

    township = ("库区移民新生活", "鹿城镇人民政府", 1, 1, 1)
    assert owed(world.reporter) == [township]
    assert owed(world.office) == [township]
    assert owed(world.observer) == [township]
    assert owed(reporter_for(world.county_unit)) == []
    assert owed(world.other_reporter) == []
    assert owed(world.other_office) == []


def test_a_false_report_does_not_deliver(world, commission):
    item = submitted_item(world, commission=commission, at=local(2024, 3, 10))
    services.item_flag_false_report(actor=world.office, item=item, note="不实")
    assert owed(world.reporter) == [("库区移民新生活", "鹿城镇人民政府", 2, 0, 0)]


def test_commission_lists_are_scoped(world, commission):
    assert list(selectors.commission_list(actor=world.reporter)) == [commission]
    assert list(selectors.commission_list(actor=world.observer)) == [commission]
    assert list(selectors.commission_list(actor=world.other_reporter)) == []
    assert list(selectors.commission_list(actor=world.other_office)) == []
    assert selectors.access_commission(actor=world.reporter, id=commission.pk) == commission
