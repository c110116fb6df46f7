"""The quota reminder an office pastes into the units' group chat (pages and API)."""

from django.utils.translation import gettext as _

from campaigndesk.campaigns.models import Campaign

from .quotas import UnitQuota


def reminder_text(campaign: Campaign, behind: list[UnitQuota]) -> str:
    """A message for the units' group chat naming each unit behind and what it owes."""
    if not behind:
        return ""
    lines = [
        _("【%(campaign)s】Information quota reminder:") % {"campaign": campaign.name},
    ]
    for status in behind:
        lines.append(
            _(
                "%(unit)s: %(counted)s of %(required)s items for %(start)s – %(end)s, %(missing)s "
                "still missing, due %(due)s."
            )
            % {
                "unit": status.unit.name,
                "counted": status.counted,
                "required": status.required,
                "start": status.period_start.isoformat(),
                "end": status.period_end.isoformat(),
                "missing": status.missing,
                "due": status.due.isoformat(),
            }
        )
    lines.append(_("Please submit before the due date."))
    return "\n".join(lines)
