"""`campaigndesk url-keys-refresh [--campaign ID]`: recompute the stored link keys of media
outputs (what the duplicate check compares, see ledger/links.py) after its rules change."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign
from campaigndesk.ledger.services import output_url_keys_refresh


class Command(BaseCommand):
    help = gettext_lazy("Recompute the link keys the duplicate check compares.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help=_("only this campaign (id)"))

    def handle(self, *args, campaign: int | None, **options) -> None:
        chosen = None
        if campaign is not None:
            chosen = Campaign.objects.filter(pk=campaign).first()
            if chosen is None:
                raise CommandError(_("No campaign %(id)s.") % {"id": campaign})
        changed = output_url_keys_refresh(actor=SYSTEM, campaign=chosen)
        self.stdout.write(
            self.style.SUCCESS(_("Link keys recomputed: %(n)s changed.") % {"n": changed})
        )
