"""Writes on campaigns: the campaign, its units, strands, phases, leading group, targets
and schedule. Every write checks that the actor is the office over the campaign's region."""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.scoping import is_admin, require_manage
from campaigndesk.common.errors import DomainError, FieldError, ImportRejected, RowError
from campaigndesk.documents.textnorm import match_key
from campaigndesk.regions.models import Region, RegionLevel, Unit, UnitAlias
from campaigndesk.regions.paths import codes_of, is_within, subtree_q
from campaigndesk.regions.selectors import unit_match

from .models import (
    Campaign,
    CampaignUnit,
    CoverageTarget,
    LeadingGroupMember,
    Phase,
    QuotaTarget,
    RateKind,
    RateTarget,
    ScheduleItem,
    Strand,
)
from .schedule_import import SEQ as SCHEDULE_SEQ
from .schedule_import import UNITS as SCHEDULE_UNITS
from .schedule_import import parse_schedule


@dataclass
class Outcome:
    """A service's result with warnings the user should see (the write went through)."""

    obj: object
    warnings: list[str] = field(default_factory=list)


def _check_period(start: datetime.date, end: datetime.date, what: str) -> None:
    if end < start:
        raise DomainError(
            _("%(what)s ends (%(end)s) before it starts (%(start)s).")
            % {"what": what, "end": end, "start": start}
        )


def _audit(actor, action: str, obj, campaign: Campaign, before=None, after=None, extra=None):
    audit_log(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=after if after is not None else snapshot(obj),
        region_path=campaign.region_path,
        extra=extra,
    )


