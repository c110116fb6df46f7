"""`campaigndesk token create USERNAME --name NAME [--days N]`: an API token for a machine
client, printed once; `token list USERNAME` and `token revoke ID` manage them."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.accounts.models import ApiToken, User
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.accounts.tokens import api_token_create, api_token_list, api_token_revoke
from campaigndesk.common.errors import DomainError


class Command(BaseCommand):
    help = gettext_lazy("Create, list and revoke API tokens for machine clients.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create", help=_("Create a token acting as USERNAME; the secret is printed once.")
        )
        create.add_argument("username")
        create.add_argument("--name", required=True, help=_("what the token is for"))
        create.add_argument(
            "--days", type=int, default=None, help=_("expire after this many days (default: never)")
        )
        listing = actions.add_parser("list", help=_("List a user's tokens."))
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help=_("Revoke a token by its id."))
        revoke.add_argument("id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "create":
                self._create(options["username"], options["name"], options["days"])
            elif action == "list":
                self._list(options["username"])
            elif action == "revoke":
                self._revoke(options["id"])
        except DomainError as error:
            raise CommandError(str(error)) from None

    def _user(self, username: str) -> User:
        try:
            return User.objects.select_related("unit").get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("No user named %(name)s.") % {"name": username}) from None

    def _create(self, username: str, name: str, days: int | None) -> None:
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        expires = timezone.now() + datetime.timedelta(days=days) if days else None
        new = api_token_create(
            actor=SYSTEM, user=self._user(username), name=name, expires_at=expires
        )
        # The secret alone on stdout, so that scripts can capture it; the rest on stderr.
        self.stdout.write(new.secret)
        self.stderr.write(
            _(
                "Token %(id)s (%(name)s) for %(user)s created. Keep the secret above: "
                "it cannot be shown again."
            )
            % {"id": new.token.pk, "name": new.token.name, "user": username}
        )

    def _list(self, username: str) -> None:
        for token in api_token_list(user=self._user(username)):
            state = (
                _("revoked")
                if token.revoked_at
                else _("expired")
                if token.expires_at and token.expires_at <= timezone.now()
                else _("active")
            )
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "-"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t{used}")

    def _revoke(self, id: int) -> None:
        try:
            token = ApiToken.objects.select_related("user__unit").get(pk=id)
        except ApiToken.DoesNotExist:
            raise CommandError(_("No token with id %(id)s.") % {"id": id}) from None
        api_token_revoke(actor=SYSTEM, token=token)
        self.stdout.write(_("Token %(id)s revoked.") % {"id": id})
