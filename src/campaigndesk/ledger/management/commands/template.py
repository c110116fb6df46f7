"""`campaigndesk template KIND --format csv|xlsx -o FILE`: the empty import template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.ledger.io.cli import RECORD_KINDS, file_format
from campaigndesk.ledger.io.templates import FORMATS, template_file, template_filename


class Command(BaseCommand):
    help = gettext_lazy("Write the empty import template of a ledger record kind (.xlsx or .csv).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=RECORD_KINDS, help=_("record kind"))
        parser.add_argument(
            "--format", choices=FORMATS, help=_("default: the file name's, else xlsx")
        )
        parser.add_argument(
            "-o", "--output", type=Path, help=_("file to write (default: the template's name)")
        )

    def handle(self, *args, kind: str, format: str | None, output: Path | None, **options) -> None:
        format = file_format(output, format, "xlsx")
        path = output or Path(template_filename(kind, format))
        try:
            path.write_bytes(template_file(record_kind=kind, format=format))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from None
        self.stdout.write(str(path))
