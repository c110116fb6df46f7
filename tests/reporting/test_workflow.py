"""The review workflow of information items: every transition allowed and refused, the
return → resubmit cycle, one person per step, scoping, the audit trail, quota periods."""

import datetime

import pytest

from campaigndesk.accounts.models import AuditEntry, OfficeSettings, Role
from campaigndesk.campaigns.models import QuotaTarget
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.notifications.models import Notification
from campaigndesk.reporting import selectors, services
from campaigndesk.reporting.models import InfoItem, ItemState, ItemTransition

from ..factories import CampaignFactory, make_user
from .factories import (
    InfoItemFactory,
    QuotaTargetFactory,
    grant,
    local,
    reporting_clock,
    submitted_item,
)

S = ItemState
Step = ItemTransition.Step

# action → (states it may start from, state it leads to, transition step, audit action)
ALLOWED = {
    "submit": ({S.DRAFT: Step.SUBMIT, S.RETURNED: Step.RESUBMIT}, S.SUBMITTED),
    "edit": ({S.SUBMITTED: Step.EDIT}, S.EDITED),
    "review": ({S.EDITED: Step.REVIEW}, S.REVIEWED),
    "sign_off": ({S.REVIEWED: Step.SIGN_OFF}, S.SIGNED_OFF),
    "return": (
        {S.SUBMITTED: Step.RETURN, S.EDITED: Step.RETURN, S.REVIEWED: Step.RETURN},
        S.RETURNED,
    ),
    "withdraw": (
        {s: Step.WITHDRAW for s in (S.DRAFT, S.SUBMITTED, S.EDITED, S.REVIEWED, S.RETURNED)},
        S.WITHDRAWN,
    ),
}
AUDIT_ACTION = {
    Step.SUBMIT: "reporting.item.submitted",
    Step.RESUBMIT: "reporting.item.resubmitted",
    Step.EDIT: "reporting.item.edited",
    Step.REVIEW: "reporting.item.reviewed",
    Step.SIGN_OFF: "reporting.item.signed_off",
    Step.RETURN: "reporting.item.returned",
    Step.WITHDRAW: "reporting.item.withdrawn",
}


def act(world, action: str, item: InfoItem):
    """Perform ``action`` on ``item`` as the user whose job it is."""
    calls = {
        "submit": lambda: services.item_submit(actor=world.reporter, item=item),
        "edit": lambda: services.item_edit(actor=world.editor, item=item),
        "review": lambda: services.item_review(actor=world.reviewer, item=item),
        "sign_off": lambda: services.item_sign_off(actor=world.approver, item=item),
        "return": lambda: services.item_return(actor=world.editor, item=item, reason="请补充数据"),
        "withdraw": lambda: services.item_withdraw(actor=world.reporter, item=item, reason="重复"),
    }
    return calls[action]()


def raw_item(world, state: str) -> InfoItem:
    submitted = state != S.DRAFT
    return InfoItemFactory(
        campaign=world.campaign,
        unit=world.township_unit,
        state=state,
        submitted_at=local(2024, 3, 4) if submitted else None,
        quota_period_start=datetime.date(2024, 3, 1) if submitted else None,
    )


def state_of(item: InfoItem) -> str:
    return InfoItem.objects.values_list("state", flat=True).get(pk=item.pk)


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("state", list(S))
def test_every_transition_is_allowed_or_refused(world, state, action):
    starts, to_state = ALLOWED[action]
    item = raw_item(world, state)
    audit_before = AuditEntry.objects.count()
    if state in starts:
        with reporting_clock(local(2024, 3, 5)):
            act(world, action, item)
        assert state_of(item) == to_state
        assert item.state == to_state  # the caller's instance shows it too
        transition = ItemTransition.objects.get(item=item)
        assert (transition.step, transition.from_state, transition.to_state) == (
            starts[state],
            state,
            to_state,
        )
        entry = AuditEntry.objects.get(action=AUDIT_ACTION[starts[state]], object_id=str(item.pk))
        assert entry.before["state"] == state and entry.after["state"] == to_state
        assert entry.region_path == world.township_unit.region_path
    else:
        with pytest.raises(DomainError) as raised:
            act(world, action, item)
        assert type(raised.value) is DomainError
        assert "not possible for an item that is" in str(raised.value)
        assert state_of(item) == state
        assert not ItemTransition.objects.filter(item=item).exists()
        assert AuditEntry.objects.count() == audit_before


