"""Figure extraction, rule by rule: each case is a text written here and every figure the
extractor must find in it as (text of the span, value, measure word, approximation)."""

import random

import pytest

from campaigndesk.documents.extraction import extract_figures


def _found(text: str) -> list[tuple]:
    return [(f.text, f.value, f.measure, f.approx) for f in extract_figures(text)]


MAGNITUDES = [
    ("发放宣传单5.6万份", [("5.6万", 56000, "份", None)]),
    ("全网总阅读量达1.3亿次", [("1.3亿", 130_000_000, "次", None)]),
    ("参与群众3千人", [("3千", 3000, "人", None)]),
    ("投入资金1000余万元", [("1000余万", 10_000_000, "元", "more")]),
    ("惠及群众20余万人", [("20余万", 200_000, "人", "more")]),
    ("为县级融媒体中心引流上万人次", [("万", 10000, "人次", "more")]),
    ("对8县(市)上万名移民群众进行慰问", [("8", 8, "", None), ("万", 10000, "名", "more")]),
    ("受众近千人", [("千", 1000, "人", "under")]),
    ("惠及群众万余人", [("万", 10000, "人", "more")]),
    ("开展宣讲百余场", [("百", 100, "场", "more")]),
    ("点击量逾百万次", [("百万", 1_000_000, "次", "more")]),
    ("编印资料10余万字", [("10余万", 100_000, "字", "more")]),
    ("止付冻结涉案资金86.5万元", [("86.5万", 865_000, "元", None)]),
    ("累计发放宣传品176,128张", [("176,128", 176128, "张", None)]),
    ("粉丝数达23.4万；", [("23.4万", 234_000, "", None)]),
    ("单篇阅读量10万+。", [("10万", 100_000, "", "more")]),
    ("宣讲长度1.8千米", [("1.8", 1.8, "千米", None)]),
]

APPROXIMATIONS = [
    ("播发短视频和新闻20多条", [("20", 20, "条", "more")]),
    ("受众1万余人", [("1万", 10000, "人", "more")]),
    ("全网累计点击量突破600万次", [("600万", 6_000_000, "次", "more")]),
    ("点击量超600万次", [("600万", 6_000_000, "次", "more")]),
    ("覆盖群众超过3000人", [("3000", 3000, "人", "more")]),
    ("观众逾2万人次", [("2万", 20000, "人次", "more")]),
    ("受众5.6萬余名", [("5.6萬", 56000, "名", "more")]),
    ("参与群众约300人", [("300", 300, "人", "about")]),
    ("大约5000份", [("5000", 5000, "份", "about")]),
    ("每场观众300人左右", [("300", 300, "人", "about")]),
    ("發放資料約為3000份", [("3000", 3000, "份", "about")]),
    ("近800名职工参加", [("800", 800, "名", "under")]),
    ("将近2000人", [("2000", 2000, "人", "under")]),
    ("知晓率接近90%", [("90", 90, "%", "under")]),
    ("负面信息占比不足2%", [("2", 2, "%", "under")]),
    ("每月报送信息不低于3篇", [("3", 3, "篇", "at_least")]),
    ("每人宣讲不少于3场", [("3", 3, "场", "at_least")]),
    ("每季度至少举办1场活动", [("1", 1, "场", "at_least")]),
    ("知晓率达到95%以上", [("95", 95, "%", "at_least")]),
    ("群众十几万人", [("十几万", 100_000, "人", "more")]),
    ("十来个村", [("十", 10, "个", "about")]),
    # a qualifier word inside a longer word is not one
    ("最近3天发放资料500份", [("3", 3, "天", None), ("500", 500, "份", None)]),
    ("预约300人次", [("300", 300, "人次", None)]),
    ("通过3次会议", [("3", 3, "次", None)]),
]

MEASURES = [
    ("参与群众3000人次", [("3000", 3000, "人次", None)]),
    ("共计演出10场次", [("10", 10, "场次", None)]),
    ("新闻推送12条次", [("12", 12, "条次", None)]),
    ("墙绘面积3600平方米", [("3600", 3600, "平方米", None)]),
    ("提高18.4个百分点", [("18.4", 18.4, "个百分点", None)]),
    ("出动宣传车50台次", [("50", 50, "台次", None)]),
    ("辖区面积1.8平方公里", [("1.8", 1.8, "平方公里", None)]),
    ("服务时长30分钟", [("30", 30, "分钟", None)]),
    ("涉及10县市、77个乡(镇)", [("10", 10, "", None), ("77", 77, "个", None)]),
    ("全县共12部门参与", [("12", 12, "", None)]),
    ("3000余干部群众参加", [("3000", 3000, "", "more")]),
    ("500余宣讲骨干", [("500", 500, "", "more")]),
    ("知晓率96.2%", [("96.2", 96.2, "%", None)]),
    ("百分之九十五的受访者", [("九十五", 95, "%", None)]),
    ("销毁毒品3.26kg", [("3.26", 3.26, "公斤", None)]),
]

