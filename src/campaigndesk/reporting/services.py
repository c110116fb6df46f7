"""Writes on reporting: information items and their review (编辑 → 审核 → 终审), attachments,
leaders' comments, adoptions, false-report flags, commissioned topics and assessment rules.

Every write checks who may do it and from which state, changes the rows in one transaction
and audits the change there; items also get an ``ItemTransition`` row per step.
"""

import contextlib
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.models import OfficeSettings, Role, User
from campaigndesk.accounts.scoping import can_read, is_admin, require_manage
from campaigndesk.campaigns.models import Campaign, CampaignUnit, ScheduleItem
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.ledger.models import EventRecord
from campaigndesk.notifications.models import Notification
from campaigndesk.notifications.services import notify
from campaigndesk.regions.models import Outlet, Unit
from campaigndesk.regions.paths import is_within

from .models import (
    Adoption,
    AssessmentRules,
    Commission,
    InfoItem,
    ItemAttachment,
    ItemState,
    ItemTransition,
    LeaderComment,
    ScoringMode,
)
from .quotas import information_quota, local_date, quota_period_of

Step = ItemTransition.Step

# Which role signs which review step, and the state each step starts from and leads to.
REVIEW_STEPS: dict[str, tuple[str, str, str]] = {
    Step.EDIT: (Role.EDITOR, ItemState.SUBMITTED, ItemState.EDITED),
    Step.REVIEW: (Role.REVIEWER, ItemState.EDITED, ItemState.REVIEWED),
    Step.SIGN_OFF: (Role.APPROVER, ItemState.REVIEWED, ItemState.SIGNED_OFF),
}
REVIEW_ROLES = frozenset(role for role, _from, _to in REVIEW_STEPS.values())
# An item may go back to its unit from any state still under review at the office.
RETURNABLE = frozenset({ItemState.SUBMITTED, ItemState.EDITED, ItemState.REVIEWED})
# Signed-off items stay: they may already sit in a briefing or have been adopted.
WITHDRAWABLE = frozenset(
    {
        ItemState.DRAFT,
        ItemState.SUBMITTED,
        ItemState.EDITED,
        ItemState.REVIEWED,
        ItemState.RETURNED,
    }
)
# States in which the unit still holds the pen.
UNIT_EDITABLE = frozenset({ItemState.DRAFT, ItemState.RETURNED})
ITEM_FIELDS = ("title", "body", "schedule_item", "event", "commission")
# What an item's audit entries show before and after a change.
AUDITED_ITEM_FIELDS = (
    "title",
    "body",
    "state",
    "schedule_item",
    "event",
    "commission",
    "submitted_at",
    "quota_period_start",
    "signed_off_at",
    "false_report",
    "false_report_note",
)

ATTACHMENT_MAX_BYTES_DEFAULT = 20 * 1024 * 1024
_MAGIC = {
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"%PDF-": "pdf",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an Office 97–2003 file must hold (its name as stored, UTF-16LE).
_OLE_STREAMS = {
    "doc": "WordDocument",
    "xls": "Workbook",
    "ppt": "PowerPoint Document",
}
# The part an Office Open XML package must hold, beside [Content_Types].xml.
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}


_replayed_now: ContextVar[datetime.datetime | None] = ContextVar("replayed_now", default=None)


@contextlib.contextmanager
def replaying_history(at: datetime.datetime) -> Iterator[None]:
    """Stamp what the services write inside the block with ``at`` instead of the clock.

    For loading what happened before the office used Campaign Desk (the demo's 2023 items,
    an office's earlier spreadsheet), from the command line only: pages and the API never
    enter it, so a user cannot back-date a submission."""
    token = _replayed_now.set(at)
    try:
        yield
    finally:
        _replayed_now.reset(token)


def _now() -> datetime.datetime:
    """The time services stamp on what they write (tests replace it to fix the clock)."""
    return _replayed_now.get() or timezone.now()


# --- who may do what --------------------------------------------------------------------


def _forbidden(message: str, *, item: InfoItem | None = None, region_path: str = "") -> Forbidden:
    error = Forbidden(message)
    error.region_path = item.region_path if item is not None else region_path  # type: ignore[attr-defined]
    error.object_repr = str(item) if item is not None else ""  # type: ignore[attr-defined]
    return error


def _require_visible(actor, item: InfoItem) -> None:
    """NotFound, as for a missing item, when the actor may not even read the item."""
    if not can_read(actor, region_path=item.region_path, unit_id=item.unit_id):
        raise NotFound()


def _is_unit_reporter(actor, unit_id: int | None) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.has_role(Role.REPORTER)
        and unit_id is not None
        and getattr(actor, "unit_id", None) == unit_id
    )