@records_denials("campaigns.campaign.create")
def campaign_create(
    *,
    actor,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    lead_unit: Unit,
    region: Region | None = None,
    slogan: str = "",
    description: str = "",
    responsible_units: Iterable[Unit] = (),
    strands: Iterable[str] = (),
) -> Campaign:
    """Create a campaign over ``region`` (default: the lead unit's region), led by
    ``lead_unit``. Raises Forbidden unless the actor is the office over that region;
    DomainError for a blank name or a period that ends before it starts."""
    region = region or lead_unit.region
    require_manage(actor, region_path=region.path, what=name)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("A campaign needs a name."))
    _check_period(start_date, end_date, _("The campaign"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            slogan=slogan,
            description=description,
            start_date=start_date,
            end_date=end_date,
            lead_unit=lead_unit,
            region=region,
            region_path=region.path,
        )
        CampaignUnit.objects.create(campaign=campaign, unit=lead_unit, role=CampaignUnit.Role.LEAD)
        for unit in responsible_units:
            if unit.pk != lead_unit.pk:
                CampaignUnit.objects.get_or_create(campaign=campaign, unit=unit)
        for order, strand in enumerate(strands):
            Strand.objects.create(campaign=campaign, name=strand, order=order)
        _audit(
            actor,
            "campaigns.campaign.created",
            campaign,
            campaign,
            after={
                **snapshot(campaign),
                "units": list(campaign.unit_links.values_list("unit_id", flat=True)),
                "strands": list(strands),
            },
        )
    return campaign


@records_denials("campaigns.campaign.update")
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str | None = None,
    slogan: str | None = None,
    description: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Campaign:
    """Change a campaign's name, slogan, description or period."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    with transaction.atomic():
        before = snapshot(campaign)
        for attr, value in (
            ("name", name),
            ("slogan", slogan),
            ("description", description),
            ("start_date", start_date),
            ("end_date", end_date),
        ):
            if value is not None:
                setattr(campaign, attr, value)
        if not campaign.name.strip():
            raise DomainError(_("A campaign needs a name."))
        _check_period(campaign.start_date, campaign.end_date, _("The campaign"))
        dates_changed = start_date is not None or end_date is not None
        if dates_changed:  # (a new name changes no date)
            _check_ledger_within(campaign)
        campaign.save()
        if dates_changed:
            from campaigndesk.collection.services import rounds_refit  # (it builds on us)

            rounds_refit(campaign=campaign)
        _audit(actor, "campaigns.campaign.updated", campaign, campaign, before=before)
    return campaign


def _check_ledger_within(campaign: Campaign) -> None:
    """Raise FieldError when the campaign's ledger holds records dated outside its
    (changed) period: they would still count, yet no lock could cover them and no edit
    keep them, so a bulletin's figures could change unseen."""
    from campaigndesk.ledger.models import RECORD_MODELS  # (the ledger builds on campaigns)

    for name, outside, edge in (
        ("start_date", Q(date__lt=campaign.start_date), Min("date")),
        ("end_date", Q(date__gt=campaign.end_date), Max("date")),
    ):
        count, days = 0, []
        for model in RECORD_MODELS.values():
            found = model.objects.filter(outside, campaign=campaign).aggregate(
                n=Count("pk"), day=edge
            )
            count += found["n"]
            if found["day"] is not None:
                days.append(found["day"])
        if count:
            day = min(days) if name == "start_date" else max(days)
            raise FieldError(
                name,
                ngettext(
                    "%(count)s ledger record is dated %(date)s, outside the new period: "
                    "move or delete it first.",
                    "%(count)s ledger records are dated outside the new period (as far as "
                    "%(date)s): move or delete them first.",
                    count,
                )
                % {"count": count, "date": day.isoformat()},
            )


@records_denials("campaigns.unit.add")
def campaign_add_units(
    *, actor, campaign: Campaign, units: Iterable[Unit], role: str = CampaignUnit.Role.RESPONSIBLE
) -> Outcome:
    """Make units take part in a campaign; a unit outside the campaign's region is added
    with a warning (a provincial outlet may well take part in a county's campaign)."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if role not in CampaignUnit.Role.values:
        raise DomainError(_("Unknown role: %(role)s") % {"role": role})
    warnings = []
    added = []
    with transaction.atomic():
        for unit in units:
            _link, created = CampaignUnit.objects.get_or_create(
                campaign=campaign, unit=unit, defaults={"role": role}
            )
            if created:
                added.append(unit.pk)
                if not is_within(unit.region_path, campaign.region_path):
                    warnings.append(
                        _("%(unit)s lies outside the campaign's region.") % {"unit": unit}
                    )
        if added:
            _audit(
                actor,
                "campaigns.campaign.units_added",
                campaign,
                campaign,
                after={"units": added, "role": role},
            )
    return Outcome(obj=campaign, warnings=warnings)


@records_denials("campaigns.strand.create")
def strand_create(*, actor, campaign: Campaign, name: str, description: str = "") -> Strand:
    """Add a strand (media publicity, touring performances, ...) to the campaign."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("A strand needs a name."))
    with transaction.atomic():
        if campaign.strands.filter(name=name).exists():
            raise DomainError(_("The strand %(name)s already exists.") % {"name": name})
        strand = Strand.objects.create(
            campaign=campaign, name=name, description=description, order=campaign.strands.count()
        )
        _audit(actor, "campaigns.strand.created", strand, campaign)
    return strand


@records_denials("campaigns.phase.create")
def phase_create(
    *, actor, campaign: Campaign, name: str, start_date: datetime.date, end_date: datetime.date
) -> Phase:
    """Add a phase with dates (warm-up, concentrated coverage, follow-through)."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    _check_period(start_date, end_date, _("The phase %(name)s") % {"name": name})
    with transaction.atomic():
        phase = Phase.objects.create(
            campaign=campaign,
            name=name,
            start_date=start_date,
            end_date=end_date,
            order=campaign.phases.count(),
        )
        _audit(actor, "campaigns.phase.created", phase, campaign)
    return phase


@records_denials("campaigns.leading_group.add")
def leading_group_member_add(
    *,
    actor,
    campaign: Campaign,
    person_name: str,
    role: str,
    position: str = "",
    unit: Unit | None = None,
) -> Outcome:
    """Add a member to the leading group. A member whose unit lies outside the campaign's
    region is accepted with a warning."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if role not in LeadingGroupMember.Role.values:
        raise DomainError(_("Unknown leading-group role: %(role)s") % {"role": role})
    person_name = " ".join((person_name or "").split())
    if not person_name:
        raise DomainError(_("A leading-group member needs a name."))
    warnings = []
    if unit is not None and not is_within(unit.region_path, campaign.region_path):
        warnings.append(
            _("%(name)s's unit %(unit)s lies outside the campaign's region.")
            % {"name": person_name, "unit": unit}
        )
    with transaction.atomic():
        member = LeadingGroupMember.objects.create(
            campaign=campaign,
            person_name=person_name,
            position=position,
            unit=unit,
            role=role,
            order=campaign.leading_group.count(),
        )
        _audit(
            actor,
            "campaigns.leading_group.member_added",
            member,
            campaign,
            extra={"warnings": warnings} if warnings else None,
        )
    return Outcome(obj=member, warnings=warnings)


@records_denials("campaigns.target.set")
def coverage_target_set(
    *,
    actor,
    campaign: Campaign,
    level: int,
    target_count: int,
    regions: Iterable[Region] = (),
) -> CoverageTarget:
    """Set how many regions of a level the campaign must reach (replacing any earlier
    figure for that level); named regions must lie inside the campaign's region."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if level not in RegionLevel.values:
        raise DomainError(_("Unknown region level: %(level)s") % {"level": level})
    if target_count < 0:
        raise DomainError(_("A target cannot be negative."))
    regions = list(regions)
    outside = [r.name for r in regions if not is_within(r.path, campaign.region_path)]
    if outside:
        raise DomainError(
            _("Outside the campaign's region: %(names)s") % {"names": "、".join(outside)}
        )
    with transaction.atomic():
        target, _created = CoverageTarget.objects.update_or_create(
            campaign=campaign, level=level, defaults={"target_count": target_count}
        )
        if regions:
            target.regions.set(regions)
        _audit(
            actor,
            "campaigns.target.coverage_set",
            target,
            campaign,
            after={**snapshot(target), "regions": [r.code for r in regions]},
        )
    return target


@records_denials("campaigns.target.set")
def rate_target_set(
    *, actor, campaign: Campaign, kind: str, target_percent: Decimal | float | int
) -> RateTarget:
    """Set the target for a rate (知晓率, 参与率, 支持率, 满意度) in percent, 0 to 100."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if kind not in RateKind.values:
        raise DomainError(_("Unknown rate: %(kind)s") % {"kind": kind})
    percent = Decimal(str(target_percent))
    if not Decimal(0) <= percent <= Decimal(100):
        raise DomainError(_("A rate must lie between 0 and 100%."))
    with transaction.atomic():
        target, _created = RateTarget.objects.update_or_create(
            campaign=campaign, kind=kind, defaults={"target_percent": percent}
        )
        _audit(actor, "campaigns.target.rate_set", target, campaign)
    return target


@records_denials("campaigns.target.set")
def quota_target_set(
    *,
    actor,
    campaign: Campaign,
    item_kind: str,
    count: int,
    period: str,
    due_day: int = 0,
    description: str = "",
) -> QuotaTarget:
    """Set a quota: at least ``count`` items of a kind per unit per period, counting those
    in by ``due_day`` of the next period (0: by the period's last day)."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if item_kind not in QuotaTarget.ItemKind.values:
        raise DomainError(_("Unknown item kind: %(kind)s") % {"kind": item_kind})
    if period not in QuotaTarget.Period.values:
        raise DomainError(_("Unknown period: %(period)s") % {"period": period})
    if count < 1:
        raise DomainError(_("A quota must be at least 1."))
    if not 0 <= due_day <= 28:
        raise DomainError(_("The due day must lie between 0 and 28."))
    with transaction.atomic():
        target, _created = QuotaTarget.objects.update_or_create(
            campaign=campaign,
            item_kind=item_kind,
            period=period,
            defaults={"count": count, "due_day": due_day, "description": description},
        )
        _audit(actor, "campaigns.target.quota_set", target, campaign)
    return target


@records_denials("campaigns.schedule.create")
def schedule_item_create(
    *,
    actor,
    campaign: Campaign,
    theme: str,
    window_start: datetime.date,
    window_end: datetime.date,
    responsible_units: Iterable[Unit],
    project: str = "",
    window_text: str = "",
    seq: int | None = None,
    strand: Strand | None = None,
    phase: Phase | None = None,
) -> ScheduleItem:
    """Add a row to the campaign's schedule. Raises DomainError for a window that ends
    before it starts, a blank theme, no responsible unit or a number already used."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    units = list(responsible_units)
    theme = " ".join((theme or "").split())
    if not theme:
        raise DomainError(_("A schedule item needs a theme."))
    if not units:
        raise DomainError(_("A schedule item needs at least one responsible unit."))
    _check_period(window_start, window_end, _("The time window"))
    with transaction.atomic():
        if seq is None:
            last = campaign.schedule.order_by("-seq").values_list("seq", flat=True).first()
            seq = (last or 0) + 1
        elif campaign.schedule.filter(seq=seq).exists():
            raise DomainError(_("Schedule item no. %(seq)s already exists.") % {"seq": seq})
        item = ScheduleItem.objects.create(
            campaign=campaign,
            seq=seq,
            theme=theme,
            project=project,
            window_start=window_start,
            window_end=window_end,
            window_text=window_text,
            strand=strand,
            phase=phase,
        )
        item.responsible_units.set(units)
        _audit(
            actor,
            "campaigns.schedule.created",
            item,
            campaign,
            after={**snapshot(item), "responsible_units": [u.pk for u in units]},
        )
    return item


@records_denials("campaigns.schedule.status")
def schedule_item_set_status(*, actor, item: ScheduleItem, status: str) -> ScheduleItem:
    """Move a schedule item to another status (planned, in progress, done, cancelled)."""
    campaign = item.campaign
    require_manage(actor, region_path=campaign.region_path, what=str(item))
    if status not in ScheduleItem.Status.values:
        raise DomainError(_("Unknown status: %(status)s") % {"status": status})
    with transaction.atomic():
        before = {"status": item.status}
        item.status = status
        item.save(update_fields=["status"])
        _audit(
            actor,
            "campaigns.schedule.status_set",
            item,
            campaign,
            before=before,
            after={"status": status},
        )
    return item


@dataclass
class ScheduleImportResult:
    """An imported schedule: the new items in file order, the file's hash, and warnings
    (units that lie outside the campaign's region)."""

    items: list[ScheduleItem]
    sha256: str
    warnings: list[str] = field(default_factory=list)


def _unit_match_top(actor, campaign: Campaign) -> Region:
    """The widest region in which the import looks for units: the office's own region
    (its whole subtree, which holds the campaign's region since the actor manages it), or
    for an administrator and the command line the root of the campaign's region."""
    unit = getattr(actor, "unit", None)
    if not is_admin(actor) and unit is not None:
        return unit.region
    root_code = codes_of(campaign.region_path)[0]
    return Region.objects.filter(code=root_code).first() or campaign.region


def _match_units(names: set[str], *, campaign: Campaign, top: Region) -> dict[str, Unit | list]:
    """Each name to its unit; otherwise to the list of units it could mean (empty when
    none). A name is looked up in the campaign's region first, so that "县民政局" finds
    the campaign county's own bureau although every county has one; then in ``top``."""
    found: dict[str, Unit | list] = {}
    for within in (campaign.region, top):
        pending = [n for n in names if not isinstance(found.get(n), Unit)]
        if not pending:
            break
        for name, unit in unit_match(names=pending, within=within).items():
            if unit is not None:
                found[name] = unit
    unmatched = [n for n in names if not isinstance(found.get(n), Unit)]
    if unmatched:
        keys = {n: match_key(n) for n in unmatched}
        in_top = subtree_q("region_path", top.path)
        by_key: dict[str, dict[int, Unit]] = {}
        units = Unit.objects.filter(in_top, name_key__in=set(keys.values()))
        for unit in units.select_related("region"):
            by_key.setdefault(unit.name_key, {})[unit.pk] = unit
        aliases = UnitAlias.objects.filter(
            subtree_q("unit__region_path", top.path), alias_key__in=set(keys.values())
        ).select_related("unit__region")
        for alias in aliases:
            by_key.setdefault(alias.alias_key, {})[alias.unit_id] = alias.unit
        for name in unmatched:
            found[name] = sorted(
                by_key.get(keys[name], {}).values(), key=lambda u: (u.region_path, u.name)
            )
    return found


@records_denials("campaigns.schedule.import")
def schedule_import(
    *, actor, campaign: Campaign, data: bytes, filename: str, year: int
) -> ScheduleImportResult:
    """Import the campaign's schedule table from an .xlsx or .csv file (序号, 宣传主题,
    实事名称, 责任单位, 宣传时间; times such as "10月8-10日" read in ``year``), all rows or
    none, with one audit entry for the batch.

    Unit names match script-blind by name or alias, first in the campaign's region, then
    anywhere in the actor's office subtree (for an administrator or the command line: the
    campaign's province), with a warning for a unit outside the campaign's region. Raises
    Forbidden unless the actor is the office over the campaign; DomainError for a file that
    is not .xlsx or .csv or cannot be read; ImportRejected listing every bad row (unknown or
    ambiguous unit, unreadable or reversed time, blank theme, a number that is not a number
    or is used twice in the file or already in the schedule)."""
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    if not 1900 <= year <= 2999:
        raise DomainError(_("The year %(year)s is not plausible.") % {"year": year})
    parsed = parse_schedule(data=data, filename=filename, year=year)
    errors = list(parsed.errors)
    rows = parsed.rows
    if not rows and not errors:
        raise DomainError(_("The file holds no schedule rows."))
    top = _unit_match_top(actor, campaign)
    matched = _match_units({n for r in rows for n in r.unit_names}, campaign=campaign, top=top)
    used = set(campaign.schedule.values_list("seq", flat=True))
    for row in rows:
        for name in row.unit_names:
            unit = matched[name]
            if isinstance(unit, Unit):
                continue
            if unit:
                message = _("“%(name)s” matches more than one unit: %(units)s.") % {
                    "name": name,
                    "units": "、".join(f"{u.name} ({u.region.name})" for u in unit),
                }
            else:
                message = _("No unit is called “%(name)s” in %(region)s.") % {
                    "name": name,
                    "region": top.name,
                }
            errors.append(RowError(row.row, parsed.header(SCHEDULE_UNITS), message))
        if row.seq is not None and row.seq in used:
            errors.append(
                RowError(
                    row.row,
                    parsed.header(SCHEDULE_SEQ),
                    _("No. %(seq)s is already in the campaign's schedule.") % {"seq": row.seq},
                )
            )
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise ImportRejected(errors)

    outside = {
        unit.pk: unit
        for row in rows
        for unit in (matched[n] for n in row.unit_names)
        if not is_within(unit.region_path, campaign.region_path)
    }
    warnings = [
        _("%(unit)s lies outside the campaign's region.") % {"unit": unit.name}
        for unit in outside.values()
    ]
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            # Numbers taken meanwhile are caught here (and by the unique constraint).
            taken = campaign.schedule.filter(
                seq__in=[r.seq for r in rows if r.seq is not None]
            ).values_list("seq", flat=True)
            if taken:
                raise DomainError(
                    _("Schedule numbers were taken meanwhile: %(seqs)s. Nothing was imported.")
                    % {"seqs": ", ".join(map(str, sorted(taken)))}
                )
            next_seq = max(used, default=0) + 1
            items = []
            links = ScheduleItem.responsible_units.through
            unit_ids: list[list[int]] = []
            for row in rows:
                window = row.window
                assert window is not None and row.ok  # a row with a problem is an error
                if row.seq is None:
                    seq, next_seq = next_seq, next_seq + 1
                else:
                    seq = row.seq
                item = ScheduleItem.objects.create(
                    campaign=campaign,
                    seq=seq,
                    theme=row.theme,
                    project=row.project,
                    window_start=window.start,
                    window_end=window.end,
                    window_text=window.text,
                )
                items.append(item)
                unit_ids.append(list(dict.fromkeys(matched[n].pk for n in row.unit_names)))
            links.objects.bulk_create(
                links(scheduleitem_id=item.pk, unit_id=unit_id)
                for item, ids in zip(items, unit_ids, strict=True)
                for unit_id in ids
            )
            audit_log(
                actor=actor,
                action="campaigns.schedule.imported",
                obj=campaign,
                after={
                    "items": [
                        {
                            **snapshot(item, ["id", "seq", "theme", "window_start", "window_end"]),
                            "responsible_units": ids,
                        }
                        for item, ids in zip(items, unit_ids, strict=True)
                    ]
                },
                region_path=campaign.region_path,
                extra={
                    "filename": filename,
                    "sha256": sha256,
                    "rows": len(items),
                    "year": year,
                    **({"warnings": warnings} if warnings else {}),
                },
            )
    except IntegrityError:
        raise DomainError(
            _("The schedule changed while importing; nothing was imported. Try again.")
        ) from None
    return ScheduleImportResult(items=items, sha256=sha256, warnings=warnings)
