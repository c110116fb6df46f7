"""The administrative region tree, the units that do the work, and the outlet directory."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import PathField


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    PREFECTURE = 2, _("Prefecture")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


# Length of an official statistical division code at each level (GB/T 2260 + 12-digit codes).
OFFICIAL_CODE_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.PREFECTURE: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    """A node of the administrative tree, keyed by its division code."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = PathField(_("path"), unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def full_code(self) -> str:
        """The 12-digit statistical code (official codes are right-padded with zeros)."""
        return self.code.ljust(12, "0") if self.code.isdigit() else self.code


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    MEDIA = "media", _("Media outlet / media centre")
    PRACTICE_CENTRE = "practice_centre", _("Civilisation-practice centre")
    PRACTICE_INSTITUTE = "practice_institute", _("Civilisation-practice institute")
    PRACTICE_STATION = "practice_station", _("Civilisation-practice station")
    TOWNSHIP_COMMITTEE = "township", _("Township government / committee")
    VILLAGE_COMMITTEE = "village", _("Village / community committee")
    OFFICE = "office", _("Office")
    WORKING_GROUP = "working_group", _("Working group")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """An organisation that takes part in campaigns: a department, a township, a centre."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    # Copy of region.path so that scoping a unit (and rows that hang on it) is one range.
    region_path = PathField(_("region path"), db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Script-blind key (Simplified, no pinyin artifacts, no spaces) used to match names.
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """Another name a unit goes by (short form, old name, other script)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("alias"), max_length=150)
    alias_key = models.CharField(max_length=150, db_index=True, editable=False)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        constraints = [
            models.UniqueConstraint(fields=["unit", "alias_key"], name="unitalias_unique_key")
        ]

    def __str__(self) -> str:
        return self.alias


class Channel(models.TextChoices):
    NEWSPAPER = "newspaper", _("Newspaper")
    TV = "tv", _("Television")
    RADIO = "radio", _("Radio")
    WECHAT = "wechat", _("WeChat official account")
    VIDEO_ACCOUNT = "video_account", _("WeChat video account")
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    APP = "app", _("App")
    WEBSITE = "website", _("Website")
    XUEXI = "xuexi", _("Xuexi Qiangguo")
    LED = "led", _("LED screen")
    LOUDSPEAKER = "loudspeaker", _("Loudspeaker")
    OTHER = "other", _("Other")


class OutletLevel(models.IntegerChoices):
    CENTRAL = 1, _("Central")
    PROVINCIAL = 2, _("Provincial")
    MUNICIPAL = 3, _("Municipal")
    COUNTY = 4, _("County")
    TOWNSHIP = 5, _("Township")


class Outlet(models.Model):
    """A publication channel (a paper, a TV programme, an account): one shared directory,
    not scoped, because a central or provincial outlet lies in no county's subtree."""

    name = models.CharField(_("name"), max_length=150)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=OutletLevel.choices)
    # Where the outlet is based and who runs it, when known (for display, not scoping).
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outlets",
    )
    name_key = models.CharField(max_length=150, db_index=True, editable=False)

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "channel"], name="outlet_unique_name_channel")
        ]

    def __str__(self) -> str:
        return self.name
