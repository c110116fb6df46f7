"""Users with a unit and roles, the office settings, and the audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigndesk.regions.fields import PathField


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICE = "office", _("Office")
    REPORTER = "reporter", _("Reporter")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Final approver")
    OBSERVER = "observer", _("Observer")


# Roles that see the region subtree of their unit (read); only OFFICE and ADMIN write there.
SUBTREE_READ_ROLES = frozenset(
    {Role.OFFICE, Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.OBSERVER}
)


class User(AbstractUser):
    """A person who logs in; belongs to one unit and holds one or more roles."""

    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    must_change_password = models.BooleanField(_("must change password"), default=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        """The user's roles, fetched once per instance."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.role_grants.values_list("role", flat=True))
                if self.pk
                else frozenset()
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique_user_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class OfficeSettings(models.Model):
    """Settings an office keeps for its region subtree (one row per office unit)."""

    unit = models.OneToOneField(
        "regions.Unit", on_delete=models.CASCADE, related_name="office_settings"
    )
    # Whether one person may sign two steps of the same item's review (编辑/审核/终审).
    allow_same_person_multiple_review_steps = models.BooleanField(
        _("one person may sign two review steps"), default=False
    )

    class Meta:
        verbose_name = _("office settings")
        verbose_name_plural = _("office settings")

    def __str__(self) -> str:
        return str(self.unit)


class AuditEntry(models.Model):
    """One change (or denied attempt) in the audit trail; never edited or deleted."""

    class Outcome(models.TextChoices):
        DONE = "done", _("done")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.DONE
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    # The path of the region the change belongs to, so an office reads its subtree's trail.
    region_path = PathField(_("region path"), blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    extra = models.JSONField(_("details"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A secret that lets a machine client call the API as its user, with the user's scope.
    Only the SHA-256 of the secret is kept; the secret is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, so that people can tell their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