def test_a_full_review_is_recorded_step_by_step(world):
    with reporting_clock(local(2024, 3, 4, 9)):
        item = services.item_create(
            actor=world.reporter, campaign=world.campaign, title=" 鹿城镇开展宣讲 ", body="正文"
        )
        assert (item.state, item.unit, item.region_path, item.title) == (
            S.DRAFT,
            world.township_unit,
            world.township_unit.region_path,
            "鹿城镇开展宣讲",
        )
        services.item_submit(actor=world.reporter, item=item)
    with reporting_clock(local(2024, 3, 5)):
        services.item_edit(actor=world.editor, item=item, title="鹿城镇开展集中宣讲", note="改标题")
        services.item_review(actor=world.reviewer, item=item)
    with reporting_clock(local(2024, 3, 6, 16)):
        services.item_sign_off(actor=world.approver, item=item, note="同意")
    item.refresh_from_db()
    assert item.state == S.SIGNED_OFF
    assert item.title == "鹿城镇开展集中宣讲"
    assert item.submitted_at == local(2024, 3, 4, 9)
    assert item.signed_off_at == local(2024, 3, 6, 16)
    assert item.quota_period_start == datetime.date(2024, 3, 1)
    steps = list(
        selectors.item_timeline(item=item).values_list("step", "actor__username", "reason")
    )
    assert steps == [
        (Step.SUBMIT, "reporter", ""),
        (Step.EDIT, "editor", "改标题"),
        (Step.REVIEW, "reviewer", ""),
        (Step.SIGN_OFF, "approver", "同意"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="reporting.infoitem", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("reporting.item.created", "reporter"),
        ("reporting.item.submitted", "reporter"),
        ("reporting.item.edited", "editor"),
        ("reporting.item.reviewed", "reviewer"),
        ("reporting.item.signed_off", "approver"),
    ]
    edited = AuditEntry.objects.get(action="reporting.item.edited")
    assert (edited.before["title"], edited.after["title"]) == (
        "鹿城镇开展宣讲",
        "鹿城镇开展集中宣讲",
    )


def test_return_with_reason_then_resubmit_starts_the_steps_over(world):
    item = submitted_item(world, at=local(2024, 3, 4))
    services.item_edit(actor=world.editor, item=item)
    services.item_review(actor=world.reviewer, item=item)
    services.item_return(actor=world.approver, item=item, reason="数据需核实")
    assert state_of(item) == S.RETURNED
    ret = ItemTransition.objects.get(item=item, step=Step.RETURN)
    assert (ret.from_state, ret.reason, ret.actor) == (S.REVIEWED, "数据需核实", world.approver)
    entry = AuditEntry.objects.get(action="reporting.item.returned")
    assert entry.extra["reason"] == "数据需核实" and entry.actor == world.approver
    note = Notification.objects.get(user=world.reporter)
    assert note.kind == Notification.Kind.ITEM_RETURNED and "数据需核实" in note.message

    services.item_update(actor=world.reporter, item=item, body="核实后的正文")
    with reporting_clock(local(2024, 4, 8)):  # a month later: the first submission stays
        services.item_submit(actor=world.reporter, item=item)
    item.refresh_from_db()
    assert (item.state, item.body) == (S.SUBMITTED, "核实后的正文")
    assert item.submitted_at == local(2024, 3, 4)
    assert item.quota_period_start == datetime.date(2024, 3, 1)
    assert AuditEntry.objects.filter(action="reporting.item.resubmitted").count() == 1

    # The same people sign the same steps again in the new round.
    services.item_edit(actor=world.editor, item=item)
    services.item_review(actor=world.reviewer, item=item)
    services.item_sign_off(actor=world.approver, item=item)
    assert state_of(item) == S.SIGNED_OFF
    assert list(item.transitions.values_list("step", flat=True)) == [
        Step.SUBMIT,
        Step.EDIT,
        Step.REVIEW,
        Step.RETURN,
        Step.RESUBMIT,
        Step.EDIT,
        Step.REVIEW,
        Step.SIGN_OFF,
    ]


def test_a_resubmission_may_not_move_the_period(world):
    item = submitted_item(world, at=local(2024, 3, 4))
    services.item_return(actor=world.editor, item=item, reason="补充")
    with pytest.raises(FieldError) as raised:
        services.item_submit(
            actor=world.reporter, item=item, quota_period_start=datetime.date(2024, 4, 1)
        )
    assert raised.value.field == "quota_period_start"
    assert state_of(item) == S.RETURNED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_return_needs_a_reason(world, reason):
    item = submitted_item(world)
    with pytest.raises(FieldError) as raised:
        services.item_return(actor=world.editor, item=item, reason=reason)
    assert raised.value.field == "reason"
    assert state_of(item) == S.SUBMITTED
    assert not Notification.objects.exists()


def test_one_person_may_not_sign_two_steps(world):
    grant(world.editor, Role.REVIEWER, Role.APPROVER)
    item = submitted_item(world)
    services.item_edit(actor=world.editor, item=item)
    with pytest.raises(DomainError) as raised:
        services.item_review(actor=world.editor, item=item)
    assert raised.value.code == "same_person"
    assert "another person must sign" in str(raised.value)
    assert state_of(item) == S.EDITED
    services.item_review(actor=world.reviewer, item=item)
    with pytest.raises(DomainError):
        services.item_sign_off(actor=world.editor, item=item)
    assert state_of(item) == S.REVIEWED
    # Returning is no signature: the editor may still send it back.
    services.item_return(actor=world.editor, item=item, reason="再改")
    assert state_of(item) == S.RETURNED


def test_a_new_round_frees_a_person_for_another_step(world):
    grant(world.editor, Role.REVIEWER)
    item = submitted_item(world)
    services.item_edit(actor=world.editor, item=item)
    services.item_return(actor=world.reviewer, item=item, reason="补图")
    services.item_submit(actor=world.reporter, item=item)
    second_editor = make_user("editor2", world.office_unit, Role.EDITOR)
    services.item_edit(actor=second_editor, item=item)
    services.item_review(actor=world.editor, item=item)  # edited only in the first round
    assert state_of(item) == S.REVIEWED


def test_the_office_may_allow_one_person_several_steps(world):
    OfficeSettings.objects.create(
        unit=world.office_unit, allow_same_person_multiple_review_steps=True
    )
    grant(world.editor, Role.REVIEWER, Role.APPROVER)
    item = submitted_item(world)
    services.item_edit(actor=world.editor, item=item)
    services.item_review(actor=world.editor, item=item)
    services.item_sign_off(actor=world.editor, item=item)
    assert state_of(item) == S.SIGNED_OFF


# --- who may do what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action", "error"),
    [
        ("other_reporter", "submit", NotFound),
        ("other_reporter", "withdraw", NotFound),
        ("other_office", "edit", NotFound),
        ("other_office", "return", NotFound),
        ("observer", "edit", Forbidden),
        ("observer", "return", Forbidden),
        ("observer", "withdraw", Forbidden),
        ("office", "edit", Forbidden),  # the office role alone signs no step
        ("reporter", "edit", Forbidden),
        ("editor", "review", Forbidden),
        ("reviewer", "sign_off", Forbidden),
        ("approver", "edit", Forbidden),
        ("editor", "withdraw", Forbidden),
    ],
)
def test_scoping_refuses_with_nothing_changed(world, role, action, error):
    state = {
        "submit": S.DRAFT,
        "withdraw": S.SUBMITTED,
        "edit": S.SUBMITTED,
        "return": S.SUBMITTED,
        "review": S.EDITED,
        "sign_off": S.REVIEWED,
    }[action]
    item = raw_item(world, state)
    actor = world.user(role)
    calls = {
        "submit": lambda: services.item_submit(actor=actor, item=item),
        "withdraw": lambda: services.item_withdraw(actor=actor, item=item),
        "edit": lambda: services.item_edit(actor=actor, item=item),
        "review": lambda: services.item_review(actor=actor, item=item),
        "sign_off": lambda: services.item_sign_off(actor=actor, item=item),
        "return": lambda: services.item_return(actor=actor, item=item, reason="x"),
    }
    with pytest.raises(error):
        calls[action]()
    assert state_of(item) == state
    assert not ItemTransition.objects.filter(item=item).exists()
    denied = AuditEntry.objects.filter(outcome=AuditEntry.Outcome.DENIED, actor=actor)
    # Forbidden attempts stay on record; a NotFound says nothing, not even to the trail.
    assert denied.count() == (1 if error is Forbidden else 0)


