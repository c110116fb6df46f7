"""`campaigndesk summary-rebuild [--campaign ID]`: recompute the rollup's summary from the
facts (see ledger/summary.py). The services keep it current; this is for repairs and for
facts loaded in bulk outside them."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.campaigns.models import Campaign
from campaigndesk.ledger.models import FactSummary
from campaigndesk.ledger.summary import summary_rebuild


class Command(BaseCommand):
    help = gettext_lazy("Recompute the rollup's summary of the ledger facts.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help=_("only this campaign (id)"))

    def handle(self, *args, campaign: int | None, **options) -> None:
        if campaign is not None and not Campaign.objects.filter(pk=campaign).exists():
            raise CommandError(_("No campaign %(id)s.") % {"id": campaign})
        started = time.perf_counter()
        with transaction.atomic():
            summary_rebuild(campaign_id=campaign)
        cells = FactSummary.objects.all()
        if campaign is not None:
            cells = cells.filter(campaign_id=campaign)
        self.stdout.write(
            self.style.SUCCESS(
                _("Summary rebuilt: %(cells)s cells in %(seconds).1f s.")
                % {"cells": cells.count(), "seconds": time.perf_counter() - started}
            )
        )
