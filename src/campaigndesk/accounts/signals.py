"""Record logins, logouts and failed logins in the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_log
from .models import AuditEntry


def _client(request) -> dict:
    if request is None:
        return {}
    return {
        "ip": request.META.get("REMOTE_ADDR", ""),
        "agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    # Written in autocommit: a failed login is not part of any transaction that could
    # roll it back.
    audit_log(
        actor=None,
        action="accounts.login.failed",
        outcome=AuditEntry.Outcome.FAILED,
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
        extra=_client(request),
    )


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_log(actor=user, action="accounts.login.succeeded", obj=user, extra=_client(request))


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action="accounts.logout", obj=user, extra=_client(request))