def _holds_role_over(actor, roles: Iterable[str], region_path: str) -> bool:
    """The actor holds one of ``roles`` at an office whose subtree holds ``region_path``
    (administrators hold every role everywhere)."""
    if is_admin(actor):
        return True
    if actor is None or not actor.is_authenticated or not actor.has_role(*roles):
        return False
    unit = actor.unit
    return bool(unit and region_path and is_within(region_path, unit.region_path))


def _require_unit_writer(actor, item: InfoItem) -> None:
    _require_visible(actor, item)
    if not (is_admin(actor) or _is_unit_reporter(actor, item.unit_id)):
        raise _forbidden(_("Only the unit's reporter may do this."), item=item)


def _require_office(actor, item: InfoItem) -> None:
    _require_visible(actor, item)
    require_manage(actor, region_path=item.region_path, what=str(item))


# --- helpers ----------------------------------------------------------------------------


def _locked(item: InfoItem) -> InfoItem:
    """The item as stored now, locked for the rest of the transaction."""
    try:
        return InfoItem.objects.select_for_update().get(pk=item.pk)
    except InfoItem.DoesNotExist:
        raise NotFound() from None


def _copy_back(target: InfoItem, source: InfoItem) -> None:
    """Let the caller's instance show what was written."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _user_or_none(actor) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _text(field: str, value, *, max_length: int | None = None, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(field, _("Not text: %(value)s") % {"value": value})
    value = value.strip()
    if required and not value:
        raise FieldError(field, _("This field is required."))
    if max_length and len(value) > max_length:
        raise FieldError(
            field,
            _("At most %(n)s characters, not %(len)s.") % {"n": max_length, "len": len(value)},
        )
    return value


def _date(field: str, value) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise FieldError(field, _("A date is required."))
    return value


def _decimal(field: str, value, *, max_digits: int = 7) -> Decimal:
    """A non-negative number with at most two decimal places that fits the column."""
    if isinstance(value, bool) or value is None:
        raise FieldError(field, _("Not a number: %(value)s") % {"value": value})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FieldError(field, _("Not a number: %(value)s") % {"value": value}) from None
    if not number.is_finite():
        raise FieldError(field, _("Not a number: %(value)s") % {"value": value})
    if number < 0:
        raise FieldError(field, _("Must not be negative."))
    if number >= Decimal(10) ** (max_digits - 2):
        raise FieldError(field, _("Too large: %(value)s") % {"value": value})
    exact = number.quantize(Decimal("0.01"))
    if exact != number:
        raise FieldError(field, _("At most %(n)s decimal places.") % {"n": 2})
    return exact


def _unit_reporters(unit_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            unit_id__in=list(unit_ids), role_grants__role=Role.REPORTER, is_active=True
        ).distinct()
    )


def _link(name: str, *args) -> str:
    """The page of an object, if the web app has it (notifications still go without)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _campaign_unit_ids(campaign: Campaign) -> set[int]:
    return set(CampaignUnit.objects.filter(campaign=campaign).values_list("unit_id", flat=True))


def _item_audit(
    actor, action: str, item: InfoItem, *, before=None, extra: dict | None = None
) -> None:
    audit_log(
        actor=actor,
        action=f"reporting.item.{action}",
        obj=item,
        before=before,
        after=snapshot(item, AUDITED_ITEM_FIELDS),
        region_path=item.region_path,
        extra=extra,
    )


# --- file types -------------------------------------------------------------------------


def attachment_max_bytes() -> int:
    return int(getattr(settings, "REPORTING_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES_DEFAULT))


def file_type_of(data: bytes) -> str | None:
    """The type of a file told by its content, not its name: jpeg, png, gif, webp, pdf,
    docx, xlsx, pptx, doc, xls, ppt; None for anything else (a renamed .exe included)."""
    for magic, name in _MAGIC.items():
        if data.startswith(magic):
            return name
    # RIFF also wraps WAV and AVI: only a WebP picture will do.
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            for kind, part in _OOXML_PARTS.items():
                if part in names:
                    return kind
        return None
    if data.startswith(_OLE_MAGIC):
        # Other compound files (.msi installers, .msg mails) hold none of these streams.
        for kind, stream in _OLE_STREAMS.items():
            if stream.encode("utf-16-le") in data:
                return kind
    return None


def _checked_file(field: str, data, name: str, *, what: str) -> tuple[bytes, str, str]:
    """(data, type, clean file name) of an accepted upload, or FieldError."""
    if not isinstance(data, (bytes, bytearray)):
        raise FieldError(field, _("A file is required."))
    data = bytes(data)
    if not data:
        raise FieldError(field, _("The file is empty."))
    limit = attachment_max_bytes()
    if len(data) > limit:
        raise FieldError(
            field,
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)},
        )
    kind = file_type_of(data)
    if kind is None:
        raise FieldError(
            field,
            _("%(what)s must be a picture (JPEG, PNG, GIF, WebP), a PDF or an Office file.")
            % {"what": what},
        )
    clean = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or f"file.{kind}"
    return data, kind, clean[:255]


