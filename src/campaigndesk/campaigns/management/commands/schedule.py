"""`campaigndesk schedule import --campaign ID --year YYYY FILE`: import a schedule table."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.campaigns.services import schedule_import
from campaigndesk.common.errors import DomainError, ImportRejected


class Command(BaseCommand):
    help = gettext_lazy(
        "Import a campaign's schedule table (序号, 宣传主题, 实事名称, 责任单位, 宣传时间)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imports = actions.add_parser(
            "import", help=_("Import an .xlsx or .csv schedule table; all rows or none.")
        )
        imports.add_argument("--campaign", type=int, required=True, help=_("campaign id"))
        imports.add_argument(
            "--year", type=int, required=True, help=_("the year of times such as 10月8-10日")
        )
        imports.add_argument("file", type=Path, help=_(".xlsx or .csv file"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self._import(options["campaign"], options["year"], options["file"])

    def _import(self, campaign_id: int, year: int, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from None
        try:
            campaign = access_campaign(actor=SYSTEM, id=campaign_id)
            result = schedule_import(
                actor=SYSTEM, campaign=campaign, data=data, filename=path.name, year=year
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("Nothing was imported: %(n)s problem(s) in %(path)s.")
                % {"n": len(rejected.errors), "path": path}
            ) from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(n)s schedule items into %(campaign)s (sha256 %(sha)s).")
                % {"n": len(result.items), "campaign": campaign, "sha": result.sha256[:12]}
            )
        )
