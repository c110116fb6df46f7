"""Briefings (工作简报) and monthly bulletins (月度通报): drafts, issuing, corrections.

Issuing numbers the document per issuing office and year (第N期 = issued of that kind
for the office in the year + 1; 总第N期 over all years), freezes everything it shows in
``snapshot`` and stores the .docx (and for a bulletin the .xlsx) rendered from that
snapshot, with their sha256. An issued document is never written again: a correction is a
new issue whose ``corrects`` names the old one, which stays as it was. Regenerating renders
the stored snapshot again, never the live data.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.models import Role, User
from campaigndesk.accounts.scoping import can_read, is_admin, read_scope, require_manage
from campaigndesk.campaigns.models import Campaign, CampaignUnit, QuotaTarget
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.notifications.models import Notification
from campaigndesk.notifications.services import notify
from campaigndesk.regions.models import Unit
from campaigndesk.regions.paths import subtree_q

from . import rendering
from .models import Briefing, BriefingItem, Bulletin, InfoItem, IssueState, ItemState
from .quotas import information_quota, month_end, month_start
from .scoring import bulletin_compute, rules_as_dict, rules_in_force

DEFAULT_BRIEFING_TITLE = "工作简报"
HEADER_FIELDS = ("title", "signer", "report_to", "send_to", "distribute_to", "copies")
BULLETIN_FIELDS = (*HEADER_FIELDS, "period_start")
BRIEFING_FIELDS = (*HEADER_FIELDS, "items")

Document = Briefing | Bulletin
_KIND = {Briefing: "briefing", Bulletin: "bulletin"}


# ---------------------------------------------------------------- reads


def _document_q(actor) -> Q:
    """Documents the actor may read: an office (or editor, observer ...) those issued by an
    office in its subtree or about a campaign in it; a reporter the issued ones of the
    campaigns its unit takes part in."""
    scope = read_scope(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.subtree_path is not None:
        q |= subtree_q("region_path", scope.subtree_path)
        q |= subtree_q("campaign__region_path", scope.subtree_path)
    if scope.unit_id is not None:
        q |= Q(
            state=IssueState.ISSUED,
            campaign_id__in=CampaignUnit.objects.filter(unit_id=scope.unit_id).values(
                "campaign_id"
            ),
        )
    return q


def bulletin_list(*, actor, campaign: Campaign | None = None) -> QuerySet[Bulletin]:
    """The bulletins the actor may read, latest month first."""
    qs = Bulletin.objects.filter(_document_q(actor)).select_related("campaign", "office")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-period_start", "-issued_at", "-id")


def briefing_list(*, actor, campaign: Campaign | None = None) -> QuerySet[Briefing]:
    """The briefings the actor may read, newest first (drafts after issued ones)."""
    qs = Briefing.objects.filter(_document_q(actor)).select_related("campaign", "office")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-year", "-number", "-id")


def access_bulletin(*, actor, id: int) -> Bulletin:
    """The bulletin, or NotFound alike when missing and when not visible to the actor."""
    try:
        return bulletin_list(actor=actor).get(pk=id)
    except (Bulletin.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_briefing(*, actor, id: int) -> Briefing:
    """The briefing, or NotFound alike when missing and when not visible to the actor."""
    try:
        return briefing_list(actor=actor).get(pk=id)
    except (Briefing.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# ---------------------------------------------------------------- shared helpers


def _kind_name(document: Document) -> str:
    return _("bulletin") if isinstance(document, Bulletin) else _("briefing")


def _forbidden(message: str, *, region_path: str, what: str) -> Forbidden:
    error = Forbidden(message)
    error.region_path = region_path  # type: ignore[attr-defined]
    error.object_repr = what  # type: ignore[attr-defined]
    return error


def _issuing_office(actor, *, campaign: Campaign, office: Unit | None, what: str) -> Unit:
    """The office that issues a new document: the actor's own unit (an administrator or
    the command line names one). Raises Forbidden unless the actor manages the campaign's
    region, FieldError when no office is known."""
    require_manage(actor, region_path=campaign.region_path, what=what)
    if office is None:
        office = getattr(actor, "unit", None)
    if office is None:
        raise FieldError("office", _("Name the office that issues it."))
    if not is_admin(actor) and office.pk != actor.unit_id:
        raise _forbidden(
            _("An office issues documents in its own name only."),
            region_path=office.region_path,
            what=what,
        )
    return office


def _locked_draft(document: Document) -> Document:
    """The document re-read under a row lock; DomainError if it has been issued."""
    fresh = type(document).objects.select_for_update().get(pk=document.pk)
    if fresh.state != IssueState.DRAFT:
        raise DomainError(
            _("An issued %(kind)s cannot be changed; issue a correction.")
            % {"kind": _kind_name(fresh)},
            code="issued",
        )
    return fresh


def _check_header(changes: dict) -> None:
    if "title" in changes and not str(changes["title"] or "").strip():
        raise FieldError("title", _("A title is required."))
    copies = changes.get("copies")
    if copies is not None and (not isinstance(copies, int) or copies < 0):
        raise FieldError("copies", _("The number of copies must be a whole number."))
    for name in ("signer", "report_to", "send_to", "distribute_to"):
        if name in changes and changes[name] is None:
            changes[name] = ""


def _corrects_dict(document: Document) -> dict | None:
    old = document.corrects
    if old is None:
        return None
    return {"year": old.year, "number": old.number, "title": old.title}


def _header(document: Document, kind: str) -> dict:
    return {
        "kind": kind,
        "title": document.title,
        "campaign": {"id": document.campaign_id, "name": document.campaign.name},
        "office": document.office.name,
        "year": document.year,
        "number": document.number,
        "total_number": document.total_number,
        "issue_date": document.issue_date.isoformat() if document.issue_date else None,
        "signer": document.signer,
        "report_to": document.report_to,
        "send_to": document.send_to,
        "distribute_to": document.distribute_to,
        "copies": document.copies,
        "corrects": _corrects_dict(document),
    }


def _as_json(data: dict) -> dict:
    """``data`` as the JSON field gives it back, so that issuing renders exactly what a
    later regeneration will read."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def _number(document: Document, issue_date: datetime.date) -> None:
    """Set year, 第N期 and 总第N期 for the document's office (serialised on the office row
    so that two issues at once cannot take one number)."""
    Unit.objects.select_for_update().filter(pk=document.office_id).first()
    issued = type(document).objects.filter(office_id=document.office_id, state=IssueState.ISSUED)
    document.year = issue_date.year
    document.number = issued.filter(year=issue_date.year).count() + 1
    document.total_number = issued.count() + 1
    document.issue_date = issue_date


