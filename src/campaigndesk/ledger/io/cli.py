"""What the import and export commands share: the acting user and a progress bar."""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from campaigndesk.accounts.models import User
from campaigndesk.accounts.scoping import SYSTEM

RECORD_KINDS = ("output", "material", "event", "figure")
FILE_FORMATS = ("csv", "xlsx")


def file_format(output, given: str | None, default: str) -> str:
    """The format to write: ``--format`` when given, else the one the file name ends in
    (``-o 模板.csv``), else ``default``. Raises CommandError when the two disagree: a file
    named .csv holding a workbook cannot be imported again."""
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    named = suffix if suffix in FILE_FORMATS else None
    if not given and suffix and not named:
        # (a workbook written to "t.txt" could not be imported again under that name)
        raise CommandError(
            _("Name the file .csv or .xlsx, or give --format: %(name)s") % {"name": output.name}
        )
    if given and named and given != named:
        raise CommandError(
            _("--format %(format)s does not match the file name %(name)s.")
            % {"format": given, "name": output.name}
        )
    return given or named or default


def actor_for(username: str | None):
    """The user named by ``--as``, or the command-line operator (SYSTEM)."""
    if not username:
        return SYSTEM
    user = User.objects.filter(username=username, is_active=True).select_related("unit").first()
    if user is None:
        raise CommandError(_("No active user is called %(name)s.") % {"name": username})
    return user


class ProgressBar:
    """A plain progress line on stderr: redrawn in place on a terminal, otherwise a line
    every few seconds (logs stay readable)."""

    WIDTH = 30

    def __init__(self, stream, *, label: str = ""):
        self.stream = stream
        self.label = label or _("rows")
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, rows: int, fraction: float | None) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 5.0) and fraction != 1.0:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = rows / elapsed
        if fraction is not None:
            filled = int(self.WIDTH * fraction)
            bar = "[" + "#" * filled + " " * (self.WIDTH - filled) + f"] {fraction:4.0%} "
        else:
            bar = ""
        line = f"{bar}{rows:,} {self.label}, {rate:,.0f}/s"
        if self.tty:
            self.stream.write("\r" + line, ending="")
            self.stream.flush()
            self.drawn = True
        else:
            self.stream.write(line)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("")
            self.drawn = False