def test_an_editor_of_another_county_cannot_see_the_item(world):
    outsider = make_user("editor_sb", world.other_county_office_unit, Role.EDITOR)
    item = raw_item(world, S.SUBMITTED)
    with pytest.raises(NotFound):
        services.item_edit(actor=outsider, item=item)
    with pytest.raises(NotFound):
        selectors.access_item(actor=outsider, id=item.pk)
    assert state_of(item) == S.SUBMITTED


def test_an_administrator_may_sign_steps(world):
    item = raw_item(world, S.SUBMITTED)
    services.item_edit(actor=world.admin, item=item)
    assert state_of(item) == S.EDITED


def test_reads_are_scoped(world):
    mine = raw_item(world, S.SUBMITTED)
    county = InfoItemFactory(campaign=world.campaign, unit=world.county_unit, state=S.DRAFT)
    other_campaign = world.other_campaign
    theirs = InfoItemFactory(
        campaign=other_campaign, unit=world.other_township_unit, state=S.SUBMITTED
    )

    def ids(actor, **kw):
        return set(selectors.item_list(actor=actor, **kw).values_list("pk", flat=True))

    assert ids(world.reporter) == {mine.pk}
    assert ids(world.other_reporter) == {theirs.pk}
    assert ids(world.observer) == {mine.pk, county.pk, theirs.pk}  # the prefecture's subtree
    assert ids(world.other_office) == {theirs.pk}
    assert ids(world.admin, campaign=world.campaign) == {mine.pk, county.pk}
    assert ids(world.observer, state=S.DRAFT) == {county.pk}
    assert selectors.access_item(actor=world.observer, id=mine.pk) == mine
    for actor in (world.other_reporter, world.other_office):
        with pytest.raises(NotFound):
            selectors.access_item(actor=actor, id=mine.pk)
    with pytest.raises(NotFound):
        selectors.access_item(actor=world.reporter, id=county.pk)  # another unit's
    with pytest.raises(NotFound):
        selectors.access_item(actor=world.reporter, id=999999)