def _issue(
    document: Document,
    *,
    actor,
    files: dict[str, Callable[[dict], bytes]],
    action: str,
    after_extra: dict,
    before: dict,
) -> None:
    """Render the numbered document's snapshot into each file field of ``files`` (field →
    renderer), store it with its sha256, mark the document issued, audit ``action`` and
    notify the units' reporters. Stored files are deleted again if anything fails, since
    the rolled-back row would no longer name them."""
    saved: list = []
    stem = f"{_KIND[type(document)]}-{document.office_id}-{document.year}-{document.number:03d}"
    try:
        for field, render in files.items():
            data = render(document.snapshot)
            getattr(document, field).save(f"{stem}.{field}", ContentFile(data), save=False)
            saved.append(getattr(document, field))
            setattr(document, f"{field}_sha256", hashlib.sha256(data).hexdigest())
        document.state = IssueState.ISSUED
        document.issued_by = actor if getattr(actor, "pk", None) else None
        document.issued_at = timezone.now()
        document.save()
        audit_log(
            actor=actor,
            action=action,
            obj=document,
            before=before,
            after={
                "year": document.year,
                "number": document.number,
                "total_number": document.total_number,
                "issue_date": document.issue_date,
                **after_extra,
                **{f"{field}_sha256": getattr(document, f"{field}_sha256") for field in files},
            },
            region_path=document.region_path,
        )
    except BaseException:
        for file in saved:
            file.storage.delete(file.name)
        raise
    _notify_issued(document)


