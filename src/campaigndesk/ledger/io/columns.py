"""The columns of each record kind in import files, templates and exports.

Headers are Chinese, as offices fill them in (they are the file format, not interface
text, so they are not translated). Each column knows how to read a cell into a value and
how to write a record's value back into a cell, so that an export imports again. Kinds,
channels, approximations and original/repost accept the Chinese labels (script-blind:
Simplified or Traditional) and the codes.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.documents.textnorm import match_key

from ..models import (
    Approx,
    EventRecord,
    FigureRecord,
    MaterialRecord,
    MediaOutput,
    Record,
    RecordKind,
)


class CellError(ValueError):
    """A cell cannot be read; the message says why, fit for a user."""


# --- labels -----------------------------------------------------------------------------

# code -> (the label templates and exports write, other labels a file may use)
OUTPUT_KIND_LABELS: dict[str, tuple[str, ...]] = {
    "news": ("新闻", "新闻报道", "消息"),
    "article": ("文章", "评论文章", "理论文章"),
    "image_text": ("图文", "图文信息", "图文消息"),
    "video": ("短视频", "视频"),
    "special_film": ("专题片", "专题节目"),
    "live_stream": ("直播", "网络直播"),
    "h5": ("H5", "H5页面"),
    "poster": ("海报", "电子海报", "数字海报"),
    "other": ("其他", "其它"),
}
MATERIAL_KIND_LABELS: dict[str, tuple[str, ...]] = {
    "banner": ("横幅", "条幅"),
    "billboard": ("广告牌", "户外广告牌", "公益广告牌"),
    "led_slogan": ("LED滚动标语", "LED标语", "电子屏标语", "LED屏标语"),
    "poster": ("海报", "宣传海报", "张贴画"),
    "leaflet": ("宣传单", "传单", "宣传页", "明白纸", "宣传资料"),
    "pocket_book": ("宣传册", "口袋书", "手册", "宣传手册"),
    "exhibition_board": ("展板", "宣传展板"),
    "bus_stop_panel": ("公交站台广告", "公交站牌广告", "站台广告"),
    "slogan_site": ("标语点位", "标语", "墙体标语", "宣传标语"),
    "loudspeaker": ("村村响喇叭", "喇叭", "大喇叭"),
    "other": ("其他", "其它", "其他宣传品"),
}
EVENT_KIND_LABELS: dict[str, tuple[str, ...]] = {
    "lecture": ("宣讲", "宣讲活动", "政策宣讲"),
    "performance": ("文艺巡演", "巡演", "文艺演出", "文艺汇演"),
    "film": ("电影放映", "放映", "电影"),
    "competition": ("竞赛", "竞赛活动", "比赛"),
    "quiz": ("知识竞答", "竞答", "有奖竞答", "知识问答"),
    "exhibition": ("展览", "展示", "图片展"),
    "home_visit": ("入户走访", "走访", "入户宣传"),
    "meeting": ("会议", "召开会议", "座谈会"),
    "study_tour": ("观摩学习", "观摩", "参观学习"),
    "volunteer": ("志愿服务", "志愿活动"),
    "broadcast": ("村村响广播", "广播", "大喇叭广播"),
}
CHANNEL_LABELS: dict[str, tuple[str, ...]] = {
    "newspaper": ("报纸", "报刊", "纸媒"),
    "tv": ("电视", "电视台"),
    "radio": ("电台", "广播电台"),
    "wechat": ("微信公众号", "公众号", "微信"),
    "video_account": ("微信视频号", "视频号"),
    "douyin": ("抖音",),
    "kuaishou": ("快手",),
    "app": ("客户端", "APP", "新闻客户端"),
    "website": ("网站", "网页", "门户网站"),
    "xuexi": ("学习强国",),
    "led": ("LED屏", "LED", "电子屏"),
    "loudspeaker": ("村村响", "应急广播"),
    "other": ("其他", "其它"),
}
APPROX_LABELS: dict[str, tuple[str, ...]] = {
    Approx.EXACT: ("", "精确", "准确"),
    Approx.MORE: ("余", "多", "超", "突破", "余多", "以上", "超过"),
    Approx.ABOUT: ("约", "大约", "约合"),
    Approx.UNDER: ("近", "将近", "接近"),
    Approx.AT_LEAST: ("不低于", "不少于", "至少"),
}
ORIGINAL_LABELS: dict[bool, tuple[str, ...]] = {
    True: ("原创", "是", "首发"),
    False: ("转载", "否", "转发", "转"),
}


def label(labels: dict, code) -> str:
    """The label a template or an export writes for ``code``."""
    found = labels.get(code)
    return found[0] if found else str(code)


_TABLES: dict[int, dict[str, object]] = {}


def _table(labels: dict) -> dict[str, object]:
    """Every label and code of a label set, by comparison key (built once per set)."""
    table = _TABLES.get(id(labels))
    if table is None:
        table = {}
        for code, names in labels.items():
            if isinstance(code, str) and code:
                table[code.casefold()] = code
                table[match_key(code)] = code
            for name in names:
                if name:
                    table.setdefault(match_key(name), code)
        _TABLES[id(labels)] = table
    return table


# Reading the same label again costs a dict lookup, not a script conversion.
_key_cache: dict[str, str] = {}


def cached_key(text: str) -> str:
    key = _key_cache.get(text)
    if key is None:
        key = match_key(text)
        if len(_key_cache) < 50_000:
            _key_cache[text] = key
    return key


def lookup_label(labels: dict, text: str):
    """The code a label or code stands for, or raise KeyError."""
    table = _table(labels)
    hit = table.get(text.casefold())
    if hit is None:
        hit = table[cached_key(text)]
    return hit


def allowed_labels(labels: dict) -> str:
    return "、".join(f"{names[0]}({code})" for code, names in labels.items() if names[0])


# --- cells ------------------------------------------------------------------------------

# A day, with the time of day a spreadsheet writes after it (a date-and-time cell saved
# as .csv: "2024/2/22 10:30", "2024-02-22 00:00:00"); the day is what is read.
_ISO_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}

INT_MAX = 2_147_483_647  # PositiveIntegerField on every backend
BIGINT_MAX = 9_223_372_036_854_775_807
_MOST_DIGITS = 18  # the exponent of the largest number a count may have (BIGINT_MAX)


def cell_text(value: object) -> str:
    """A cell as text: numbers without a stray ".0", dates in ISO form, stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def spreadsheet_float(value: float) -> float:
    """A float as the spreadsheet shows it: to 15 significant digits, all that Excel keeps,
    so that a formula's binary noise (=3*1.1 gives 3.3000000000000003) reads as the 3.3
    the sheet shows and a CSV saved from it holds."""
    return float(format(value, ".15g"))


