"""`campaigndesk import-undo BATCH_ID [--as USERNAME]`: undo a ledger import."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.common.errors import DomainError
from campaigndesk.ledger.io.cli import actor_for
from campaigndesk.ledger.io.imports import import_batch_undo
from campaigndesk.ledger.models import ImportBatch


class Command(BaseCommand):
    help = gettext_lazy(
        "Undo a ledger import: delete the records it created and put back those it updated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int, help=_("batch id (printed by the import)"))
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help=_("act as this user"))

    def handle(self, *args, batch: int, as_user: str | None, **options) -> None:
        actor = actor_for(as_user)
        found = ImportBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(_("No import batch %(id)s.") % {"id": batch})
        try:
            undone = import_batch_undo(actor=actor, batch=found)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Undid batch %(id)s: %(deleted)s record(s) deleted, %(restored)s put back.")
                % {
                    "id": batch,
                    "deleted": undone.deleted_count,  # type: ignore[attr-defined]
                    "restored": undone.restored_count,  # type: ignore[attr-defined]
                }
            )
        )
