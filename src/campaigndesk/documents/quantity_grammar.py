"""The small grammar of quantities in Chinese reports: numbers, magnitudes, qualifiers and
measure words (量词), and which neighbours make a number a date, an ordinal or a name.

Everything here works on normalised text (Simplified, half-width; see ``textnorm``). The
word lists are data, kept apart from the scanner in ``extraction`` so that they can be
read and extended without touching its logic.
"""

import re
from functools import lru_cache

import cn2an

# --- numbers -------------------------------------------------------------------------

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千万亿"
CN_NUMERAL_CHARS = CN_DIGITS + CN_UNITS

# Arabic: grouped thousands ("176,128") or a plain integer or decimal.
ARABIC = r"\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:\.\d+)?"
CHINESE = f"[{CN_NUMERAL_CHARS}]+"
NUMBER_RE = re.compile(f"(?P<ar>{ARABIC})|(?P<cn>{CHINESE})")

# Two digits in a row ("五一", "二〇二四", "十四五") make a name or a year, not a count.
_CN_ADJACENT_DIGITS = re.compile("[一二两三四五六七八九〇][一二两三四五六七八九〇零]|零零")
BARE_MAGNITUDES = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
BARE_MAGNITUDE_RUNS = {
    "百": 100,
    "千": 1000,
    "万": 10_000,
    "十万": 100_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
}

# Magnitudes written after an Arabic number ("5.6万", "1.3亿", "3千"); longest first.
MAGNITUDES = (
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("十万", 100_000),
    ("万亿", 10**12),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("千", 1000),
    ("百", 100),
)
# "千" and "百" begin measure words too: 千米, 千克, 百分点.
MAGNITUDE_NOT_BEFORE = {"千": "米克瓦", "百": "分"}


def parse_arabic(digits: str) -> float:
    return float(digits.replace(",", ""))