def test_review_queues_per_step(world):
    waiting = {state: raw_item(world, state) for state in (S.SUBMITTED, S.EDITED, S.REVIEWED)}
    raw_item(world, S.DRAFT)
    raw_item(world, S.SIGNED_OFF)
    for step, role, state in [
        ("edit", "editor", S.SUBMITTED),
        ("review", "reviewer", S.EDITED),
        ("sign_off", "approver", S.REVIEWED),
    ]:
        queue = selectors.review_queue(actor=world.user(role), step=step)
        assert list(queue) == [waiting[state]]
    assert not selectors.review_queue(actor=world.office, step="edit").exists()
    assert not selectors.review_queue(actor=world.reviewer, step="edit").exists()
    outsider = make_user("editor_sb", world.other_county_office_unit, Role.EDITOR)
    assert not selectors.review_queue(actor=outsider, step="edit").exists()
    with pytest.raises(FieldError):
        selectors.review_queue(actor=world.editor, step="publish")


# --- creating and changing items --------------------------------------------------------


def test_a_reporter_writes_only_for_its_unit(world):
    with pytest.raises(Forbidden):
        services.item_create(
            actor=world.reporter,
            campaign=world.campaign,
            unit=world.county_unit,
            title="t",
            body="b",
        )
    with pytest.raises(FieldError) as raised:  # its unit takes no part in the campaign
        services.item_create(
            actor=world.other_reporter, campaign=world.campaign, title="t", body="b"
        )
    assert raised.value.field == "unit"
    with pytest.raises(Forbidden):
        services.item_create(actor=world.office, campaign=world.campaign, title="t", body="b")
    assert not InfoItem.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"body": "  "}, "body"),
        ({"state": "signed_off"}, "state"),
    ],
)
def test_bad_item_values_are_refused(world, changes, field):
    item = services.item_create(actor=world.reporter, campaign=world.campaign, title="t", body="b")
    with pytest.raises(FieldError) as raised:
        services.item_update(actor=world.reporter, item=item, **changes)
    assert raised.value.field == field
    item.refresh_from_db()
    assert (item.title, item.body, item.state) == ("t", "b", S.DRAFT)


