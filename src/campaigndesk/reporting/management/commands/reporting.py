"""`campaigndesk reporting remind [--date D] [--days N] [--campaign ID]`: remind units of
information quotas and commissioned topics coming due."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.accounts.models import Role, User
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign
from campaigndesk.notifications.models import Notification
from campaigndesk.notifications.services import notify
from campaigndesk.reporting.models import Commission
from campaigndesk.reporting.quotas import commission_status, units_behind

# A month's quota can fall due after the campaign's last day (due by the 5th of the next).
GRACE = datetime.timedelta(days=40)


def _reporters(unit_id: int):
    return User.objects.filter(
        unit_id=unit_id, role_grants__role=Role.REPORTER, is_active=True
    ).distinct()


class Command(BaseCommand):
    help = gettext_lazy("Information reporting: remind units of quotas and topics coming due.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        remind = actions.add_parser(
            "remind",
            help=_(
                "Notify the reporters of every unit behind on a quota or a commissioned "
                "topic due within the next days (once per unit, period and day)."
            ),
        )
        remind.add_argument(
            "--date", type=datetime.date.fromisoformat, help=_("today (YYYY-MM-DD)")
        )
        remind.add_argument(
            "--days", type=int, default=3, help=_("remind of what is due within N days")
        )
        remind.add_argument("--campaign", type=int, help=_("only this campaign (id)"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "remind":
            self._remind(options["date"] or timezone.localdate(), options["days"], options)

    def _remind(self, on: datetime.date, days: int, options: dict) -> None:
        if days < 0:
            raise CommandError(_("--days must not be negative."))
        until = on + datetime.timedelta(days=days)
        campaigns = Campaign.objects.filter(start_date__lte=until, end_date__gte=on - GRACE)
        if options.get("campaign"):
            campaigns = campaigns.filter(pk=options["campaign"])
            if not campaigns.exists():
                raise CommandError(
                    _("No running campaign with id %(id)s.") % {"id": options["campaign"]}
                )
        sent = 0
        for campaign in campaigns.order_by("pk"):
            for status in units_behind(actor=SYSTEM, campaign=campaign, on=on):
                if status.due > until:
                    continue
                message = _(
                    "%(campaign)s: %(unit)s has %(counted)s of %(required)s information "
                    "items for the period from %(start)s; they are due by %(due)s."
                ) % {
                    "campaign": campaign.name,
                    "unit": status.unit.name,
                    "counted": status.counted,
                    "required": status.required,
                    "start": status.period_start.isoformat(),
                    "due": status.due.isoformat(),
                }
                key = f"quota:{campaign.pk}:{status.unit.pk}:{status.period_start}:{on}"
                sent += len(
                    notify(
                        users=_reporters(status.unit.pk),
                        kind=Notification.Kind.QUOTA_DUE,
                        message=message,
                        dedupe_key=key,
                    )
                )
            commissions = Commission.objects.filter(
                campaign=campaign, due_date__gte=on, due_date__lte=until
            ).prefetch_related("units")
            for commission in commissions:
                for status in commission_status(commission=commission):
                    if not status.owed:
                        continue
                    message = _(
                        "%(campaign)s: %(unit)s still owes %(owed)s item(s) on “%(theme)s”, "
                        "due by %(due)s."
                    ) % {
                        "campaign": campaign.name,
                        "unit": status.unit.name,
                        "owed": status.owed,
                        "theme": commission.theme,
                        "due": commission.due_date.isoformat(),
                    }
                    key = f"commission:{commission.pk}:{status.unit.pk}:{on}"
                    sent += len(
                        notify(
                            users=_reporters(status.unit.pk),
                            kind=Notification.Kind.COMMISSION,
                            message=message,
                            dedupe_key=key,
                        )
                    )
        self.stdout.write(self.style.SUCCESS(_("Sent %(n)s reminder(s).") % {"n": sent}))