@lru_cache(maxsize=4096)
def parse_chinese(run: str) -> float | None:
    """The value of a Chinese numeral ("一百二十", "两万", "十"), or None if the run is not
    a well-formed numeral (two digits in a row are years and names: "二〇二四", "五一")."""
    if not run or _CN_ADJACENT_DIGITS.search(run):
        return None
    if run in BARE_MAGNITUDE_RUNS:
        return float(BARE_MAGNITUDE_RUNS[run])
    if run[0] in "零〇" and len(run) > 1:
        return None
    if run[-1] in "零〇" and len(run) > 1:
        return None
    try:
        return float(cn2an.cn2an(run, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def as_number(value: float) -> int | float:
    """An int for whole values (binary floats make 0.07 × 10000 = 700.0000000000001)."""
    value = round(value, 6)
    return int(value) if value == int(value) and abs(value) < 2**53 else value


def _words(text: str) -> list[str]:
    return text.split()


# --- measure words ------------------------------------------------------------------

MEASURES = _words(
    # compound and multi-character words first: 人次 before 人, 平方米 before 米
    "个百分点 平方公里 平方千米 百分点 平方米 立方米 千瓦时 "
    "人次 场次 条次 车次 架次 户次 批次 篇次 件次 班次 册次 期次 台次 辆次 艘次 "
    "公里 千米 公斤 千克 公顷 小时 分钟 课时 学时 美元 "
    "个 名 位 人 次 场 条 篇 张 块 面 册 本 处 件 期 天 户 家 所 支 队 幅 份 套 部 台 辆 座 "
    "栋 间 项 类 批 轮 组 首 集 档 则 盏 根 棵 株 枚 顶 把 只 头 副 双 包 袋 箱 瓶 节 堂 起 "
    "宗 例 笔 道 吨 斤 亩 米 元 倍 封 届 种 趟 遍 段 周 艘 架 列 字 % ‰ ㎡"
)
# Measure words that after a Chinese numeral mostly make names, not counts: 五台山, 两面人,
# 十九届 (an ordinal without 第), 二期工程, 十一期间.
CHINESE_EXCLUDED_MEASURES = {"台", "面", "届", "期", "道", "周", "元", "米", "头", "双", "把", "字"}

# Words that begin with a measure character but are nouns: "12部门" counts 部门 (no measure
# word), and after a Chinese numeral they make a name ("三部分" is structure, not a count).
NOUN_COMPOUNDS = set(
    _words(
        "部门 部分 部署 处室 科室 站所 场所 场馆 场地 场景 家庭 家长 家属 家园 家乡 人员 人民 人口 "
        "人才 人大 人数 人社 名单 名称 名额 条例 条件 条幅 期间 期刊 期限 项目 组织 队伍 队员 本地 "
        "本次 本级 位置 台账 元旦 件数 次数 户外 户籍 类别 类型 种类 批示 份额 支部 座谈 面积 面向 "
        "面对 道路 道德 节日 节点 集体 集中 头条 首页 首批 首次 包括 把握 根据 起草 例会 段落 周边 "
        "周末 周期 天然 天气 米粮 笔记 节气 节目 字样"
    )
)

# What follows a number that makes it a date, a time, an age, a rank or a name; checked
# before measure words, longest first (分钟 is a measure word, 分 is not).
NON_FIGURE_FOLLOWERS = sorted(
    _words(
        "年 月 日 号 时 点 分 秒 周年 周岁 岁 季度 世纪 年代 年度 月份 后 级 大 强 佳 优 好 "
        "星 线 路 楼 层 版 代 型 式 寸 度 成 热线 报警 急救 专线 国道 省道 县道 乡道 高速 "
        "中全会 全会"
    ),
    key=len,
    reverse=True,
)

# After a number with no measure word, these characters never begin the noun counted.
FUNCTION_CHARS = set(
    "的了和与及或至到比是在为以之等而且也都就又对向从由把被让使给中内外上下里余多来几前后左右"
    "亦即并同跟共每各该此其这那进入出学做不无未已将可能要会需应有去抓促保创争看讲万亿千百十"
)
# Words before a number that make it a total even without a measure word.
STRONG_COUNT_WORDS = ("达到", "共计", "累计", "合计", "总计", "共有", "达", "共")

# A number with no measure word counts the noun right after it only for these nouns
# (places, bodies and groups of people: "10县市", "12部门", "3000余干部群众"); other
# nouns right after a number make names and codes ("985高校", "110指挥中心") unless an
# approximation or a total word marks a count ("500余宣讲骨干", "共12部门").
BARE_NOUN_STARTS = tuple(
    _words(
        "县 市 区 乡 镇 村 州 省 盟 旗 国 校 街道 社区 部门 单位 企业 学校 院校 党员 干部 群众 "
        "村民 居民 市民 农户 农民 牧民 师生 学生 家庭 职工 网民 民警 志愿者 媒体 机关 支部 "
        "地区 省份 行业 组织 团队 选手 代表 委员 专家 人员 园区 站点 网格 社团 协会 商户 门店 "
        "景区 医院 车间 班组 工地 小区 楼栋 片区 户籍 老人 儿童 青少年 妇女 家长 教师 医生 民族"
    )
)

# Structural nouns: "三个方面", "两个阶段" describe a text, they are not statistics.
STRUCTURAL_NOUNS = ("方面", "部分", "阶段", "环节", "层面", "维度", "步骤", "原则", "板块", "重点")
SLOGANS = {
    "两个维护",
    "两个确立",
    "四个意识",
    "四个自信",
    "四个全面",
    "三个代表",
    "两个务必",
    "三个务必",
    "两个大局",
    "两个结合",
    "四个面向",
    "两个毫不动摇",
    "八项规定",
    "五个必由之路",
    "十个明确",
    "十四个坚持",
    "十三个方面",
    "两个一百年",
}
# Set phrases about availability, not quantities: "24小时值班", "365天不打烊"; a
# "15分钟生活圈" is a policy's name.
SET_PHRASES = {(24.0, "小时"), (365.0, "天")}
NAME_AFTER_MINUTES = re.compile(r"^[^,，。;；、]{0,6}圈")

# --- approximation ------------------------------------------------------------------

MORE, ABOUT, UNDER, AT_LEAST = "more", "about", "under", "at_least"

# Written right before the number (longest first).
PREFIX_QUALIFIERS = sorted(
    [
        ("不低于", AT_LEAST),
        ("不少于", AT_LEAST),
        ("不下于", AT_LEAST),
        ("至少", AT_LEAST),
        ("最少", AT_LEAST),
        ("超过", MORE),
        ("突破", MORE),
        ("多于", MORE),
        ("高于", MORE),
        ("逾", MORE),
        ("超", MORE),
        ("大约", ABOUT),
        ("约计", ABOUT),
        ("约", ABOUT),
        ("将近", UNDER),
        ("接近", UNDER),
        ("近", UNDER),
        ("不超过", UNDER),
        ("不足", UNDER),
        ("不到", UNDER),
        ("少于", UNDER),
        ("低于", UNDER),
    ],
    key=lambda item: len(item[0]),
    reverse=True,
)
# Only before a bare magnitude: 上万, 过万, 破千.
BARE_MAGNITUDE_PREFIXES = {"上": MORE, "过": MORE, "破": MORE}
# A qualifier word is not one when it ends a longer word: 最近, 附近, 预约, 签约, 高超.
QUALIFIER_BLOCKED_AFTER = {
    "近": set("最附邻靠就临亲贴"),
    "约": set("预签邀相节制公条履违特契合"),
    "超": set("高赶"),
}
# Between the qualifier and the number: "超过了", "约有", "约为".
QUALIFIER_FILLERS = ("了", "有", "为")
# Adverbs that may stand a verb away from the number: "至少举办1场".
DISTANT_QUALIFIERS = (("至少", AT_LEAST), ("最少", AT_LEAST))

# Between the number and its magnitude or measure word ("20余万", "20多条", "十几个").
INNER_QUALIFIERS = {"余": MORE, "多": MORE, "几": MORE, "来": ABOUT}
# After the magnitude ("1万余人", "10万+").
AFTER_MAGNITUDE_QUALIFIERS = {"余": MORE, "多": MORE, "+": MORE}
# After the measure word ("300人左右", "95%以上").
SUFFIX_QUALIFIERS = (
    ("以上", AT_LEAST),
    ("左右", ABOUT),
    ("上下", ABOUT),
    ("以下", UNDER),
    ("以内", UNDER),
    ("有余", MORE),
)

# Verbs and words that introduce a total; a number with neither measure word nor noun
# ("点击量达600万") is a figure only after one of these (or a qualifier).
COUNT_WORDS = ("达到", "共计", "累计", "合计", "总计", "共有", "达", "共", "计", "为", "有")

# Verbs stripped from the left when the counted noun stands before the number.
LEFT_VERBS = (
    "播出",
    "播发",
    "刊发",
    "刊播",
    "发布",
    "发放",
    "发送",
    "推送",
    "开展",
    "举办",
    "组织",
    "召开",
    "悬挂",
    "张贴",
    "制作",
    "设置",
    "设立",
    "参与",
    "参加",
    "覆盖",
    "涉及",
    "成立",
    "编印",
    "印制",
    "印发",
    "走访",
    "接受",
    "受众",
    "上稿",
    "报送",
    "采用",
    "录制",
    "放映",
    "演出",
    "培训",
    "投入",
    "使用",
    "减少",
    "增加",
    "下降",
    "提高",
    "增长",
    "抽取",
    "回收",
    "完成",
    "建成",
    "新建",
    "更新",
    "展出",
    "收到",
    "监测到",
)
TRAILING_COUNT_WORDS = tuple(w for w, _ in PREFIX_QUALIFIERS) + COUNT_WORDS + ("仅", "占")

STOP_CHARS = set("，,。.;；:：、!！?？()（）《》“”\"'‘’「」『』【】〔〕[]|/\\ \t\r\n")
COUNTED_STOP_CHARS = STOP_CHARS | set("的和与及并等在对将被从向其中")
