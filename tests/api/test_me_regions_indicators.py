"""GET /me, the region directory and the indicator vocabulary."""

from campaigndesk.ledger.models import Indicator

API = "/api/v1"


def test_me_describes_the_signed_in_user(login, world):
    world.office.full_name = "张三"
    world.office.save()
    response = login("office").get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "office"
    assert body["full_name"] == "张三"
    assert body["roles"] == ["office"]
    assert body["unit"]["id"] == world.office_unit.pk
    assert body["unit"]["name"] == world.office_unit.name
    assert body["unit"]["region"]["code"] == world.prefecture.code
    assert body["language"] == "zh-hans"  # the site default when none was chosen


def test_me_gives_the_chosen_language_and_no_unit_for_the_admin(login, world):
    world.admin.language = "en"
    world.admin.save()
    body = login("admin").get(f"{API}/me").json()
    assert body["language"] == "en"
    assert body["unit"] is None
    assert body["roles"] == ["admin"]


def test_unauthenticated_requests_get_401_with_a_message(client, world):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_region_detail_lists_ancestors_from_the_root(login, world):
    response = login("reporter").get(f"{API}/regions/{world.township.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "532301001"
    assert body["full_code"] == "532301001000"
    assert body["level"] == 4
    assert body["parent_code"] == "532301"
    assert [a["code"] for a in body["ancestors"]] == ["53", "5323", "532301"]


def test_region_detail_accepts_the_twelve_digit_code(login, world):
    body = login("observer").get(f"{API}/regions/532300000000").json()
    assert body["code"] == "5323"
    assert body["parent_code"] == "53"


def test_region_detail_404_for_an_unknown_code(login, world):
    response = login("office").get(f"{API}/regions/999999")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_region_children_are_the_next_level_only(login, world):
    response = login("other_reporter").get(f"{API}/regions/{world.prefecture.code}/children")
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == ["532301", "532322"]
    assert login("office").get(f"{API}/regions/nope/children").status_code == 404


def test_indicators_are_the_active_vocabulary(login, world):
    Indicator.objects.filter(code="views").update(is_active=False)
    response = login("reporter").get(f"{API}/indicators")
    assert response.status_code == 200
    body = response.json()
    codes = [i["code"] for i in body]
    expected = list(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes == expected
    assert "views" not in codes
    latest = next(i for i in body if i["code"] == "views_cumulative")
    assert latest["aggregation"] == "latest"
    assert latest["measure_word"] == "次"
    assert latest["category"] == "media"
    assert latest["category_label"]
