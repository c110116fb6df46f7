"""Assessment rules are data with versions: each change is a new version, and the rules in
force for a period are the latest version valid from its first day or before."""

import datetime
from decimal import Decimal

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import FieldError, Forbidden
from campaigndesk.reporting import selectors, services
from campaigndesk.reporting.models import AssessmentRules, ScoringMode

POINTS = {
    "points_central": 20,
    "points_provincial": 6,
    "points_municipal": 4,
    "points_county": 2,
}


def make(world, valid_from, **extra):
    return services.rules_create(
        actor=world.office, campaign=world.campaign, valid_from=valid_from, **{**POINTS, **extra}
    )


def test_each_change_is_a_new_version(world):
    first = make(world, datetime.date(2024, 1, 1), headline_multiplier="2", note="年初")
    second = make(
        world,
        datetime.date(2024, 3, 1),
        points_municipal="5.50",
        scoring_mode=ScoringMode.PER_ADOPTION,
        leader_comment_bonus=5,
        missing_quota_penalty=2,
        false_report_penalty=10,
        base_points="1.25",
    )
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.points_municipal == Decimal("4.00")  # the old version stays as it was
    assert first.headline_multiplier == Decimal("2.00")
    assert second.points_municipal == Decimal("5.50")
    assert second.scoring_mode == ScoringMode.PER_ADOPTION
    assert (
        second.leader_comment_bonus,
        second.missing_quota_penalty,
        second.false_report_penalty,
        second.base_points,
        second.points_township,
    ) == (Decimal("5"), Decimal("2"), Decimal("10"), Decimal("1.25"), Decimal("0"))
    entries = AuditEntry.objects.filter(action="reporting.rules.created").order_by("id")
    assert [e.after["version"] for e in entries] == [1, 2]
    assert entries[1].after["points_municipal"] == "5.50"
    assert entries[0].actor == world.office


def test_versions_count_per_campaign(world):
    make(world, datetime.date(2024, 1, 1))
    other = services.rules_create(
        actor=world.other_office,
        campaign=world.other_campaign,
        valid_from=datetime.date(2024, 1, 1),
        **POINTS,
    )
    assert other.version == 1


def test_rules_in_force_pick_by_valid_from(world):
    jan = make(world, datetime.date(2024, 1, 1))
    mar = make(world, datetime.date(2024, 3, 1))
    feb = make(world, datetime.date(2024, 2, 1))  # added later, for an earlier period
    mar_fix = make(world, datetime.date(2024, 3, 1), points_central=25)
    assert (jan.version, mar.version, feb.version, mar_fix.version) == (1, 2, 3, 4)

    def in_force(day):
        return selectors.rules_in_force(campaign=world.campaign, on=day)

    assert in_force(datetime.date(2023, 12, 1)) is None
    assert in_force(datetime.date(2024, 1, 1)) == jan
    assert in_force(datetime.date(2024, 2, 1)) == feb
    assert in_force(datetime.date(2024, 3, 1)) == mar_fix  # same date: the higher version
    assert in_force(datetime.date(2024, 12, 1)) == mar_fix
    assert (
        selectors.rules_in_force(campaign=world.other_campaign, on=datetime.date(2024, 3, 1))
        is None
    )


def test_rules_list_is_scoped(world):
    make(world, datetime.date(2024, 1, 1))
    make(world, datetime.date(2024, 3, 1))
    versions = list(
        selectors.rules_list(actor=world.reporter, campaign=world.campaign).values_list(
            "version", flat=True
        )
    )
    assert versions == [2, 1]
    assert not selectors.rules_list(actor=world.other_reporter, campaign=world.campaign).exists()
    assert not selectors.rules_list(actor=world.other_office, campaign=world.campaign).exists()


@pytest.mark.parametrize("role", ["observer", "reporter", "editor", "approver", "other_office"])
def test_only_the_office_sets_rules(world, role):
    with pytest.raises(Forbidden):
        services.rules_create(
            actor=world.user(role),
            campaign=world.campaign,
            valid_from=datetime.date(2024, 1, 1),
            **POINTS,
        )
    assert not AssessmentRules.objects.exists()
    assert (
        AuditEntry.objects.filter(
            action="reporting.rules.create", outcome=AuditEntry.Outcome.DENIED
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"points_central": -1}, "points_central"),
        ({"points_provincial": "6.005"}, "points_provincial"),
        ({"points_county": "two"}, "points_county"),
        ({"points_municipal": None}, "points_municipal"),
        ({"headline_multiplier": 1000}, "headline_multiplier"),
        ({"base_points": True}, "base_points"),
        ({"scoring_mode": "best_of_three"}, "scoring_mode"),
        ({"valid_from": "2024-01-01"}, "valid_from"),
    ],
)
def test_bad_values_are_refused(world, changes, field):
    values = {"valid_from": datetime.date(2024, 1, 1), **POINTS, **changes}
    with pytest.raises(FieldError) as raised:
        services.rules_create(actor=world.office, campaign=world.campaign, **values)
    assert raised.value.field == field
    assert not AssessmentRules.objects.exists()
