"""Campaigns: their organisation (leading group, units), plan (strands, phases, schedule)
and targets (coverage, rates, quotas)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaigndesk.regions.fields import PathField
from campaigndesk.regions.models import Region, RegionLevel, Unit


class Campaign(models.Model):
    """A publicity campaign run by a lead unit over a region."""

    name = models.CharField(_("name"), max_length=200)
    slogan = models.CharField(_("theme / slogan"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_campaigns"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="campaigns"
    )
    region_path = PathField(_("region path"), db_index=True)
    responsible_units = models.ManyToManyField(
        Unit,
        verbose_name=_("responsible units"),
        through="CampaignUnit",
        related_name="campaigns",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignUnit(models.Model):
    """A unit that takes part in a campaign, and how."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        RESPONSIBLE = "responsible", _("Responsible unit")
        MEMBER = "member", _("Member unit")
        MEDIA = "media", _("Media partner")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_links")
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.RESPONSIBLE
    )

    class Meta:
        verbose_name = _("campaign unit")
        verbose_name_plural = _("campaign units")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaignunit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class Strand(models.Model):
    """A line of work within a campaign: media publicity, touring performances, ..."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="strands")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("strand")
        verbose_name_plural = _("strands")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="strand_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """A stage of a campaign with dates: warm-up, concentrated coverage, follow-through."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["order", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="phase_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LeadingGroupMember(models.Model):
    """A member of the campaign's leading group (组长, 副组长, 成员, 联络员)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Group leader")
        DEPUTY = "deputy", _("Deputy leader")
        MEMBER = "member", _("Member")
        LIAISON = "liaison", _("Liaison officer")
        OFFICE_DIRECTOR = "office_director", _("Office director")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leading_group")
    person_name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("leading-group member")
        verbose_name_plural = _("leading group")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person_name}"


class CoverageTarget(models.Model):
    """Regions of one level the campaign must reach (e.g. 445 villages)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="coverage_targets"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    target_count = models.PositiveIntegerField(_("number to reach"))
    regions = models.ManyToManyField(Region, verbose_name=_("named regions"), blank=True)

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "level"], name="coverage_unique_level")
        ]

    def __str__(self) -> str:
        return f"{self.target_count} {self.get_level_display()}"


class RateKind(models.TextChoices):
    AWARENESS = "awareness", _("Awareness rate")
    PARTICIPATION = "participation", _("Participation rate")
    SUPPORT = "support", _("Support rate")
    SATISFACTION = "satisfaction", _("Satisfaction")


class RateTarget(models.Model):
    """A rate the campaign aims at, measured later by surveys (知晓率 ≥ 90%)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rate_targets")
    kind = models.CharField(_("rate"), max_length=20, choices=RateKind.choices)
    target_percent = models.DecimalField(_("target %"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("rate target")
        verbose_name_plural = _("rate targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="rate_unique_kind"),
            models.CheckConstraint(
                condition=Q(target_percent__gte=0) & Q(target_percent__lte=100),
                name="rate_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_percent}%"


class QuotaTarget(models.Model):
    """N items of a kind per unit per week or month, due by a day of the next period
    ("each unit at least 3 information items a month, by the 5th")."""

    class ItemKind(models.TextChoices):
        INFORMATION = "information", _("Information items")
        NEWS = "news", _("News reports")
        SPECIAL = "special", _("Special topics")
        RECORD = "record", _("Ledger records")

    class Period(models.TextChoices):
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")
        QUARTER = "quarter", _("per quarter")
        YEAR = "year", _("per year")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quota_targets")
    item_kind = models.CharField(_("item kind"), max_length=20, choices=ItemKind.choices)
    count = models.PositiveIntegerField(_("at least"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    # Day of the following period by which the items count (0: the period's last day).
    due_day = models.PositiveSmallIntegerField(_("due day of next period"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "item_kind", "period"], name="quota_unique_kind_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.get_item_kind_display()} {self.get_period_display()}"


class ScheduleItem(models.Model):
    """One row of the schedule table (时间安排表): theme, project, units, time window."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="schedule")
    seq = models.PositiveIntegerField(_("no."))
    theme = models.CharField(_("theme"), max_length=200)
    project = models.CharField(_("project"), max_length=500, blank=True)
    responsible_units = models.ManyToManyField(
        Unit, verbose_name=_("responsible units"), related_name="schedule_items"
    )
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("until"))
    # The window as written ("12月初"), kept to show the plan in its own words.
    window_text = models.CharField(_("time as written"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    strand = models.ForeignKey(
        Strand, verbose_name=_("strand"), null=True, blank=True, on_delete=models.SET_NULL
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("schedule item")
        verbose_name_plural = _("schedule")
        ordering = ["campaign", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "seq"], name="schedule_unique_seq"),
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="schedule_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.theme}"