def _link(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _reporters(unit_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(
        unit_id__in=list(unit_ids), role_grants__role=Role.REPORTER, is_active=True
    ).distinct()


def _check_correctable(document: Document) -> None:
    if document.state != IssueState.ISSUED:
        raise DomainError(_("Only an issued document can be corrected."), code="not_issued")
    newer = type(document).objects.filter(corrects=document, state=IssueState.ISSUED)
    if newer.exists():
        raise DomainError(
            _("This issue has already been corrected; correct the latest issue instead."),
            code="superseded",
        )


def _draft_to_change(actor, document: Document, changes: dict, fields: tuple) -> Document:
    """The draft re-read under lock, once the actor may manage it and ``changes`` name only
    ``fields`` with good header values. Raises Forbidden, DomainError or FieldError."""
    require_manage(actor, region_path=document.region_path, what=str(document))
    document = _locked_draft(document)
    unknown = set(changes) - set(fields)
    if unknown:
        raise FieldError(sorted(unknown)[0], _("This field cannot be changed."))
    _check_header(changes)
    return document


def _delete_draft(actor, document: Document, *, action: str) -> None:
    """Delete a draft, audited as ``action``. Raises DomainError once issued, Forbidden
    unless an office over it."""
    require_manage(actor, region_path=document.region_path, what=str(document))
    document = _locked_draft(document)
    audit_log(
        actor=actor,
        action=action,
        obj=document,
        before=snapshot(document),
        region_path=document.region_path,
    )
    document.delete()


def _start_correction(actor, document: Document, *, action: str, **fields) -> Document:
    """A new draft of the same kind copying the issued document's header (plus ``fields``)
    with ``corrects`` = it, audited as ``action``. Raises Forbidden unless an office over
    it, DomainError unless it is issued and not already corrected."""
    require_manage(actor, region_path=document.region_path, what=str(document))
    _check_correctable(document)
    office = _issuing_office(
        actor, campaign=document.campaign, office=document.office, what=str(document)
    )
    correction = type(document).objects.create(
        campaign=document.campaign,
        office=office,
        region_path=office.region_path,
        corrects=document,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
        **{name: getattr(document, name) for name in HEADER_FIELDS},
    )
    audit_log(
        actor=actor,
        action=action,
        obj=correction,
        after=snapshot(correction),
        region_path=correction.region_path,
        extra={"corrects": document.pk},
    )
    return correction


def _issue_date(issue_date: datetime.date | None) -> datetime.date:
    return issue_date or timezone.localdate()


# ---------------------------------------------------------------- bulletins


def bulletin_due(*, campaign: Campaign, period_start: datetime.date) -> datetime.date:
    """The last day items can still count for the month: its quota's due date for a
    monthly quota, else the month's last day. A bulletin is issued after it."""
    quota = information_quota(campaign)
    end = month_end(period_start)
    if quota is not None and quota.period == QuotaTarget.Period.MONTH:
        return end + datetime.timedelta(days=quota.due_day)
    return end


def _default_bulletin_title(period_start: datetime.date) -> str:
    # Document text, in the language of the document (GB/T 9704), not of the user.
    return f"{period_start.year}年{period_start.month}月信息报送工作通报"


@records_denials("reporting.bulletin.created")
@transaction.atomic
def bulletin_create(
    *,
    actor,
    campaign: Campaign,
    period_start: datetime.date,
    title: str | None = None,
    signer: str = "",
    report_to: str = "",
    send_to: str = "",
    distribute_to: str = "",
    copies: int | None = None,
    office: Unit | None = None,
) -> Bulletin:
    """Create a draft bulletin for the month holding ``period_start``. Raises Forbidden
    unless the actor is an office over the campaign's region, FieldError for bad values."""
    office = _issuing_office(actor, campaign=campaign, office=office, what=str(campaign))
    if not isinstance(period_start, datetime.date):
        raise FieldError("period_start", _("Give the month as a date."))
    start = month_start(period_start)
    changes = {
        "title": title if title is not None else _default_bulletin_title(start),
        "signer": signer,
        "report_to": report_to,
        "send_to": send_to,
        "distribute_to": distribute_to,
        "copies": copies,
    }
    _check_header(changes)
    bulletin = Bulletin.objects.create(
        campaign=campaign,
        office=office,
        region_path=office.region_path,
        period_start=start,
        year=start.year,
        created_by=actor if getattr(actor, "pk", None) else None,
        **changes,
    )
    audit_log(
        actor=actor,
        action="reporting.bulletin.created",
        obj=bulletin,
        after=snapshot(bulletin),
        region_path=bulletin.region_path,
    )
    return bulletin


@records_denials("reporting.bulletin.updated")
@transaction.atomic
def bulletin_update(*, actor, bulletin: Bulletin, **changes) -> Bulletin:
    """Change a draft bulletin's title, month or distribution lines. Raises DomainError
    once issued, Forbidden unless an office over it, FieldError for unknown or bad values."""
    bulletin = _draft_to_change(actor, bulletin, changes, BULLETIN_FIELDS)
    if "period_start" in changes:
        if not isinstance(changes["period_start"], datetime.date):
            raise FieldError("period_start", _("Give the month as a date."))
        changes["period_start"] = month_start(changes["period_start"])
    before = snapshot(bulletin)
    for name, value in changes.items():
        setattr(bulletin, name, value)
    bulletin.save()
    audit_log(
        actor=actor,
        action="reporting.bulletin.updated",
        obj=bulletin,
        before=before,
        after=snapshot(bulletin),
        region_path=bulletin.region_path,
    )
    return bulletin


@records_denials("reporting.bulletin.deleted")
@transaction.atomic
def bulletin_delete(*, actor, bulletin: Bulletin) -> None:
    """Delete a draft bulletin. Raises DomainError once issued, Forbidden unless an office
    over it."""
    _delete_draft(actor, bulletin, action="reporting.bulletin.deleted")


def _bulletin_snapshot(bulletin: Bulletin, rules) -> dict:
    data = _header(bulletin, "bulletin")
    figures = bulletin_compute(
        campaign=bulletin.campaign,
        period_start=bulletin.period_start,
        rules=rules,
        issuing_office=bulletin.office,
    )
    data["period"] = figures["period"]
    data["rules"] = rules_as_dict(rules)
    data["quota"] = figures["quota"]
    data["rows"] = figures["rows"]
    data["totals"] = figures["totals"]
    return _as_json(data)


def _rules_for(bulletin: Bulletin):
    rules = rules_in_force(campaign=bulletin.campaign, period_start=bulletin.period_start)
    if rules is None:
        raise DomainError(
            _(
                "No assessment rules are in force for %(month)s: add a version of the "
                "rules valid from that month or earlier."
            )
            % {"month": bulletin.period_start.strftime("%Y-%m")},
            code="no_rules",
        )
    return rules


def bulletin_preview(*, actor, bulletin: Bulletin) -> dict:
    """The snapshot the bulletin would freeze if issued now (an issued one: its snapshot).
    Raises NotFound unless the actor may read it, DomainError when no rules are in force."""
    bulletin = access_bulletin(actor=actor, id=bulletin.pk)
    if bulletin.state == IssueState.ISSUED:
        return bulletin.snapshot
    return _bulletin_snapshot(bulletin, _rules_for(bulletin))


@records_denials("reporting.bulletin.issued")
@transaction.atomic
def bulletin_issue(
    *, actor, bulletin: Bulletin, issue_date: datetime.date | None = None
) -> Bulletin:
    """Number, freeze and render a draft bulletin under the rules in force for its month,
    store the .docx and .xlsx with their hashes and notify the units' reporters. Raises
    Forbidden unless an office over it; DomainError when already issued, issued too early
    (on or before the month's due date), when no rules are in force, or when the month
    already has an issued bulletin that this one does not correct."""
    require_manage(actor, region_path=bulletin.region_path, what=str(bulletin))
    bulletin = _locked_draft(bulletin)
    # Serialise issues of one campaign, so that two offices (or two clicks) cannot both
    # issue the month, or both correct one issue.
    Campaign.objects.select_for_update().filter(pk=bulletin.campaign_id).first()
    day = _issue_date(issue_date)
    due = bulletin_due(campaign=bulletin.campaign, period_start=bulletin.period_start)
    if day <= due:
        raise DomainError(
            _("A bulletin for %(month)s can be issued after %(due)s, when every item has come in.")
            % {"month": bulletin.period_start.strftime("%Y-%m"), "due": due.isoformat()},
            code="too_early",
        )
    issued_for_month = Bulletin.objects.filter(
        campaign=bulletin.campaign, period_start=bulletin.period_start, state=IssueState.ISSUED
    )
    if bulletin.corrects_id is None:
        if issued_for_month.exists():
            raise DomainError(
                _("A bulletin for %(month)s has already been issued; issue a correction.")
                % {"month": bulletin.period_start.strftime("%Y-%m")},
                code="already_issued",
            )
    else:
        _check_correctable(bulletin.corrects)
    rules = _rules_for(bulletin)
    before = snapshot(bulletin)
    _number(bulletin, day)
    bulletin.rules = rules
    bulletin.snapshot = _bulletin_snapshot(bulletin, rules)
    _issue(
        bulletin,
        actor=actor,
        files={
            "docx": rendering.render_bulletin_docx,
            "xlsx": rendering.render_bulletin_xlsx,
        },
        action="reporting.bulletin.issued",
        after_extra={"rules": rules.pk, "corrects": bulletin.corrects_id},
        before=before,
    )
    return bulletin


def _notify_issued(document: Document) -> None:
    if isinstance(document, Bulletin):
        unit_ids = [row["unit_id"] for row in document.snapshot["rows"]]
        kind = Notification.Kind.BULLETIN_ISSUED
        link = _link("reporting:bulletin_detail", document.pk)
    else:
        unit_ids = list(document.items.values_list("unit_id", flat=True).distinct())
        kind = Notification.Kind.BRIEFING_ISSUED
        link = _link("reporting:briefing_detail", document.pk)
    notify(
        users=_reporters(unit_ids),
        kind=kind,
        message=_("Issued: %(title)s (%(year)s, No. %(number)s).")
        % {"title": document.title, "year": document.year, "number": document.number},
        link=link,
        dedupe_key=f"{kind}:{document.pk}",
    )


@records_denials("reporting.bulletin.created")
@transaction.atomic
def bulletin_correct(*, actor, bulletin: Bulletin) -> Bulletin:
    """Start a correction of an issued bulletin: a new draft for the same month copying its
    header, with ``corrects`` = the old one (which is not touched). Raises Forbidden unless
    an office over it, DomainError unless it is issued and not already corrected."""
    return _start_correction(
        actor,
        bulletin,
        action="reporting.bulletin.created",
        period_start=bulletin.period_start,
        year=bulletin.year,
    )


# ---------------------------------------------------------------- briefings


def _briefing_items(actor, campaign: Campaign, items: Iterable) -> list[InfoItem]:
    """The items in the order given (instances or ids). Raises FieldError for an item of
    another campaign, not signed off, or given twice; NotFound for one the actor cannot see."""
    ids = [getattr(i, "pk", i) for i in items]
    if len(set(ids)) != len(ids):
        raise FieldError("items", _("An item is listed twice."))
    found = {i.pk: i for i in InfoItem.objects.filter(pk__in=ids).select_related("unit")}
    result = []
    for pk in ids:
        item = found.get(pk)
        if item is None or not can_read(actor, region_path=item.region_path, unit_id=item.unit_id):
            raise NotFound()
        if item.campaign_id != campaign.pk:
            raise FieldError(
                "items", _("%(title)s belongs to another campaign.") % {"title": item.title}
            )
        if item.state != ItemState.SIGNED_OFF:
            raise FieldError(
                "items",
                _("%(title)s has not been signed off; only signed-off items go into a briefing.")
                % {"title": item.title},
            )
        result.append(item)
    return result


def _set_items(briefing: Briefing, items: list[InfoItem]) -> None:
    BriefingItem.objects.filter(briefing=briefing).delete()
    BriefingItem.objects.bulk_create(
        BriefingItem(briefing=briefing, item=item, order=order)
        for order, item in enumerate(items, start=1)
    )


@records_denials("reporting.briefing.created")
@transaction.atomic
def briefing_create(
    *,
    actor,
    campaign: Campaign,
    title: str = DEFAULT_BRIEFING_TITLE,
    items: Iterable = (),
    signer: str = "",
    report_to: str = "",
    send_to: str = "",
    distribute_to: str = "",
    copies: int | None = None,
    office: Unit | None = None,
) -> Briefing:
    """Create a draft briefing of signed-off items (in the order given). Raises Forbidden
    unless an office over the campaign's region, FieldError for bad items or values."""
    office = _issuing_office(actor, campaign=campaign, office=office, what=str(campaign))
    changes = {
        "title": title,
        "signer": signer,
        "report_to": report_to,
        "send_to": send_to,
        "distribute_to": distribute_to,
        "copies": copies,
    }
    _check_header(changes)
    chosen = _briefing_items(actor, campaign, items)
    briefing = Briefing.objects.create(
        campaign=campaign,
        office=office,
        region_path=office.region_path,
        year=timezone.localdate().year,
        created_by=actor if getattr(actor, "pk", None) else None,
        **changes,
    )
    _set_items(briefing, chosen)
    audit_log(
        actor=actor,
        action="reporting.briefing.created",
        obj=briefing,
        after={**snapshot(briefing), "items": [i.pk for i in chosen]},
        region_path=briefing.region_path,
    )
    return briefing


@records_denials("reporting.briefing.updated")
@transaction.atomic
def briefing_update(*, actor, briefing: Briefing, **changes) -> Briefing:
    """Change a draft briefing's header or items (``items=[...]`` replaces them). Raises
    DomainError once issued, Forbidden unless an office over it, FieldError for bad values."""
    briefing = _draft_to_change(actor, briefing, changes, BRIEFING_FIELDS)
    before = {**snapshot(briefing), "items": list(briefing.items.values_list("pk", flat=True))}
    items = changes.pop("items", None)
    for name, value in changes.items():
        setattr(briefing, name, value)
    briefing.save()
    if items is not None:
        _set_items(briefing, _briefing_items(actor, briefing.campaign, items))
    audit_log(
        actor=actor,
        action="reporting.briefing.updated",
        obj=briefing,
        before=before,
        after={**snapshot(briefing), "items": list(briefing.items.values_list("pk", flat=True))},
        region_path=briefing.region_path,
    )
    return briefing


@records_denials("reporting.briefing.deleted")
@transaction.atomic
def briefing_delete(*, actor, briefing: Briefing) -> None:
    """Delete a draft briefing. Raises DomainError once issued, Forbidden unless an office
    over it."""
    _delete_draft(actor, briefing, action="reporting.briefing.deleted")


def _briefing_snapshot(briefing: Briefing) -> dict:
    data = _header(briefing, "briefing")
    entries = BriefingItem.objects.filter(briefing=briefing).select_related("item__unit")
    data["items"] = [
        {
            "id": entry.item.pk,
            "title": entry.item.title,
            "body": entry.item.body,
            "unit": entry.item.unit.name,
            "submitted_at": entry.item.submitted_at.isoformat()
            if entry.item.submitted_at
            else None,
        }
        for entry in entries
    ]
    return _as_json(data)


@records_denials("reporting.briefing.issued")
@transaction.atomic
def briefing_issue(
    *, actor, briefing: Briefing, issue_date: datetime.date | None = None
) -> Briefing:
    """Number, freeze and render a draft briefing and store its .docx with its hash.
    Raises Forbidden unless an office over it; DomainError when already issued, when it
    holds no items or an item no longer signed off, or when what it corrects has been
    corrected already."""
    require_manage(actor, region_path=briefing.region_path, what=str(briefing))
    briefing = _locked_draft(briefing)
    # As for bulletins: two corrections of one issue cannot both go out.
    Campaign.objects.select_for_update().filter(pk=briefing.campaign_id).first()
    items = list(briefing.items.all())
    if not items:
        raise DomainError(_("A briefing needs at least one item."), code="empty")
    _briefing_items(actor, briefing.campaign, [i.pk for i in items])
    if briefing.corrects_id is not None:
        _check_correctable(briefing.corrects)
    before = snapshot(briefing)
    _number(briefing, _issue_date(issue_date))
    briefing.snapshot = _briefing_snapshot(briefing)
    _issue(
        briefing,
        actor=actor,
        files={"docx": rendering.render_briefing_docx},
        action="reporting.briefing.issued",
        after_extra={"corrects": briefing.corrects_id, "items": [i.pk for i in items]},
        before=before,
    )
    return briefing


@records_denials("reporting.briefing.created")
@transaction.atomic
def briefing_correct(*, actor, briefing: Briefing) -> Briefing:
    """Start a correction of an issued briefing: a new draft copying its header and items,
    with ``corrects`` = the old one (which is not touched). Raises Forbidden unless an
    office over it, DomainError unless it is issued and not already corrected."""
    correction = _start_correction(
        actor, briefing, action="reporting.briefing.created", year=timezone.localdate().year
    )
    _set_items(
        correction,
        [e.item for e in BriefingItem.objects.filter(briefing=briefing).select_related("item")],
    )
    return correction


# ---------------------------------------------------------------- regeneration


def document_regenerate(*, actor, document: Document, kind: str = "docx") -> bytes:
    """Render an issued document again from its stored snapshot (``kind`` "docx", or
    "xlsx" for a bulletin). Raises NotFound unless the actor may read it, DomainError for
    a draft or an unknown kind."""
    access = access_bulletin if isinstance(document, Bulletin) else access_briefing
    document = access(actor=actor, id=document.pk)
    if document.state != IssueState.ISSUED:
        raise DomainError(_("Only an issued document has a stored snapshot."), code="not_issued")
    if isinstance(document, Bulletin):
        renderers = {
            "docx": rendering.render_bulletin_docx,
            "xlsx": rendering.render_bulletin_xlsx,
        }
    else:
        renderers = {"docx": rendering.render_briefing_docx}
    if kind not in renderers:
        raise FieldError("kind", _("Unknown file kind: %(kind)s") % {"kind": kind})
    return renderers[kind](document.snapshot)
