"""Published reports uploaded to a campaign and the figures read out of them, reviewed one by
one before the accepted ones are imported into the ledger as plain figures."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaigndesk.ledger.models import Approx
from campaigndesk.regions.fields import PathField


class SourceReport(models.Model):
    """A report as uploaded or pasted: its decoded text is what figure offsets refer to."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="source_reports",
    )
    # The campaign's region path, copied for scoping (who may read the report).
    region_path = PathField(_("region path"))
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    text = models.TextField(_("text"))
    # The extraction stopped at MAX_FIGURES: the rest of the text was not read for figures.
    figures_truncated = models.BooleanField(_("figures cut off"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source report")
        verbose_name_plural = _("source reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sha256"], name="sourcereport_unique_text")
        ]
        indexes = [models.Index(fields=["region_path"], name="sourcereport_path")]

    def __str__(self) -> str:
        return self.title


class FigureStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ExtractedFigure(models.Model):
    """One figure found in a report: where it is, what it says, the indicator suggested
    for it, the reviewer's choice and verdict, and the ledger figure it became."""

    report = models.ForeignKey(SourceReport, on_delete=models.CASCADE, related_name="figures")
    # Code-point offsets into the report's text (the number and its magnitude).
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    text = models.CharField(_("text"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    measure = models.CharField(_("measure word"), max_length=20, blank=True)
    approx = models.CharField(
        _("approximation"), max_length=10, choices=Approx.choices, blank=True, default=""
    )
    counted = models.CharField(_("what was counted"), max_length=100, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    suggested_indicator = models.ForeignKey(
        "ledger.Indicator",
        verbose_name=_("suggested indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    indicator = models.ForeignKey(
        "ledger.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FigureStatus.choices, default=FigureStatus.PENDING
    )
    record = models.ForeignKey(
        "ledger.FigureRecord",
        verbose_name=_("ledger figure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extracted figure")
        verbose_name_plural = _("extracted figures")
        ordering = ["report", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="extractedfigure_span_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(indicator__isnull=False),
                name="extractedfigure_accepted_has_indicator",
            ),
        ]
        indexes = [models.Index(fields=["report", "status"], name="extractedfigure_status")]

    def __str__(self) -> str:
        return f"{self.text}{self.measure}"