# How an export names a record entered by hand (it has no external id): "#" and its id.
RECORD_REFERENCE = re.compile(r"#([1-9][0-9]{0,17})")

# What a spreadsheet reads as the start of a formula in a cell of text.
FORMULA_STARTS = frozenset("=+-@\t\r")


def needs_apostrophe(value: str) -> bool:
    """Whether an export puts an apostrophe before ``value``: text a spreadsheet would
    take for a formula, and text whose own apostrophes come before such text (so that
    the one apostrophe the import takes off is always the export's)."""
    return value.lstrip("'")[:1] in FORMULA_STARTS


def text_of_export(value: str) -> str:
    """Cell text as written, without the apostrophe an export puts before text that a
    spreadsheet would take for a formula (``exports.safe_text``)."""
    if value[:1] == "'" and needs_apostrophe(value[1:]):
        return value[1:]
    return value


def number_text(value: str) -> str:
    """A number as typed, made readable: full-width digits as ASCII, the spaces around it
    dropped and the commas of thousands ("1,800") taken out; anything else is left for
    the reader to refuse (a space inside, "200 300", is two numbers, not one)."""
    text = value.translate(_WIDTH).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def read_int(value: object, *, maximum: int = BIGINT_MAX) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Not a whole number: %(value)s") % {"value": cell_text(value)})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        value = spreadsheet_float(value)
        if not value.is_integer():
            raise CellError(_("Not a whole number: %(value)s") % {"value": value})
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(_("Not a whole number: %(value)s") % {"value": value})
        if value and value.adjusted() > _MOST_DIGITS:
            raise CellError(_("The number %(value)s is too large.") % {"value": _shown(value)})
        if value != value.to_integral_value():
            raise CellError(_("Not a whole number: %(value)s") % {"value": value})
        number = int(value)
    elif isinstance(value, str):
        text = number_text(value)
        try:
            # (Python refuses to read more than 4,300 digits: a ValueError too)
            number = int(text)
        except ValueError:
            try:
                as_decimal = Decimal(text)
            except InvalidOperation:
                as_decimal = None
            if as_decimal is None or not as_decimal.is_finite():
                raise CellError(
                    _("Not a whole number: %(value)s") % {"value": value.strip()}
                ) from None
            if as_decimal and as_decimal.adjusted() > _MOST_DIGITS:
                # (before int(): "1e999999999" would be a number of a billion digits)
                raise CellError(
                    _("The number %(value)s is too large.") % {"value": _shown(value)}
                ) from None
            if as_decimal != as_decimal.to_integral_value():
                raise CellError(
                    _("Not a whole number: %(value)s") % {"value": value.strip()}
                ) from None
            number = int(as_decimal)
    else:
        raise CellError(_("Not a whole number: %(value)s") % {"value": cell_text(value)})
    if abs(number) > maximum:
        raise CellError(_("The number %(value)s is too large.") % {"value": _shown(value)})
    return number


