"""The ledger's vocabulary: indicators, which name every figure the office counts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IndicatorCategory(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    MEDIA = "media", _("Media publicity")
    MATERIALS = "materials", _("Offline materials")
    EVENTS = "events", _("Events")
    INFORMATION = "information", _("Information reporting")
    OPINION = "opinion", _("Public opinion")
    EFFECT = "effect", _("Effect")
    COVERAGE = "coverage", _("Coverage")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    # A cumulative "截至…累计" figure: the latest as-of value wins, never added up.
    LATEST = "latest", _("Latest snapshot")
    DISTINCT = "distinct", _("Distinct count")
    RATIO = "ratio", _("Ratio")


class Indicator(models.Model):
    """What is counted: code, name, measure word (量词), category, how it aggregates."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    measure_word = models.CharField(_("measure word"), max_length=10, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=IndicatorCategory.choices)
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # For a ratio: numerator / denominator, both indicators summed over the same filter.
    numerator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["category", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(aggregation="ratio")
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="indicator_ratio_has_parts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.measure_word})" if self.measure_word else self.name
