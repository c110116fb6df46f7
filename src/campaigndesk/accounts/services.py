"""Writes on users and roles: create, grant roles, change password, preferences."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError
from campaigndesk.regions.models import Unit

from .audit import audit_log, records_denials, snapshot
from .models import Role, RoleGrant, User
from .scoping import require_manage


def _validate_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise DomainError(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)})
    if not roles:
        raise DomainError(_("A user needs at least one role."))
    return roles


def _sync_admin_flags(user: User, roles: Iterable[str]) -> None:
    # The administrator role is what opens the Django admin (read-only for domain models).
    is_admin = Role.ADMIN in roles
    user.is_staff = user.is_superuser = is_admin


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="password") from error


@records_denials("accounts.user.create")
def user_create(
    *,
    actor,
    username: str,
    password: str,
    unit: Unit | None,
    roles: Iterable[str],
    full_name: str = "",
    must_change_password: bool = True,
) -> User:
    """Create a user in ``unit`` with ``roles``. Raises Forbidden unless the actor manages
    the unit's region; DomainError for a taken username, a weak password or no role."""
    roles = _validate_roles(roles)
    if Role.ADMIN in roles:
        from .scoping import require_admin

        require_admin(actor, what=username)
    if unit is None:
        if Role.ADMIN not in roles:
            raise DomainError(_("Only an administrator may have no unit."))
    else:
        require_manage(actor, region_path=unit.region_path, what=username)
    username = username.strip()
    if not username:
        raise DomainError(_("A username is required."))
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(_("The username %(name)s is taken.") % {"name": username})
        user = User(
            username=username,
            unit=unit,
            full_name=full_name,
            must_change_password=must_change_password,
        )
        _check_password(password, user)
        user.set_password(password)
        user.save()
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in roles)
        audit_log(
            actor=actor,
            action="accounts.user.created",
            obj=user,
            after={**snapshot(user), "roles": roles},
            region_path=unit.region_path if unit else "",
        )
    return user


@records_denials("accounts.user.roles_set")
def user_set_roles(*, actor, user: User, roles: Iterable[str]) -> User:
    """Replace the user's roles. Raises Forbidden unless the actor manages the user's unit."""
    roles = _validate_roles(roles)
    if user.unit is None or Role.ADMIN in roles:
        from .scoping import require_admin

        require_admin(actor, what=user.username)
    else:
        require_manage(actor, region_path=user.unit.region_path, what=user.username)
    with transaction.atomic():
        before = sorted(user.role_set)
        user.role_grants.exclude(role__in=roles).delete()
        existing = set(user.role_grants.values_list("role", flat=True))
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role=role) for role in roles if role not in existing
        )
        user._role_cache = None
        _sync_admin_flags(user, roles)
        user.save(update_fields=["is_staff", "is_superuser"])
        audit_log(
            actor=actor,
            action="accounts.user.roles_set",
            obj=user,
            before={"roles": before},
            after={"roles": sorted(roles)},
            region_path=user.unit.region_path if user.unit else "",
        )
    return user


def user_change_password(*, actor: User, new_password: str) -> None:
    """Set the actor's own new password (validated) and lift the forced change."""
    _check_password(new_password, actor)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.must_change_password = False
        actor.save(update_fields=["password", "must_change_password"])
        audit_log(
            actor=actor,
            action="accounts.user.password_changed",
            obj=actor,
            region_path=actor.unit.region_path if actor.unit else "",
        )


@records_denials("accounts.user.password_reset")
def user_reset_password(*, actor, user: User, new_password: str) -> None:
    """Set an initial password for someone else; they must change it at next login."""
    if user.unit is None:
        from .scoping import require_admin

        require_admin(actor, what=user.username)
    else:
        require_manage(actor, region_path=user.unit.region_path, what=user.username)
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_log(
            actor=actor,
            action="accounts.user.password_reset",
            obj=user,
            region_path=user.unit.region_path if user.unit else "",
        )


def user_set_language(*, actor: User, language: str) -> None:
    """Save the actor's interface language (one of settings.LANGUAGES)."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language: %(code)s") % {"code": language})
    with transaction.atomic():
        before = actor.language
        actor.language = language
        actor.save(update_fields=["language"])
        audit_log(
            actor=actor,
            action="accounts.user.language_set",
            obj=actor,
            before={"language": before},
            after={"language": language},
        )
