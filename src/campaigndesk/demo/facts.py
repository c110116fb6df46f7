"""What the demo knows about the two example campaigns: names, figures, dates and the
schedule table, restated from the source texts (Chuxiong resettlement series 2024, Shaoyang
county livelihood-projects plan 2023). Everything generated lives in ``plan``."""

import datetime
from dataclasses import dataclass

from campaigndesk.accounts.models import Role
from campaigndesk.regions.models import Channel, OutletLevel, UnitKind

D = datetime.date

# The random seed behind every generated name and pick: same seed, same demo.
SEED = 2024

CHUXIONG = "5323"
SHAOYANG_COUNTY = "430523"
REGION_ROOTS = (CHUXIONG, SHAOYANG_COUNTY)


@dataclass(frozen=True)
class UnitSpec:
    """A unit to have: its region (code), name, kind, parent unit (its key in the same
    plan) and other names it goes by."""

    region: str
    name: str
    kind: str
    parent: tuple[str, str] | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """Units are unique by region and name."""
        return (self.region, self.name)


@dataclass(frozen=True)
class OutletSpec:
    name: str
    channel: str
    level: int
    region: str = ""
    unit: str = ""  # the running unit's name (looked up in the plan)


# --- (a) Chuxiong: the "和谐库区·美丽家园·幸福生活" series, 2024 -------------------------

CX_OFFICE = "楚雄州委宣传部"
CX_LEAD = "楚雄州搬迁安置办公室"
CX_MEDIA = "楚雄州融媒体中心"
CX_GROUP_TENDER = "招标采购组"
CX_GROUP_EVENTS = "活动组织组"
CX_MEDIA_TASKFORCE = "楚雄州融媒体中心系列活动工作专班"

CX_CAMPAIGN = {
    "name": "“和谐库区·美丽家园·幸福生活”系列宣传活动",
    "slogan": "和谐库区·美丽家园·幸福生活",
    "description": (
        "州搬迁安置办公室与州融媒体中心合办的全年活动,对象是全州各县(市)的移民搬迁"
        "安置群众:一月起以宣传月集中报道开局,春节前到安置点巡回演出,其余时间常态发稿,"
        "讲清移民政策,展示安置点的新变化。"
    ),
    "start": D(2024, 1, 1),
    "end": D(2024, 12, 31),
}

CX_STRANDS = (
    ("媒体宣传", "宣传月期间依托州融媒体矩阵集中发稿,联动中央、省级和县(市)媒体。"),
    ("大型巡演", "春节前到8个县(市)的10个移民安置点各演一场,政策宣讲、互动和文艺节目同台。"),
    ("常态化宣传", "全年在州、县两级平台持续报道搬迁安置工作的进展和成效。"),
)

CX_PHASES = (
    ("前期预热", D(2024, 1, 1), D(2024, 1, 14)),
    ("中期集中报道", D(2024, 1, 15), D(2024, 2, 22)),
    ("后期持续发力", D(2024, 2, 23), D(2024, 12, 31)),
)

# Touring counties in the order the source lists them; two of them (picked by the seed)
# host a second site, for 10 sites and 10 shows in all.
CX_TOUR_COUNTIES = ("元谋县", "武定县", "禄丰市", "楚雄市", "牟定县", "姚安县", "大姚县", "永仁县")
CX_TOUR_SITES = 10
# Show days before the 2024 Spring Festival (10 February).
CX_TOUR_DAYS = (
    D(2024, 1, 16),
    D(2024, 1, 18),
    D(2024, 1, 20),
    D(2024, 1, 23),
    D(2024, 1, 25),
    D(2024, 1, 27),
    D(2024, 1, 30),
    D(2024, 2, 1),
    D(2024, 2, 3),
    D(2024, 2, 6),
)

CX_COVERAGE = {"county": 10, "township": 77, "village": 445}

