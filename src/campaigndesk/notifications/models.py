"""In-app notifications: returned items, quotas coming due, issued bulletins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user; read when the user opens or dismisses it."""

    class Kind(models.TextChoices):
        ITEM_RETURNED = "item_returned", _("Item returned")
        ITEM_SIGNED_OFF = "item_signed_off", _("Item signed off")
        ITEM_ADOPTED = "item_adopted", _("Item adopted")
        QUOTA_DUE = "quota_due", _("Quota coming due")
        COMMISSION = "commission", _("Commissioned topic")
        BULLETIN_ISSUED = "bulletin_issued", _("Bulletin issued")
        BRIEFING_ISSUED = "briefing_issued", _("Briefing issued")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Same key, same user: sent once (a daily quota reminder run twice sends one).
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_unique_dedupe",
            )
        ]

    def __str__(self) -> str:
        return self.message
