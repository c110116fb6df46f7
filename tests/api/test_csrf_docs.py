"""Session auth enforces CSRF on writes; the docs are served from our own static files."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

from campaigndesk.regions.models import Unit

API = "/api/v1"


def test_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.office)
    payload = {"name": "新建单位", "kind": "department", "region_code": world.county.code}

    assert client.get(f"{API}/units").status_code == 200  # reads need no token
    refused = client.post(f"{API}/units", payload, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Unit.objects.filter(name="新建单位").exists()

    # The docs page hands out the token, as a browser session would get it.
    assert client.get(f"{API}/docs").status_code == 200
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{API}/units", payload, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content
    assert Unit.objects.filter(name="新建单位").exists()


def test_docs_render_without_external_urls(login, world):
    response = login("observer").get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "://" not in html and "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local file"


def test_docs_and_schema_need_a_login(client, login, world):
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 302
    assert "/accounts/login/" in docs["Location"]
    assert client.get(f"{API}/openapi.json").status_code == 302
    schema = login("reporter").get(f"{API}/openapi.json")
    assert schema.status_code == 200
    assert f"{API}/campaigns/{{campaign_id}}/schedule" in schema.json()["paths"]
