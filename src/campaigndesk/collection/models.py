"""Collection tasks (周调度): the office asks named units for a short form of indicators on
a schedule; each period is a round with a deadline; each unit's submission becomes figures
in the ledger (one FigureRecord per indicator, linked through SubmissionValue)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaigndesk.ledger.models import Approx
from campaigndesk.regions.fields import PathField


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Weekday(models.IntegerChoices):
    """Python's numbering (``date.weekday()``): Monday is 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class CollectionTask(models.Model):
    """A form of indicators that named units fill in once, every week or every month.

    Deadline rules: a one-off task is due at ``due_at`` and covers ``first_period_start``
    up to that day; a weekly one covers seven days from ``first_period_start`` onwards and
    is due on the first ``due_weekday`` on or after a period's last day, at ``due_time``;
    a monthly one covers calendar months and is due on day ``due_day`` of the next month.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="collection_tasks",
    )
    # The region of the office that sends the task: who manages it and who sees it.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = PathField(_("region path"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    indicators = models.ManyToManyField(
        "ledger.Indicator", verbose_name=_("indicators"), related_name="+"
    )
    units = models.ManyToManyField(
        "regions.Unit",
        verbose_name=_("units"),
        related_name="collection_tasks",
        through="TaskUnit",
    )
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices)
    first_period_start = models.DateField(_("first period starts"))
    due_weekday = models.PositiveSmallIntegerField(
        _("due weekday"), null=True, blank=True, choices=Weekday.choices
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day of the next month"), null=True, blank=True
    )
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # When a closed task was last opened again: the rounds that fell due while it was
    # closed are not opened (nobody was asked for them).
    resumed_at = models.DateTimeField(_("collected again"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collection task")
        verbose_name_plural = _("collection tasks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recurrence="once") | Q(due_at__isnull=False),
                name="collectiontask_once_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="weekly")
                | Q(due_weekday__isnull=False, due_weekday__lte=6, due_time__isnull=False),
                name="collectiontask_weekly_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="monthly")
                | Q(due_day__gte=1, due_day__lte=31, due_time__isnull=False),
                name="collectiontask_monthly_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskUnit(models.Model):
    """A unit a task names. One named when the task was sent is asked for every round;
    one added later (``added_at``) only for the rounds due after that: it is not missing
    from the rounds that closed before it was asked."""

    # (the table Django made for the plain many-to-many field this replaced)
    task = models.ForeignKey(
        CollectionTask,
        on_delete=models.CASCADE,
        db_column="collectiontask_id",
        related_name="memberships",
    )
    unit = models.ForeignKey("regions.Unit", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(_("added"), null=True, blank=True)

    class Meta:
        db_table = "collection_collectiontask_units"
        unique_together = [("task", "unit")]
        verbose_name = _("unit asked")
        verbose_name_plural = _("units asked")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.unit_id}"


class CollectionRound(models.Model):
    """One period of a task: the values of ``period_start`` .. ``period_end``, due at
    ``due_at``. Created on demand for the periods that have begun (``rounds_ensure``)."""

    task = models.ForeignKey(CollectionTask, on_delete=models.PROTECT, related_name="rounds")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collection round")
        verbose_name_plural = _("collection rounds")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="round_unique_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="round_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["due_at"], name="round_due_at")]

    def __str__(self) -> str:
        return f"{self.task} {self.period_start} – {self.period_end}"


class Submission(models.Model):
    """A unit's answer to a round. A resubmission (before the period is locked) replaces
    the values; lateness is judged by the first submission."""

    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_late = models.BooleanField(_("late"), default=False)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="submission_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.round}"


class SubmissionValue(models.Model):
    """One value of a submission and the ledger figure it became."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(
        "ledger.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    # Null when the figure was deleted in the ledger; a resubmission writes a new one.
    figure = models.OneToOneField(
        "ledger.FigureRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    approx = models.CharField(
        _("approximation"), max_length=10, choices=Approx.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("submitted value")
        verbose_name_plural = _("submitted values")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="submissionvalue_unique_indicator"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="submissionvalue_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"
