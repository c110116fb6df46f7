"""`campaigndesk import KIND FILE --campaign ID [--as USERNAME]`: import ledger records."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import DomainError, ImportRejected, NotFound
from campaigndesk.ledger.io.cli import RECORD_KINDS, ProgressBar, actor_for
from campaigndesk.ledger.io.imports import ledger_import


class Command(BaseCommand):
    help = gettext_lazy(
        "Import ledger records (output, material, event, figure) from an .xlsx or .csv "
        "file: all rows or none, as one batch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=RECORD_KINDS, help=_("record kind"))
        parser.add_argument("file", type=Path, help=_(".xlsx or .csv file"))
        parser.add_argument("--campaign", type=int, required=True, help=_("campaign id"))
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help=_("act as this user (default: the operator, who may do everything)"),
        )

    def handle(self, *args, kind: str, file: Path, campaign: int, as_user: str | None, **_o):
        actor = actor_for(as_user)
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        try:
            target = access_campaign(actor=actor, id=campaign)
        except NotFound:
            raise CommandError(_("No campaign %(id)s.") % {"id": campaign}) from None
        bar = ProgressBar(self.stderr)
        try:
            result = ledger_import(
                actor=actor, campaign=target, record_kind=kind, source=file, progress=bar
            )
        except ImportRejected as rejected:
            bar.finish()
            for error in rejected.errors:
                self.stderr.write(str(error))
            total = rejected.total
            raise CommandError(
                _("Nothing was imported: %(n)s problem(s) in %(path)s.")
                % {"n": total, "path": file}
            ) from None
        except DomainError as error:
            bar.finish()
            raise CommandError(str(error)) from None
        bar.finish()
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if result.already_imported:
            self.stdout.write(
                _("Already imported (batch %(id)s); nothing was written.") % {"id": result.batch.pk}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(rows)s rows into %(campaign)s: %(created)s created, "
                    "%(updated)s updated (batch %(id)s)."
                )
                % {
                    "rows": result.rows,
                    "campaign": target,
                    "created": result.created,
                    "updated": result.updated,
                    "id": result.batch.pk,
                }
            )
        )
