"""API tokens for machine clients: create and revoke them (audited), and find the user a
presented token stands for."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError, Forbidden

from .audit import audit_log, records_denials, snapshot
from .models import ApiToken, User
from .scoping import can_manage, is_admin

# Tokens read "cd_" + 43 URL-safe characters (256 random bits).
TOKEN_PREFIX = "cd_"
# Writing last_used_at on every request would turn each read into a write; a minute's
# precision is enough to tell a token in use from an idle one.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@dataclass
class NewToken:
    """A created token and its secret, which is not stored and cannot be shown again."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_token_admin(actor, user: User) -> None:
    # One's own tokens; or those of users in the subtree an office manages; or anyone's
    # for an administrator.
    if is_admin(actor):
        return
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        return
    if user.unit is not None and can_manage(actor, region_path=user.unit.region_path):
        return
    error = Forbidden(_("You may not manage the API tokens of %(user)s.") % {"user": user})
    error.region_path = user.unit.region_path if user.unit else ""  # type: ignore[attr-defined]
    error.object_repr = user.username  # type: ignore[attr-defined]
    raise error


@records_denials("accounts.api_token.create")
def api_token_create(
    *, actor, user: User, name: str, expires_at: datetime.datetime | None = None
) -> NewToken:
    """Create a token acting as ``user`` and return it with its secret (shown once).
    Raises Forbidden unless the actor is the user, manages the user's unit, or is an
    administrator; DomainError for an empty name, an inactive user or a past expiry."""
    _require_token_admin(actor, user)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the token a name (what it is for)."))
    if not user.is_active:
        raise DomainError(_("%(user)s is not active.") % {"user": user.username})
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry date has already passed."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=token_hash(secret),
            expires_at=expires_at,
        )
        audit_log(
            actor=actor,
            action="accounts.api_token.created",
            obj=token,
            after=snapshot(token, fields=["user", "name", "prefix", "expires_at"]),
            region_path=user.unit.region_path if user.unit else "",
        )
    return NewToken(token=token, secret=secret)


@records_denials("accounts.api_token.revoke")
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on it is refused. Raises Forbidden as for creating it,
    DomainError when it is already revoked."""
    user = token.user
    _require_token_admin(actor, user)
    if token.revoked_at is not None:
        raise DomainError(_("This token is already revoked."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            action="accounts.api_token.revoked",
            obj=token,
            after={"revoked_at": token.revoked_at},
            region_path=user.unit.region_path if user.unit else "",
        )
    return token


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_user(*, secret: str) -> User | None:
    """The active user a presented secret stands for, or None when the token is unknown,
    revoked or expired (or its user inactive). Notes when the token was last used."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