def _shown(value: object) -> str:
    """A cell's number as an error message shows it: a very long one cut short."""
    text = cell_text(value).strip()
    return text if len(text) <= 30 else f"{text[:12]}…{text[-6:]}"


def read_decimal(value: object, *, max_digits: int, places: int) -> Decimal | None:
    if type(value) is str and value.isdigit() and value.isascii():
        # Plain digits (most cells of a CSV file): a whole number, only its size to check.
        number = Decimal(value)
        if number >= Decimal(10) ** (max_digits - places):
            raise CellError(_("The number %(value)s is too large.") % {"value": _shown(value)})
        return number
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bool, datetime.date, datetime.datetime)):
        raise CellError(_("Not a number: %(value)s") % {"value": cell_text(value)})
    try:
        if isinstance(value, float):
            # repr() gives the shortest text that reads back as the same float: 0.1, not
            # 0.1000000000000000055511151231257827.
            number = Decimal(repr(spreadsheet_float(value)))
        elif isinstance(value, (int, Decimal)):
            number = Decimal(value)
        else:
            number = Decimal(number_text(str(value)))
    except (InvalidOperation, ValueError):
        raise CellError(_("Not a number: %(value)s") % {"value": cell_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("Not a number: %(value)s") % {"value": cell_text(value)})
    if number and number.adjusted() >= max_digits - places:
        raise CellError(_("The number %(value)s is too large.") % {"value": _shown(value)})
    exponent = number.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > places:
        raise CellError(
            _("At most %(places)s decimal places: %(value)s")
            % {"places": places, "value": cell_text(value)}
        )
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise CellError(_("The number %(value)s is too large.") % {"value": cell_text(value)})
    return number


# Dates written as text, as read (a file repeats the days of its campaign).
_date_cache: dict[str, datetime.date | None] = {}


def read_date(value: object) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        if value in _date_cache:
            return _date_cache[value]
        day = _read_date_text(value)
        if len(_date_cache) < 10_000:
            _date_cache[value] = day
        return day
    if type(value) is int and 10_000_000 <= value <= 99_999_999:
        return _read_date_text(str(value))  # 20240222 typed as a number, as the text reads
    raise CellError(
        _("Not a date: %(value)s (write it as 2024-03-01 or format the cell as a date).")
        % {"value": cell_text(value)}
    )


def _read_date_text(value: str) -> datetime.date | None:
    text = value.strip().translate(_WIDTH)
    if not text:
        return None
    match = _ISO_DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(
                _("%(value)s is not a day of the calendar.") % {"value": value.strip()}
            ) from None
    raise CellError(
        _("Not a date: %(value)s (write it as 2024-03-01 or format the cell as a date).")
        % {"value": cell_text(value)}
    )


def read_choice(labels: dict, value: object):
    text = cell_text(value)
    if not text:
        return None
    try:
        return lookup_label(labels, text)
    except KeyError:
        raise CellError(
            _("Unknown value “%(value)s”; allowed: %(allowed)s")
            % {"value": text, "allowed": allowed_labels(labels)}
        ) from None


def read_bool(labels: dict, value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = cell_text(value)
    if not text:
        return None
    if text.casefold() in {"true", "yes", "y", "1"}:
        return True
    if text.casefold() in {"false", "no", "n", "0"}:
        return False
    try:
        return lookup_label(labels, text)
    except KeyError:
        raise CellError(
            _("Unknown value “%(value)s”; write %(yes)s or %(no)s.")
            % {"value": text, "yes": labels[True][0], "no": labels[False][0]}
        ) from None


# --- columns ----------------------------------------------------------------------------

TEXT, REF, INT, BIGINT, DECIMAL, DATE, BOOL, CHOICE = (
    "text",
    "ref",
    "int",
    "bigint",
    "decimal",
    "date",
    "bool",
    "choice",
)


@dataclass(frozen=True)
class Column:
    """One column of an import file: its header, how its cells read, which record
    fields' errors point at it, and how an export writes it."""

    key: str  # the value's name (a record field, or "channel")
    header: str
    type: str
    note: Promise | str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    labels: dict | None = None
    max_length: int | None = None
    digits: tuple[int, int] | None = None  # (max_digits, decimal places)
    fields: tuple[str, ...] = ()
    write: Callable[[Record], object] | None = None

    def read(self, value: object) -> object:
        """The value of a cell of this column, or raise CellError."""
        kind = self.type
        if kind in (TEXT, REF):
            text = cell_text(value)
            if self.max_length and len(text) > self.max_length:
                raise CellError(_("Longer than %(limit)s characters.") % {"limit": self.max_length})
            result: object = text or None
        elif kind in (INT, BIGINT):
            result = read_int(value, maximum=INT_MAX) if kind == INT else read_int(value)
            if result is not None and result < 0:
                # Every whole-number column counts something: refused with the row's
                # other cells, not only after they are put right.
                raise CellError(_("Must not be negative."))
        elif kind == DECIMAL:
            assert self.digits is not None
            result = read_decimal(value, max_digits=self.digits[0], places=self.digits[1])
        elif kind == DATE:
            result = read_date(value)
        elif kind == BOOL:
            result = read_bool(self.labels or ORIGINAL_LABELS, value)
        elif kind == CHOICE:
            result = read_choice(self.labels or {}, value)
        else:  # pragma: no cover - the column table below uses the types above only
            raise ValueError(kind)
        if self.required and result is None:
            raise CellError(_("This cell must not be blank."))
        return result

    def reader(self) -> Callable[[object], object]:
        """``read`` for this column with the choice of type made once: an import reads
        every cell of a column the same way (and most cells of a choice column alike)."""
        kind, limit, required = self.type, self.max_length, self.required

        if kind in (TEXT, REF):

            def read_text(value: object) -> object:
                text = value.strip() if type(value) is str else cell_text(value)
                if text[:1] == "'":
                    text = text_of_export(text)
                if limit and len(text) > limit:
                    raise CellError(_("Longer than %(limit)s characters.") % {"limit": limit})
                if not text:
                    if required:
                        raise CellError(_("This cell must not be blank."))
                    return None
                return text

            return read_text
        if kind == DECIMAL:
            assert self.digits is not None
            max_digits, places = self.digits
            too_large = 10 ** (max_digits - places)

            def read_number(value: object) -> object:
                if type(value) is int:
                    # A whole number (what a spreadsheet holds most): only its size to check.
                    if abs(value) >= too_large:
                        raise CellError(_("The number %(value)s is too large.") % {"value": value})
                    return Decimal(value)
                result = read_decimal(value, max_digits=max_digits, places=places)
                if result is None and required:
                    raise CellError(_("This cell must not be blank."))
                return result

            return read_number
        if kind == CHOICE:
            labels = self.labels or {}
            codes: dict[str, object] = {}  # text read -> its code

            def read_code(value: object) -> object:
                if type(value) is str:
                    code = codes.get(value)
                    if code is not None:
                        return code
                code = read_choice(labels, value)
                if code is None:
                    if required:
                        raise CellError(_("This cell must not be blank."))
                elif type(value) is str and len(codes) < 1000:
                    codes[value] = code
                return code

            return read_code
        if kind == DATE:

            def read_day(value: object) -> object:
                result = read_date(value)
                if result is None and required:
                    raise CellError(_("This cell must not be blank."))
                return result

            return read_day
        return self.read

    def cell(self, record: Record) -> object:
        """The value an export writes for ``record``."""
        if self.write is not None:
            return self.write(record)
        value = getattr(record, self.key)
        return "" if value is None else value

    @property
    def header_keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, self.key, *self.synonyms)}

    @property
    def error_fields(self) -> tuple[str, ...]:
        return self.fields or (self.key,)


