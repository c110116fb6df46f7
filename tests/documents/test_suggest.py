"""Suggesting the indicator a figure counts: measure word and counted noun, script-blind."""

import pytest

from campaigndesk.documents.suggest import candidates, measure_points, suggest
from campaigndesk.ledger.models import Aggregation, Indicator


@pytest.fixture
def pool(db):
    return candidates()


@pytest.mark.parametrize(
    ("measure", "counted", "code"),
    [
        ("场次", "政策宣讲", "lectures"),
        ("场", "文艺巡演", "performances"),  # 场 and 场次 count the same
        ("次", "会议专题研究", "meetings"),
        ("个", "工作组", "working_groups"),
        ("条", "期新媒体短视频", "short_videos"),
        ("条", "移民安置点形象专题片", "special_films"),
        ("人次", "群众", "event_participants"),
        ("张", "宣传单", "leaflets"),
        # The cumulative indicator shares more of the noun than the plain one.
        ("次", "全网累计点击量", "views_cumulative"),
        ("次", "点击量", "views"),
        # Traditional script and full-width forms.
        ("條", "懸掛橫幅", "banners"),
        ("篇", "刊發文圖", "articles"),
        # No noun, but a measure word only one indicator has.
        ("平方米", "", "material_area"),
        ("期", "", "briefings"),
    ],
)
def test_suggests(pool, measure, counted, code):
    indicator = suggest(measure, counted, pool)
    assert indicator is not None and indicator.code == code


@pytest.mark.parametrize(
    ("measure", "counted"),
    [
        ("名", "班子成员"),  # nothing of the kind
        ("场次", ""),  # several indicators count 场次
        ("份", "宣传资料"),  # 份 is no indicator's measure word
        ("人", "群众"),  # 人 is not 人次: people are not attendances
        ("%", "知晓率"),  # rates are computed, never entered
        ("", ""),
    ],
)
def test_suggests_nothing_without_evidence(pool, measure, counted):
    assert suggest(measure, counted, pool) is None


def test_ratios_and_distinct_counts_are_never_candidates(pool):
    aggregations = {c.indicator.aggregation for c in pool}
    assert Aggregation.RATIO not in aggregations
    assert Aggregation.DISTINCT not in aggregations
    assert {"awareness_rate", "villages_covered"}.isdisjoint({c.indicator.code for c in pool})


def test_an_office_indicator_is_suggested_too(db):
    Indicator.objects.create(
        code="fraud_cases_averted", name="劝阻诈骗", measure_word="起", category="effect"
    )
    indicator = suggest("起", "成功劝阻电信诈骗", candidates())
    assert indicator is not None and indicator.code == "fraud_cases_averted"


def test_a_tie_between_indicators_suggests_nothing(db):
    for code in ("a", "b"):
        Indicator.objects.create(code=code, name="专项宣传", measure_word="次", category="events")
    assert suggest("次", "专项宣传", candidates()) is None


def test_measure_points():
    assert measure_points("条", "条") == 3
    assert measure_points("名", "人") == 2
    assert measure_points("", "条") == 0
    assert measure_points("张", "条") is None