def test_links_must_belong_to_the_campaign(world):
    from campaigndesk.campaigns.models import ScheduleItem

    foreign = ScheduleItem.objects.create(
        campaign=world.other_campaign,
        seq=1,
        theme="主题",
        window_start=datetime.date(2024, 3, 1),
        window_end=datetime.date(2024, 3, 31),
    )
    with pytest.raises(FieldError) as raised:
        services.item_create(
            actor=world.reporter,
            campaign=world.campaign,
            title="t",
            body="b",
            schedule_item=foreign,
        )
    assert raised.value.field == "schedule_item"
    own = ScheduleItem.objects.create(
        campaign=world.campaign,
        seq=1,
        theme="主题",
        window_start=datetime.date(2024, 3, 1),
        window_end=datetime.date(2024, 3, 31),
    )
    item = services.item_create(
        actor=world.reporter, campaign=world.campaign, title="t", body="b", schedule_item=own
    )
    assert item.schedule_item == own


def test_who_may_change_an_item_depends_on_its_state(world):
    item = services.item_create(actor=world.reporter, campaign=world.campaign, title="t", body="b")
    services.item_update(actor=world.reporter, item=item, title="t2")
    with pytest.raises(Forbidden):
        services.item_update(actor=world.editor, item=item, title="x")  # still the unit's
    services.item_submit(actor=world.reporter, item=item)
    with pytest.raises(Forbidden):
        services.item_update(actor=world.reporter, item=item, title="x")  # with the office
    services.item_update(actor=world.editor, item=item, body="编辑改过")
    services.item_edit(actor=world.editor, item=item)
    with pytest.raises(DomainError):
        services.item_update(actor=world.editor, item=item, title="x")
    item.refresh_from_db()
    assert (item.title, item.body) == ("t2", "编辑改过")
    assert AuditEntry.objects.filter(action="reporting.item.updated").count() == 2