def attachment_check(*, name: str, data: bytes) -> None:
    """Check a file as ``attachment_add`` would, writing nothing (for a form of several
    files to refuse them all before it saves any). Raises FieldError ("file")."""
    _checked_file("file", data, name, what=_("An attachment"))


def _store(field_file, data: bytes, name: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    field_file.save(f"{digest[:16]}-{name[-80:]}", ContentFile(data), save=False)
    return digest


def _delete_on_commit(field_file) -> None:
    if field_file:
        name, storage = field_file.name, field_file.storage
        # Files are not transactional: remove them only once the deletion is committed.
        transaction.on_commit(lambda: storage.delete(name))


# --- quota periods ----------------------------------------------------------------------


def _quota_period_for(
    campaign: Campaign, today: datetime.date, wanted: datetime.date | None
) -> datetime.date:
    """The period a first submission counts for: today's, or the previous one when named
    while its due date has not passed (periods and due dates as ``quotas`` counts them)."""
    quota = information_quota(campaign)
    current, _end, _due = quota_period_of(quota=quota, day=today)
    if wanted is None or wanted == current:
        return current
    previous, _end, due = quota_period_of(quota=quota, day=current - datetime.timedelta(days=1))
    if wanted == previous:
        if today <= due:
            return previous
        raise FieldError(
            "quota_period_start",
            _("The period starting %(start)s was due on %(due)s; it is too late to count for it.")
            % {"start": previous, "due": due},
        )
    raise FieldError(
        "quota_period_start",
        _(
            "An item counts for the current period (from %(current)s) or, until it is due, the "
            "previous one (from %(previous)s)."
        )
        % {"current": current, "previous": previous},
    )


# --- items ------------------------------------------------------------------------------


def _clean_item_changes(campaign: Campaign, unit_id: int, values: dict) -> dict:
    """Validated values of the item fields given; FieldError names a bad one."""
    unknown = sorted(set(values) - set(ITEM_FIELDS))
    if unknown:
        raise FieldError(unknown[0], _("Unknown field."))
    clean: dict = {}
    if "title" in values:
        clean["title"] = _text("title", values["title"], max_length=200)
    if "body" in values:
        clean["body"] = _text("body", values["body"])
    if "schedule_item" in values:
        schedule_item = values["schedule_item"]
        if schedule_item is not None and (
            not isinstance(schedule_item, ScheduleItem) or schedule_item.campaign_id != campaign.pk
        ):
            raise FieldError("schedule_item", _("The schedule item is not in this campaign."))
        clean["schedule_item"] = schedule_item
    if "event" in values:
        event = values["event"]
        if event is not None and (
            not isinstance(event, EventRecord) or event.campaign_id != campaign.pk
        ):
            raise FieldError("event", _("The event is not in this campaign."))
        clean["event"] = event
    if "commission" in values:
        commission = values["commission"]
        if commission is not None:
            if not isinstance(commission, Commission) or commission.campaign_id != campaign.pk:
                raise FieldError("commission", _("The commissioned topic is not in this campaign."))
            if not commission.units.filter(pk=unit_id).exists():
                raise FieldError(
                    "commission", _("The commissioned topic was not asked of this unit.")
                )
        clean["commission"] = commission
    return clean


@records_denials("reporting.item.create")
def item_create(
    *,
    actor,
    campaign: Campaign,
    title: str,
    body: str,
    unit: Unit | None = None,
    schedule_item: ScheduleItem | None = None,
    event: EventRecord | None = None,
    commission: Commission | None = None,
) -> InfoItem:
    """Create a draft item of a unit (the actor's own by default). Raises Forbidden unless
    the actor is the unit's reporter (or an administrator); FieldError for a unit outside
    the campaign or a bad field."""
    unit = unit if unit is not None else getattr(actor, "unit", None)
    if not isinstance(unit, Unit):
        raise FieldError("unit", _("A unit is required."))
    if not (is_admin(actor) or _is_unit_reporter(actor, unit.pk)):
        raise _forbidden(
            _("You may not report for %(unit)s.") % {"unit": unit}, region_path=unit.region_path
        )
    if unit.pk not in _campaign_unit_ids(campaign):
        raise FieldError("unit", _("%(unit)s takes no part in this campaign.") % {"unit": unit})
    values = _clean_item_changes(
        campaign,
        unit.pk,
        {
            "title": title,
            "body": body,
            "schedule_item": schedule_item,
            "event": event,
            "commission": commission,
        },
    )
    with transaction.atomic():
        item = InfoItem.objects.create(
            campaign=campaign,
            unit=unit,
            region_path=unit.region_path,
            created_by=_user_or_none(actor),
            **values,
        )
        _item_audit(actor, "created", item)
    return item


@records_denials("reporting.item.update")
def item_update(*, actor, item: InfoItem, **changes) -> InfoItem:
    """Change an item's title, body, schedule item, event or commission: the unit's
    reporter while it is a draft or returned, the editor (编辑) while it is submitted.
    Raises NotFound when the actor may not see it, Forbidden when it is not theirs to
    change now, DomainError in other states, FieldError for a bad value."""
    with transaction.atomic():
        fresh = _locked(item)
        _require_visible(actor, fresh)
        if fresh.state in UNIT_EDITABLE:
            _require_unit_writer(actor, fresh)
        elif fresh.state == ItemState.SUBMITTED:
            if not _holds_role_over(actor, [Role.EDITOR], fresh.region_path):
                raise _forbidden(_("Only the editor may change a submitted item."), item=fresh)
        else:
            raise DomainError(
                _("An item that is %(state)s cannot be changed.")
                % {"state": fresh.get_state_display()}
            )
        values = _clean_item_changes(fresh.campaign, fresh.unit_id, changes)
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        for name, value in values.items():
            setattr(fresh, name, value)
        fresh.save()
        _item_audit(actor, "updated", fresh, before=before)
    _copy_back(item, fresh)
    return item


def _transition(
    *,
    actor,
    item: InfoItem,
    step: str,
    to_state: str,
    reason: str = "",
    action: str,
    fresh: InfoItem,
    before: dict,
) -> None:
    """Record a step already checked: save the item, its transition row and the audit."""
    from_state = fresh.state
    fresh.state = to_state
    fresh.save()
    ItemTransition.objects.create(
        item=fresh,
        step=step,
        from_state=from_state,
        to_state=to_state,
        actor=_user_or_none(actor),
        reason=reason,
        at=_now(),
    )
    _item_audit(
        actor,
        action,
        fresh,
        before=before,
        extra={"step": step, "from": from_state, "to": to_state, "reason": reason},
    )


def _refuse_state(item: InfoItem, step: str) -> DomainError:
    return DomainError(
        _("%(step)s is not possible for an item that is %(state)s.")
        % {"step": Step(step).label, "state": item.get_state_display()},
        code="bad_state",
    )


@records_denials("reporting.item.submit")
def item_submit(
    *, actor, item: InfoItem, quota_period_start: datetime.date | None = None
) -> InfoItem:
    """Submit a draft (or resubmit a returned item) to the office. The first submission
    stamps ``submitted_at`` and the quota period (the current one, or the previous one
    while it is not yet due); a resubmission keeps both. Raises NotFound/Forbidden unless
    the actor is the unit's reporter, DomainError from any other state, FieldError for a
    period that may not be named."""
    with transaction.atomic():
        fresh = _locked(item)
        _require_unit_writer(actor, fresh)
        if fresh.state not in UNIT_EDITABLE:
            raise _refuse_state(fresh, Step.SUBMIT)
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        if fresh.state == ItemState.RETURNED:
            step, action = Step.RESUBMIT, "resubmitted"
            if quota_period_start is not None and quota_period_start != fresh.quota_period_start:
                raise FieldError(
                    "quota_period_start",
                    _("A resubmitted item keeps the period of its first submission."),
                )
        else:
            step, action = Step.SUBMIT, "submitted"
            now = _now()
            fresh.quota_period_start = _quota_period_for(
                fresh.campaign, local_date(now), quota_period_start
            )
            fresh.submitted_at = now
        _transition(
            actor=actor,
            item=item,
            step=step,
            to_state=ItemState.SUBMITTED,
            action=action,
            fresh=fresh,
            before=before,
        )
    _copy_back(item, fresh)
    return item


def _same_person_allowed(actor) -> bool:
    unit_id = getattr(actor, "unit_id", None)
    if unit_id is None:
        return False
    return bool(
        OfficeSettings.objects.filter(
            unit_id=unit_id, allow_same_person_multiple_review_steps=True
        ).exists()
    )


def _check_other_steps(actor, item: InfoItem, step: str) -> None:
    """One person signs one step of a review round (since the latest (re)submission),
    unless the actor's office allows more."""
    actor_id = getattr(actor, "pk", None)
    if actor_id is None:  # the system at the command line is not a person
        return
    round_start = (
        item.transitions.filter(step__in=[Step.SUBMIT, Step.RESUBMIT])
        .order_by("-at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    signed = item.transitions.filter(
        step__in=[s for s in REVIEW_STEPS if s != step], actor_id=actor_id
    )
    if round_start is not None:
        signed = signed.filter(id__gt=round_start)
    done = signed.values_list("step", flat=True).first()
    if done is not None and not _same_person_allowed(actor):
        raise DomainError(
            _(
                "You already signed the %(done)s step of this item; another person must sign "
                "%(step)s."
            )
            % {"done": Step(done).label, "step": Step(step).label},
            code="same_person",
        )


def _review_step(
    *, actor, item: InfoItem, step: str, note: str, changes: dict | None = None
) -> InfoItem:
    role, from_state, to_state = REVIEW_STEPS[step]
    with transaction.atomic():
        fresh = _locked(item)
        _require_visible(actor, fresh)
        if not _holds_role_over(actor, [role], fresh.region_path):
            raise _forbidden(
                _("Only the %(role)s of an office over this item may sign this step.")
                % {"role": Role(role).label},
                item=fresh,
            )
        if fresh.state != from_state:
            raise _refuse_state(fresh, step)
        _check_other_steps(actor, fresh, step)
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        for name, value in (changes or {}).items():
            setattr(fresh, name, value)
        if to_state == ItemState.SIGNED_OFF:
            fresh.signed_off_at = _now()
        action = {Step.EDIT: "edited", Step.REVIEW: "reviewed", Step.SIGN_OFF: "signed_off"}[step]
        _transition(
            actor=actor,
            item=item,
            step=step,
            to_state=to_state,
            reason=_text("note", note, required=False),
            action=action,
            fresh=fresh,
            before=before,
        )
    _copy_back(item, fresh)
    return item


@records_denials("reporting.item.edit")
def item_edit(
    *, actor, item: InfoItem, title: str | None = None, body: str | None = None, note: str = ""
) -> InfoItem:
    """The editor's step (编辑): submitted → edited, optionally changing title and body.
    Raises Forbidden without the editor role over the item, DomainError from another
    state or when the actor signed another step of this round."""
    changes = {}
    if title is not None:
        changes["title"] = _text("title", title, max_length=200)
    if body is not None:
        changes["body"] = _text("body", body)
    return _review_step(actor=actor, item=item, step=Step.EDIT, note=note, changes=changes)


@records_denials("reporting.item.review")
def item_review(*, actor, item: InfoItem, note: str = "") -> InfoItem:
    """The reviewer's step (审核): edited → reviewed. Raises as ``item_edit``."""
    return _review_step(actor=actor, item=item, step=Step.REVIEW, note=note)


@records_denials("reporting.item.sign_off")
def item_sign_off(*, actor, item: InfoItem, note: str = "") -> InfoItem:
    """The final approver's step (终审): reviewed → signed off. Raises as ``item_edit``."""
    return _review_step(actor=actor, item=item, step=Step.SIGN_OFF, note=note)


@records_denials("reporting.item.return")
def item_return(*, actor, item: InfoItem, reason: str) -> InfoItem:
    """Return an item under review to its unit with a reason, and tell the unit's reporters.
    Raises FieldError without a reason, Forbidden without an editor, reviewer or approver
    role over the item, DomainError from a state not under review."""
    reason = _text("reason", reason, max_length=2000)
    with transaction.atomic():
        fresh = _locked(item)
        _require_visible(actor, fresh)
        if not _holds_role_over(actor, REVIEW_ROLES, fresh.region_path):
            raise _forbidden(
                _("Only the editor, reviewer or final approver may return an item."), item=fresh
            )
        if fresh.state not in RETURNABLE:
            raise _refuse_state(fresh, Step.RETURN)
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        _transition(
            actor=actor,
            item=item,
            step=Step.RETURN,
            to_state=ItemState.RETURNED,
            reason=reason,
            action="returned",
            fresh=fresh,
            before=before,
        )
        notify(
            users=_unit_reporters([fresh.unit_id]),
            kind=Notification.Kind.ITEM_RETURNED,
            message=_("Returned to your unit: “%(title)s” — %(reason)s")
            % {"title": fresh.title, "reason": reason},
            link=_link("reporting:item", fresh.pk),
        )
    _copy_back(item, fresh)
    return item


@records_denials("reporting.item.withdraw")
def item_withdraw(*, actor, item: InfoItem, reason: str = "") -> InfoItem:
    """The unit takes an item back for good (it no longer counts). Raises NotFound/Forbidden
    unless the actor is the unit's reporter, DomainError once signed off or withdrawn."""
    with transaction.atomic():
        fresh = _locked(item)
        _require_unit_writer(actor, fresh)
        if fresh.state not in WITHDRAWABLE:
            raise _refuse_state(fresh, Step.WITHDRAW)
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        _transition(
            actor=actor,
            item=item,
            step=Step.WITHDRAW,
            to_state=ItemState.WITHDRAWN,
            reason=_text("reason", reason, max_length=2000, required=False),
            action="withdrawn",
            fresh=fresh,
            before=before,
        )
    _copy_back(item, fresh)
    return item


@records_denials("reporting.item.false_report")
def item_flag_false_report(*, actor, item: InfoItem, note: str, is_false: bool = True) -> InfoItem:
    """The office marks a submitted item a false report (虚报, a penalty), or clears the
    mark. Raises Forbidden for anyone but the office over the item, FieldError without a
    note, DomainError for an item never submitted or already so marked."""
    note = _text("note", note, max_length=300)
    with transaction.atomic():
        fresh = _locked(item)
        _require_office(actor, fresh)
        if fresh.submitted_at is None:
            raise DomainError(_("Only a submitted item can be a false report."))
        if fresh.false_report == bool(is_false):
            raise DomainError(
                _("This item is already marked a false report.")
                if is_false
                else _("This item is not marked a false report.")
            )
        before = snapshot(fresh, AUDITED_ITEM_FIELDS)
        fresh.false_report = bool(is_false)
        fresh.false_report_note = note
        fresh.save()
        _item_audit(
            actor,
            "false_report_flagged" if is_false else "false_report_cleared",
            fresh,
            before=before,
        )
    _copy_back(item, fresh)
    return item


# --- attachments ------------------------------------------------------------------------


def _require_attachment_writer(actor, item: InfoItem) -> None:
    """The unit's reporter while it holds the pen; the editor while the item is submitted."""
    _require_visible(actor, item)
    if item.state in UNIT_EDITABLE:
        _require_unit_writer(actor, item)
    elif item.state == ItemState.SUBMITTED and _holds_role_over(
        actor, [Role.EDITOR], item.region_path
    ):
        return
    elif item.state == ItemState.SUBMITTED and _is_unit_reporter(actor, item.unit_id):
        raise DomainError(_("The item is with the office now; ask it to return the item."))
    elif item.state == ItemState.SUBMITTED:
        raise _forbidden(_("Only the unit's reporter may do this."), item=item)
    else:
        raise DomainError(
            _("Attachments of an item that is %(state)s cannot be changed.")
            % {"state": item.get_state_display()}
        )


@records_denials("reporting.attachment.add")
def attachment_add(*, actor, item: InfoItem, name: str, data: bytes) -> ItemAttachment:
    """Attach a picture, PDF or Office file (told by its content; at most
    ``REPORTING_ATTACHMENT_MAX_BYTES``) to an item the unit may still change. Raises
    FieldError for another type, an empty or a larger file; Forbidden/NotFound as
    ``item_update``; DomainError once the item is past the unit."""
    data, kind, clean_name = _checked_file("file", data, name, what=_("An attachment"))
    with transaction.atomic():
        fresh = _locked(item)
        _require_attachment_writer(actor, fresh)
        attachment = ItemAttachment(
            item=fresh,
            original_name=clean_name,
            file_type=kind,
            size=len(data),
            uploaded_by=_user_or_none(actor),
        )
        attachment.sha256 = _store(attachment.file, data, clean_name)
        try:
            attachment.save()
            audit_log(
                actor=actor,
                action="reporting.attachment.added",
                obj=attachment,
                after=snapshot(attachment),
                region_path=fresh.region_path,
            )
        except BaseException:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


@records_denials("reporting.attachment.delete")
def attachment_delete(*, actor, attachment: ItemAttachment) -> None:
    """Remove an attachment (and its file once committed). Raises as ``attachment_add``."""
    with transaction.atomic():
        fresh_item = _locked(attachment.item)
        _require_attachment_writer(actor, fresh_item)
        try:
            fresh = ItemAttachment.objects.get(pk=attachment.pk, item=fresh_item)
        except ItemAttachment.DoesNotExist:
            raise NotFound() from None
        audit_log(
            actor=actor,
            action="reporting.attachment.deleted",
            obj=fresh,
            before=snapshot(fresh),
            region_path=fresh_item.region_path,
        )
        _delete_on_commit(fresh.file)
        fresh.delete()


# --- the office's records on items ------------------------------------------------------


def _require_submitted(item: InfoItem) -> datetime.date:
    if item.submitted_at is None or item.state == ItemState.WITHDRAWN:
        raise DomainError(
            _("An item that is %(state)s cannot have this.") % {"state": item.get_state_display()}
        )
    return local_date(item.submitted_at)


@records_denials("reporting.leader_comment.add")
def leader_comment_add(
    *, actor, item: InfoItem, leader: str, date: datetime.date, comment: str = ""
) -> LeaderComment:
    """Record a leader's written comment (批示) on a submitted item. Raises Forbidden for
    anyone but the office over the item, FieldError without a leader or with a date
    before the item was submitted, DomainError for a draft or withdrawn item."""
    leader = _text("leader", leader, max_length=100)
    date = _date("date", date)
    comment = _text("comment", comment, required=False)
    with transaction.atomic():
        fresh = _locked(item)
        _require_office(actor, fresh)
        submitted_on = _require_submitted(fresh)
        if date < submitted_on:
            raise FieldError(
                "date",
                _("The item was submitted on %(day)s; a comment cannot be older.")
                % {"day": submitted_on},
            )
        row = LeaderComment.objects.create(
            item=fresh,
            leader=leader,
            comment=comment,
            date=date,
            recorded_by=_user_or_none(actor),
        )
        audit_log(
            actor=actor,
            action="reporting.leader_comment.added",
            obj=row,
            after=snapshot(row),
            region_path=fresh.region_path,
        )
    return row


@records_denials("reporting.adoption.create")
def adoption_create(
    *,
    actor,
    item: InfoItem,
    outlet: Outlet,
    date: datetime.date,
    url: str = "",
    is_headline: bool = False,
    proof_name: str = "",
    proof_data: bytes | None = None,
) -> Adoption:
    """Record an outlet's adoption (采用) of a signed-off item, at the outlet's level. An
    adoption dated before the item's submission needs a proof file and is flagged. Raises
    Forbidden for anyone but the office over the item; DomainError for an item not signed
    off or an outlet that already adopted it; FieldError for a bad link, date or proof."""
    if not isinstance(outlet, Outlet):
        raise FieldError("outlet", _("An outlet is required."))
    date = _date("date", date)
    url = _text("url", url, max_length=500, required=False)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise FieldError("url", _("Not a web address: %(url)s") % {"url": url}) from None
    proof = None
    if proof_data:
        proof = _checked_file("proof", proof_data, proof_name, what=_("A proof file"))
    with transaction.atomic():
        fresh = _locked(item)
        _require_office(actor, fresh)
        if fresh.state != ItemState.SIGNED_OFF:
            raise DomainError(
                _("Only a signed-off item can be adopted; this one is %(state)s.")
                % {"state": fresh.get_state_display()},
                code="bad_state",
            )
        if Adoption.objects.filter(item=fresh, outlet=outlet).exists():
            raise DomainError(
                _("%(outlet)s already adopted this item.") % {"outlet": outlet},
                code="duplicate",
            )
        early = date < local_date(fresh.submitted_at)
        if early and proof is None:
            raise FieldError(
                "proof",
                _(
                    "The adoption is dated before the item was submitted (%(day)s); attach a "
                    "proof file."
                )
                % {"day": local_date(fresh.submitted_at)},
            )
        adoption = Adoption(
            item=fresh,
            outlet=outlet,
            level=outlet.level,
            date=date,
            url=url,
            is_headline=bool(is_headline),
            flagged_early=early,
            recorded_by=_user_or_none(actor),
        )
        if proof is not None:
            data, _kind, name = proof
            adoption.proof_name = name
            adoption.proof_sha256 = _store(adoption.proof, data, name)
        try:
            try:
                with transaction.atomic():
                    adoption.save()
            except IntegrityError:
                # Another request recorded the same outlet meanwhile.
                raise DomainError(
                    _("%(outlet)s already adopted this item.") % {"outlet": outlet},
                    code="duplicate",
                ) from None
            audit_log(
                actor=actor,
                action="reporting.adoption.created",
                obj=adoption,
                after=snapshot(adoption),
                region_path=fresh.region_path,
                extra={"flagged_early": early} if early else None,
            )
            notify(
                users=_unit_reporters([fresh.unit_id]),
                kind=Notification.Kind.ITEM_ADOPTED,
                message=_("“%(title)s” was adopted by %(outlet)s.")
                % {"title": fresh.title, "outlet": outlet},
                link=_link("reporting:item", fresh.pk),
            )
        except BaseException:
            if adoption.proof:
                adoption.proof.storage.delete(adoption.proof.name)
            raise
    return adoption


@records_denials("reporting.adoption.delete")
def adoption_delete(*, actor, adoption: Adoption, reason: str) -> None:
    """Delete an adoption recorded in error (issued bulletins keep what they showed).
    Raises FieldError without a reason, Forbidden for anyone but the office over it."""
    reason = _text("reason", reason, max_length=2000)
    with transaction.atomic():
        fresh_item = _locked(adoption.item)
        _require_office(actor, fresh_item)
        try:
            fresh = Adoption.objects.get(pk=adoption.pk)
        except Adoption.DoesNotExist:
            raise NotFound() from None
        audit_log(
            actor=actor,
            action="reporting.adoption.deleted",
            obj=fresh,
            before=snapshot(fresh),
            region_path=fresh_item.region_path,
            extra={"reason": reason},
        )
        _delete_on_commit(fresh.proof)
        fresh.delete()


# --- commissioned topics ----------------------------------------------------------------


@records_denials("reporting.commission.create")
def commission_create(
    *,
    actor,
    campaign: Campaign,
    theme: str,
    due_date: datetime.date,
    units: Iterable[Unit],
    description: str = "",
    count_per_unit: int = 1,
) -> Commission:
    """Ask named units of the campaign for items on a theme by a date (约稿) and tell their
    reporters. Raises Forbidden for anyone but the office over the campaign, FieldError
    for no units, a unit outside the campaign or the office's region, or a bad count."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    theme = _text("theme", theme, max_length=200)
    description = _text("description", description, required=False)
    due_date = _date("due_date", due_date)
    if isinstance(count_per_unit, bool) or not isinstance(count_per_unit, int):
        raise FieldError(
            "count_per_unit", _("Not a whole number: %(value)s") % {"value": count_per_unit}
        )
    if not 1 <= count_per_unit <= 1000:
        raise FieldError("count_per_unit", _("Ask for between 1 and 1000 items."))
    units = list(dict.fromkeys(units))
    if not units:
        raise FieldError("units", _("Name at least one unit."))
    linked = _campaign_unit_ids(campaign)
    for unit in units:
        if not isinstance(unit, Unit) or unit.pk not in linked:
            raise FieldError(
                "units", _("%(unit)s takes no part in this campaign.") % {"unit": unit}
            )
    with transaction.atomic():
        commission = Commission.objects.create(
            campaign=campaign,
            theme=theme,
            description=description,
            due_date=due_date,
            count_per_unit=count_per_unit,
            created_by=_user_or_none(actor),
        )
        commission.units.set(units)
        audit_log(
            actor=actor,
            action="reporting.commission.created",
            obj=commission,
            after={**snapshot(commission), "units": sorted(u.pk for u in units)},
            region_path=campaign.region_path,
        )
        notify(
            users=_unit_reporters(u.pk for u in units),
            kind=Notification.Kind.COMMISSION,
            message=_("Commissioned topic “%(theme)s”: %(count)s item(s) due by %(due)s.")
            % {"theme": theme, "count": count_per_unit, "due": due_date},
            link=_link("reporting:commission_detail", commission.pk),
            dedupe_key=f"commission:{commission.pk}",
        )
    return commission


# --- assessment rules -------------------------------------------------------------------


@records_denials("reporting.rules.create")
def rules_create(
    *,
    actor,
    campaign: Campaign,
    valid_from: datetime.date,
    points_central,
    points_provincial,
    points_municipal,
    points_county,
    points_township=0,
    scoring_mode: str = ScoringMode.HIGHEST_ONCE,
    headline_multiplier=1,
    leader_comment_bonus=0,
    missing_quota_penalty=0,
    false_report_penalty=0,
    base_points=0,
    note: str = "",
) -> AssessmentRules:
    """Add the next version of the campaign's assessment rules, in force from
    ``valid_from`` (earlier versions stay for the periods they govern). Raises Forbidden
    for anyone but the office over the campaign, FieldError for a bad value."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    valid_from = _date("valid_from", valid_from)
    if scoring_mode not in ScoringMode.values:
        raise FieldError("scoring_mode", _("Unknown kind: %(value)s") % {"value": scoring_mode})
    values = {
        name: _decimal(name, value, max_digits=5 if name == "headline_multiplier" else 7)
        for name, value in (
            ("points_central", points_central),
            ("points_provincial", points_provincial),
            ("points_municipal", points_municipal),
            ("points_county", points_county),
            ("points_township", points_township),
            ("headline_multiplier", headline_multiplier),
            ("leader_comment_bonus", leader_comment_bonus),
            ("missing_quota_penalty", missing_quota_penalty),
            ("false_report_penalty", false_report_penalty),
            ("base_points", base_points),
        )
    }
    note = _text("note", note, max_length=300, required=False)
    with transaction.atomic():
        # Lock the campaign so two offices saving at once get versions n and n + 1.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        latest = AssessmentRules.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"]
        rules = AssessmentRules.objects.create(
            campaign=campaign,
            valid_from=valid_from,
            version=(latest or 0) + 1,
            scoring_mode=scoring_mode,
            note=note,
            created_by=_user_or_none(actor),
            **values,
        )
        audit_log(
            actor=actor,
            action="reporting.rules.created",
            obj=rules,
            after=snapshot(rules),
            region_path=campaign.region_path,
        )
    return rules
