"""Reporting up the chain (信息报送): information items and their three-step review,
adoptions by outlets, commissioned topics, assessment rules, briefings and monthly
bulletins.

An item belongs to a campaign and to the unit that submits it, and carries the unit's
region path so the same subtree scoping as the ledger applies. Briefings and bulletins are
frozen when issued: what they show is the ``snapshot`` stored with them, never recomputed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigndesk.regions.fields import PathField
from campaigndesk.regions.models import OutletLevel


class ItemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")  # waiting for the editor (编辑)
    EDITED = "edited", _("Edited")  # waiting for the reviewer (审核)
    REVIEWED = "reviewed", _("Reviewed")  # waiting for final sign-off (终审)
    SIGNED_OFF = "signed_off", _("Signed off")
    RETURNED = "returned", _("Returned to unit")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InfoItem(models.Model):
    """An information item (信息) a unit reports up; reviewed 编辑 → 审核 → 终审."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="info_items"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="info_items"
    )
    # The unit's region path when the item was created (scoping, like ledger records).
    region_path = PathField(_("region path"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    schedule_item = models.ForeignKey(
        "campaigns.ScheduleItem",
        verbose_name=_("schedule item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="info_items",
    )
    event = models.ForeignKey(
        "ledger.EventRecord",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="info_items",
    )
    commission = models.ForeignKey(
        "Commission",
        verbose_name=_("commissioned topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ItemState.choices, default=ItemState.DRAFT
    )
    # First submission: quotas count items by it (a resubmission after a return keeps it).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The quota period the item counts for (first day of the month or Monday of the week
    # the unit chose on first submission; see ``reporting.quotas``).
    quota_period_start = models.DateField(_("counts for period"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    # Set by the office when the item proves to be a false report (虚报): a penalty.
    false_report = models.BooleanField(_("false report"), default=False)
    false_report_note = models.CharField(_("false report note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("information item")
        verbose_name_plural = _("information items")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "state"], name="infoitem_campaign_state"),
            models.Index(fields=["campaign", "region_path"], name="infoitem_campaign_path"),
            models.Index(fields=["unit", "submitted_at"], name="infoitem_unit_submitted"),
        ]

    def __str__(self) -> str:
        return self.title


class ItemTransition(models.Model):
    """One step of an item's review: who moved it from which state to which, and why."""

    class Step(models.TextChoices):
        SUBMIT = "submit", _("Submit")
        EDIT = "edit", _("Edit (编辑)")
        REVIEW = "review", _("Review (审核)")
        SIGN_OFF = "sign_off", _("Sign off (终审)")
        RETURN = "return", _("Return to unit")
        RESUBMIT = "resubmit", _("Resubmit")
        WITHDRAW = "withdraw", _("Withdraw")

    item = models.ForeignKey(InfoItem, on_delete=models.CASCADE, related_name="transitions")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    from_state = models.CharField(max_length=12, choices=ItemState.choices)
    to_state = models.CharField(max_length=12, choices=ItemState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    # Stamped by the service's clock (so a replayed history keeps its own times).
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        # The order the steps were taken in (a replayed history may stamp older times).
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.from_state}→{self.to_state}"


class ItemAttachment(models.Model):
    """A photo or file attached to an item (image, PDF or Office file, size-limited)."""

    item = models.ForeignKey(InfoItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="reporting/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("type"), max_length=10)  # jpeg, png, pdf, docx, xlsx ...
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class LeaderComment(models.Model):
    """A leader's written comment (批示) on an item: a bonus in the assessment."""

    item = models.ForeignKey(InfoItem, on_delete=models.CASCADE, related_name="leader_comments")
    leader = models.CharField(_("leader"), max_length=100)
    comment = models.TextField(_("comment"), blank=True)
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leader's comment")
        verbose_name_plural = _("leaders' comments")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.leader} {self.date}"


class Adoption(models.Model):
    """An outlet's adoption (采用) of a signed-off item, at the outlet's level."""

    item = models.ForeignKey(InfoItem, on_delete=models.PROTECT, related_name="adoptions")
    outlet = models.ForeignKey(
        "regions.Outlet", verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the outlet when recorded, so a later change of the directory does not
    # change what the adoption scored.
    level = models.PositiveSmallIntegerField(_("level"), choices=OutletLevel.choices)
    date = models.DateField(_("date"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    proof = models.FileField(_("proof file"), upload_to="adoptions/%Y/%m/", blank=True)
    proof_name = models.CharField(_("proof file name"), max_length=255, blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True)
    is_headline = models.BooleanField(_("headline / front page"), default=False)
    # Dated before the item's submission: accepted only with a proof file, and shown.
    flagged_early = models.BooleanField(_("dated before submission"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "outlet"], name="adoption_unique_item_outlet")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.outlet_id}"


class Commission(models.Model):
    """A commissioned topic (约稿): the office asks named units for items on a theme."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="commissions"
    )
    theme = models.CharField(_("theme"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"))
    units = models.ManyToManyField("regions.Unit", verbose_name=_("units"), related_name="+")
    # Items each unit owes on the theme.
    count_per_unit = models.PositiveSmallIntegerField(_("items per unit"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commissioned topic")
        verbose_name_plural = _("commissioned topics")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.theme


class ScoringMode(models.TextChoices):
    HIGHEST_ONCE = "highest_once", _("Once, at the highest level adopted")
    PER_ADOPTION = "per_adoption", _("Once per adoption")


class AssessmentRules(models.Model):
    """One version of a campaign's assessment rules, in force from ``valid_from`` until the
    next version. Rows are never edited: a change is a new version."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="assessment_rules"
    )
    valid_from = models.DateField(_("in force from"))
    version = models.PositiveIntegerField(_("version"))
    points_central = models.DecimalField(_("points: central"), max_digits=7, decimal_places=2)
    points_provincial = models.DecimalField(_("points: provincial"), max_digits=7, decimal_places=2)
    points_municipal = models.DecimalField(_("points: municipal"), max_digits=7, decimal_places=2)
    points_county = models.DecimalField(_("points: county"), max_digits=7, decimal_places=2)
    points_township = models.DecimalField(
        _("points: township"), max_digits=7, decimal_places=2, default=0
    )
    scoring_mode = models.CharField(
        _("how an item scores"),
        max_length=20,
        choices=ScoringMode.choices,
        default=ScoringMode.HIGHEST_ONCE,
    )
    headline_multiplier = models.DecimalField(
        _("headline multiplier"), max_digits=5, decimal_places=2, default=1
    )
    leader_comment_bonus = models.DecimalField(
        _("bonus per leader's comment"), max_digits=7, decimal_places=2, default=0
    )
    missing_quota_penalty = models.DecimalField(
        _("penalty per missing quota item"), max_digits=7, decimal_places=2, default=0
    )
    false_report_penalty = models.DecimalField(
        _("penalty per false report"), max_digits=7, decimal_places=2, default=0
    )
    base_points = models.DecimalField(
        _("base points per period"), max_digits=7, decimal_places=2, default=0
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment rules")
        verbose_name_plural = _("assessment rules")
        ordering = ["campaign", "-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "version"], name="rules_unique_campaign_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.valid_from})"

    def points_for_level(self, level: int):
        return {
            OutletLevel.CENTRAL: self.points_central,
            OutletLevel.PROVINCIAL: self.points_provincial,
            OutletLevel.MUNICIPAL: self.points_municipal,
            OutletLevel.COUNTY: self.points_county,
            OutletLevel.TOWNSHIP: self.points_township,
        }[level]


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class IssuedDocument(models.Model):
    """What a briefing and a bulletin share: numbering per year, the GB/T 9704 header and
    distribution lines, the frozen snapshot and the stored files with their hashes."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    # The office that issues it (its region path scopes who sees it).
    office = models.ForeignKey("regions.Unit", on_delete=models.PROTECT, related_name="+")
    region_path = PathField(_("region path"))
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=IssueState.choices, default=IssueState.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # 第N期 within the year and 总第N期 over all years; set when issued.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    total_number = models.PositiveIntegerField(_("total number"), null=True, blank=True)
    issue_date = models.DateField(_("date issued"), null=True, blank=True)
    signer = models.CharField(_("signed by (签发人)"), max_length=50, blank=True)
    report_to = models.CharField(_("报 (reported to)"), max_length=500, blank=True)
    send_to = models.CharField(_("送 (sent to)"), max_length=500, blank=True)
    distribute_to = models.CharField(_("发 (distributed to)"), max_length=500, blank=True)
    copies = models.PositiveIntegerField(_("copies printed (印数)"), null=True, blank=True)
    # Everything the document shows, frozen on issue (None while a draft).
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    docx = models.FileField(upload_to="issued/%Y/", blank=True, editable=False)
    docx_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Briefing(IssuedDocument):
    """A numbered work briefing (工作简报 2023年第N期) compiling signed-off items."""

    items = models.ManyToManyField(
        InfoItem, through="BriefingItem", related_name="briefings", verbose_name=_("items")
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"], name="briefing_unique_office_year_number"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(snapshot__isnull=False),
                name="briefing_issued_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BriefingItem(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(InfoItem, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "item"], name="briefingitem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.briefing_id}:{self.item_id}"


class Bulletin(IssuedDocument):
    """The monthly bulletin (月度通报): per unit, items submitted, signed off, adopted by
    level, quota met or missed, points and rank, under the rules in force that month."""

    period_start = models.DateField(_("month"))  # first day of the month
    rules = models.ForeignKey(
        AssessmentRules, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    xlsx = models.FileField(upload_to="issued/%Y/", blank=True, editable=False)
    xlsx_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"], name="bulletin_unique_office_year_number"
            ),
            # One issued bulletin per campaign and month that no later issue corrects is
            # enforced in the service (a correction supersedes, the original stays).
            models.CheckConstraint(
                condition=Q(state="draft") | Q(snapshot__isnull=False),
                name="bulletin_issued_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return self.title
