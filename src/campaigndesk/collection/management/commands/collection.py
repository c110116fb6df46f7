"""`campaigndesk collection rounds` (for a cron) and `campaigndesk collection remind ROUND`."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.collection import selectors, services
from campaigndesk.collection.models import CollectionTask
from campaigndesk.common.errors import NotFound


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("Not a date and time: %(value)s (write 2024-11-22T17:00)") % {"value": text}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


class Command(BaseCommand):
    help = gettext_lazy("Collection tasks: open the rounds that are due; print a reminder.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rounds = actions.add_parser(
            "rounds", help=_("Open the rounds of every active task whose periods have begun.")
        )
        rounds.add_argument(
            "--now", type=_moment, default=None, help=_("pretend it is this time (ISO 8601)")
        )
        remind = actions.add_parser(
            "remind", help=_("Print the reminder text listing the units that have not answered.")
        )
        remind.add_argument("round", type=int, help=_("round id"))
        remind.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help=_("language of the text (default: %(default)s)"),
        )
        remind.add_argument(
            "--now", type=_moment, default=None, help=_("pretend it is this time (ISO 8601)")
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "rounds":
            self._rounds(options["now"] or timezone.now())
        elif action == "remind":
            self._remind(options["round"], options["language"], options["now"])

    def _rounds(self, now: datetime.datetime) -> None:
        tasks = CollectionTask.objects.filter(is_active=True).select_related("campaign")
        total = 0
        for task in tasks:
            created = services.rounds_ensure(task=task, until=now)
            total += len(created)
            for round_ in created:
                self.stdout.write(
                    _("%(task)s: round %(start)s – %(end)s (id %(id)s)")
                    % {
                        "task": task.title,
                        "start": round_.period_start,
                        "end": round_.period_end,
                        "id": round_.pk,
                    }
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)s new round(s) for %(tasks)s active task(s).")
                % {"n": total, "tasks": len(tasks)}
            )
        )

    def _remind(self, round_id: int, language: str, now: datetime.datetime | None) -> None:
        try:
            round_ = selectors.access_round(actor=SYSTEM, id=round_id)
        except NotFound:
            raise CommandError(_("No round with id %(id)s.") % {"id": round_id}) from None
        self.stdout.write(selectors.reminder_text(round=round_, now=now, language=language))
