"""`campaigndesk export KIND --campaign ID --format csv|xlsx -o FILE`: export ledger
records (KIND: output, material, event, figure), a rollup table (KIND: rollup), or fill a
saved export template (KIND: fill, with --template ID)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import DomainError, NotFound
from campaigndesk.ledger.io.cli import FILE_FORMATS, RECORD_KINDS, actor_for, file_format
from campaigndesk.ledger.io.exports import export_records, export_rollup
from campaigndesk.ledger.io.mapping import access_export_template, export_template_fill
from campaigndesk.ledger.rollup import RollupFilter
from campaigndesk.regions.selectors import region_by_code


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": text}) from None


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# The options each export ignores, and how they are spelled.
_OPTION = {
    "region": "--region",
    "kind_filter": "--record-kind",
    "group_by": "--group-by",
    "series": "--series",
    "indicators": "--indicators",
    "template": "--template",
}
_UNUSED = {
    "records": ("group_by", "series", "indicators", "template"),
    "rollup": ("template",),
    "fill": ("region", "kind_filter", "group_by", "series", "indicators"),
}


def _export_of(kind: str) -> str:
    return kind if kind in ("rollup", "fill") else "records"


class Command(BaseCommand):
    help = gettext_lazy(
        "Export ledger records (.csv or .xlsx, the import template's columns), a rollup "
        "table, or a filled export template."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=(*RECORD_KINDS, "rollup", "fill"))
        parser.add_argument("--campaign", type=int, required=True, help=_("campaign id"))
        parser.add_argument(
            "--format", choices=FILE_FORMATS, help=_("default: the file name's, else csv")
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help=_("act as this user"))
        parser.add_argument("--region", help=_("only under this region (division code)"))
        parser.add_argument("--from", dest="date_from", help=_("first day (YYYY-MM-DD)"))
        parser.add_argument("--to", dest="date_to", help=_("last day (YYYY-MM-DD)"))
        parser.add_argument("--as-of", dest="as_of", help=_("records dated on or before"))
        parser.add_argument("--record-kind", dest="kind_filter", help=_("e.g. event:lecture"))
        parser.add_argument("--group-by", help=_("rollup: dimensions, comma-separated"))
        parser.add_argument("--series", choices=("day", "week", "month"), help=_("rollup"))
        parser.add_argument("--indicators", help=_("rollup: indicator codes, comma-separated"))
        parser.add_argument("--template", type=int, help=_("fill: the export template id"))

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        # An option the export does not use is refused: it would be silently ignored.
        unused = [name for name in _UNUSED[_export_of(kind)] if options[name]]
        if unused:
            raise CommandError(
                _("%(options)s cannot be used with %(kind)s.")
                % {"options": ", ".join(_OPTION[name] for name in unused), "kind": kind}
            )
        default = "xlsx" if kind == "fill" else "csv"
        options["format"] = file_format(options["output"], options["format"], default)
        if kind == "fill" and options["format"] != "xlsx":
            raise CommandError(_("A filled template is an .xlsx workbook."))
        actor = actor_for(options["as_user"])
        try:
            campaign = access_campaign(actor=actor, id=options["campaign"])
            region = region_by_code(code=options["region"]) if options["region"] else None
            filters = RollupFilter(
                region=region,
                kind=options["kind_filter"] or None,
                date_from=_day(options["date_from"]) if options["date_from"] else None,
                date_to=_day(options["date_to"]) if options["date_to"] else None,
                as_of=_day(options["as_of"]) if options["as_of"] else None,
            )
            if kind == "rollup":
                export = export_rollup(
                    actor=actor,
                    campaign=campaign,
                    filters=filters,
                    group_by=_list(options["group_by"]),
                    series=options["series"],
                    indicators=_list(options["indicators"]) or None,
                    format=options["format"],
                )
            elif kind == "fill":
                if not options["template"]:
                    raise CommandError(_("Give the template to fill: --template ID."))
                template = access_export_template(actor=actor, id=options["template"])
                export = export_template_fill(
                    actor=actor,
                    template=template,
                    campaign=campaign,
                    as_of=filters.as_of,
                    date_from=filters.date_from,
                    date_to=filters.date_to,
                )
            else:
                export = export_records(
                    actor=actor,
                    campaign=campaign,
                    record_kind=kind,
                    filters=filters,
                    format=options["format"],
                )
            size = export.save(options["output"])
        except NotFound:
            raise CommandError(_("No such campaign, region or template.")) from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": options["output"], "error": error}
            ) from None
        self.stdout.write(f"{options['output']} ({size:,} bytes)")