CX_OUTLETS = (
    OutletSpec("人民日报", Channel.NEWSPAPER, OutletLevel.CENTRAL),
    OutletSpec("新华社", Channel.OTHER, OutletLevel.CENTRAL),
    OutletSpec("云南日报", Channel.NEWSPAPER, OutletLevel.PROVINCIAL, "53"),
    OutletSpec("云南卫视《云南新闻联播》", Channel.TV, OutletLevel.PROVINCIAL, "53"),
    OutletSpec("云南卫视《晚间新闻》", Channel.TV, OutletLevel.PROVINCIAL, "53"),
    OutletSpec(
        "楚雄州融媒体中心《楚雄新闻联播》", Channel.TV, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA
    ),
    OutletSpec(
        "楚雄州融媒体中心《民情直通车》", Channel.TV, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA
    ),
    OutletSpec("楚雄发布", Channel.VIDEO_ACCOUNT, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("楚雄新闻", Channel.VIDEO_ACCOUNT, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("楚雄日报", Channel.NEWSPAPER, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("云上楚雄", Channel.APP, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("楚雄发布", Channel.WECHAT, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("云南楚雄网", Channel.WEBSITE, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
    OutletSpec("学习强国楚雄州平台", Channel.XUEXI, OutletLevel.MUNICIPAL, CHUXIONG, CX_MEDIA),
)

# County-level departments one of which each Chuxiong county gets (picked by the seed);
# the source names police, emergency management and the media centres as helpers.
CX_COUNTY_DEPARTMENTS = (
    ("委宣传部", UnitKind.OFFICE),
    ("新时代文明实践中心", UnitKind.PRACTICE_CENTRE),
    ("公安局", UnitKind.DEPARTMENT),
    ("应急管理局", UnitKind.DEPARTMENT),
    ("文化和旅游局", UnitKind.DEPARTMENT),
    ("民族宗教事务局", UnitKind.DEPARTMENT),
)


# --- (b) Shaoyang county: key livelihood projects publicity, 2023 --------------------------

SY_LEAD = "邵阳县打好重点民生保障仗工作专班办公室"
SY_CITY_OFFICE = "邵阳市打好重点民生保障仗工作专班办公室"
SY_PUBLICITY = "邵阳县委宣传部"
SY_MEDIA = "邵阳县融媒体中心"
SY_PRACTICE_CENTRE = "邵阳县新时代文明实践中心"
SY_PAPER = "邵阳日报社"

# The schedule table's responsible units: (full name, kind, names used in the table).
SY_RESPONSIBLE = (
    ("邵阳县卫生健康局", UnitKind.DEPARTMENT, ("县卫健局", "邵阳县卫健局")),
    ("邵阳县医疗保障局", UnitKind.DEPARTMENT, ("县医保局", "邵阳县医保局")),
    ("邵阳县妇女联合会", UnitKind.OTHER, ("县妇联", "邵阳县妇联")),
    ("邵阳县住房和城乡建设局", UnitKind.DEPARTMENT, ("县住建局", "邵阳县住建局")),
    ("邵阳县住房保障服务中心", UnitKind.DEPARTMENT, ("县住房保障中心", "邵阳县住房保障中心")),
    ("国网邵阳县供电公司", UnitKind.ENTERPRISE, ("县电力公司", "邵阳县电力公司")),
    ("邵阳县人力资源和社会保障局", UnitKind.DEPARTMENT, ("县人社局", "邵阳县人社局")),
    ("邵阳县民政局", UnitKind.DEPARTMENT, ("县民政局",)),
    ("邵阳县残疾人联合会", UnitKind.OTHER, ("县残联", "邵阳县残联")),
    ("邵阳县水利局", UnitKind.DEPARTMENT, ("县水利局",)),
    ("邵阳县交通运输局", UnitKind.DEPARTMENT, ("县交通局", "邵阳县交通局")),
    ("邵阳县教育局", UnitKind.DEPARTMENT, ("县教育局",)),
    ("邵阳县行政审批服务局", UnitKind.DEPARTMENT, ("县行政审批服务局", "县审批局")),
)

# Other county departments, three of which the seed adds as member units.
SY_OTHER_DEPARTMENTS = (
    "邵阳县财政局",
    "邵阳县农业农村局",
    "邵阳县文化旅游广电体育局",
    "邵阳县发展和改革局",
    "邵阳县乡村振兴局",
)

SY_CAMPAIGN = {
    "name": "邵阳县2023年重点民生实事宣传工作",
    "slogan": "2023年温暖民生答卷",
    "description": (
        "县专班办公室统筹、县直责任单位各管一块:把省市重点民生实事的政策、资金、进度和"
        "成效讲给群众听,用好邵阳日报的观察哨专栏和各单位自有平台,按月通报、年终考核,"
        "目标是群众知晓率和社会满意度双提升。"
    ),
    "start": D(2023, 10, 8),
    "end": D(2023, 12, 31),
}

SY_STRANDS = (
    ("阵地宣传", "办事大厅和党群服务中心摆放政策展板、资料,代表委员和观察员报送素材。"),
    ("集中宣传", "按时间安排表逐项集中宣传,年底办一次成果展。"),
    ("媒体宣传", "主流媒体专栏投稿,官网、公众号和短视频号同步发布。"),
    ("信息报送", "各责任单位每月向县工作简报报送信息。"),
    ("基层宣传", "干部和志愿者分片走访入户,公示栏张贴海报和一封信。"),
)

SY_PHASES = (
    ("集中宣传", D(2023, 10, 8), D(2023, 11, 30)),
    ("综合报道与成果展示", D(2023, 12, 1), D(2023, 12, 31)),
)

# The attachment table (year 2023): no., theme, project, responsible units (as written in
# the table), window, the window as written.
SY_SCHEDULE = (
    (
        1,
        "医疗保障",
        "异地就医结算与基层医保代办服务、农村适龄及城镇低保适龄妇女“两癌”免费检查、"
        "县级妇幼保健机构标准化建设",
        ("县卫健局", "县医保局", "县妇联"),
        D(2023, 10, 8),
        D(2023, 10, 10),
        "10月8-10日",
    ),
    (
        2,
        "住房保障",
        "城镇老旧小区开工改造和城镇住宅小区居民“一户一表”改造接收",
        ("县住建局", "县住房保障中心", "县电力公司"),
        D(2023, 10, 10),
        D(2023, 10, 15),
        "10月10-15日",
    ),
    (
        3,
        "就业社保",
        "促进高质量充分就业和扩大社会保险覆盖面",
        ("县人社局",),
        D(2023, 10, 16),
        D(2023, 10, 20),
        "10月16-20日",
    ),
    (
        4,
        "社会关爱",
        "提高困难群体救助标准和开展残疾人关爱服务",
        ("县民政局", "县残联"),
        D(2023, 10, 23),
        D(2023, 10, 27),
        "10月23-27日",
    ),
    (
        5,
        "水利建设",
        "农村水源保障及灌溉能力提升",
        ("县水利局",),
        D(2023, 10, 30),
        D(2023, 11, 3),
        "10月30-11月3日",
    ),
    (
        6,
        "养老服务",
        "养老机构新增护理型床位和困难老年人居家适老化改造",
        ("县民政局",),
        D(2023, 11, 6),
        D(2023, 11, 10),
        "11月6-10日",
    ),
    (
        7,
        "农村建设",
        "农村“三路”建设、乡村信息化网络建设和农村电网巩固提升工程",
        ("县交通局", "县电力公司"),
        D(2023, 11, 13),
        D(2023, 11, 17),
        "11月13-17日",
    ),
    (
        8,
        "教育强省",
        "县域普通高中“徐特立项目”和改善中职学校办学条件",
        ("县教育局",),
        D(2023, 11, 20),
        D(2023, 11, 24),
        "11月20-24日",
    ),
    (
        9,
        "政务服务",
        "“湘易办”超级服务端应用推广",
        ("县行政审批服务局",),
        D(2023, 11, 27),
        D(2023, 11, 30),
        "11月27-30日",
    ),
    (
        10,
        "综合报道",
        "全面宣传2023年重点民生实事工作完成情况",
        ("县人社局",),
        # "Early December": the first ten days of the month.
        D(2023, 12, 1),
        D(2023, 12, 10),
        "12月初",
    ),
)

SY_RATES = (("awareness", 95), ("satisfaction", 90))
SY_QUOTA = {
    "item_kind": "information",
    "count": 3,
    "period": "month",
    "due_day": 5,
    "description": "每个责任单位每月向县工作简报报送信息不少于3篇,次月5日前报齐",
}

SY_OUTLETS = (
    OutletSpec("湖南日报", Channel.NEWSPAPER, OutletLevel.PROVINCIAL, "43"),
    OutletSpec("红网", Channel.WEBSITE, OutletLevel.PROVINCIAL, "43"),
    OutletSpec("邵阳日报", Channel.NEWSPAPER, OutletLevel.MUNICIPAL, "4305", SY_PAPER),
    OutletSpec(
        "邵阳日报《民生实事观察哨》专栏",
        Channel.NEWSPAPER,
        OutletLevel.MUNICIPAL,
        "4305",
        SY_PAPER,
    ),
    OutletSpec("邵阳县融媒体中心", Channel.TV, OutletLevel.COUNTY, SHAOYANG_COUNTY, SY_MEDIA),
    OutletSpec("邵阳县发布", Channel.WECHAT, OutletLevel.COUNTY, SHAOYANG_COUNTY, SY_MEDIA),
    OutletSpec("邵阳县融媒", Channel.DOUYIN, OutletLevel.COUNTY, SHAOYANG_COUNTY, SY_MEDIA),
    OutletSpec("邵阳县人民政府网", Channel.WEBSITE, OutletLevel.COUNTY, SHAOYANG_COUNTY),
    OutletSpec("邵阳县村村响", Channel.LOUDSPEAKER, OutletLevel.TOWNSHIP, SHAOYANG_COUNTY),
)


# --- People (generated names; any likeness to a real person is chance) --------------------

SURNAMES = "李王张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "志建国明华文军伟平春丽红云海兴林峰涛燕芳敏静强磊洋勇杰娟霞刚斌琼玲波"


# --- Demo accounts ------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    """A demo account: username, roles, unit (region code, unit name; None for the admin)."""

    username: str
    roles: tuple[str, ...]
    unit: tuple[str, str] | None


# One office per place: an office sees its own region's subtree only.
_CX_DESK = (CHUXIONG, CX_OFFICE)
ACCOUNTS = (
    AccountSpec("admin", (Role.ADMIN,), None),
    AccountSpec("office", (Role.OFFICE,), _CX_DESK),
    AccountSpec("office_shaoyang", (Role.OFFICE,), (SHAOYANG_COUNTY, SY_LEAD)),
    AccountSpec("reporter", (Role.REPORTER,), ("532301", "楚雄市搬迁安置办公室")),
    AccountSpec("reporter_shaoyang", (Role.REPORTER,), (SHAOYANG_COUNTY, "邵阳县卫生健康局")),
    AccountSpec("editor", (Role.EDITOR,), _CX_DESK),
    AccountSpec("reviewer", (Role.REVIEWER,), _CX_DESK),
    AccountSpec("approver", (Role.APPROVER,), _CX_DESK),
    AccountSpec("observer", (Role.OBSERVER,), _CX_DESK),
    # The Shaoyang desk that edits, reviews and signs off the units' information items.
    AccountSpec("editor_shaoyang", (Role.EDITOR,), (SHAOYANG_COUNTY, SY_LEAD)),
    AccountSpec("reviewer_shaoyang", (Role.REVIEWER,), (SHAOYANG_COUNTY, SY_LEAD)),
    AccountSpec("approver_shaoyang", (Role.APPROVER,), (SHAOYANG_COUNTY, SY_LEAD)),
)

# --- Shaoyang reporting up (信息报送), October–November 2023 ---------------------------------
# The plan: at least 3 items per unit a month by the 5th of the next month, a monthly
# bulletin from October and an annual assessment. The points are the demo's own choice.
SY_RULES = {
    "valid_from": D(2023, 10, 1),
    "points_central": 20,
    "points_provincial": 6,
    "points_municipal": 4,
    "points_county": 2,
    "headline_multiplier": 2,
    "leader_comment_bonus": 5,
    "missing_quota_penalty": 2,
    "false_report_penalty": 10,
    "note": "按县打好重点民生保障仗宣传工作规则计分",
}
SY_SIGNER = "刘建国"
SY_DISTRIBUTION = {
    "report_to": "市打好重点民生保障仗工作专班办公室",
    "send_to": "县委、县政府领导",
    "distribute_to": "县直各责任单位",
    "copies": 30,
}
# Topics an item may report on, per responsible unit's field.
SY_TOPICS = (
    "城乡居民医保参保缴费工作有序推进",
    "妇女“两癌”免费检查惠及农村妇女",
    "老旧小区改造项目进入施工高峰",
    "农村电网改造提升工程完成阶段任务",
    "零就业家庭动态清零",
    "困难残疾人生活补贴按月足额发放",
    "农村供水保障工程让群众喝上放心水",
    "农村公路提质改造项目加快实施",
    "义务教育薄弱环节改善项目竣工",
    "“一件事一次办”改革便民利企",
)