CHINESE_NUMERALS = [
    ("召开两次会议", [("两", 2, "次", None)]),
    ("全年演出一百二十场", [("一百二十", 120, "场", None)]),
    ("观众达两万余人次", [("两万", 20000, "人次", "more")]),
    ("深入十余个乡镇", [("十", 10, "个", "more")]),
    ("讲解二十多个专题", [("二十", 20, "个", "more")]),
    ("组建演出队三支", [("三", 3, "支", None)]),
    ("贈送手冊兩百餘冊", [("兩百", 200, "冊", "more")]),
    ("涉及八十六个行政村", [("八十六", 86, "个", None)]),
    ("上百名群众赶来", [("百", 100, "名", "more")]),
]

NON_FIGURES = [
    "2024年1月起，2月22日，10月8-10日，10月30-11月3日",
    "二〇二四年十二月十六日，12月初，10月份开始",
    "上午9:30至11:30，9时30分，下午3点",
    "第42届，第一届，第3期，第十五届全县汇演，第1、2期，第 3 届",
    "1.巩固宣传阵地\n(一)全面宣传\n一、工作目标\n(1)加强领导\n10.拓展基层宣传深度",
    "附件：1.2024年度考核得分表",
    "党的二十大精神，二十届三中全会，十九届四中全会，“十四五”规划，十四五规划",
    "四下基层，一户一表，两代表一委员，农村三路建设，三下乡，两学一做，三会一课",
    "五位一体，四面八方，三番五次，千家万户，成千上万名群众，千方百计，万众一心",
    "坚持八项规定精神，做到两个维护，增强四个意识",
    "国道349，国道213线，320国道，G56杭瑞高速，5G基站，4K纪录片，H5作品",
    "拨打12345热线，110指挥中心，985高校",
    "电话：0871-6123456，传真(0871)6123457，手机13987654321，邮编650000",
    "网址http://www.example.cn/news/2024-09/30/content_8812.html，邮箱abc2024@163.com",
    "达到“双90%”目标，“1+N”模式，“15分钟便民生活圈”，15分钟生活圈",
    "“6·26”国际禁毒日，12·4国家宪法日，3·15晚会，2024.10.8，2024/10/08",
    "重点宣传省级十大重点民生实事，一个宣传阵地，开展一次集中宣传，一批项目",
    "排名全省第3位，前10名，十佳，百强县，100强，热榜前三位",
    "一季度，二季度，三年级，5年级，60岁以上老人，80后",
    "数十名，几十个，数以万计，数千名",
    "百场文艺演出进基层，万人宣讲，千人计划",
    "10万+作品，24小时值班，365天不打烊",
    "三至五个节目，3-5人，2～3次",
    "序号 | 单位 | 时间\n1 | 县委宣传部 | 10月\n2 | 县融媒体中心 | 11月",
    "十一期间，三部分，二十四节气",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    MAGNITUDES + APPROXIMATIONS + MEASURES + CHINESE_NUMERALS,
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_figures(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text", NON_FIGURES)
def test_not_figures(text):
    assert _found(text) == []


def test_values_are_ints_when_whole():
    (figure,) = extract_figures("发放5.6万份")
    assert figure.value == 56000 and isinstance(figure.value, int)
    (figure,) = extract_figures("知晓率96.2%")
    assert isinstance(figure.value, float)
    for amount in ("0.07万", "0.14亿", "48.76万", "1.86万"):
        (figure,) = extract_figures(f"发放{amount}份")
        assert isinstance(figure.value, int), (amount, figure.value)


def test_offsets_point_into_the_original_text():
    text = "2024年,共开展宣讲86场次,受众4200余人次。"
    for figure in extract_figures(text):
        assert text[figure.start : figure.end] == figure.text
    assert [f.text for f in extract_figures(text)] == ["86", "4200"]


def test_traditional_text_with_pinyin_artifacts_keeps_original_offsets():
    text = (
        "事關(guān)民生。發(fā)放宣傳資料3.8萬份,開(kāi)展宣講138場(chǎng)次,"
        "受教育群眾5.6萬(wàn)餘人次,設立宣傳點42個(gè)。"
    )
    figures = extract_figures(text)
    assert [(f.text, f.value, f.measure, f.approx) for f in figures] == [
        ("3.8萬", 38000, "份", None),
        ("138", 138, "場次", None),
        ("5.6萬", 56000, "人次", "more"),
        ("42", 42, "個", None),
    ]
    for figure in figures:
        assert text[figure.start : figure.end] == figure.text
    assert figures[1].start == text.index("138")
    assert figures[2].start == text.index("5.6萬")


def test_full_width_digits_and_signs():
    text = "开展宣讲１２场，覆盖１．２万人次，满意度９８％。"
    figures = extract_figures(text)
    assert [(f.text, f.value, f.measure) for f in figures] == [
        ("１２", 12, "场"),
        ("１．２万", 12000, "人次"),
        ("９８", 98, "%"),
    ]
    assert all(text[f.start : f.end] == f.text for f in figures)


def test_crlf_newlines_are_not_translated():
    text = "第一段。\r\n截至6月30日，发放资料300份。\r\n"
    (figure,) = extract_figures(text)
    assert text[figure.start : figure.end] == "300"


def test_counted_noun_after_or_before_the_number():
    after, before = extract_figures("成立2个工作组，播出新闻3条。")
    assert after.counted == "工作组"
    assert before.counted == "新闻"


class TestAsOf:
    def test_full_date(self):
        (figure,) = extract_figures("截至2024年2月22日，播出新闻3条。")
        assert figure.as_of == "2024-02-22"

    def test_year_from_earlier_in_the_document(self):
        text = "2024年1月起开展宣传活动。\n截至2月17日，累计发放宣传品176128张。"
        (figure,) = extract_figures(text)
        assert figure.as_of == "2024-02-17"

    def test_year_from_earlier_in_the_paragraph(self):
        (figure,) = extract_figures("2023年，全县截至6月底发放资料300份。")
        assert figure.as_of == "2023-06-30"

    def test_comparison_years_are_not_context(self):
        text = "2024年工作总结\n较2023年有所增长，截至6月30日发放资料300份。"
        (figure,) = extract_figures(text)
        assert figure.as_of == "2024-06-30"

    def test_no_year_known(self):
        (figure,) = extract_figures("截至2月17日，发放资料300份。")
        assert figure.as_of is None

    def test_only_figures_after_the_marker_and_in_its_paragraph(self):
        text = "召开会议3次，截至2024年5月31日发放资料300份。\n悬挂横幅20条。"
        before, after, other_paragraph = extract_figures(text)
        assert before.as_of is None
        assert after.as_of == "2024-05-31"
        assert other_paragraph.as_of is None

    def test_nearest_earlier_marker_wins(self):
        text = "截至2024年3月31日发放300份，截至2024年6月30日发放800份。"
        first, second = extract_figures(text)
        assert (first.as_of, second.as_of) == ("2024-03-31", "2024-06-30")

    def test_marker_without_a_date(self):
        text = "截至2024年3月31日发放300份；截至目前，累计开展宣讲86场次。"
        first, second = extract_figures(text)
        assert (first.as_of, second.as_of) == ("2024-03-31", None)

    def test_end_of_year_and_traditional(self):
        (figure,) = extract_figures("截止2023年底，全縣懸掛橫幅1260條。")
        assert figure.as_of == "2023-12-31"
        assert figure.measure == "條"

    def test_date_parts_are_not_figures(self):
        figures = extract_figures("截至2024年2月22日，共3条。")
        assert [f.text for f in figures] == ["3"]


def test_any_text_gives_valid_spans():
    """Whatever the input, spans are inside the text and cover the reported text."""
    alphabet = (
        "0123456789.,%万亿千百十一二两三四五六七八九零余多约近超第年月日个人次场条篇"
        "、，。(（)）“”《》\n 　１２．％關(guān)"
    )
    rng = random.Random(20240601)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        for figure in extract_figures(text):
            assert 0 <= figure.start < figure.end <= len(text)
            assert text[figure.start : figure.end] == figure.text
            assert figure.approx in (None, "more", "about", "under", "at_least")


def test_empty_and_blank_text_have_no_figures():
    assert extract_figures("") == []
    assert extract_figures("\n\n   \n") == []


def test_as_dict_has_the_cli_keys_in_order():
    (figure,) = extract_figures("发放资料300份")
    assert list(figure.as_dict()) == [
        "start",
        "end",
        "text",
        "value",
        "measure",
        "approx",
        "counted",
        "as_of",
    ]
