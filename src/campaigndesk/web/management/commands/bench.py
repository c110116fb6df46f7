"""campaigndesk bench: run the benchmarks on a dedicated database, print the figures and
write them to bench/results.json.

The file keeps the latest run of each section on each database (``databases.postgresql``,
``databases.sqlite``), each with its own date and scale: a run of one section on SQLite
does not wipe out the full PostgreSQL run the README quotes."""

import importlib
import json
import math
import os
import platform
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

# Sections in the order they run; each module has ``run(scale=...) -> [(label, figure,
# unit, target)]`` (scale: 1.0 is the full benchmark, smaller for a quick run).
SECTIONS = ["regions", "extraction", "ledger", "imports", "api", "dashboard"]
RESULTS = Path(settings.PROJECT_DIR) / "bench" / "results.json"


class Command(BaseCommand):
    help = "Run the benchmarks (needs a database whose name contains 'bench'; make bench sets one)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", default="", help="comma-separated sections: " + ", ".join(SECTIONS)
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of the full data sizes (e.g. 0.02 for a quick run)",
        )
        parser.add_argument(
            "--output", default=str(RESULTS), help="where to write the JSON results"
        )

    def handle(self, *args, only: str, scale: float, output: str, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name:
            raise CommandError(
                f"Refusing to run on {name!r}: benchmarks clear tables. "
                "Use `make bench` or set DATABASE_URL to a database named *bench*."
            )
        wanted = [s.strip() for s in only.split(",") if s.strip()] or SECTIONS
        unknown = sorted(set(wanted) - set(SECTIONS))
        if unknown:
            raise CommandError(f"unknown sections: {', '.join(unknown)}")
        self.stdout.write(f"database: {connection.vendor} {name}   scale: {scale}")
        path = Path(output)
        results = _previous(path)
        machine = f"{platform.machine()} {platform.python_version()}"
        sections = results["databases"].setdefault(connection.vendor, {})
        for section in wanted:
            module = importlib.import_module(f"campaigndesk.bench.{section}")
            started = time.perf_counter()
            self.stdout.write(f"\n== {section}")
            self.stdout.write(f"{'benchmark':<60} {'figure':>14}  {'unit':<6} target")
            rows = module.run(scale=scale)
            for label, figure, unit, target in rows:
                self.stdout.write(f"{label:<60} {_shown(figure, unit):>14}  {unit:<6} {target}")
            sections[section] = {
                "when": timezone.now().isoformat(timespec="seconds"),
                "scale": scale,
                "machine": machine,
                "seconds": round(time.perf_counter() - started, 1),
                "rows": [
                    {
                        "benchmark": label,
                        "figure": None if _nan(figure) else figure,
                        "unit": unit,
                        "target": target,
                    }
                    for label, figure, unit, target in rows
                ],
            }
            # Written after each section: a long run stopped halfway keeps what it measured
            # (whole or not at all: a run killed while writing leaves the file as it was).
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            partial.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
            os.replace(partial, path)
        self.stdout.write(f"\nwritten to {path}")


def _previous(path: Path) -> dict:
    """The results file as it stands, in the per-database layout (a missing file, or one
    in the older single-run layout, starts afresh: its figures are in git history).
    Raises CommandError for a file that is not JSON, rather than dropping its figures."""
    try:
        results = json.loads(path.read_text())
    except FileNotFoundError:
        results = {}
    except (OSError, ValueError) as error:
        raise CommandError(f"{path} cannot be read ({error}): move it away first.") from None
    if not isinstance(results, dict) or not isinstance(results.get("databases"), dict):
        results = {"databases": {}}
    return results


def _nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _shown(figure, unit: str) -> str:
    if _nan(figure):
        return "n/a"
    if unit == "":
        return f"{figure:,.0f}"
    return f"{figure:,.3f}"