def test_false_reports_are_flagged_by_the_office(world):
    item = submitted_item(world)
    with pytest.raises(Forbidden):
        services.item_flag_false_report(actor=world.observer, item=item, note="虚报")
    with pytest.raises(FieldError):
        services.item_flag_false_report(actor=world.office, item=item, note="")
    services.item_flag_false_report(actor=world.office, item=item, note="数字不实")
    item.refresh_from_db()
    assert (item.false_report, item.false_report_note) == (True, "数字不实")
    with pytest.raises(DomainError):
        services.item_flag_false_report(actor=world.office, item=item, note="again")
    services.item_flag_false_report(actor=world.office, item=item, note="核实无误", is_false=False)
    item.refresh_from_db()
    assert item.false_report is False
    assert list(
        AuditEntry.objects.filter(
            action__startswith="reporting.item.false_report", outcome=AuditEntry.Outcome.DONE
        )
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reporting.item.false_report_flagged", "reporting.item.false_report_cleared"]
    draft = raw_item(world, S.DRAFT)
    with pytest.raises(DomainError):
        services.item_flag_false_report(actor=world.office, item=draft, note="x")


# --- quota periods on first submission --------------------------------------------------


def test_the_period_is_the_local_month_of_the_first_submission(world):
    # 20:30 UTC on 29 February is 04:30 on 1 March in Chuxiong.
    moment = datetime.datetime(2024, 2, 29, 20, 30, tzinfo=datetime.UTC)
    item = submitted_item(world, at=moment)
    assert item.quota_period_start == datetime.date(2024, 3, 1)


def test_the_previous_month_may_be_named_until_it_is_due(world):
    QuotaTargetFactory(campaign=world.campaign, count=3, due_day=5)
    item = submitted_item(
        world, at=local(2024, 3, 5, 23), quota_period_start=datetime.date(2024, 2, 1)
    )
    assert item.quota_period_start == datetime.date(2024, 2, 1)
    with pytest.raises(FieldError) as raised:
        submitted_item(
            world, at=local(2024, 3, 6, 0, 5), quota_period_start=datetime.date(2024, 2, 1)
        )
    assert raised.value.field == "quota_period_start"
    with pytest.raises(FieldError):  # two months back is never allowed
        submitted_item(world, at=local(2024, 3, 2), quota_period_start=datetime.date(2024, 1, 1))
    # Nothing was submitted by the refused attempts (their drafts stay drafts).
    assert InfoItem.objects.filter(state=S.SUBMITTED).count() == 1


def test_a_weekly_quota_counts_from_monday(world):
    QuotaTargetFactory(campaign=world.campaign, period=QuotaTarget.Period.WEEK, count=1, due_day=1)
    item = submitted_item(world, at=local(2024, 3, 7))  # a Thursday
    assert item.quota_period_start == datetime.date(2024, 3, 4)
    # Monday 11 March: last week (due Monday, its last day Sunday + 1) may still be named.
    late = submitted_item(
        world, at=local(2024, 3, 11), quota_period_start=datetime.date(2024, 3, 4)
    )
    assert late.quota_period_start == datetime.date(2024, 3, 4)


def test_withdrawn_items_cannot_come_back(world):
    item = submitted_item(world)
    services.item_withdraw(actor=world.reporter, item=item, reason="重复报送")
    assert ItemTransition.objects.get(item=item, step=Step.WITHDRAW).reason == "重复报送"
    for action in ALLOWED:
        with pytest.raises(DomainError):
            act(world, action, item)
    assert state_of(item) == S.WITHDRAWN


def test_items_of_another_campaign_stay_apart(world):
    # A second campaign over the same county keeps its own items apart.
    other = CampaignFactory(lead_unit=world.county_unit, units=[world.township_unit])
    a = submitted_item(world, campaign=other)
    assert set(
        selectors.item_list(actor=world.reporter, campaign=other).values_list("pk", flat=True)
    ) == {a.pk}


def test_a_unit_sees_drafts_first_then_the_latest_submitted(world):
    early = submitted_item(world, at=local(2024, 3, 2))
    late = submitted_item(world, at=local(2024, 3, 9))
    draft = services.item_create(actor=world.reporter, campaign=world.campaign, title="t", body="b")
    assert list(selectors.item_list(actor=world.reporter)) == [draft, late, early]
