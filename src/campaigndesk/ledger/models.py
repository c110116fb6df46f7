"""The ledger (台账): indicators, the records units file (media outputs, offline materials,
events, plain figures) with their evidence, and the facts every rollup reads.

Each record is written by a service that also writes its facts: one row per indicator it
counts towards, denormalised with every dimension a rollup filters or groups by (campaign,
region path and the codes of its ancestors at each level, unit, channel, outlet level,
kind, date, approximation). The rollup selector reads facts only, so every page, export,
report and API call adds up the same rows the same way.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaigndesk.regions.fields import PathField


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


class DistinctOf(models.TextChoices):
    """What a distinct indicator counts: regions of a level, or units, with activity."""

    COUNTY = "county", _("Counties")
    TOWNSHIP = "township", _("Townships")
    VILLAGE = "village", _("Villages")
    UNIT = "unit", _("Units")


class Indicator(models.Model):
    """What is counted: code, name, measure word (量词), category, how it aggregates."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    measure_word = models.CharField(_("measure word"), max_length=10, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=IndicatorCategory.choices)
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    distinct_of = models.CharField(
        _("distinct count of"), max_length=10, choices=DistinctOf.choices, blank=True
    )
    # For a ratio: numerator / denominator in percent, both summed over the same filter.
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
            ),
            models.CheckConstraint(
                condition=Q(aggregation="distinct", distinct_of__gt="")
                | (~Q(aggregation="distinct") & Q(distinct_of="")),
                name="indicator_distinct_has_dimension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.measure_word})" if self.measure_word else self.name


class Approx(models.TextChoices):
    """How exact a figure is, as the report words it."""

    EXACT = "", _("exact")
    MORE = "more", _("more than (余/多/超/突破)")
    ABOUT = "about", _("about (约)")
    UNDER = "under", _("just under (近)")
    AT_LEAST = "at_least", _("at least (不低于)")


# A total is "about" when any part is about/under, else "more" when any part is
# more/at-least, else exact: the rank of the total is the maximum rank of its parts.
APPROX_RANK = {
    Approx.EXACT: 0,
    Approx.MORE: 1,
    Approx.AT_LEAST: 1,
    Approx.ABOUT: 2,
    Approx.UNDER: 2,
}
RANK_APPROX = {0: Approx.EXACT, 1: Approx.MORE, 2: Approx.ABOUT}


class RecordKind(models.TextChoices):
    OUTPUT = "output", _("Media output")
    MATERIAL = "material", _("Offline material")
    EVENT = "event", _("Event")
    FIGURE = "figure", _("Figure")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Counts")
    # A suspected duplicate does not count until the office confirms it is not one.
    DUPLICATE = "duplicate", _("Suspected duplicate")


class ImportBatch(models.Model):
    """One imported file: keyed by campaign, record kind and file hash so that importing
    the same file again is a reported no-op; a batch can be undone."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField(_("record kind"), max_length=10, choices=RecordKind.choices)
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its last record was written: a record it created that changed later (by hand,
    # or updated by a later import) is not deleted by undoing it. Null for batches from
    # before the field.
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "sha256"],
                condition=Q(undone_at__isnull=True),
                name="importbatch_unique_live_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count})"


class Record(models.Model):
    """What every ledger record has: campaign, unit, region, date, provenance."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = PathField(_("region path"))
    unit_region_path = PathField(_("unit's region path"))
    date = models.DateField(_("date"))
    schedule_item = models.ForeignKey(
        "campaigns.ScheduleItem",
        verbose_name=_("schedule item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A limit the services check (and the import's column names): a note written in one
    # place must be accepted everywhere else, an exported file re-imported say.
    note = models.TextField(_("note"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    # Set by imports that upsert: the importer's own id for the row.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]


def _record_indexes(prefix: str) -> list[models.Index]:
    return [
        models.Index(fields=["campaign", "date"], name=f"{prefix}_campaign_date"),
        models.Index(fields=["region_path"], name=f"{prefix}_region_path"),
        models.Index(fields=["unit", "date"], name=f"{prefix}_unit_date"),
        models.Index(fields=["campaign", "external_id"], name=f"{prefix}_external_id"),
    ]


class MediaOutput(Record):
    """A piece published through an outlet: a news item, an article, a video, a stream."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News item")
        ARTICLE = "article", _("Article")
        IMAGE_TEXT = "image_text", _("Image and text")
        VIDEO = "video", _("Short video")
        SPECIAL_FILM = "special_film", _("Special film")
        LIVE_STREAM = "live_stream", _("Live stream")
        H5 = "h5", _("H5 page")
        POSTER = "poster", _("Digital poster")
        OTHER = "other", _("Other")

    outlet = models.ForeignKey(
        "regions.Outlet", verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    is_original = models.BooleanField(_("original (not a repost)"), default=True)
    language = models.CharField(_("language"), max_length=20, blank=True, default="zh")
    views = models.PositiveBigIntegerField(_("views / plays"), null=True, blank=True)
    audience = models.PositiveBigIntegerField(_("audience"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # What the duplicate check compares: the link without its tracking parameters, scheme
    # and the like (``ledger.links.link_key``), set whenever the link is.
    url_key = models.CharField(max_length=500, blank=True, default="", editable=False)

    class Meta(Record.Meta):
        verbose_name = _("media output")
        verbose_name_plural = _("media outputs")
        indexes = [
            *_record_indexes("output"),
            models.Index(fields=["campaign", "url_key"], name="output_url_key"),
            models.Index(fields=["campaign", "outlet", "date"], name="output_outlet_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def twins_q(self) -> Q:
        """The outputs this one repeats if they count: the same link (its key, see
        ``links.link_key``), or the same outlet, title and date."""
        same = Q(outlet_id=self.outlet_id, title=self.title, date=self.date)
        if self.url_key:
            same |= Q(url_key=self.url_key)
        return same


class MaterialRecord(Record):
    """Offline publicity material put up or handed out: banners, leaflets, slogan sites."""

    class Kind(models.TextChoices):
        BANNER = "banner", _("Banner")
        BILLBOARD = "billboard", _("Billboard")
        LED_SLOGAN = "led_slogan", _("LED slogan roll")
        POSTER = "poster", _("Poster")
        LEAFLET = "leaflet", _("Leaflet")
        POCKET_BOOK = "pocket_book", _("Pocket book / brochure")
        EXHIBITION_BOARD = "exhibition_board", _("Exhibition board")
        BUS_STOP_PANEL = "bus_stop_panel", _("Bus-stop panel")
        SLOGAN_SITE = "slogan_site", _("Slogan site")
        LOUDSPEAKER = "loudspeaker", _("Village loudspeaker")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    measure_word = models.CharField(_("measure word"), max_length=10, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sites = models.PositiveIntegerField(_("sites"), null=True, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("offline material")
        verbose_name_plural = _("offline materials")
        indexes = _record_indexes("material")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="material_quantity_nonneg"),
            models.CheckConstraint(
                condition=Q(area_m2__isnull=True) | Q(area_m2__gte=0), name="material_area_nonneg"
            ),
        ]

    def __str__(self) -> str:
        from .display import number_display  # (display reads this module)

        return f"{self.get_kind_display()} {number_display(self.quantity)}{self.measure_word}"


class EventRecord(Record):
    """An event held: lectures, touring performances, screenings, home visits ..."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture (宣讲)")
        PERFORMANCE = "performance", _("Touring performance")
        FILM = "film", _("Film screening")
        COMPETITION = "competition", _("Competition")
        QUIZ = "quiz", _("Quiz")
        EXHIBITION = "exhibition", _("Exhibition")
        HOME_VISIT = "home_visit", _("Home visit")
        MEETING = "meeting", _("Meeting")
        STUDY_TOUR = "study_tour", _("Study tour")
        VOLUNTEER = "volunteer", _("Volunteer service")
        BROADCAST = "broadcast", _("Loudspeaker broadcast")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    sessions = models.PositiveIntegerField(_("sessions"), default=1)
    participants = models.PositiveIntegerField(_("participants (人次)"), default=0)
    # Who the event reached beyond those who took part (a broadcast's listeners, an
    # exhibition's visitors): recorded as reported, not summed into participants.
    audience = models.PositiveBigIntegerField(_("audience"), null=True, blank=True)
    site = models.CharField(_("site"), max_length=200, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = _record_indexes("event")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants=0) | Q(sessions__gt=0),
                name="event_participants_need_sessions",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class FigureRecord(Record):
    """A plain figure: an indicator's value, with its approximation, as of a date (``date``)
    or over a period (``period_start`` .. ``date``)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    approx = models.CharField(
        _("approximation"), max_length=10, choices=Approx.choices, blank=True, default=""
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    # Where the figure came from: a collection-task submission, a report, a person.
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = _record_indexes("figure")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="figure_value_nonneg"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_start__lte=F("date")),
                name="figure_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        from .display import figure_display  # (display reads this module)

        return f"{self.indicator.name} {figure_display(self.value, self.approx)}"


RECORD_MODELS: dict[str, type[Record]] = {
    RecordKind.OUTPUT: MediaOutput,
    RecordKind.MATERIAL: MaterialRecord,
    RecordKind.EVENT: EventRecord,
    RecordKind.FIGURE: FigureRecord,
}


class Evidence(models.Model):
    """A photo, sign-in sheet or screenshot backing a record; the office marks it verified."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        SIGN_IN = "sign_in", _("Sign-in sheet")
        SCREENSHOT = "screenshot", _("Screenshot")
        DOCUMENT = "document", _("Document")

    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField()
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    region_path = PathField(_("region path"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["record_kind", "record_id"], name="evidence_record")]

    def __str__(self) -> str:
        return self.original_name


class PeriodLock(models.Model):
    """A locked period of a campaign's ledger (after its bulletin): records dated in it
    change only after an audited reopening."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="period_locks"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("locked period")
        verbose_name_plural = _("locked periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="lock_period_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


# The fact columns that the rollup's covering index carries besides its key: what the
# totals, the latest snapshots, the distinct counts and the grouping by county, township,
# unit or period read. Grouping or filtering by outlet, channel or kind reads the table.
ROLLUP_COLUMNS = [
    "date",
    "value",
    "approx_rank",
    "region_depth",
    "record_id",
    "county_code",
    "township_code",
    "village_code",
    "unit",
]


class Fact(models.Model):
    """One record's contribution to one indicator, with every rollup dimension copied in.

    Written and rewritten only by the ledger services, in the record's transaction. The
    ancestor codes (county, township, village) make "group by township" a plain GROUP BY.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    approx_rank = models.PositiveSmallIntegerField(default=0)
    date = models.DateField()
    region_path = PathField()
    unit_region_path = PathField()
    county_code = models.CharField(max_length=20, blank=True)
    township_code = models.CharField(max_length=20, blank=True)
    village_code = models.CharField(max_length=20, blank=True)
    region_depth = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("regions.Unit", on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(
        "regions.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True)
    outlet_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # "<record kind>:<kind>", e.g. "event:lecture", "figure:" for plain figures.
    kind = models.CharField(max_length=40)
    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            # The rollup's index (see ledger/rollup.py): every rollup query names its
            # indicators, so (campaign, indicator, region subtree) is one contiguous range
            # per indicator, and the columns the usual rollups read ride along (INCLUDE,
            # PostgreSQL only) so that PostgreSQL answers from the index alone.
            models.Index(
                fields=["campaign", "indicator", "region_path"],
                include=ROLLUP_COLUMNS,
                name="fact_rollup",
            ),
            # (date last: the summary refreshes a county's facts over a few days)
            models.Index(fields=["campaign", "region_path", "date"], name="fact_campaign_path"),
            models.Index(fields=["campaign", "unit"], name="fact_campaign_unit"),
            models.Index(fields=["record_kind", "record_id"], name="fact_record"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value} ({self.record_kind}:{self.record_id})"


class FactSummary(models.Model):
    """The facts of one indicator in one county (the "cut" of the fact's region path at its
    county; a fact above county level, or in a tree without counties, keeps its own path)
    and one date bucket, pre-aggregated for the rollup (see ``ledger/summary.py``).

    A bucket is the part of a Monday-to-Sunday week inside one calendar month, so every
    week and every month is a union of whole buckets. For a sum, ``total`` is the sum of
    the values, ``approx_rank`` the least exact part; for a latest snapshot they are the
    winning fact's (``latest_date``, ``latest_depth``, ``latest_record`` rank it against
    other buckets' winners). Written only by ``ledger.summary``, in the facts' transaction.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    county_code = models.CharField(max_length=20, blank=True)
    bucket = models.DateField()
    total = models.DecimalField(max_digits=24, decimal_places=4)
    approx_rank = models.PositiveSmallIntegerField(default=0)
    parts = models.PositiveIntegerField()
    latest_date = models.DateField(null=True, blank=True)
    latest_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_record = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("fact summary")
        verbose_name_plural = _("fact summaries")
        constraints = [
            # Also the summary rollup's index: one range per indicator and region subtree,
            # answered from the index alone on PostgreSQL.
            models.UniqueConstraint(
                fields=["campaign", "indicator", "region_path", "bucket"],
                include=["county_code", "total", "approx_rank", "parts"],
                name="factsummary_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_path}{self.bucket}={self.total}"


class MemberKind(models.IntegerChoices):
    """What a distinct indicator counts, as stored in ``FactPresence``."""

    COUNTY = 1, _("County")
    TOWNSHIP = 2, _("Township")
    VILLAGE = 3, _("Village")
    UNIT = 4, _("Unit")


class FactPresence(models.Model):
    """That a county (as in ``FactSummary``) had a fact of any indicator for a member (a
    county, township or village code, or a unit id) in a date bucket: the distinct counts
    of the summary rollup count these. Written only by ``ledger.summary``."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    region_path = PathField()
    county_code = models.CharField(max_length=20, blank=True)
    bucket = models.DateField()
    member_kind = models.PositiveSmallIntegerField(choices=MemberKind.choices)
    member = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("fact presence")
        verbose_name_plural = _("fact presences")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member_kind", "region_path", "bucket", "member"],
                include=["county_code"],
                name="factpresence_member",
            ),
        ]
        indexes = [
            # Recounting a region's units for a week or a month reads that period's rows.
            models.Index(
                fields=["campaign", "member_kind", "bucket", "region_path"],
                include=["member"],
                name="factpresence_bucket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_kind}:{self.member}@{self.region_path}{self.bucket}"


class FactFirstSeen(models.Model):
    """The first date bucket in which a county (as in ``FactSummary``) had a fact of any
    indicator for a member (a county, township or village code, or a unit id). The
    distinct counts of a rollup up to a date (no start date) count these, for the whole
    buckets, with the members of the facts of a last partial bucket: a member was active
    by a bucket's end exactly when its first bucket is that one or earlier. Written only
    by ``ledger.summary``, from ``FactPresence``."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    region_path = PathField()
    county_code = models.CharField(max_length=20, blank=True)
    member_kind = models.PositiveSmallIntegerField(choices=MemberKind.choices)
    member = models.CharField(max_length=20)
    first_bucket = models.DateField()

    class Meta:
        verbose_name = _("first activity of a member")
        verbose_name_plural = _("first activities of members")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member_kind", "region_path", "member"],
                include=["county_code", "first_bucket"],
                name="factfirstseen_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_kind}:{self.member}@{self.region_path} from {self.first_bucket}"


class PeriodGrain(models.IntegerChoices):
    WEEK = 1, _("Week")
    MONTH = 2, _("Month")


class FactMemberCount(models.Model):
    """How many different counties, townships or villages (``member_kind``) a county (as in
    ``FactSummary``) had facts for in a week or a month. Each such member lies under one
    county only, so a region's weekly or monthly distinct counts are sums of these.
    Written only by ``ledger.summary``, from ``FactPresence``."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    region_path = PathField()
    county_code = models.CharField(max_length=20, blank=True)
    grain = models.PositiveSmallIntegerField(choices=PeriodGrain.choices)
    period = models.DateField()
    member_kind = models.PositiveSmallIntegerField(choices=MemberKind.choices)
    members = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("member count")
        verbose_name_plural = _("member counts")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "grain", "member_kind", "region_path", "period"],
                include=["county_code", "members"],
                name="factmembercount_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_kind}@{self.region_path}{self.period}={self.members}"


# --- Imports and exports (ledger/io) ------------------------------------------------------


class ImportedUpdate(models.Model):
    """A record an import changed through its external id, as it was before, so that
    undoing the batch can put it back (records the batch created are simply deleted)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="updates")
    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField()
    before = models.JSONField()
    # The record's updated_at as the import left it: an undo refuses to overwrite a record
    # that was changed again since.
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = _("record updated by an import")
        verbose_name_plural = _("records updated by imports")
        indexes = [models.Index(fields=["batch", "record_id"], name="importedupdate_batch")]

    def __str__(self) -> str:
        return f"{self.record_kind}:{self.record_id}"


class ExportTemplate(models.Model):
    """A superior office's own Excel workbook and a saved mapping of indicators to its
    cells: filling it writes rollup figures into a copy, keeping its formatting.

    ``mapping`` is a list of {"cell": "Sheet1!C5", "indicator": code, "filters": {...},
    "group": {dimension: value}} entries (see ledger/io/mapping.py)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_templates",
    )
    office_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The campaign's or the office's region path, for scoping.
    region_path = PathField(_("region path"))
    name = models.CharField(_("name"), max_length=150)
    filename = models.CharField(_("file"), max_length=255)
    workbook = models.BinaryField(_("workbook"))
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(_("mapping"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("export template")
        verbose_name_plural = _("export templates")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False) | Q(office_unit__isnull=False),
                name="exporttemplate_has_owner",
            )
        ]
        indexes = [models.Index(fields=["region_path"], name="exporttemplate_path")]

    def __str__(self) -> str:
        return self.name
