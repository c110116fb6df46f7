"""Figures written for the language: 万 and 亿 in Chinese, grouped digits in English, the
approximation kept and never overstated."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from campaigndesk.web.templatetags.figures import exact_text, short_figure, shorten


@pytest.mark.parametrize(
    ("value", "approx", "chinese", "english"),
    [
        (176128, "", "17.6万", "176,128"),
        (176128, "more", "17.6万", "176,128"),
        (176960, "", "17.7万", "176,960"),
        (176960, "more", "17.6万", "176,960"),  # 余: cut down, never rounded up
        (9999, "", "9999", "9,999"),
        (10000, "", "1万", "10,000"),
        (123456789, "", "1.2亿", "123,456,789"),
        (99_999_999, "", "1亿", "99,999,999"),
        (Decimal("6200.50"), "", "6200.5", "6,200.5"),
        (0, "", "0", "0"),
        (None, "", "", ""),
    ],
)
def test_shorten(value, approx, chinese, english):
    with translation.override("zh-hans"):
        assert shorten(value, approx) == chinese
    with translation.override("zh-hant"):
        assert shorten(value, approx) == chinese
    with translation.override("en"):
        assert shorten(value, approx) == english


def test_short_figure_keeps_the_approximation_and_measure_word():
    with translation.override("zh-hans"):
        assert short_figure(Decimal(176128), "more", "张") == "17.6万余张"
        assert short_figure(Decimal(62000), "about", "平方米") == "约6.2万平方米"
        assert short_figure(Decimal(29), "under", "场次") == "近29场次"
        assert exact_text(Decimal(176128), "more", "张") == "176128余张"
    with translation.override("en"):
        assert short_figure(Decimal(176128), "more", "张") == "176,128余张"
        assert exact_text(Decimal(176128), "more", "张") == "176,128余张"


def test_figure_tag_shows_the_exact_value_in_its_tooltip():
    template = Template("{% load figures %}{% figure value approx word %}")
    with translation.override("zh-hans"):
        html = template.render(Context({"value": Decimal(176128), "approx": "more", "word": "张"}))
        assert html == '<data value="176128" title="176128余张">17.6万余张</data>'
    with translation.override("en"):
        html = template.render(Context({"value": None, "approx": "", "word": "张"}))
        assert html == '<span class="nodata">No data</span>'


def test_large_count_and_exact_number_filters():
    template = Template("{% load figures %}{{ v|large_count }} {{ v|exact_number }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"v": 176128})) == "17.6万 176128"
    with translation.override("en"):
        assert template.render(Context({"v": 176128})) == "176,128 176,128"
