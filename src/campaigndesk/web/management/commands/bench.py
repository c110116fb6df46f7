"""campaigndesk bench: run the benchmarks on a dedicated database and print the figures."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from campaigndesk.bench import regions


class Command(BaseCommand):
    help = "Run the benchmarks (needs a database whose name contains 'bench'; make bench sets one)."

    def handle(self, *args, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name:
            raise CommandError(
                f"Refusing to run on {name!r}: benchmarks clear tables. "
                "Use `make bench` or set DATABASE_URL to a database named *bench*."
            )
        self.stdout.write(f"database: {connection.vendor} {name}")
        self.stdout.write(f"{'benchmark':<52} {'figure':>12}  unit   target")
        for label, figure, unit, target in regions.run():
            shown = f"{figure:,.0f}" if unit == "" else f"{figure:,.3f}"
            self.stdout.write(f"{label:<52} {shown:>12}  {unit:<6} {target}")
        self.stdout.write("\nplan of the prefecture subtree query:\n" + regions.plan())
