"""`campaigndesk extract FILE`: print the statistical figures found in a report."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError
from campaigndesk.documents.decoding import MAX_DOCUMENT_BYTES, decode_document
from campaigndesk.documents.extraction import iter_figures

_TABLE_COLUMNS = ("start", "end", "text", "value", "measure", "approx", "as_of", "counted")


class Command(BaseCommand):
    help = (
        "Print the statistical figures found in a report (.txt, .docx or .pdf with a text "
        'layer).\n\nJSON (the default) is {"figures": [{start, end, text, value, measure, '
        "approx, counted, as_of}, ...]}, with start/end code-point offsets into the decoded "
        "text; --format table prints one figure per line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The report: .txt, .docx or .pdf.")
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            default="json",
            help="json (default) or table.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise CommandError(
                    _("The document is larger than %(limit)s MB.")
                    % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)}
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        try:
            text = decode_document(data, path.name)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        del data
        if options["format"] == "table":
            self._write_table(text)
        else:
            self._write_json(text)

    def _write_json(self, text: str) -> None:
        # Written figure by figure so that a long report never builds one big string.
        write = self.stdout.write
        write('{"figures": [', ending="")
        for index, figure in enumerate(iter_figures(text)):
            prefix = "\n  " if index == 0 else ",\n  "
            write(prefix + json.dumps(figure.as_dict(), ensure_ascii=False), ending="")
        write("\n]}")

    def _write_table(self, text: str) -> None:
        self.stdout.write("\t".join(_TABLE_COLUMNS))
        for figure in iter_figures(text):
            row = figure.as_dict()
            self.stdout.write(
                "\t".join("" if row[c] is None else str(row[c]) for c in _TABLE_COLUMNS)
            )