_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_MARKS = re.compile(r"[()\[\]【】*※]")


def header_key(text: str) -> str:
    """A header compared script-blind, without what is in brackets ("面积(平方米)")."""
    key = match_key(text)
    return _MARKS.sub("", _BRACKETED.sub("", key))


def _field_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _field_digits(model, name: str) -> tuple[int, int]:
    field = model._meta.get_field(name)
    return field.max_digits, field.decimal_places


def _number(value) -> object:
    """A stored decimal as the number a cell should hold (an int when whole)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return value.normalize()
    return value


HEAD = (
    Column(
        "unit",
        "单位",
        REF,
        gettext_lazy(
            "The unit that did the work: its name or an alias (Simplified or Traditional)."
        ),
        required=True,
        synonyms=("单位名称", "填报单位", "责任单位"),
        max_length=150,
        write=lambda r: r.unit.name,
    ),
    Column(
        "region",
        "行政区划代码",
        REF,
        gettext_lazy(
            "Where it happened: the official division code (6, 9 or 12 digits). Blank: "
            "the unit's own region. It must lie within the campaign's region."
        ),
        synonyms=("区划代码", "地区代码", "行政区划"),
        max_length=20,
        write=lambda r: r.region.code,
    ),
    Column(
        "date",
        "日期",
        DATE,
        gettext_lazy(
            "The day (2024-03-01, 2024/3/1 or 2024年3月1日), within the campaign's dates."
        ),
        required=True,
        synonyms=("时间", "发布日期", "活动日期", "截至日期"),
    ),
)
TAIL = (
    Column(
        "external_id",
        "外部编号",
        TEXT,
        gettext_lazy(
            "Optional: your own id for the row. A row whose id matches a record of this "
            "campaign imported before updates that record; otherwise a new one is created. "
            "An export writes #123 for a record entered by hand: imported again into its "
            "campaign, the row updates that record."
        ),
        max_length=100,
        write=lambda r: r.external_id or f"#{r.pk}",
    ),
    Column(
        "note",
        "备注",
        TEXT,
        gettext_lazy("Optional remarks."),
        synonyms=("说明",),
        max_length=_field_length(Record, "note"),
    ),
)

KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    RecordKind.OUTPUT: (
        Column(
            "outlet",
            "媒体",
            REF,
            gettext_lazy(
                "The outlet, by its name in the outlet directory (the paper, programme or account)."
            ),
            required=True,
            synonyms=("媒体名称", "平台", "发布平台", "刊播媒体"),
            max_length=150,
            write=lambda r: r.outlet.name,
        ),
        Column(
            "channel",
            "渠道",
            CHOICE,
            gettext_lazy(
                "Optional: the outlet's channel, needed only when two outlets share a name."
            ),
            labels=CHANNEL_LABELS,
            fields=("channel",),
            write=lambda r: label(CHANNEL_LABELS, r.outlet.channel),
        ),
        Column(
            "kind",
            "类型",
            CHOICE,
            gettext_lazy("What was published."),
            required=True,
            synonyms=("作品类型", "稿件类型"),
            labels=OUTPUT_KIND_LABELS,
            write=lambda r: label(OUTPUT_KIND_LABELS, r.kind),
        ),
        Column(
            "title",
            "标题",
            TEXT,
            gettext_lazy("The title."),
            required=True,
            synonyms=("题目", "作品标题", "稿件标题"),
            max_length=_field_length(MediaOutput, "title"),
        ),
        Column(
            "is_original",
            "原创/转载",
            BOOL,
            gettext_lazy("原创 (original) or 转载 (repost); blank: original."),
            synonyms=("原创转载", "是否原创", "原创或转载"),
            labels=ORIGINAL_LABELS,
            write=lambda r: label(ORIGINAL_LABELS, bool(r.is_original)),
        ),
        Column(
            "views",
            "阅读量",
            BIGINT,
            gettext_lazy("Optional: views or plays, a whole number."),
            synonyms=("点击量", "播放量", "浏览量", "阅读数"),
        ),
        Column(
            "audience",
            "受众",
            BIGINT,
            gettext_lazy("Optional: the audience reached, a whole number."),
            synonyms=("受众人数", "覆盖人数"),
        ),
        Column(
            "url",
            "链接",
            TEXT,
            gettext_lazy("Optional: the link. The same link twice flags a duplicate."),
            synonyms=("网址", "url", "网页链接"),
            max_length=_field_length(MediaOutput, "url"),
        ),
        Column(
            "language",
            "语种",
            TEXT,
            gettext_lazy("Optional: the language (zh, or e.g. yi, bo); blank: zh."),
            synonyms=("语言",),
            max_length=_field_length(MediaOutput, "language"),
        ),
    ),
    RecordKind.MATERIAL: (
        Column(
            "kind",
            "类型",
            CHOICE,
            gettext_lazy("What was put up or handed out."),
            required=True,
            synonyms=("宣传品类型", "物料类型"),
            labels=MATERIAL_KIND_LABELS,
            write=lambda r: label(MATERIAL_KIND_LABELS, r.kind),
        ),
        Column(
            "quantity",
            "数量",
            DECIMAL,
            gettext_lazy("How many (not negative)."),
            required=True,
            digits=_field_digits(MaterialRecord, "quantity"),
            write=lambda r: _number(r.quantity),
        ),
        Column(
            "measure_word",
            "量词",
            TEXT,
            gettext_lazy("Optional: the measure word (条, 张, 块, 处 ...)."),
            synonyms=("单位量词", "计量单位"),
            max_length=_field_length(MaterialRecord, "measure_word"),
        ),
        Column(
            "area_m2",
            "面积",
            DECIMAL,
            gettext_lazy("Optional: the area in square metres."),
            synonyms=("面积平方米", "面积m2", "面积㎡"),
            digits=_field_digits(MaterialRecord, "area_m2"),
            write=lambda r: _number(r.area_m2),
        ),
        Column(
            "sites",
            "点位数",
            INT,
            gettext_lazy("Optional: the number of sites."),
            synonyms=("点位", "点位数量"),
        ),
    ),
    RecordKind.EVENT: (
        Column(
            "kind",
            "类型",
            CHOICE,
            gettext_lazy("What kind of event."),
            required=True,
            synonyms=("活动类型",),
            labels=EVENT_KIND_LABELS,
            write=lambda r: label(EVENT_KIND_LABELS, r.kind),
        ),
        Column(
            "title",
            "标题",
            TEXT,
            gettext_lazy("Optional: the event's title or name."),
            synonyms=("名称", "活动名称", "标题/名称", "主题"),
            max_length=_field_length(EventRecord, "title"),
        ),
        Column(
            "sessions",
            "场次",
            INT,
            gettext_lazy("How many sessions; blank: 1."),
            synonyms=("次数", "场数"),
        ),
        Column(
            "participants",
            "人次",
            INT,
            gettext_lazy("Participants (人次); blank: 0. Needs at least one session."),
            synonyms=("参与人次", "参加人次", "受众人次"),
        ),
        Column(
            "audience",
            "受众人数",
            BIGINT,
            gettext_lazy("Optional: the audience reached beyond the participants, a whole number."),
            synonyms=("受众", "观众人数", "覆盖人数"),
        ),
        Column(
            "site",
            "地点",
            TEXT,
            gettext_lazy("Optional: the place."),
            synonyms=("活动地点", "场所"),
            max_length=_field_length(EventRecord, "site"),
        ),
    ),
    RecordKind.FIGURE: (
        Column(
            "indicator",
            "指标",
            REF,
            gettext_lazy("The indicator, by its code or its name (see the indicator list)."),
            required=True,
            synonyms=("指标名称", "指标代码"),
            max_length=100,
            write=lambda r: r.indicator.code,
        ),
        Column(
            "value",
            "数值",
            DECIMAL,
            gettext_lazy("The figure (not negative)."),
            required=True,
            synonyms=("数量", "数据"),
            digits=_field_digits(FigureRecord, "value"),
            write=lambda r: _number(r.value),
        ),
        Column(
            "approx",
            "近似",
            CHOICE,
            gettext_lazy(
                "How exact: blank (exact), 余 (more than), 约 (about), 近 (just under) or "
                "不低于 (at least)."
            ),
            synonyms=("约数", "近似值"),
            labels=APPROX_LABELS,
            write=lambda r: label(APPROX_LABELS, r.approx or ""),
        ),
        Column(
            "period_start",
            "起始日期",
            DATE,
            gettext_lazy(
                "Optional: the first day of the period the figure covers (up to 日期); "
                "blank: a figure as of 日期."
            ),
            synonyms=("开始日期", "起始时间"),
        ),
        Column(
            "source",
            "来源",
            TEXT,
            gettext_lazy("Optional: where the figure comes from."),
            synonyms=("数据来源",),
            max_length=_field_length(FigureRecord, "source"),
        ),
    ),
}


def columns_for(record_kind: str) -> tuple[Column, ...]:
    """Every column of a record kind, in template order."""
    return (*HEAD, *KIND_COLUMNS[record_kind], *TAIL)


def kind_labels(record_kind: str) -> dict[str, tuple[str, ...]] | None:
    return {
        RecordKind.OUTPUT: OUTPUT_KIND_LABELS,
        RecordKind.MATERIAL: MATERIAL_KIND_LABELS,
        RecordKind.EVENT: EVENT_KIND_LABELS,
    }.get(record_kind)
