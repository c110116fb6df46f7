"""Figures written as offices write them: the number, 余 / 约 / 近 / 不低于, the measure word."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from campaigndesk.ledger.display import figure_display, number_display, row_display


@pytest.mark.parametrize(
    ("value", "approx", "measure_word", "expected"),
    [
        (Decimal(176128), "more", "张", "176128余张"),
        (Decimal("176128.0000"), "", "张", "176128张"),
        (Decimal(6200), "about", "平方米", "约6200平方米"),
        (Decimal(30), "under", "场次", "近30场次"),
        (Decimal(5), "at_least", "个", "不低于5个"),
        (Decimal("95.50"), "about", "%", "约95.5%"),
        (Decimal("6200.25"), "", "", "6200.25"),
        (1800, "more", "条", "1800余条"),
        (Decimal("1E+5"), "", "次", "100000次"),
        (Decimal(0), "", "篇", "0篇"),
        (Decimal(12), "guess", "条", "12条"),  # unknown approximation: shown as exact
        (None, "more", "张", ""),
    ],
)
def test_figure_display(value, approx, measure_word, expected):
    assert figure_display(value, approx, measure_word) == expected


def test_number_display_drops_noise_but_keeps_fractions():
    assert number_display(Decimal("1800.00")) == "1800"
    assert number_display(Decimal("0.50")) == "0.5"
    assert number_display(2.5) == "2.5"
    assert number_display("not a number") == "not a number"
    assert number_display(None) == ""


def test_row_display_uses_the_indicators_measure_word():
    row = SimpleNamespace(
        value=Decimal(177128), approx="more", indicator=SimpleNamespace(measure_word="张")
    )
    assert row_display(row) == "177128余张"


def test_a_measured_rate_keeps_its_approximation_on_the_campaign_page(ledger, client):
    from campaigndesk.campaigns.models import RateTarget

    # awareness = 240 / 300 with a "more" part (S2): 80余%, as the API writes it.
    RateTarget.objects.create(campaign=ledger.campaign, kind="awareness", target_percent=90)
    client.force_login(ledger.office)
    api = client.get(
        f"/api/v1/campaigns/{ledger.campaign.pk}/rollup",
        {"indicators": "awareness_rate"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    display = api.json()["rows"][0]["display"]
    assert display == "80余%"
    page = client.get(f"/campaigns/{ledger.campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'<td class="num">{display}</td>' in page.content.decode()


def test_a_record_names_its_figure_as_offices_write_it(ledger):
    # (the "Saved: …" message and the audit trail name records so)
    assert str(ledger.records["F1"]).endswith(" 10000余")
    assert str(ledger.records["M3"]).endswith(" 31")
